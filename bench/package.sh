#!/bin/sh
# Benchmark: the RPM's size, its installed size, and the start-up time of the installed
# launcher (`xen-irq-policy --version`, median of 21), installed with the real rpm in a
# throwaway root (src/test/sh/rpm-chroot.sh) and measured beside the same jar on the full JDK
# it was built with. Targets: RPM <= 25 MB, installed <= 60 MB, start-up <= 150 ms.
# Usage (as root, after mvn package): bench/package.sh
set -eu
cd "$(dirname "$0")/.."
rpm=$(find target/rpm/xen-irq-policy/RPMS/x86_64 -name 'xen-irq-policy-*.rpm' 2>/dev/null | head -n 1)
[ -n "$rpm" ] || { echo "bench/package.sh: no RPM in target/rpm: run mvn package first" >&2; exit 2; }
jdk=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a src/sample/fedora26-dom0 "$work/dom0"
# The scenario runs in the throwaway root; $PWD, $rpm and $jdk are expanded now, the rest there.
cat >"$work/scenario.sh" <<SCENARIO
rpm --initdb
rpm -i --nodeps "$PWD/$rpm" >/dev/null 2>&1
median() {
	i=0
	while [ \$i -lt 21 ]; do
		t0=\$(date +%s%N); "\$@" >/dev/null; t1=\$(date +%s%N)
		echo \$(((t1 - t0) / 1000000)); i=\$((i + 1))
	done | sort -n | sed -n 11p
}
echo "installed \$(median /usr/sbin/xen-irq-policy --version)"
echo "jdk \$(median "$jdk/bin/java" -jar "$PWD/target/xen-irq-policy.jar" --version)"
SCENARIO
sh src/test/sh/rpm-chroot.sh "$work/dom0" "$work/scenario.sh" >"$work/out"
size=$(stat -c %s "$rpm")
installed=$(rpm -qp --qf '%{SIZE}' "$rpm")
startup=$(sed -n 's/^installed //p' "$work/out")
jdkstartup=$(sed -n 's/^jdk //p' "$work/out")
echo "package: $(basename "$rpm")"
awk -v s="$size" -v i="$installed" -v u="$startup" -v j="$jdkstartup" 'BEGIN {
	printf "%-28s %10s %10s %7s\n", "figure", "value", "target", "ratio"
	printf "%-28s %7.1f MB %7d MB %7.2f\n", "RPM size", s / 1e6, 25, s / 25e6
	printf "%-28s %7.1f MB %7d MB %7.2f\n", "installed size", i / 1e6, 60, i / 60e6
	printf "%-28s %7d ms %7d ms %7.2f\n", "start-up, installed", u, 150, u / 150
	printf "%-28s %7d ms %10s %7s\n", "start-up, same jar on JDK", j, "-", "-"
	printf "installed launcher / full JDK start-up: %.2f\n", u / j
}'
