#!/bin/sh
# match_tcpdump.sh WIRESPAN DIR...: on every capture file in the DIRs (pcap, pcapng) that
# tcpdump reads as Ethernet, `wirespan match EXPR FILE` accepts as many frames as
# `tcpdump -r FILE EXPR` prints, for each expression below; and `wirespan filter` prints
# its program in the three forms with tcpdump's shapes.
set -u
w=$1
shift
command -v tcpdump >/dev/null 2>&1 || { echo "SKIP: tcpdump is not installed"; exit 77; }
status=0
files=0
checks=0
for dir in "$@"; do
  for f in "$dir"/*; do
    tcpdump -r "$f" -c 1 2>&1 | grep -q 'link-type EN10MB' || continue
    files=$((files + 1))
    for e in "icmp" "tcp" "udp" "ip" "ip6" "arp" "tcp port 80" "udp port 53" "not icmp" "greater 100" "less 80" \
             "icmp[icmptype] = icmp-echo" "icmp[icmptype] = icmp-echoreply" "ip[8] = 64" "host 127.0.0.1" \
             "net 10.0.0.0/8" "tcp[tcpflags] & tcp-syn != 0" "ip6 and icmp6" "ether broadcast" "vlan"; do
      want=$(tcpdump -nn -r "$f" "$e" 2>/dev/null | wc -l)
      got=$("$w" match "$e" "$f" 2>/dev/null | wc -l)
      checks=$((checks + 1))
      if [ "$want" != "$got" ]; then
        echo "FAIL $f '$e': wirespan matches $got frames, tcpdump prints $want"
        status=1
      fi
    done
  done
done
[ "$files" -gt 0 ] || { echo "FAIL: no Ethernet capture found"; exit 1; }
# decode --filter decodes exactly the frames match lists.
for dir in "$@"; do
  for f in "$dir"/*; do
    tcpdump -r "$f" -c 1 2>&1 | grep -q 'link-type EN10MB' || continue
    a=$("$w" match "icmp or arp" "$f" | tr '\n' ' ')
    b=$("$w" decode --filter "icmp or arp" "$f" | awk '{print $1}' | tr '\n' ' ')
    [ "$a" = "$b" ] || { echo "FAIL $f: decode --filter frames '$b', match frames '$a'"; status=1; }
  done
done
# The three forms: a line per instruction, the counts agree.
n=$("$w" filter -ddd tcp port 443 | head -1)
[ "$("$w" filter -d tcp port 443 | wc -l)" = "$n" ] || { echo "FAIL: -d and -ddd counts"; status=1; }
[ "$("$w" filter -dd tcp port 443 | grep -c '^{ 0x')" = "$n" ] || { echo "FAIL: -dd lines"; status=1; }
"$w" filter "tcp port" >/dev/null 2>&1; [ $? = 1 ] || { echo "FAIL: a syntax error exits 1"; status=1; }
"$w" filter -y FDDI ip >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: an unsupported link type exits 2"; status=1; }
# The other link types, as tcpdump -d -y prints them.
for y in LINUX_SLL RAW; do
  for e in "ip" "ip6" "tcp[tcpflags] & tcp-syn != 0" "ip multicast" "not ip"; do
    [ "$("$w" filter -y "$y" "$e")" = "$(tcpdump -d -y "$y" "$e")" ] || { echo "FAIL: -y $y $e differs from tcpdump -d"; status=1; }
  done
done
# Host names, looked up as tcpdump does (getaddrinfo), give tcpdump's program; `--` ends
# the options.
for e in "host localhost" "src host localhost and tcp port 80" "ip host localhost or udp" "not dst host localhost"; do
  [ "$("$w" filter -- "$e")" = "$(tcpdump -d -- "$e" 2>/dev/null)" ] || { echo "FAIL: $e differs from tcpdump -d"; status=1; }
done
[ "$("$w" filter -ddd -- -len = 1)" = "$(tcpdump -ddd -- -len = 1 2>/dev/null)" ] || { echo "FAIL: -- -len = 1"; status=1; }
"$w" filter ip6 host 127.0.0.1 >/dev/null 2>&1; [ $? = 1 ] || { echo "FAIL: ip6 host 127.0.0.1 exits 1"; status=1; }
echo "match_tcpdump: $checks expression/file pairs on $files captures: wirespan match counts equal tcpdump's"
exit $status
