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
# With --service 'RW_PATHS' it rebuilds the mounts of xen-irq-policy.service's sandbox instead:
# PrivateTmp= (private /tmp and /var/tmp), ProtectHome= (empty /home and /root), PrivateDevices=
# (a /dev with only the pseudo-devices), ProtectSystem=strict (every mount read-only) but
# ReadWritePaths= (RW_PATHS, space-separated, '-' before a path that may not exist). The caller
# adds what needs no mount (a network namespace, capabilities, no_new_privs, umask).
#
# Usage: dom0-namespace.sh [--sandbox MDWE_EXEC | --service RW_PATHS] TREE COMMAND [ARG...]   (as root)
set -eu

if [ "${1-}" != --inside ]; then
	exec unshare --mount --propagation private /bin/sh "$0" --inside "$@"
fi
shift

mdwe=''
service=''
if [ "${1-}" = --sandbox ]; then
	mdwe=$2
	shift 2
elif [ "${1-}" = --service ]; then
	service=$2
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
if [ -n "$service" ]; then
	mount -t tmpfs -o mode=1777 private-tmp /tmp
	mount -t tmpfs -o mode=1777 private-var-tmp /var/tmp
	for home in /home /root; do
		mount -t tmpfs -o mode=0000 protect-home "$home"
	done
	# The new /dev is built aside, from the devices of the old one, then moved over it.
	mkdir /run/private-dev
	mount -t tmpfs -o mode=0755 private-dev /run/private-dev
	for dev in null zero full random urandom; do
		touch "/run/private-dev/$dev"
		mount --bind "/dev/$dev" "/run/private-dev/$dev"
	done
	mkdir -m 1777 /run/private-dev/shm
	mount --move /run/private-dev /dev
	rmdir /run/private-dev
	while read -r _ mountpoint _; do
		mount -o remount,bind,ro "$mountpoint" 2>/dev/null || true
	done </proc/self/mounts
	for path in $service; do
		case $path in
		-*) path=${path#-}; [ -e "$path" ] || continue ;;
		esac
		mount --bind "$path" "$path"
		mount -o remount,bind,rw "$path"
	done
fi
exec "$@"
