#!/usr/bin/env bash
# Build the checksum benchmarks (-O2 and -O3) and print the ratio table of bench/README.md.
#   bash bench/run_checksum.sh            (from the repository root)
# Pins to one CPU when taskset is available. Timings drift by up to 1.5x between runs on
# shared machines: compare within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset bench >/dev/null
cmake --build --preset bench --target bench_checksum_O2 bench_checksum_O3 >/dev/null
out=build/bench/results
mkdir -p "$out"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)
for opt in O2 O3; do
  "${pin[@]}" build/bench/bench/bench_checksum_$opt --benchmark_min_time=0.3 --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true --benchmark_format=json --benchmark_out="$out/checksum_$opt.json" \
    --benchmark_out_format=json >/dev/null
done
python3 bench/ratios.py "$out/checksum_O2.json" "$out/checksum_O3.json"
