#!/bin/sh
# /usr/sbin/xen-irq-policy: runs the engine on the package's own Java runtime, whatever JAVA_HOME,
# PATH or the JVM's option variables say. See xen-irq-policy(8).
unset JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS XEN_IRQ_POLICY_COLUMNS
lib=/usr/lib/xen-irq-policy
# On a terminal the engine cuts its text lines to the terminal's width, which a JVM cannot ask
# for: tell it, COLUMNS first (as ps and ls take it), else what the terminal says (stty reads
# stdout's terminal on fd 3). A pipe or a file gets whole lines: the variable stays unset.
if [ -t 1 ]; then
    columns=${COLUMNS:-}
    case $columns in
        '' | *[!0-9]*) { columns=$(stty size <&3 2>/dev/null); } 3>&1; columns=${columns#* } ;;
    esac
    case $columns in
        '' | *[!0-9]*) ;;
        *) XEN_IRQ_POLICY_COLUMNS=$columns; export XEN_IRQ_POLICY_COLUMNS ;;
    esac
fi
# The AOT cache holds the runtime's, the engine's and picocli's classes loaded and linked: it
# halves start-up. It is built with the jar beside it, and ships with it (make-runtime.sh).
exec "$lib/runtime/bin/java" @"$lib/jvm.args" -XX:AOTCache="$lib/xen-irq-policy.aot" \
    -jar "$lib/xen-irq-policy.jar" "$@"
