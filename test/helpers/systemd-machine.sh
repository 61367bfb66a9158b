#!/bin/sh
# A throw-away "fresh machine" with systemd as PID 1, for testing the install on a host whose
# PID 1 is not systemd (containers, CI sandboxes). New PID, mount, network and UTS namespaces:
#   * /etc, /opt, /usr, /var are overlays over the host's: every write lands in STATE_DIR/<dir>/upper;
#   * /run and /tmp are fresh tmpfs; /etc/systemd/system starts empty, so none of the host's
#     enabled services start;
#   * everything else, / included, is read-only: nothing the machine does can change the host
#     (a write elsewhere fails instead);
#   * /proc/sys and /sys are read-only (no sysctl or udev reaches the real kernel), and the units
#     that would touch hardware, the kernel or the host's files are masked — systemd-tmpfiles
#     above all, which empties /tmp at boot.
# Then systemd boots into basic.target.
#
# usage: systemd-machine.sh STATE_DIR      (foreground; stop it with SIGKILL to systemd, the
#        namespace's PID 1: the kernel then kills everything in it)
# Needs root, util-linux (unshare, nsenter), iproute2, overlayfs, systemd. systemd is the only
# child of the unshare process (this script's PID after exec); run commands in the machine with
#   nsenter -t SYSTEMD_PID -m -p -n -u -- COMMAND
set -eu
STATE=$1
mkdir -p "$STATE"
exec unshare --pid --fork --mount --mount-proc --net --uts --propagation private sh -eu -c '
  STATE=$1
  for d in etc opt usr var; do
    mkdir -p "$STATE/$d/upper" "$STATE/$d/work"
    mount -t overlay "overlay-$d" -o "lowerdir=/$d,upperdir=$STATE/$d/upper,workdir=$STATE/$d/work" "/$d"
  done
  mount -t tmpfs -o mode=755 tmpfs /run
  mount -t tmpfs -o mode=1777 tmpfs /tmp
  mount -t tmpfs -o mode=755 tmpfs /etc/systemd/system
  for u in systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service \
           systemd-tmpfiles-clean.service systemd-tmpfiles-clean.timer \
           systemd-sysctl.service systemd-udevd.service systemd-udev-trigger.service \
           systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-modules-load.service \
           systemd-binfmt.service proc-sys-fs-binfmt_misc.automount systemd-random-seed.service \
           systemd-firstboot.service systemd-repart.service kmod-static-nodes.service \
           systemd-pcrphase.service systemd-pcrphase-sysinit.service systemd-machine-id-commit.service \
           sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount \
           sys-fs-fuse-connections.mount dev-hugepages.mount dev-mqueue.mount \
           systemd-timesyncd.service getty.target systemd-logind.service \
           apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer man-db.timer \
           dpkg-db-backup.timer; do
    ln -sf /dev/null "/etc/systemd/system/$u"
  done
  mount -o remount,bind,ro /
  mount -o bind,ro /proc/sys /proc/sys
  mount --rbind /sys /sys
  mount -o remount,bind,ro /sys
  hostname pleura-test
  ip link set lo up
  exec env container=pleura-test /lib/systemd/systemd --system --unit=basic.target
' systemd-machine "$STATE"
