#!/usr/bin/env bash
# Inside netns-run.sh: starts Orthanc and makes its HTTP port reachable from outside the
# namespace only through a Unix socket, STATE_DIR/http.sock (a file, which the host side sees;
# test/helpers/orthanc.ts forwards a host loopback port to it). Runs until killed; Orthanc can
# be stopped and started again meanwhile (nsenter into this process's namespace).
#
#   scripts/orthanc/netns-run.sh scripts/orthanc/serve-in-netns.sh STATE_DIR
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${1:?usage: $0 STATE_DIR}"
command -v socat >/dev/null || { echo "socat not found: apt-get install socat" >&2; exit 2; }
ENV_FILE="$("$HERE/start-orthanc.sh" "$STATE_DIR")"
# shellcheck disable=SC1090
. "$ENV_FILE"
rm -f "$STATE_DIR/http.sock"
exec socat "UNIX-LISTEN:$STATE_DIR/http.sock,fork,mode=600" "TCP:127.0.0.1:$ORTHANC_HTTP_PORT"
