#!/bin/sh
# Runs a benchmark's Java driver on the test classpath: JDK 25 unless JAVA_HOME says otherwise,
# the test classes compiled first, the repository as project.basedir.
# Usage: bench/run-java.sh [JVM OPTION...] CLASS [ARG...]
set -eu
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
# Maven 3.8's guava warns about sun.misc.Unsafe on JDK 24+; the warning says nothing about us.
MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
export MAVEN_OPTS
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test >/dev/null
exec "$JAVA_HOME/bin/java" -Dproject.basedir="$PWD" \
    -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" "$@"
