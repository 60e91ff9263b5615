#!/bin/sh
# Runs a command (normally the real irqbalance) against a simulated dom0, in a private mount
# namespace so that the host is never touched: the tree's proc/interrupts, proc/irq,
# sys/kernel/irq, sys/devices/system/cpu and sys/bus/pci/devices are bound over the real ones,
# and its run/irqbalance and run/xen-irq-policy over a private /run.
#
# With --sandbox MDWE_EXEC it also rebuilds what Fedora's irqbalance.service (1.9.4+) imposes:
# every mount read-only (ReadOnlyPaths=/) except /proc/irq (ReadWritePaths=) and /run/irqbalance
# (RuntimeDirectory=), and no memory that is writable and executable (MemoryDenyWriteExecute=,
# through MDWE_EXEC, which calls prctl(PR_SET_MDWE)).
#
# Usage: dom0-namespace.sh [--sandbox MDWE_EXEC] TREE COMMAND [ARG...]   (as root)
set -eu

if [ "${1-}" != --inside ]; then
	exec unshare --mount --propagation private /bin/sh "$0" --inside "$@"
fi
shift

mdwe=''
if [ "${1-}" = --sandbox ]; then
	mdwe=$2
	shift 2
fi
tree=$1
shift

mkdir -p "$tree/sys/bus/pci/devices" "$tree/run/irqbalance" "$tree/run/xen-irq-policy"
mount --bind "$tree/proc/interrupts" /proc/interrupts
mount --bind "$tree/proc/irq" /proc/irq
mount --bind "$tree/sys/kernel/irq" /sys/kernel/irq
mount --bind "$tree/sys/devices/system/cpu" /sys/devices/system/cpu
mount --bind "$tree/sys/bus/pci/devices" /sys/bus/pci/devices
mount -t tmpfs -o mode=0755 xen-irq-policy-test /run
mkdir /run/irqbalance /run/xen-irq-policy
mount --bind "$tree/run/irqbalance" /run/irqbalance
mount --bind "$tree/run/xen-irq-policy" /run/xen-irq-policy

if [ -n "$mdwe" ]; then
	# Read-only everywhere; mount points are listed before the mounts on top of them.
	while read -r _ mountpoint _; do
		mount -o remount,bind,ro "$mountpoint" 2>/dev/null || true
	done </proc/self/mounts
	mount -o remount,bind,rw /proc/irq
	mount -o remount,bind,rw /run/irqbalance
	exec "$mdwe" "$@"
fi
exec "$@"
