#!/bin/sh
# Benchmark: the irqbalance hook against the seed's policy script, side by side under the real
# irqbalance (--oneshot) on a simulated dom0, in private mount namespaces. Prints the policy time
# of each (irqbalance's run time less its run time with no policy script) and their ratio.
# Also the time per call, every IRQ through the script as irqbalance's popen runs it.
# Usage (as root): bench/hook-vs-seed.sh [SIZES [REPETITIONS]]   defaults: 100,1000,5000 3
set -eu
cd "$(dirname "$0")/.."
exec sh bench/run-java.sh org.xenirqpolicy.bench.HookVsSeed "$@"
