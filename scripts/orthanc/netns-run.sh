#!/usr/bin/env bash
# Runs a command in a private network namespace that has only loopback (127.0.0.1, ::1):
# everything started inside can reach each other and nothing else, and nothing outside can
# reach them. (From ../shared/howto/orthanc/netns-run.sh.)
#
#   scripts/orthanc/netns-run.sh CMD [ARGS...]
#
# Needs util-linux `unshare` and iproute2 `ip`; works as root, and as a normal user where
# unprivileged user namespaces are enabled. There is no network inside: install first.
set -euo pipefail

if [ "${1:-}" = "--inner" ]; then
  shift
  ip link set lo up
  exec "$@"
fi
if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
exec unshare --net --map-root-user -- "$0" --inner "$@"
