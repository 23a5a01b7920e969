#!/usr/bin/env bash
# Build bench_protobuf and print its ratio table (bench/README.md records it).
#   bash bench/run_protobuf.sh            (from the repository root)
# Medians of 5 repetitions, pinned to one CPU when taskset is available; compare within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset bench >/dev/null
cmake --build --preset bench --target bench_protobuf >/dev/null
out=build/bench/results
mkdir -p "$out"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)
"${pin[@]}" build/bench/bench/bench_protobuf --benchmark_min_time=0.3 --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_out="$out/protobuf.json" --benchmark_out_format=json >/dev/null
python3 - "$out/protobuf.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
med = {b["run_name"]: b for b in doc["benchmarks"] if b.get("aggregate_name") == "median"}
ns = lambda n: med[n]["real_time"] if n in med else float("nan")
c = doc["context"]
print(f"{c.get('host_name','?')}, {c.get('num_cpus','?')} CPUs @ {c.get('mhz_per_cpu','?')} MHz, {c.get('date','?')}\n")
print("| job | wirespan ns | anchor | anchor ns | anchor time / wirespan time | target |")
print("|---|---|---|---|---|---|")
row = lambda job, w, a, an, target: print(f"| {job} | {ns(w):,.1f} | {a} | {ns(an):,.1f} | {ns(an)/ns(w):.2f}x | {target} |")
row("decode Record (UTF-8 checked)", "BM_decode_wirespan/utf8:1", "protozero pbf_reader", "BM_decode_protozero", ">= 1.5x")
row("decode Record (UTF-8 not checked, as protozero)", "BM_decode_wirespan/utf8:0", "protozero pbf_reader", "BM_decode_protozero", ">= 1.5x")
row("decode Record (UTF-8 checked, as libprotobuf)", "BM_decode_wirespan/utf8:1", "libprotobuf ParseFromArray (reused)", "BM_decode_libprotobuf", ">= 4x")
row("encode Record into a span", "BM_encode_wirespan", "protozero pbf_writer (std::string)", "BM_encode_protozero", ">= 2x")
row("encode Record into a span", "BM_encode_wirespan", "libprotobuf SerializeToArray", "BM_encode_libprotobuf", ">= 2x")
row("1M varints, lengths 1..10: decode_varints (bulk)", "BM_varints_wirespan/mixed:1", "protozero decode_varint", "BM_varint_protozero/mixed:1", ">= 1.5x")
row("1M varints, 90% 1 byte: decode_varints (bulk)", "BM_varints_wirespan/mixed:0", "protozero decode_varint", "BM_varint_protozero/mixed:0", ">= 1.5x")
row("1M varints, lengths 1..10: decode_varint (one at a time)", "BM_varint_wirespan/mixed:1", "protozero decode_varint", "BM_varint_protozero/mixed:1", "-")
row("1M varints, 90% 1 byte: decode_varint (one at a time)", "BM_varint_wirespan/mixed:0", "protozero decode_varint", "BM_varint_protozero/mixed:0", "-")
PY
