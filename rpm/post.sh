#!/bin/sh
# %post ($1: 1 on first install, 2 on upgrade). Debian's rpmbuild has no systemd macros, so this
# is their expansion, written out: Fedora's tmpfiles_create macro, then its systemd_post (a preset, on
# first install only). An upgrade changes no setting of the admin's: the restarts it needs are
# done once, by the old package's %postun ($1 = 1), which runs after this. A scriptlet never
# fails the transaction: each step logs what went wrong and the next one runs.
log() { echo "xen-irq-policy: $*" >&2; echo "$*" | systemd-cat -t xen-irq-policy -p warning 2>/dev/null; }
# Runs one of our commands: its output as it is, and what it says on stderr (why it changed
# nothing) also to the journal.
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

# tmpfiles_create: /run/xen-irq-policy with the snippet's mode, whatever rpm's umask.
systemd-tmpfiles --create /usr/lib/tmpfiles.d/xen-irq-policy.conf >/dev/null 2>&1 || log "could not create /run/xen-irq-policy"

if [ "$1" -gt 1 ]; then
	# Upgrade: what a new release must migrate goes here. The sysconfig edit and the units'
	# enablement are the admin's from now on: neither is touched. The plan in /run may be in an
	# older format, which the new hook does not trust (it would fall back to IRQ mod CPUs once the
	# old %postun restarts irqbalance), so an enabled service applies again now, with the new
	# files and units (hence the reload). systemd_postun_with_restart's try-restart cannot do
	# it: the oneshot service is inactive between runs.
	if [ -d /run/systemd/system ] && systemctl -q is-enabled xen-irq-policy.service 2>/dev/null; then
		systemctl daemon-reload >/dev/null 2>&1
		systemctl start xen-irq-policy.service >/dev/null 2>&1 || log "could not apply the new release's plan: run 'xen-irq-policy apply'"
	fi
	exit 0
fi

# systemd_post first: the presets decide whether the package is active at all. Ours
# (80-xen-irq-policy.preset) enables the path and the service; a preset that sorts first (an
# image's, an admin's) and disables them wins, and then nothing else changes: irqbalance is not
# made to ask a hook that no plan and no engine would serve. Offline too (image builds). The
# metrics and adaptive timers are in the same call, as systemd_post lists every unit with an
# [Install] section: ours says disable, so only a preset of the admin's or an image's turns them on.
systemctl --no-reload preset xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer \
	xen-irq-policy-adaptive.timer >/dev/null 2>&1 || log "could not apply the units' presets"
if ! systemctl -q is-enabled xen-irq-policy.service 2>/dev/null; then
	log "xen-irq-policy.service is disabled by a preset: irqbalance's settings left unchanged." \
		"To opt in: systemctl enable --now xen-irq-policy.path xen-irq-policy.service && xen-irq-policy install && systemctl try-restart irqbalance"
	exit 0
fi

run /usr/sbin/xen-irq-policy install || log "irqbalance's settings were left unchanged; see above"

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

# Starting the service is an apply, so the plan exists before irqbalance restarts and asks the hook.
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1
	systemctl start xen-irq-policy.service || log "the first placement failed: run 'xen-irq-policy apply'"
	if systemctl -q is-enabled xen-irq-policy.path 2>/dev/null; then
		systemctl start xen-irq-policy.path || log "could not start xen-irq-policy.path"
	fi
	systemctl try-restart irqbalance.service || log "could not restart irqbalance"
	# The package's own report; check's exit status is for monitoring, not for rpm.
	/usr/sbin/xen-irq-policy check || :
else
	run /usr/sbin/xen-irq-policy apply >/dev/null || log "the first placement failed: run 'xen-irq-policy apply'"
fi
exit 0
