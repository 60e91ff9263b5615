#!/bin/sh
# AnsibleRoleIT's scenario, run as root inside a throwaway root (rpm-chroot.sh): the real
# ansible-playbook, with the local connection, applies the role xen_irq_policy to this root.
# Fedora's systemd does not run here, so two stand-ins, named as such, play the parts the role
# and the package's scriptlets talk to:
#   systemctl   /usr/sbin/systemctl (before /usr/bin on PATH, rpm's scriptlet PATH included) logs
#               its arguments to /tmp/systemctl.calls. 'start xen-irq-policy.service' runs the
#               unit's ExecStart (the real systemctl ignores start in a chroot), 'try-restart
#               irqbalance.service' restarts the stand-in irqbalance if it runs; the rest goes to
#               the real systemctl, which enables and disables on the unit files (SYSTEMD_OFFLINE=1,
#               as /run/systemd/system exists: the scriptlets' and the role's sign of systemd).
#   irqbalance  /usr/local/sbin/irqbalance, a process named irqbalance that only holds the
#               arguments it was started with, those systemd would pass from
#               /etc/sysconfig/irqbalance: what 'xen-irq-policy check' looks for.
# Usage: ansible-converge.sh WORK ROLES_PATH STEP...   where WORK holds irqbalance.orig,
# standins/ (a repository), play.yml and STEP.json (the variables of each step); a STEP named
# check-* runs with --check --diff. WORK/STEP.before, if there is one, is run by sh first: what
# an admin or a publisher did before that run. Each step's output follows a line "== STEP".
set -u
work=$1
roles=$2
shift 2
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin SYSTEMD_OFFLINE=1
export ANSIBLE_ROLES_PATH="$roles" ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false \
	ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_RETRY_FILES_ENABLED=false
mkdir -p /etc/yum.repos.d /etc/sysconfig /run/systemd/system /usr/local/sbin
cp "$work/irqbalance.orig" /etc/sysconfig/irqbalance
printf '%s\n' '[standins]' 'name=stand-ins for what xen-irq-policy requires (test only)' \
	"baseurl=file://$work/standins" gpgcheck=0 >/etc/yum.repos.d/standins.repo
# The root has no release package for dnf to read $releasever from; no .repo here uses it.
mkdir -p /etc/dnf/vars && echo 41 >/etc/dnf/vars/releasever

cat >/usr/sbin/systemctl <<'END'
#!/bin/sh
echo "$*" >>/tmp/systemctl.calls
case "$*" in
"start xen-irq-policy.service") exec /usr/sbin/xen-irq-policy apply ;;
"try-restart irqbalance.service") exec /usr/local/sbin/restart-irqbalance ;;
esac
exec /usr/bin/systemctl "$@"
END
cat >/usr/local/sbin/irqbalance <<'END'
#!/bin/sh
while :; do sleep 60; done
END
cat >/usr/local/sbin/restart-irqbalance <<'END'
#!/bin/sh
if [ -e /run/irqbalance.pid ]; then
	kill "$(cat /run/irqbalance.pid)"
	IRQBALANCE_ARGS=
	. /etc/sysconfig/irqbalance
	# Split into words, as systemd splits $IRQBALANCE_ARGS.
	/usr/local/sbin/irqbalance $IRQBALANCE_ARGS </dev/null >/dev/null 2>&1 &
	echo "$!" >/run/irqbalance.pid
fi
END
chmod 0755 /usr/sbin/systemctl /usr/local/sbin/irqbalance /usr/local/sbin/restart-irqbalance
/usr/local/sbin/irqbalance </dev/null >/dev/null 2>&1 &
echo "$!" >/run/irqbalance.pid

for step in "$@"; do
	case $step in
	check-*) mode="--check --diff" ;;
	*) mode= ;;
	esac
	if [ -e "$work/$step.before" ] && ! sh -eu "$work/$step.before" >"$work/$step.before.out" 2>&1; then
		echo "== $step-before-failed"
		cat "$work/$step.before.out"
	fi
	t0=$(date +%s%N)
	# shellcheck disable=SC2086 # mode is zero or two words
	ansible-playbook -i localhost, -c local -e ansible_python_interpreter=/usr/bin/python3 \
		-e "@$work/$step.json" $mode "$work/play.yml" >"$work/$step.out" 2>&1
	status=$?
	t1=$(date +%s%N)
	echo "== $step"
	echo "status $status"
	echo "millis $(((t1 - t0) / 1000000))"
	grep '^localhost ' "$work/$step.out" | sed 's/  */ /g'
	echo "systemctl $(tr '\n' ';' </tmp/systemctl.calls 2>/dev/null)"
	rm -f /tmp/systemctl.calls
	echo "packages $(rpm -qa --qf '%{NAME}\n' | LC_ALL=C sort | tr '\n' ' ')"
	echo "release $(rpm -q --qf '%{VERSION}-%{RELEASE}' xen-irq-policy 2>/dev/null)"
	dropins=/etc/systemd/system/xen-irq-policy-metrics.service.d
	if [ -d "$dropins" ]; then echo "dropins $(find "$dropins" -mindepth 1 -printf '%f ')"; else echo "dropins (no directory)"; fi
	for unit in xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer xen-irq-policy-adaptive.timer; do
		echo "$unit $(/usr/bin/systemctl is-enabled "$unit" 2>/dev/null)"
	done
	echo "irqbalance $(tr '\0' ' ' </proc/"$(cat /run/irqbalance.pid)"/cmdline)"
	echo "files $(cd /etc && echo sysconfig/* yum.repos.d/*)"
	echo "state $(find /var/lib/xen-irq-policy -mindepth 1 -printf '%f\n' 2>/dev/null | LC_ALL=C sort | tr '\n' ' ')"
	# WORK is read through the overlay too: the files go out on standard output, each in a
	# section of its own ("== STEP:NAME").
	for f in /etc/sysconfig/xen-irq-policy /etc/sysconfig/irqbalance /etc/yum.repos.d/xen-irq-policy.repo "$dropins/metrics-dir.conf"; do
		if [ -e "$f" ]; then
			echo "== $step:${f##*/}"
			cat "$f"
		fi
	done
	echo "== $step-output"
	cat "$work/$step.out"
done
