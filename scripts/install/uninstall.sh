#!/usr/bin/env bash
# Removes what install.sh installed. Stored exams, the outbox, the configuration and the keys
# stay unless --purge is given (an uninstall must never lose an unsynced exam by accident).
# usage: uninstall.sh [--prefix DIR] [--purge]
set -euo pipefail
PREFIX=""
PURGE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2%/}"; shift 2 ;;
    --purge) PURGE=1; shift ;;
    *) echo "uninstall.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$PREFIX" ] && [ -d /run/systemd/system ]; then
  systemctl disable --now pleura-kiosk.service pleura.service 2>/dev/null || true
fi
rm -f "$PREFIX/etc/systemd/system/pleura.service" "$PREFIX/etc/systemd/system/pleura-kiosk.service" "$PREFIX/etc/systemd/journald.conf.d/pleura.conf" "$PREFIX/usr/local/bin/pleura"
[ -z "$PREFIX" ] && [ -d /run/systemd/system ] && systemctl daemon-reload || true
rm -rf "$PREFIX/opt/pleura"
if [ "$PURGE" = 1 ]; then
  rm -rf "$PREFIX/etc/pleura" "$PREFIX/var/lib/pleura" "$PREFIX/var/log/pleura"
  echo "uninstall: removed Pleura, its configuration, keys and all stored exams"
else
  echo "uninstall: removed Pleura; kept $PREFIX/etc/pleura and $PREFIX/var/lib/pleura (exams) — --purge removes them"
fi
