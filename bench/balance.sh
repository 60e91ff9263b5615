#!/bin/sh
# Benchmark: balance of the seed script's rule, modulo, spread and load over traffic profiles,
# as busiest CPU / lower bound, with the targets beside; draws target/balance.png (per-CPU load,
# seed rule vs spread). Runs the seed's script itself, so it needs ../shared beside the repository.
# Usage: bench/balance.sh [PNG]   default: target/balance.png
set -eu
cd "$(dirname "$0")/.."
# Headless: the chart is drawn off screen, and a build machine has no display.
exec sh bench/run-java.sh -Djava.awt.headless=true org.xenirqpolicy.bench.Balance "$@"
