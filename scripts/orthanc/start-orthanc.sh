#!/usr/bin/env bash
# Starts Orthanc in the background (no systemd) with a state folder, a free loopback port and a
# random basic-auth password; prints the path of an env file to source. Adapted from
# ../shared/howto/orthanc/start-orthanc.sh.
#
#   ENV_FILE=$(scripts/orthanc/start-orthanc.sh [STATE_DIR]);  . "$ENV_FILE"
#   scripts/orthanc/stop-orthanc.sh "$ORTHANC_STATE_DIR" [--purge]
#
# Starting again with the same STATE_DIR (and the variables from its env file) restarts the
# same Orthanc with the same data. Optional environment: ORTHANC_BIN [Orthanc],
# ORTHANC_PLUGINS_DIR [/usr/share/orthanc/plugins], ORTHANC_HTTP_PORT [free], ORTHANC_USER
# [pleura-test], ORTHANC_PASSWORD [random], ORTHANC_ALLOW_HOST_NETWORK=1 (start although this
# namespace has interfaces besides lo: Orthanc 1.10 then listens on them too).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ORTHANC_BIN="${ORTHANC_BIN:-Orthanc}"
command -v "$ORTHANC_BIN" >/dev/null || { echo "Orthanc not found: apt-get install orthanc orthanc-dicomweb (scripts/install-test-deps.sh)" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl not found: apt-get install curl" >&2; exit 2; }

OTHER_IFS="$(awk -F: 'NR>2 { gsub(/ /, "", $1); if ($1 != "lo") print $1 }' /proc/net/dev | tr '\n' ' ')"
if [ -n "$OTHER_IFS" ] && [ "${ORTHANC_ALLOW_HOST_NETWORK:-0}" != 1 ]; then
  echo "refusing to start: interfaces besides lo exist ($OTHER_IFS) and Orthanc 1.10 listens on all of them;" >&2
  echo "run inside scripts/orthanc/netns-run.sh, or set ORTHANC_ALLOW_HOST_NETWORK=1 on an isolated machine" >&2
  exit 3
fi

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

STATE_DIR="${1:-$(mktemp -d "${TMPDIR:-/tmp}/pleura-orthanc.XXXXXX")}"
mkdir -p "$STATE_DIR/storage"
STATE_DIR="$(cd "$STATE_DIR" && pwd)"
# Running and not a zombie: a killed Orthanc is re-parented and may wait a while for its reaper.
running() { [ -r "/proc/$1/stat" ] && [ "$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$1/stat")" != Z ]; }
if [ -f "$STATE_DIR/orthanc.pid" ] && running "$(cat "$STATE_DIR/orthanc.pid")"; then
  echo "already running: $STATE_DIR/orthanc.pid" >&2
  exit 1
fi

export ORTHANC_NAME="${ORTHANC_NAME:-pleura-test-pacs}"
export ORTHANC_STORAGE_DIR="$STATE_DIR/storage"
export ORTHANC_PLUGINS_DIR="${ORTHANC_PLUGINS_DIR:-/usr/share/orthanc/plugins}"
export ORTHANC_HTTP_PORT="${ORTHANC_HTTP_PORT:-$(free_port)}"
export ORTHANC_USER="${ORTHANC_USER:-pleura-test}"
export ORTHANC_PASSWORD="${ORTHANC_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}"

[ -e "$ORTHANC_PLUGINS_DIR/libOrthancDicomWeb.so" ] || { echo "missing plugin $ORTHANC_PLUGINS_DIR/libOrthancDicomWeb.so: apt-get install orthanc-dicomweb" >&2; exit 2; }

"$ORTHANC_BIN" "$HERE/orthanc.json" >>"$STATE_DIR/orthanc.log" 2>&1 &
PID=$!
echo "$PID" >"$STATE_DIR/orthanc.pid"

ENV_FILE="$STATE_DIR/orthanc.env"
umask 077
cat >"$ENV_FILE" <<ENV
ORTHANC_STATE_DIR='$STATE_DIR'
ORTHANC_PID='$PID'
ORTHANC_URL='http://127.0.0.1:$ORTHANC_HTTP_PORT'
ORTHANC_DICOMWEB_URL='http://127.0.0.1:$ORTHANC_HTTP_PORT/dicom-web'
ORTHANC_HTTP_PORT='$ORTHANC_HTTP_PORT'
ORTHANC_USER='$ORTHANC_USER'
ORTHANC_PASSWORD='$ORTHANC_PASSWORD'
export ORTHANC_STATE_DIR ORTHANC_PID ORTHANC_URL ORTHANC_DICOMWEB_URL ORTHANC_HTTP_PORT ORTHANC_USER ORTHANC_PASSWORD
ENV

for _ in $(seq 1 60); do
  if ! running "$PID"; then
    echo "Orthanc exited during start-up; last log lines:" >&2
    tail -n 20 "$STATE_DIR/orthanc.log" >&2
    exit 1
  fi
  if curl -fsS -o /dev/null -u "$ORTHANC_USER:$ORTHANC_PASSWORD" "http://127.0.0.1:$ORTHANC_HTTP_PORT/system" 2>/dev/null; then
    echo "$ENV_FILE"
    exit 0
  fi
  sleep 0.5
done
echo "Orthanc did not answer within 30 s; see $STATE_DIR/orthanc.log" >&2
kill "$PID" 2>/dev/null || true
exit 1
