#!/usr/bin/env bash
# Build the filter benchmark and print the table of bench/README.md.
#   bash bench/run_filter.sh            (from the repository root; needs libpcap-dev)
# Pins to one CPU when taskset is available; compare within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset bench >/dev/null
cmake --build --preset bench --target bench_filter >/dev/null
out=build/bench/results
mkdir -p "$out"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)
"${pin[@]}" build/bench/bench/bench_filter --benchmark_min_time=0.3 --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_out="$out/filter.json" --benchmark_out_format=json >/dev/null
python3 - "$out/filter.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
med = {b["run_name"]: b for b in doc["benchmarks"] if b.get("aggregate_name") == "median"}
ns = lambda n: med[n]["real_time"] if n in med else float("nan")
c = doc["context"]
print(f"{c.get('host_name','?')}, {c.get('num_cpus','?')} CPUs @ {c.get('mhz_per_cpu','?')} MHz, {c.get('date','?')}\n")
print("| job (12 expressions; 12 x 512 frames per verdict row) | wirespan µs | libpcap | libpcap µs | libpcap time / wirespan time | target |")
print("|---|---|---|---|---|---|")
row = lambda job, w, a, an, target: print(f"| {job} | {ns(w)/1000:,.1f} | {a} | {ns(an)/1000:,.1f} | {ns(an)/ns(w):.2f}x | {target} |")
row("compile (parse, generate, optimize)", "BM_compile_wirespan", "pcap_compile (optimizing)", "BM_compile_pcap", ">= 10x")
row("verdicts: run() on libpcap's programs", "BM_verdict_wirespan_run_libpcap_program", "bpf_filter", "BM_verdict_bpf_filter", ">= 1.5x")
row("verdicts: run() on wirespan's programs", "BM_verdict_wirespan_run", "bpf_filter (libpcap's programs)", "BM_verdict_bpf_filter", ">= 1.5x")
row("verdicts: decoded_program::run() on libpcap's programs", "BM_verdict_decoded_libpcap_program", "bpf_filter", "BM_verdict_bpf_filter", ">= 1.5x")
row("verdicts: decoded_program::run() on wirespan's programs", "BM_verdict_decoded", "bpf_filter (libpcap's programs)", "BM_verdict_bpf_filter", ">= 1.5x")
row("verdicts: static_filter<...>::match through a function pointer", "BM_verdict_static_filter", "bpf_filter (libpcap's programs)", "BM_verdict_bpf_filter", ">= 5x")
row("verdicts: static_filter<...>::match called directly (inlined)", "BM_verdict_static_filter_inlined", "bpf_filter (libpcap's programs)", "BM_verdict_bpf_filter", ">= 5x")
PY
