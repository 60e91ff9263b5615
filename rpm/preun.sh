#!/bin/sh
# %preun ($1: 0 on erase, 1 on upgrade): on erase only, Fedora's systemd_preun written out (Debian's
# rpmbuild lacks it): disable our units, and stop them where systemd runs; then undo what %post
# changed: `xen-irq-policy uninstall` restores /etc/sysconfig/irqbalance (the opt-out it records
# is removed after it), and the SELinux boolean goes off again if we turned it on; and remove the
# metrics file the timer wrote and the adaptive mode's state. Never fails the transaction.
[ "$1" = 0 ] || exit 0
log() { echo "xen-irq-policy: $*" >&2; echo "$*" | systemd-cat -t xen-irq-policy -p warning 2>/dev/null; }
# Runs one of our commands: its output as it is, and what it says on stderr also to the journal.
run() {
	{ said=$("$@" 2>&1 1>&3 3>&-); } 3>&1
	status=$?
	if [ -n "$said" ]; then
		printf '%s\n' "$said" >&2
		printf '%s\n' "$said" | systemd-cat -t xen-irq-policy -p warning 2>/dev/null
	fi
	return "$status"
}
state=/var/lib/xen-irq-policy

# `disable --now` in two calls: offline (a chroot, an image) systemctl still sends --now's stop to
# a manager that is not there, and fails after disabling.
systemctl --no-reload disable xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer \
	xen-irq-policy-adaptive.timer >/dev/null 2>&1 || log "could not disable the units"
if [ -d /run/systemd/system ]; then
	systemctl stop xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer xen-irq-policy-metrics.service \
		xen-irq-policy-adaptive.timer xen-irq-policy-adaptive.service >/dev/null 2>&1 || log "could not stop the units"
fi

run /usr/sbin/xen-irq-policy uninstall || log "irqbalance's settings could not be restored; see above"
# uninstall records the admin's choice to run irqbalance without the hook, for check; an erase is
# no such choice, and the record would be left behind, keeping the package's directory.
rm -f "$state/hook-opted-out"
# node_exporter would go on serving the metrics' last values, and the alerts judging them.
run /usr/sbin/xen-irq-policy metrics --textfile --remove || log "the metrics file for node_exporter could not be removed; see above"

if [ -e "$state/selinux-boolean" ]; then
	setsebool -P irqbalance_run_unconfined off || log "could not turn off the SELinux boolean irqbalance_run_unconfined"
	rm -f "$state/selinux-boolean"
fi
# The plan: the link, the directories of plans (plan.BASE), and a link an apply killed
# midway left (.plan.xen-irq-policy.PID.tmp); the adaptive mode's state, and a temporary file a
# killed run left beside it.
rm -rf /run/xen-irq-policy/plan /run/xen-irq-policy/plan.[0-9]* /run/xen-irq-policy/.plan.xen-irq-policy.*.tmp \
	/run/xen-irq-policy/lock /run/xen-irq-policy/last-apply /run/xen-irq-policy/request.* \
	/run/xen-irq-policy/adaptive /run/xen-irq-policy/.adaptive.xen-irq-policy.*.tmp \
	/run/irqbalance/xen-irq-policy-request.*
exit 0
