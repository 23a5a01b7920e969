#!/usr/bin/env python3
"""Print the checksum comparison table from Google Benchmark JSON files (one per -O level)."""
import json
import sys


def load(path):
    with open(path) as f:
        doc = json.load(f)
    rows = {}
    for b in doc["benchmarks"]:
        if b.get("aggregate_name", "median") != "median":
            continue
        name = b["run_name"] if "run_name" in b else b["name"]
        base, size = name.rsplit("/", 1)
        rows[(base, int(size))] = b
    return doc["context"], rows


def gbps(b):
    return b["bytes_per_second"] / 1e9 if b and "bytes_per_second" in b else float("nan")


def main(paths):
    for path in paths:
        ctx, rows = load(path)
        opt = "-O3" if "O3" in path else "-O2"
        sizes = sorted({s for (_, s) in rows})
        print(f"\n### {opt} — {ctx.get('host_name', '?')}, {ctx.get('num_cpus', '?')} CPUs @ {ctx.get('mhz_per_cpu', '?')} MHz, {ctx.get('date', '?')}\n")
        print("| bytes | wirespan (dispatch) GB/s | avx2 | sse2 | scalar | DPDK rte_raw_cksum | plain RFC 1071 loop | memory-read limit | wirespan / DPDK | wirespan / read limit |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s in sizes:
            w = gbps(rows.get(("wirespan_internet_checksum", s)))
            avx2 = gbps(rows.get(("wirespan_kernel/avx2", s)))
            sse2 = gbps(rows.get(("wirespan_kernel/sse2", s)))
            scalar = gbps(rows.get(("wirespan_kernel/scalar", s)))
            dpdk_row = rows.get(("dpdk_rte_raw_cksum", s))
            dpdk = gbps(dpdk_row)
            plain = gbps(rows.get(("plain_rfc1071_loop", s)))
            limit = gbps(rows.get(("memory_read_limit", s)))
            note = " (DPDK result wrong: 32-bit overflow)" if dpdk_row and "overflow" in dpdk_row.get("label", "") else ""
            print(f"| {s} | {w:.2f} | {avx2:.2f} | {sse2:.2f} | {scalar:.2f} | {dpdk:.2f}{note} | {plain:.2f} | {limit:.2f} | {w / dpdk:.2f}x | {100 * w / limit:.0f}% |")


if __name__ == "__main__":
    main(sys.argv[1:])
