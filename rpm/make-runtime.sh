#!/bin/sh
# Links the private Java runtime the package ships, during `mvn package`:
#   - only the modules jdeps says the engine and picocli need;
#   - no debug attributes, man pages or headers, modules compressed (zip-6);
#   - with its own CDS archive of the JDK classes, which cuts start-up by a third; only the one
#     for compressed oops, since the launcher caps the heap far below 32 GiB;
#   - libjvm's symbol table stripped (it only serves crash reports).
# rpmbuild's own strip and debuginfo steps are switched off in the pom: they must not touch it.
# Usage: make-runtime.sh JDK OUTPUT JAR...      (needs strip, from binutils)
set -eu
jdk=$1
out=$2
shift 2
modules=$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$@")
rm -rf "$out"
# The CDS dump lists classes of modules we do not link (java.logging); its warnings say only that.
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --generate-cds-archive --output "$out" >"$out.log" 2>&1 ||
    { cat "$out.log" >&2; exit 1; }
rm -f "$out/lib/server/classes_nocoops.jsa"
strip --strip-unneeded "$out/lib/server/libjvm.so"
"$out/bin/java" -Xshare:on -version >/dev/null 2>&1 ||
    { echo "make-runtime.sh: the linked runtime does not start with its CDS archive" >&2; exit 1; }
echo "runtime: $modules, $(du -sh "$out" | cut -f1) in $out"
