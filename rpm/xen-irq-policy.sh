#!/bin/sh
# /usr/sbin/xen-irq-policy: runs the engine on the package's own Java runtime, whatever JAVA_HOME,
# PATH or the JVM's option variables say. See xen-irq-policy(8).
unset JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS
lib=/usr/lib/xen-irq-policy
# The AOT cache holds the runtime's, the engine's and picocli's classes loaded and linked: it
# halves start-up. Should it not match the files, the JVM runs without it.
exec "$lib/runtime/bin/java" @"$lib/jvm.args" -XX:AOTCache="$lib/xen-irq-policy.aot" \
    -jar "$lib/xen-irq-policy.jar" "$@"
