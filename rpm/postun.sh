#!/bin/sh
# %postun ($1: 0 on erase, 1 on upgrade, run by the old package after the new one's %post):
# Fedora's %systemd_postun_with_restart written out (Debian's rpmbuild lacks it), plus irqbalance:
# the one place an upgrade or an erase restarts it, so that it happens once per transaction (a
# first install restarts it in %post). On upgrade our units restart on the new files, and
# irqbalance asks the new hook; on erase, irqbalance runs without one. Never fails the transaction.
# (A downgrade is an upgrade to rpm: the older release's %post runs first, this last.)
# Replaced by another release ($1 >= 1): our plan, format 3, is the symbolic link
# /run/xen-irq-policy/plan to a directory. A release whose /usr/lib/xen-irq-policy/plan-format
# (read now, after its files went in) is missing (releases before the file) or names a format
# below 3 cannot use it: an older one writes its plan as a file there and cannot rename a file
# over a link to a directory, so its %post's apply, run before this, failed. The link and its
# directories go, and the engine now installed applies again: the started service where systemd
# runs and the service is enabled, else the command. A later format is left alone: that
# release's %post, run before this, already wrote the plan in force.
run=/run/xen-irq-policy
format=$(cat /usr/lib/xen-irq-policy/plan-format 2>/dev/null) || format=0
case $format in '' | *[!0-9]*) format=3 ;; esac
if [ "$1" -ge 1 ] && [ -L "$run/plan" ] && [ "$format" -lt 3 ]; then
	rm -rf "$run/plan" "$run"/plan.[0-9]* "$run"/.plan.xen-irq-policy.*.tmp
	if [ -d /run/systemd/system ]; then
		systemctl daemon-reload >/dev/null 2>&1
		if systemctl -q is-enabled xen-irq-policy.service 2>/dev/null; then
			systemctl start xen-irq-policy.service >/dev/null 2>&1
		fi
	else
		/usr/sbin/xen-irq-policy apply >/dev/null 2>&1
	fi
fi
[ -d /run/systemd/system ] || exit 0
systemctl daemon-reload >/dev/null 2>&1
if [ "$1" -ge 1 ]; then
	systemctl try-restart xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer \
		xen-irq-policy-adaptive.timer >/dev/null 2>&1
fi
systemctl try-restart irqbalance.service >/dev/null 2>&1
exit 0
