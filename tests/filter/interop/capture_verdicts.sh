#!/bin/sh
# capture_verdicts.sh LIBPCAP_BPF PYTHON WORK_DIR CAPTURE_DIR: crafts frames with scapy
# (scapy_frames.py) and gives them, with the captures the tshark interop test made in
# CAPTURE_DIR (loopback and network-namespace traffic; pcap, pcapng, nanosecond pcap), to
# `libpcap_bpf --captures`: for every expression and frame, wirespan's verdicts (its
# interpreter, libpcap's interpreter, static filters) equal libpcap's.
set -u
bin=$1 python=$2 work=$3 captures=$4
here=$(dirname "$0")
mkdir -p "$work"
"$python" "$here/scapy_frames.py" "$work/scapy_frames.pcap"
status=$?
[ "$status" = 0 ] || exit "$status"
files="$work/scapy_frames.pcap"
n=0
for f in "$captures"/*.pcap "$captures"/*.pcapng; do
  [ -f "$f" ] || continue
  files="$files $f"
  n=$((n + 1))
done
if [ "$n" = 0 ]; then
  # (The tshark test makes them as root; CI runs it first, as this test's fixture.)
  echo "capture_verdicts: no captures in $captures: the crafted frames only"
  [ "$(id -u)" != 0 ] || { echo "FAIL: running as root, and the tshark test made no captures"; exit 1; }
fi
# shellcheck disable=SC2086
exec "$bin" --captures $files
