#!/bin/sh
# Benchmark: the irqbalance hook against the seed's policy script, side by side under the real
# irqbalance (--oneshot) on a simulated dom0, in private mount namespaces. Prints the policy time
# of each (irqbalance's run time less its run time with no policy script) and their ratio.
# Also the time per call, every IRQ through the script as irqbalance's popen runs it.
# Usage (as root): bench/hook-vs-seed.sh [SIZES [REPETITIONS]]   defaults: 100,1000,5000 3
set -eu
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
# Maven 3.8's guava warns about sun.misc.Unsafe on JDK 24+; the warning says nothing about us.
MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
export MAVEN_OPTS
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test >/dev/null
exec "$JAVA_HOME/bin/java" -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" \
    org.xenirqpolicy.bench.HookVsSeed "$@"
