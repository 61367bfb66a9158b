#!/usr/bin/env bash
# Installs a Pleura release onto this machine (or under --prefix, for tests and image builds):
#   PREFIX/opt/pleura/releases/<version>/   the release (dist, kiosk page, models, node_modules, docs)
#   PREFIX/opt/pleura/current -> releases/<version>
#   PREFIX/etc/pleura/config.json           created once, never overwritten
#   PREFIX/etc/pleura/keys/                 0700, filled by `pleura provision`
#   PREFIX/var/lib/pleura/                  exams, outbox, database (never touched by installs)
#   PREFIX/var/log/pleura/
#   PREFIX/etc/systemd/system/pleura.service, pleura-kiosk.service
#   PREFIX/etc/systemd/journald.conf.d/pleura.conf
#   PREFIX/usr/local/bin/pleura             the CLI of the current release (pleura provision, update, …)
# Idempotent: running it again with the same release changes nothing.
#
# usage: install.sh [--prefix DIR] [--from SOURCE_DIR] [--user NAME] [--no-user] [--no-enable]
set -euo pipefail

PREFIX=""
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
USER_NAME=pleura
CREATE_USER=1
ENABLE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2%/}"; shift 2 ;;
    --from) SRC="$(cd "$2" && pwd)"; shift 2 ;;
    --user) USER_NAME="$2"; shift 2 ;;
    --no-user) CREATE_USER=0; shift ;;
    --no-enable) ENABLE=0; shift ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

ROOT="$PREFIX/opt/pleura"
CONFDIR="$PREFIX/etc/pleura"
DATADIR="$PREFIX/var/lib/pleura"
LOGDIR="$PREFIX/var/log/pleura"
UNITDIR="$PREFIX/etc/systemd/system"
JOURNALDIR="$PREFIX/etc/systemd/journald.conf.d"
NODE="$(command -v node)"
changed=0
say() { echo "install: $*"; }

[ -f "$SRC/dist/device/cli/main.js" ] || { echo "install.sh: $SRC has no build (dist/); run 'npm install' there first" >&2; exit 1; }
[ -d "$SRC/node_modules" ] || { echo "install.sh: $SRC has no node_modules; run 'npm install' there first" >&2; exit 1; }
VERSION="$(node -p "require('$SRC/package.json').version")"

# 1. The service user (only on a real install: a prefix install runs as whoever runs it).
OWNER="$(id -un)"
if [ -z "$PREFIX" ] && [ "$CREATE_USER" = 1 ]; then
  if ! id -u "$USER_NAME" >/dev/null 2>&1; then
    useradd --system --home-dir "$DATADIR" --shell /usr/sbin/nologin --user-group "$USER_NAME"
    changed=1; say "created system user $USER_NAME"
  fi
  for g in dialout plugdev video render input; do
    if getent group "$g" >/dev/null && ! id -nG "$USER_NAME" | tr ' ' '\n' | grep -qx "$g"; then usermod -aG "$g" "$USER_NAME"; changed=1; fi
  done
  OWNER="$USER_NAME"
fi

# 2. Folders, with their owners and modes.
mkdir_mode() { # path mode owner
  if [ ! -d "$1" ]; then mkdir -p "$1"; changed=1; fi
  [ "$(stat -c %a "$1")" = "$2" ] || { chmod "$2" "$1"; changed=1; }
  if [ "$(id -u)" = 0 ] && [ "$(stat -c %U "$1")" != "$3" ]; then chown "$3:$3" "$1"; changed=1; fi
}
mkdir_mode "$ROOT" 755 root
mkdir_mode "$ROOT/releases" 755 root
mkdir_mode "$CONFDIR" 755 root
mkdir_mode "$CONFDIR/keys" 700 "$OWNER"
mkdir_mode "$DATADIR" 750 "$OWNER"
mkdir_mode "$LOGDIR" 750 "$OWNER"

