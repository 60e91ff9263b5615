#!/bin/sh
# Benchmark: `xen-irq-policy apply --root TREE` as installed (the launcher rpm/xen-irq-policy.sh
# on target/runtime, jvm.args and the AOT cache) on generated dom0s of growing size, laid out on a
# tmpfs (/dev/shm) as /proc and /sys are, beside the seed's policy script run once per xen-dyn
# IRQ of the same tree. Prints median wall time and peak RSS per size, how they
# grow with N (slope of log over log N), and ours/seed. Needs `mvn package` first (the runtime).
# Usage: bench/engine.sh [SIZES [REPETITIONS [SEED_REPETITIONS]]]   defaults: 1000,5000,20000 5 1
#        bench/engine.sh --adapt [SIZES [REPETITIONS]]               defaults: 1000,5000 5
# --adapt: adaptive runs (`xen-irq-policy adapt`) instead: one that moves and saves the plan, one
# sampled over 1 s that is quiet, one sampled over 1 s whose window sees the traffic and moves
# ("sample 1+", the timer's costly run): CPU time (user + system, the sampling sleep costs
# none), wall, peak RSS.
set -eu
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/time ]; then
    echo "engine.sh: /usr/bin/time is missing: apt-get install time (Debian), dnf install time (Fedora)" >&2
    exit 2
fi
exec sh bench/run-java.sh org.xenirqpolicy.bench.EngineBench "$@"
