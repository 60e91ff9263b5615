#!/bin/sh
# %preun ($1: 0 on erase, 1 on upgrade): on erase only, stop and disable our units and undo what
# %post changed: `xen-irq-policy uninstall` restores /etc/sysconfig/irqbalance, and the SELinux
# boolean goes off again if we turned it on. Never fails the transaction.
[ "$1" = 0 ] || exit 0
log() { echo "xen-irq-policy: $*" >&2; }
state=/var/lib/xen-irq-policy

if [ -d /run/systemd/system ]; then
	systemctl stop xen-irq-policy.path xen-irq-policy.service >/dev/null 2>&1
fi
systemctl disable xen-irq-policy.path xen-irq-policy.service >/dev/null 2>&1 || log "could not disable the units"

/usr/sbin/xen-irq-policy uninstall || log "irqbalance's settings could not be restored; see above"

if [ -e "$state/selinux-boolean" ]; then
	setsebool -P irqbalance_run_unconfined off || log "could not turn off the SELinux boolean irqbalance_run_unconfined"
	rm -f "$state/selinux-boolean"
fi
rm -f /run/xen-irq-policy/plan /run/xen-irq-policy/lock /run/xen-irq-policy/last-apply /run/xen-irq-policy/request.* \
	/run/irqbalance/xen-irq-policy-request.*
rmdir /run/xen-irq-policy 2>/dev/null
exit 0
