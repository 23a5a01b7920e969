#!/usr/bin/env bash
# Build the MQTT benchmark and print the table of bench/README.md.
#   bash bench/run_mqtt.sh            (from the repository root)
# Pins to one CPU when taskset is available; compare within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset bench >/dev/null
cmake --build --preset bench --target bench_mqtt >/dev/null
out=build/bench/results
mkdir -p "$out"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)
"${pin[@]}" build/bench/bench/bench_mqtt --benchmark_min_time=0.3 --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_out="$out/mqtt.json" --benchmark_out_format=json >/dev/null
python3 - "$out/mqtt.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
med = {b["run_name"]: b for b in doc["benchmarks"] if b.get("aggregate_name") == "median"}
ns = lambda n: med[n]["real_time"] if n in med else float("nan")
c = doc["context"]
print(f"{c.get('host_name','?')}, {c.get('num_cpus','?')} CPUs @ {c.get('mhz_per_cpu','?')} MHz, {c.get('date','?')}\n")
print("| job | wirespan ns | memcpy of the same bytes, ns | wirespan / memcpy | target |")
print("|---|---|---|---|---|")
for kind, label in (("v311_minimal", "3.1.1 minimal (31 bytes)"), ("v5_will_properties", "5.0 with will and properties")):
    m = ns(f"BM_memcpy/{kind}")
    d = ns(f"BM_connect_decode/{kind}")
    e = ns(f"BM_connect_encode/{kind}")
    print(f"| CONNECT decode, every rule checked: {label} | {d:.1f} | {m:.1f} | {d/m:.1f}x | < 50 ns |")
    print(f"| CONNECT encode: {label} | {e:.1f} | {m:.1f} | {e/m:.1f}x | <= 3x memcpy |")
    w = ns(f"BM_connect_walk/{kind}")
    print(f"| bound for decode, the chain of lengths followed and nothing checked: {label} | {w:.1f} | {m:.1f} | {w/m:.1f}x | |")
    b = ns(f"BM_connect_pieces/{kind}")
    print(f"| bound for encode, its pieces copied and nothing else: {label} | {b:.1f} | {m:.1f} | {b/m:.1f}x | |")
for kind, label in (("v311_qos1", "3.1.1 QoS 1, 64-byte payload"), ("v5_properties", "5.0 QoS 1 with four properties")):
    m = ns(f"BM_memcpy/publish_{kind}")
    d = ns(f"BM_publish_decode/{kind}")
    print(f"| PUBLISH decode, every rule checked: {label} | {d:.1f} | {m:.1f} | {d/m:.1f}x | |")
print(f"| topic filter match (6 pairs, per pair) | {ns('BM_topic_match')/6:.1f} | | | |")
PY
