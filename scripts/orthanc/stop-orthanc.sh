#!/usr/bin/env bash
# Stops the Orthanc started by start-orthanc.sh, by its recorded pid only.
#   scripts/orthanc/stop-orthanc.sh STATE_DIR [--purge]     (--purge deletes STATE_DIR too)
set -euo pipefail
STATE_DIR="${1:?usage: $0 STATE_DIR [--purge]}"
PID_FILE="$STATE_DIR/orthanc.pid"
# Running and not a zombie (an exited Orthanc may wait for its reaper a while).
running() { [ -r "/proc/$1/stat" ] && [ "$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$1/stat")" != Z ]; }
if [ -f "$PID_FILE" ]; then
  PID="$(cat "$PID_FILE")"
  if running "$PID"; then
    kill -TERM "$PID"
    for _ in $(seq 1 40); do running "$PID" || break; sleep 0.25; done
    if running "$PID"; then
      echo "Orthanc $PID still running after 10 s, sending KILL" >&2
      kill -KILL "$PID" 2>/dev/null || true
    fi
  fi
  rm -f "$PID_FILE"
fi
if [ "${2:-}" = "--purge" ]; then
  rm -rf -- "$STATE_DIR"
fi