# 3. The release: copied once; a stamp of the source tree says whether it is already there.
stamp="$(cd "$SRC" && find dist ui-kiosk/web models/lung-findings package.json package-lock.json -type f \( -name '*.js' -o -name '*.html' -o -name '*.css' -o -name '*.json' -o -name '*.onnx' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)"
RELEASE="$ROOT/releases/$VERSION"
if [ "$(cat "$RELEASE/.release-stamp" 2>/dev/null || true)" != "$stamp" ]; then
  staging="$ROOT/releases/.staging-$VERSION"
  rm -rf "$staging"
  mkdir -p "$staging/ui-kiosk"
  cp -a "$SRC/package.json" "$SRC/package-lock.json" "$SRC/dist" "$SRC/docs" "$staging/"
  cp -a "$SRC/ui-kiosk/web" "$staging/ui-kiosk/"
  # The trained models with their manifests and golden outputs (not the training scripts).
  mkdir -p "$staging/models"
  cp -a "$SRC/models/lung-findings" "$staging/models/"
  # node_modules is large (onnxruntime); hard links when on the same filesystem, else a copy.
  cp -al "$SRC/node_modules" "$staging/" 2>/dev/null || cp -a "$SRC/node_modules" "$staging/"
  echo "$stamp" > "$staging/.release-stamp"
  rm -rf "$RELEASE"
  mv "$staging" "$RELEASE"
  changed=1; say "release $VERSION installed in $RELEASE"
fi
if [ "$(readlink "$ROOT/current" 2>/dev/null || true)" != "releases/$VERSION" ]; then
  ln -sfn "releases/$VERSION" "$ROOT/current.new" && mv -T "$ROOT/current.new" "$ROOT/current"
  changed=1; say "current -> releases/$VERSION"
fi

# 4. Configuration: created once with the paths of this install, never overwritten.
if [ ! -f "$CONFDIR/config.json" ]; then
  cat > "$CONFDIR/config.json" <<JSON
{
  "kiosk": { "host": "127.0.0.1", "port": 8080 },
  "probe": { "transport": { "kind": "sim" } },
  "pipeline": { "runtimeDir": "" },
  "device": { "configDir": "$CONFDIR", "requireProvisioning": true },
  "store": { "dataDir": "$DATADIR" }
}
JSON
  chmod 644 "$CONFDIR/config.json"
  changed=1; say "wrote $CONFDIR/config.json (simulated probe; edit probe.transport for hardware)"
fi

# 5. systemd units and the journald size cap, written only when their content changes.
render() { # template target
  local tmp; tmp="$(mktemp)"
  sed -e "s|@ROOT@|$ROOT|g" -e "s|@CONFDIR@|$CONFDIR|g" -e "s|@DATADIR@|$DATADIR|g" -e "s|@LOGDIR@|$LOGDIR|g" \
      -e "s|@USER@|$OWNER|g" -e "s|@NODE@|$NODE|g" "$1" > "$tmp"
  if ! cmp -s "$tmp" "$2"; then mkdir -p "$(dirname "$2")"; install -m 644 "$tmp" "$2"; changed=1; say "wrote $2"; fi
  rm -f "$tmp"
}
UNITS="$SRC/scripts/install/units"
render "$UNITS/pleura.service" "$UNITDIR/pleura.service"
render "$UNITS/pleura-kiosk.service" "$UNITDIR/pleura-kiosk.service"
render "$UNITS/journald-pleura.conf" "$JOURNALDIR/pleura.conf"

# 5b. `pleura` on the PATH: the CLI of whichever release is current.
BINDIR="$PREFIX/usr/local/bin"
cli="$(mktemp)"
printf '#!/bin/sh\n# Installed by Pleura'"'"'s install.sh: the pleura CLI of the current release.\nexec %s %s/current/dist/device/cli/main.js "$@"\n' "$NODE" "$ROOT" > "$cli"
if ! cmp -s "$cli" "$BINDIR/pleura"; then mkdir -p "$BINDIR"; install -m 755 "$cli" "$BINDIR/pleura"; changed=1; say "wrote $BINDIR/pleura"; fi
rm -f "$cli"

# 6. On a real install with systemd running: enable and (re)start.
if [ -z "$PREFIX" ] && [ "$ENABLE" = 1 ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable pleura.service pleura-kiosk.service >/dev/null
  if [ "$changed" = 1 ]; then systemctl restart pleura.service pleura-kiosk.service; else systemctl start pleura.service pleura-kiosk.service; fi
fi

if [ "$changed" = 1 ]; then say "done: Pleura $VERSION in $ROOT"; else say "nothing to do: Pleura $VERSION is installed"; fi
