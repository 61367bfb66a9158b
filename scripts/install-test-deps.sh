#!/usr/bin/env bash
# Installs the Debian packages the full test suite needs. As root it installs them; otherwise it
# prints the exact apt-get line to run and fails if something is missing.
#   chromium  - the kiosk's browser tests (driven by playwright-core)
#   socat     - real pseudo-terminals for the serial link and the simulated probe
#   ffmpeg    - clip encoding (used by later features; installed now so the list is complete)
#   cage      - the kiosk's Wayland compositor: `systemd-analyze verify` of the kiosk unit needs it
#   xwayland  - cage exits at start without /usr/bin/Xwayland (Debian's cage does not depend on it)
#   orthanc, orthanc-dicomweb - the real PACS (DICOMweb) the sync tests deliver to (scripts/orthanc/)
#   dicom3tools - dciodvfy, which every DICOM object the device makes must pass
#   dcmtk     - dsrdump/dcmdump, to look into DICOM objects and SRs by hand
#   iproute2  - `ip`, to bring up loopback in the tests' private network namespace
#   curl      - scripts/orthanc/start-orthanc.sh waits for Orthanc with it
#   rauc, squashfs-tools - the RAUC adapter's tests build and check a RAUC bundle (test key made by openssl)
#   systemd, procps - the install test boots a throw-away machine with systemd as PID 1
#             (test/helpers/systemd-machine.sh) and looks at its processes (ps, pkill)
set -euo pipefail

PACKAGES=(chromium socat ffmpeg cage xwayland orthanc orthanc-dicomweb dicom3tools dcmtk iproute2 curl rauc squashfs-tools systemd procps)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: Debian packages present: ${PACKAGES[*]}"
  exit 0
fi

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-test-deps: run as root:  apt-get update && $line" >&2
  exit 1
fi

echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
$line
