#!/bin/sh
# Benchmark: balance of the seed script's rule, modulo, spread and load over traffic profiles,
# as busiest CPU / lower bound, with the targets beside; draws target/balance.png (per-CPU load,
# seed rule vs spread). Runs the seed's script itself, so it needs ../shared beside the repository.
# Usage: bench/balance.sh [PNG]   default: target/balance.png
set -eu
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
# Maven 3.8's guava warns about sun.misc.Unsafe on JDK 24+; the warning says nothing about us.
MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
export MAVEN_OPTS
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test >/dev/null
# Headless: the chart is drawn off screen, and a build machine has no display.
exec "$JAVA_HOME/bin/java" -Djava.awt.headless=true \
    -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" \
    org.xenirqpolicy.bench.Balance "$@"
