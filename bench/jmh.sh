#!/bin/sh
# Microbenchmarks (JMH) of the engine's inner loops at 5,000 IRQs: ProcInterrupts.parse and
# Planner.plan (spread, load). Short settings, a few seconds each: enough to compare changes on
# one machine, not for publication. Extra arguments go to JMH (e.g. -f 2 -i 10, or a name regex).
# Usage: bench/jmh.sh [JMH OPTIONS]
set -eu
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
# Maven 3.8's guava warns about sun.misc.Unsafe on JDK 24+; the warning says nothing about us.
MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
export MAVEN_OPTS
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test >/dev/null
if [ $# -eq 0 ]; then
    set -- -f 1 -wi 3 -w 1s -i 3 -r 1s InnerLoopsBenchmark
fi
exec "$JAVA_HOME/bin/java" -Dproject.basedir="$PWD" \
    -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" \
    org.openjdk.jmh.Main "$@"
