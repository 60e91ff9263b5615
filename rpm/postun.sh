#!/bin/sh
# %postun ($1: 0 on erase, 1 on upgrade, run by the old package after the new one's %post):
# Fedora's systemd_postun_with_restart written out (Debian's rpmbuild lacks it), plus irqbalance:
# the one place an upgrade or an erase restarts it, so that it happens once per transaction (a
# first install restarts it in %post). On upgrade our units restart on the new files, and
# irqbalance asks the new hook; on erase, irqbalance runs without one. Never fails the transaction.
# (A downgrade is an upgrade to rpm: the older release's %post runs first, this last.)
# Replaced by another release ($1 >= 1): our plan, format 4, is the symbolic link
# /run/xen-irq-policy/plan to a directory, as since format 3. A release whose
# /usr/lib/xen-irq-policy/plan-format (read now, after its files went in) is missing (releases
# before the file) or names a format below 3 cannot use it: an older one writes its plan as a
# file there and cannot rename a file over a link to a directory, so its %post's apply, run
# before this, failed. The link and its directories go, and the engine now installed applies
# again: the started service where systemd runs and the service is enabled, else the command.
# Format 3 and later are left alone: that release's %post, run before this, already renamed its
# own link over ours (neither hook trusts the other's files).
run=/run/xen-irq-policy
# $1 less its leading blanks (spaces, tabs), as ShellRead.stripBlanks.
strip_blanks() {
	s=$1
	while :; do
		case $s in [[:blank:]]*) s=${s#?} ;; *) break ;; esac
	done
	printf '%s\n' "$s"
}
# METRICS_DIR as the engine reads it in the settings file $1 (read.ShellVars; no file: the
# default), here only where sh can match it exactly: KEY=value, 'value' or "value", an optional
# export, a comment after. A line continued by a backslash, a CR, or a value with a quote or a
# backslash in it: no answer, and the metrics file stays. rpmbuild expands a scriptlet's macros,
# so no percent sign here stands before another, a question mark or a bracket.
metrics_dir() {
	dir=/var/lib/prometheus/node-exporter
	[ -e "$1" ] || { echo "$dir"; return 0; }
	cr=$(printf '\r')
	tab=$(printf '\t')
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in *\\ | *"$cr"*) return 1 ;; esac
		line=$(strip_blanks "$line")
		case $line in export[[:blank:]]*) line=$(strip_blanks "${line#export}") ;; esac
		case $line in METRICS_DIR=*) value=${line#METRICS_DIR=} ;; *) continue ;; esac
		# Unquoted, a blank ends the value: keep what comes before the first one.
		while :; do
			case $value in
			*" "*) value=${value%" "*} ;;
			*"$tab"*) value=${value%"$tab"*} ;;
			*) break ;;
			esac
		done
		case $value in
		\'*\')
			value=${value#?}
			value=${value%\'}
			;;
		\"*\")
			value=${value#?}
			value=${value%\"}
			;;
		esac
		case $value in /*) ;; *) return 1 ;; esac
		case $value in *[\'\"\\]*) return 1 ;; esac
		dir=$value
	done <"$1"
	while [ "${dir%/}" != "$dir" ]; do dir=${dir%/}; done
	echo "$dir"
}
format=$(cat /usr/lib/xen-irq-policy/plan-format 2>/dev/null) || format=0
case $format in '' | *[!0-9]*) format=4 ;; esac
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
# Replaced by a release without our metrics or adaptive units (a downgrade): their files are gone
# from /usr/lib/systemd/system by now, and no unit of the admin's replaces them in /etc. Where
# systemd runs, the timer and its service stop; their enablement goes, the links to the file that
# is gone (removed here: what `systemctl disable` does with a unit that has no file differs
# between systemd's versions), with the wants directory they leave empty; and so does what only
# they wrote: the adaptive mode's state, and the file node_exporter would serve for ever. A
# release that has a unit keeps the admin's enablement of it, as on any upgrade.
if [ "$1" -ge 1 ]; then
	for unit in xen-irq-policy-metrics xen-irq-policy-adaptive; do
		[ -e "/usr/lib/systemd/system/$unit.timer" ] || [ -e "/etc/systemd/system/$unit.timer" ] && continue
		if [ -d /run/systemd/system ]; then
			systemctl stop "$unit.timer" "$unit.service" >/dev/null 2>&1
		fi
		for link in /etc/systemd/system/*.wants/"$unit.timer" /etc/systemd/system/*.requires/"$unit.timer"; do
			if [ -L "$link" ] && [ ! -e "$link" ]; then
				rm -f "$link"
				rmdir "${link%/*}" 2>/dev/null
			fi
		done
		if [ "$unit" = xen-irq-policy-adaptive ]; then
			rm -f "$run/adaptive" "$run"/.adaptive.xen-irq-policy.*.tmp
		elif dir=$(metrics_dir /etc/sysconfig/xen-irq-policy); then
			rm -f "$dir/xen_irq_policy.prom"
		fi
	done
fi
[ -d /run/systemd/system ] || exit 0
systemctl daemon-reload >/dev/null 2>&1
if [ "$1" -ge 1 ]; then
	systemctl try-restart xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer \
		xen-irq-policy-adaptive.timer >/dev/null 2>&1
fi
systemctl try-restart irqbalance.service >/dev/null 2>&1
exit 0
