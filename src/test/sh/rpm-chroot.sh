#!/bin/sh
# Runs a shell script as root in a throwaway copy of this machine's root: a private mount
# namespace, an overlay over / whose upper and work directories live on a tmpfs, /dev and /proc
# and /sys mounted, chrooted into it. Whatever the script installs, edits or erases is gone when it exits;
# the host's own /, /etc and rpm database are never written. The script sees the host's files
# (the built RPMs, test trees) at their usual paths, read through the overlay.
# /proc is the real kernel's, so a simulated dom0 (a tree laid out like /, as the tests make
# them) is bound over its IRQ files and the CPU tree: what the package's scriptlets apply lands
# in that tree, never on this machine's IRQs.
# With --beside, the script runs in the namespace beside the throwaway root, not chrooted into
# it, with ROOT naming it: for a tool that is given the root it installs into (dnf --installroot).
# Usage: rpm-chroot.sh [--beside] DOM0_TREE SCRIPT [ARG...]   (as root)
set -eu
if [ "${1-}" != --inside ]; then
	exec unshare --mount --propagation private /bin/sh "$0" --inside "$@"
fi
shift
beside=false
if [ "$1" = --beside ]; then
	beside=true
	shift
fi
dom0=$1
script=$2
shift 2
top=$(mktemp -d /tmp/xen-irq-policy-rpm.XXXXXX)
mount -t tmpfs -o size=2g xen-irq-policy-rpm "$top"
mkdir "$top/upper" "$top/work" "$top/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$top/upper,workdir=$top/work" "$top/root"
mount --rbind /dev "$top/root/dev"
mount -t proc proc "$top/root/proc"
mount --rbind /sys "$top/root/sys"
mount --bind "$dom0/proc/interrupts" "$top/root/proc/interrupts"
mount --bind "$dom0/proc/irq" "$top/root/proc/irq"
mount --bind "$dom0/sys/kernel/irq" "$top/root/sys/kernel/irq"
mount --bind "$dom0/sys/devices/system/cpu" "$top/root/sys/devices/system/cpu"
mount -t tmpfs -o mode=0755 run "$top/root/run"
cp "$script" "$top/root/scenario.sh"
status=0
if $beside; then
	ROOT=$top/root /bin/sh "$top/root/scenario.sh" "$@" || status=$?
else
	chroot "$top/root" /bin/sh /scenario.sh "$@" || status=$?
fi
umount -l "$top/root/dev" "$top/root/proc" "$top/root/sys" "$top/root/run" "$top/root" "$top" 2>/dev/null || true
rmdir "$top"
exit "$status"
