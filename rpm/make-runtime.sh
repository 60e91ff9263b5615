#!/bin/sh
# Makes the private Java runtime the package ships, and its AOT cache, during `mvn package`, in
# LIBDIR (target/), which then holds what /usr/lib/xen-irq-policy holds:
#   runtime/             jlink: only the modules jdeps says the engine needs; no debug
#                        attributes, man pages or headers; modules compressed (zip-6); libjvm's
#                        symbol table stripped (it only serves crash reports);
#   xen-irq-policy.jar   the engine with picocli (built by Maven before this runs);
#   jvm.args             the launcher's JVM options (a copy of rpm/jvm.args);
#   xen-irq-policy.aot   a JDK 25 AOT cache (JEP 483, 515) recorded by a training run
#                        (cli/AotTraining: `apply`, which bypasses picocli, then commands
#                        that picocli parses, then the timer's `adapt --if-due`, which
#                        bypasses it too) on the sample dom0, with those options.
# The JVM takes the cache where the paths differ by one prefix (target/ here, /usr/lib/
# xen-irq-policy/ there). Jar and cache must come from one build: JDK 25 was seen to take a cache
# recorded from an older build of the jar, silently (bench/engine.sh refuses such a pair); the
# package ships both together, and rpm -V checks both.
# The cache replaces jlink's CDS archive of the JDK classes, which it contains.
# rpmbuild's own strip and debuginfo steps are switched off in the pom: they must not touch this.
# Usage: make-runtime.sh JDK LIBDIR SAMPLE-DOM0       (needs strip, from binutils)
set -eu
jdk=$1
lib=$2
sample=$3
runtime=$lib/runtime
jar=$lib/xen-irq-policy.jar
cache=$lib/xen-irq-policy.aot
log=$lib/runtime.log
modules=$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$jar")
rm -rf "$runtime" "$cache" "$lib/aot-training"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --output "$runtime" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
strip --strip-unneeded "$runtime/lib/server/libjvm.so"
cp "$(dirname "$0")/jvm.args" "$lib/jvm.args"
cp -R "$sample" "$lib/aot-training"
# The class path is the jar alone, as with the launcher's -jar: the JVM takes the cache only then.
"$runtime/bin/java" @"$lib/jvm.args" -XX:AOTCacheOutput="$cache" \
    -cp "$jar" org.xenirqpolicy.cli.AotTraining "$lib/aot-training" >>"$log" 2>&1 || { cat "$log" >&2; exit 1; }
rm -rf "$lib/aot-training"
# AOTMode=on turns a cache the JVM would quietly ignore into an error.
"$runtime/bin/java" @"$lib/jvm.args" -XX:AOTMode=on -XX:AOTCache="$cache" -jar "$jar" --version >/dev/null ||
    { echo "make-runtime.sh: the runtime does not start with its AOT cache" >&2; exit 1; }
echo "runtime: $modules, $(du -sh "$runtime" | cut -f1) in $runtime; AOT cache $(du -sh "$cache" | cut -f1)"
