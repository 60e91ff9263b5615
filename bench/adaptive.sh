#!/bin/sh
# Benchmark: the adaptive mode against the seed's rule, spread once and load once, in a simulation
# over time (guests turning hot, starting and stopping, a daily swing, steady traffic): time-averaged
# busiest CPU / lower bound per mode, adaptive's moves per guest per hour, the goals beside; draws
# target/adaptive.png (ratio over time per mode). No root, no network, no ../shared.
# Usage: bench/adaptive.sh [PNG]   default: target/adaptive.png
set -eu
cd "$(dirname "$0")/.."
# Headless: the chart is drawn off screen, and a build machine has no display.
exec sh bench/run-java.sh -Djava.awt.headless=true org.xenirqpolicy.bench.AdaptiveBench "$@"
