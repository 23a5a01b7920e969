#!/bin/sh
# Interop: frames built with the library's encoders (crafted_frames.cpp) dissect in tshark
# with every checksum "good" (IPv4, UDP, TCP, ICMP, ICMPv6, over IPv4 and IPv6
# pseudo-headers) and no expert info above "chat" (no note, warning or error).
# usage: crafted_tshark.sh CRAFTED_FRAMES_BINARY WORK_DIR      (exit 77: tshark missing)
set -eu
command -v tshark >/dev/null 2>&1 || { echo "SKIP: tshark is not installed"; exit 77; }
mkdir -p "$2"
pcap="$2/crafted.pcap"
"$1" "$pcap"
prefs="-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE"
# shellcheck disable=SC2086
fields=$(tshark -r "$pcap" $prefs -T fields -E separator=";" -e frame.number -e ip.checksum.status \
         -e udp.checksum.status -e tcp.checksum.status -e icmp.checksum.status -e icmpv6.checksum.status \
         -e _ws.expert.severity -e _ws.malformed 2>/dev/null)
echo "$fields"
frames=$(printf '%s\n' "$fields" | wc -l)
[ "$frames" -eq 9 ] || { echo "FAIL: tshark read $frames frames, want 9"; exit 1; }
# Every status that is present is 1 (good); no malformed marker; no expert item above
# "chat" (tshark chats about every SYN): note 0x400000, warn 0x600000, error 0x800000.
bad=$(printf '%s\n' "$fields" | awk -F";" '{ for (i = 2; i <= 6; i++) { n = split($i, v, ","); for (k = 1; k <= n; k++) if (v[k] != "" && v[k] != "1") print } n = split($7, e, ","); for (k = 1; k <= n; k++) if (e[k] + 0 >= 4194304) print; if ($8 != "") print }')
if [ -n "$bad" ]; then
  echo "FAIL: tshark found a bad checksum or expert info:"
  echo "$bad"
  exit 1
fi
checked=$(printf '%s\n' "$fields" | awk -F";" '{ for (i = 2; i <= 6; i++) if ($i != "") n++ } END { print n }')
# Each frame has its IPv4 or ICMPv6 statuses and one transport status: at least 15 in all.
[ "${checked:-0}" -ge 15 ] || { echo "FAIL: only ${checked:-0} checksum statuses; tshark did not check them"; exit 1; }
echo "crafted: $frames frames, $checked checksum statuses, all good, no expert note, warning or error"
