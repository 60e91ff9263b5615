#!/bin/sh
# /usr/sbin/xen-irq-policy: runs the engine on the package's own Java runtime, whatever JAVA_HOME,
# PATH or the JVM's option variables say. See xen-irq-policy(8).
unset JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS
lib=/usr/lib/xen-irq-policy
# Serial GC and C1 only: a run lasts well under a second and touches little memory; no
# hsperfdata file, which costs start-up and serves only jstat. A small young generation gets
# collected during an apply instead of growing with its garbage (110 MB peak at 5,000 IRQs
# without it, 64 with it), and a small code cache is all C1 needs. The heap cap keeps
# compressed oops, which the runtime's CDS archive was made for.
exec "$lib/runtime/bin/java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
    -Xmn4m -XX:ReservedCodeCacheSize=16m -Xmx512m -Xshare:auto \
    -jar "$lib/xen-irq-policy.jar" "$@"
