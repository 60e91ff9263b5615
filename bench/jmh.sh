#!/bin/sh
# Microbenchmarks (JMH) of the engine's inner loops at 5,000 IRQs: ProcInterrupts.parse and
# Planner.plan (spread, load). Short settings, a few seconds each: enough to compare changes on
# one machine, not for publication. Extra arguments go to JMH (e.g. -f 2 -i 10, or a name regex).
# Usage: bench/jmh.sh [JMH OPTIONS]
set -eu
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
    set -- -f 1 -wi 3 -w 1s -i 3 -r 1s InnerLoopsBenchmark
fi
exec sh bench/run-java.sh org.openjdk.jmh.Main "$@"
