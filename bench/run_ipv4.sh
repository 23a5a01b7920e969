#!/usr/bin/env bash
# Build bench_ipv4 and print its ratio table (bench/README.md records it).
#   bash bench/run_ipv4.sh            (from the repository root)
# Medians of 5 repetitions, pinned to one CPU when taskset is available; compare within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset bench >/dev/null
cmake --build --preset bench --target bench_ipv4 >/dev/null
out=build/bench/results
mkdir -p "$out"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)
"${pin[@]}" build/bench/bench/bench_ipv4 --benchmark_min_time=0.3 --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_out="$out/ipv4.json" --benchmark_out_format=json >/dev/null
python3 - "$out/ipv4.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
med = {b["run_name"]: b for b in doc["benchmarks"] if b.get("aggregate_name") == "median"}
ns = lambda n: med[n]["real_time"] if n in med else float("nan")
c = doc["context"]
print(f"{c.get('host_name','?')}, {c.get('num_cpus','?')} CPUs @ {c.get('mhz_per_cpu','?')} MHz, {c.get('date','?')}\n")
print("| job | wirespan ns | anchor | anchor ns | ratio |")
print("|---|---|---|---|---|")
w = ns("BM_ipv4_parse_wirespan")
print(f"| IPv4 parse + checksum verify, 60 B | {w:.2f} | hand-written lower bound | {ns('BM_ipv4_parse_handwritten'):.2f} | wirespan takes {w/ns('BM_ipv4_parse_handwritten'):.2f}x its time |")
print(f"| IPv4 parse, 60 B | {w:.2f} | libtins Tins::IP (no checksum check) | {ns('BM_ipv4_parse_libtins'):.2f} | {ns('BM_ipv4_parse_libtins')/w:.1f}x faster |")
e = ns("BM_icmp_echo_build_wirespan")
print(f"| IPv4 + ICMP echo build, both checksums, 56 B payload | {e:.2f} | libtins IP/ICMP/RawPDU serialize | {ns('BM_icmp_echo_build_libtins'):.2f} | {ns('BM_icmp_echo_build_libtins')/e:.1f}x faster |")
d = med.get("BM_dissect_capture")
if d:
    print(f"| frame dissection (12-frame sample capture, checksums verified) | {d['items_per_second']/1e6:.1f} M frames/s | | | |")
PY
