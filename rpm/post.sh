#!/bin/sh
# %post ($1: 1 on install, 2 on upgrade): make irqbalance run our hook, start our units, place
# the event channels. The file edits are `xen-irq-policy install` (tested there). A scriptlet
# never fails the transaction: each step logs what went wrong and the next one runs.
log() { echo "xen-irq-policy: $*" >&2; }
state=/var/lib/xen-irq-policy

/usr/sbin/xen-irq-policy install || log "irqbalance's settings were left unchanged; see above"

# Fedora confines policy scripts unless they live in /usr/libexec/irqbalance and this boolean is
# on. Only a boolean we turned on is turned off again on erase.
if command -v selinuxenabled >/dev/null 2>&1 && selinuxenabled; then
	if getsebool irqbalance_run_unconfined 2>/dev/null | grep -q -- '--> off$'; then
		if setsebool -P irqbalance_run_unconfined on; then
			echo on >"$state/selinux-boolean"
		else
			log "could not turn on the SELinux boolean irqbalance_run_unconfined"
		fi
	fi
fi

# Units are enabled offline too (image builds); started only where systemd runs. Starting the
# service is an apply, so the plan exists before irqbalance restarts and asks the hook.
systemctl enable xen-irq-policy.path xen-irq-policy.service >/dev/null 2>&1 || log "could not enable the units"
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1
	systemctl start xen-irq-policy.service || log "the first placement failed: run 'xen-irq-policy apply'"
	systemctl start xen-irq-policy.path || log "could not start xen-irq-policy.path"
	systemctl try-restart irqbalance.service || log "could not restart irqbalance"
else
	/usr/sbin/xen-irq-policy apply >/dev/null || log "the first placement failed: run 'xen-irq-policy apply'"
fi
exit 0
