#!/bin/sh
# test_cli.sh WIRESPAN: the checksum command's outputs, errors and exit codes.
set -u
w=$1
status=0
expect() {  # expect NAME EXPECTED_EXIT EXPECTED_STDOUT -- command...
  name=$1 code=$2 out=$3
  shift 4
  got=$("$@" 2>/tmp/wirespan-cli-stderr.$$)
  rc=$?
  if [ "$rc" != "$code" ] || [ "$got" != "$out" ]; then
    echo "FAIL $name: exit $rc (want $code), stdout '$got' (want '$out'), stderr: $(cat /tmp/wirespan-cli-stderr.$$)"
    status=1
  else
    echo "ok   $name"
  fi
  rm -f /tmp/wirespan-cli-stderr.$$
}
expect "RFC 1071 example" 0 220d -- "$w" checksum --hex 0001f203f4f5f6f7
expect "separators" 0 220d -- "$w" checksum --hex "00 01:f2 03 f4f5 f6f7"
for k in scalar sse2 avx2; do
  if grep -q -w "$k" /proc/cpuinfo 2>/dev/null || [ "$k" = scalar ] || [ "$k" = sse2 ]; then
    expect "kernel $k" 0 220d -- "$w" checksum --kernel "$k" --hex 0001f203f4f5f6f7
  fi
done
expect "verifies to 0000" 0 0000 -- "$w" checksum --hex "4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7"
expect "odd length" 0 feff -- "$w" checksum --hex 01
expect "empty" 0 ffff -- "$w" checksum --hex ""
printf '\000\001\362\003\364\365\366\367' > /tmp/wirespan-cli-in.$$
expect "file" 0 220d -- "$w" checksum /tmp/wirespan-cli-in.$$
expect "stdin" 0 220d -- sh -c "\"$w\" checksum < /tmp/wirespan-cli-in.$$"
expect "stdin dash" 0 220d -- sh -c "\"$w\" checksum - < /tmp/wirespan-cli-in.$$"
rm -f /tmp/wirespan-cli-in.$$
expect "bad hex" 1 "" -- "$w" checksum --hex 0g
expect "odd digits" 1 "" -- "$w" checksum --hex 012
expect "missing file" 1 "" -- "$w" checksum /nonexistent/file
expect "unknown option" 2 "" -- "$w" checksum --bogus
expect "hex without value" 2 "" -- "$w" checksum --hex
expect "unknown kernel" 2 "" -- "$w" checksum --kernel neon --hex 00
expect "unknown command" 2 "" -- "$w" frobnicate
expect "no command" 2 "" -- "$w"
# wirespan mqtt: usage errors exit 2 before any connection; a closed port exits 1.
expect "mqtt without a subcommand" 2 "" -- "$w" mqtt
expect "mqtt unknown subcommand" 2 "" -- "$w" mqtt frob
expect "mqtt bad version" 2 "" -- "$w" mqtt connect --version 4.0
expect "mqtt QoS 3" 2 "" -- "$w" mqtt pub --topic a --qos 3
expect "mqtt pub without a topic" 2 "" -- "$w" mqtt pub --message m
expect "mqtt pub to a wildcard" 2 "" -- "$w" mqtt pub --topic 'a/#'
expect "mqtt sub to a bad filter" 2 "" -- "$w" mqtt sub --topic 'a#'
expect "mqtt property without 5.0" 2 "" -- "$w" mqtt connect --property receive-maximum=1
expect "mqtt unknown property" 2 "" -- "$w" mqtt connect --version 5 --property frob=1 --port 1
expect "mqtt bad port" 2 "" -- "$w" mqtt connect --port 70000
expect "mqtt nothing listening" 1 "" -- "$w" mqtt connect --port 1 --timeout 2
expect "decode bad -d" 2 "" -- "$w" decode -d udp.port==5,mqtt x.pcap
# decode: one TCP segment to port 1883 holding a CONNECT with its reserved flag set, a good
# CONNECT and the first byte of a PUBLISH: an error, the fields, and "incomplete".
python3 - /tmp/wirespan-cli-mqtt.$$ <<'PY'
import struct, sys
payload = bytes.fromhex("100c00044d5154540403003c0000" "100c00044d5154540402003c0000" "30")
tcp = struct.pack("!HHIIBBHHH", 40000, 1883, 1, 0, 5 << 4, 0x18, 1000, 0, 0)
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 1, 0, 64, 6, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
frame = bytes(12) + b"\x08\x00" + ip + tcp + payload
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) + struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)
PY
out=$("$w" decode --json /tmp/wirespan-cli-mqtt.$$)
case "$out" in
  *'"mqtt":[{"mqtt.msgtype":1,"error":"mqtt: reserved connect flag'*'"mqtt.protoname":"MQTT"'*'{"mqtt.incomplete":1}]'*) echo "ok   decode MQTT: error, fields, incomplete" ;;
  *) echo "FAIL decode MQTT: $out"; status=1 ;;
esac
"$w" decode /tmp/wirespan-cli-mqtt.$$ | grep -q "MQTT 83 \[malformed\], CONNECT, \[packet continues" || { echo "FAIL decode MQTT line"; status=1; }
rm -f /tmp/wirespan-cli-mqtt.$$
"$w" mqtt --help | grep -q "mqtt.conack.val" || { echo "FAIL mqtt --help"; status=1; }
"$w" --help | grep -q "checksum" || { echo "FAIL --help"; status=1; }
"$w" checksum --help | grep -q "RFC 1071" || { echo "FAIL checksum --help"; status=1; }
"$w" demo --help | grep -q "usage: wirespan demo" || { echo "FAIL demo --help"; status=1; }
"$w" --version | grep -q "^wirespan [0-9]" || { echo "FAIL --version"; status=1; }
exit $status
