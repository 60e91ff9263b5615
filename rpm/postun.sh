#!/bin/sh
# %postun ($1: 0 on erase, 1 on upgrade, run by the old package after the new one's %post):
# Fedora's %systemd_postun_with_restart written out (Debian's rpmbuild lacks it), plus irqbalance:
# the one place an upgrade or an erase restarts it, so that it happens once per transaction (a
# first install restarts it in %post). On upgrade our units restart on the new files, and
# irqbalance asks the new hook; on erase, irqbalance runs without one. Never fails the transaction.
[ -d /run/systemd/system ] || exit 0
systemctl daemon-reload >/dev/null 2>&1
if [ "$1" -ge 1 ]; then
	systemctl try-restart xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer \
		xen-irq-policy-adaptive.timer >/dev/null 2>&1
fi
systemctl try-restart irqbalance.service >/dev/null 2>&1
exit 0
