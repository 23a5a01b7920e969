#!/usr/bin/env bash
# The full test suite, exactly as CI runs it (.ci/run calls this and nothing else).
# For a fresh Debian 12 machine, run as root from the repository root:
#
#   bash tools/check.sh
#
# It installs what the tests need with apt-get, then, each as a CMake workflow preset
# (configure, build, CTest): the single-header check; gcc Debug with the -fno-exceptions
# and single-header variants, packaging tests and fuzz-corpus replays; gcc Release (-O3,
# where GCC's flow-sensitive warnings appear); clang 14 Release; gcc with ASan+UBSan; the
# benchmarks (compiled, not run); and last every libFuzzer
# target for WIRESPAN_FUZZ_SECONDS (default 30) under ASan+UBSan, so the output ends with
# CTest's summary line. It stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ clang-14 libclang-rt-14-dev   # compilers; libFuzzer and the sanitizer runtimes for clang
  cmake ninja-build meson pkg-config python3
  doctest-dev                        # unit tests
  libbenchmark-dev libdpdk-dev       # benchmarks and their anchor (DPDK's rte_raw_cksum, headers only)
  libtins-dev                        # the IPv4 benchmark anchor
  protobuf-compiler libprotobuf-dev  # protobuf oracle (protoc, libprotobuf) and benchmark anchor
  libprotozero-dev                   # the other protobuf benchmark anchor (header-only)
  tshark tcpdump                     # interop oracles: tshark dissects, tcpdump captures
  python3-scapy                      # frames crafted for the filter differential
  mosquitto mosquitto-clients        # the MQTT broker the interop tests talk to
  libpcap-dev netbase                # the filter oracle: pcap_compile, bpf_filter, bpf_validate, bpf_image;
                                     # /etc/services and /etc/protocols for its port and protocol names
  iproute2 iputils-ping traceroute   # the traffic the interop tests make in network namespaces
)
if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${packages[@]}"
else
  echo "check.sh: not root; assuming these are installed: ${packages[*]}" >&2
fi

stage() { printf '\n==== %s\n' "$*"; }
start=$(date +%s)

stage "single_include/ is generated from include/"
python3 tools/amalgamate.py --check

fuzz_seconds=${WIRESPAN_FUZZ_SECONDS:-30}
for preset in dev release clang asan bench; do
  stage "cmake --workflow --preset $preset"
  cmake --workflow --preset "$preset" --fresh
done

stage "cmake --workflow --preset fuzz (each target ${fuzz_seconds} s)"
cmake --preset fuzz --fresh -DWIRESPAN_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
cmake --build --preset fuzz
echo "check.sh: all earlier stages passed in $(( $(date +%s) - start )) s; fuzzing now"
ctest --preset fuzz
