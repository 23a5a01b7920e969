#!/usr/bin/env python3
"""Frames crafted with scapy for the filter differential (capture_verdicts in libpcap_bpf).

Writes one Ethernet pcap (DLT_EN10MB) with the frames filters have to get right: 802.1Q,
802.1ad and 0x9100 tags, stacked and single; IPv6 extension headers (hop-by-hop,
routing, destination options, fragment, chained) before TCP, UDP and ICMPv6; IPv4 options;
first and non-first fragments of IPv4 and IPv6; SCTP; ARP and RARP; Ethernet broadcast and
multicast, IPv4 broadcast and multicast, IPv6 multicast; IGMP; ICMP and ICMPv6 messages;
every TCP flag combination (all 256 values of the flags byte, over IPv4, and over IPv6 with
and without a tag); and copies of some of them cut short by a small snapshot length (the
record's captured length below its wire length). Addresses and ports are those the
expressions of the differential test use (10.0.0.1, 10.0.0.2, 192.168.1.10, ::1, ports
22, 53, 80, 443, 1500, 8080, ...), so that the verdicts vary.

usage: scapy_frames.py OUT.pcap
Exit 77 (skipped) when scapy is not installed; CI installs python3-scapy.
"""
import struct
import sys

try:
    from scapy.all import (ARP, ICMP, IP, UDP, TCP, Dot1AD, Dot1Q, Ether, ICMPv6EchoReply, ICMPv6EchoRequest,
                           ICMPv6ND_NS, ICMPv6ND_RA, IPOption_RR, IPOption_Router_Alert, IPOption_Timestamp,
                           IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                           Raw, fragment, fragment6)
    from scapy.layers.sctp import SCTP, SCTPChunkData, SCTPChunkInit
except ImportError:
    print("SKIP: python3-scapy is not installed")
    sys.exit(77)

A, B, C = "10.0.0.1", "10.0.0.2", "192.168.1.10"
MAC_A, MAC_B = "02:00:00:00:00:01", "02:00:00:00:00:02"


def eth(dst=MAC_B, src=MAC_A):
    return Ether(dst=dst, src=src)


def tags():
    """The link-layer headers a payload is sent under: none, 802.1Q, stacked, 0x9100."""
    return [
        lambda: eth(),
        lambda: eth() / Dot1Q(vlan=100),
        lambda: eth() / Dot1Q(vlan=4095, prio=7),
        lambda: eth() / Dot1AD(vlan=200) / Dot1Q(vlan=100),
        lambda: Ether(dst=MAC_B, src=MAC_A, type=0x9100) / Dot1Q(vlan=300) / Dot1Q(vlan=100),
        lambda: eth() / Dot1Q(vlan=0),
    ]


def build():
    frames = []  # (bytes, wire length)

    def add(pkt):
        b = bytes(pkt)
        frames.append((b, len(b)))

    # Every TCP flag combination: IPv4, IPv6, IPv4 in a VLAN tag.
    for flags in range(256):
        add(eth() / IP(src=A, dst=B) / TCP(sport=51000, dport=443, flags=flags, seq=1))
        add(eth() / IPv6(src="::2", dst="::1") / TCP(sport=22, dport=51000, flags=flags))
        add(eth() / Dot1Q(vlan=100) / IP(src=C, dst=A) / TCP(sport=80, dport=8080, flags=flags))

    # L3/L4 payloads, each under every tag arrangement.
    payloads = [
        IP(src=A, dst=B) / TCP(sport=51000, dport=80, flags="S", options=[("MSS", 1460), ("WScale", 7)]),
        IP(src=C, dst=A) / TCP(sport=443, dport=51000, flags="SA"),
        IP(src=A, dst=C) / UDP(sport=5353, dport=53) / Raw(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"),
        IP(src=C, dst=A) / UDP(sport=53, dport=5353) / Raw(b"\x12\x34\x81\x80"),
        IP(src=A, dst=B) / UDP(sport=1500, dport=1500) / Raw(b"x" * 100),
        IP(src=A, dst=B, ttl=1) / ICMP(type=8, id=1, seq=1) / Raw(b"ping"),
        IP(src=B, dst=A) / ICMP(type=0, id=1, seq=1) / Raw(b"ping"),
        IP(src=B, dst=A) / ICMP(type=3, code=3) / IP(src=A, dst=B) / UDP(sport=1, dport=2),
        IP(src=A, dst=B) / ICMP(type=11, code=0),
        IP(src=A, dst=B) / SCTP(sport=1500, dport=80) / SCTPChunkInit(),
        IP(src=B, dst=A) / SCTP(sport=80, dport=1500) / SCTPChunkData(data=b"abc"),
        IPv6(src="::2", dst="::1") / TCP(sport=51000, dport=443, flags="S"),
        IPv6(src="::1", dst="::2") / UDP(sport=53, dport=53),
        IPv6(src="::2", dst="::1") / ICMPv6EchoRequest(id=7, seq=1),
        IPv6(src="::1", dst="::2") / ICMPv6EchoReply(id=7, seq=1),
        IPv6(src="2001:db8::1", dst="2001:db8::2") / SCTP(sport=1500, dport=1500) / SCTPChunkInit(),
        IPv6(src="::2", dst="::1") / IPv6ExtHdrHopByHop() / TCP(sport=22, dport=51000, flags="PA"),
        IPv6(src="::2", dst="::1") / IPv6ExtHdrRouting(addresses=["2001:db8::9"]) / UDP(sport=53, dport=53),
        IPv6(src="::2", dst="::1") / IPv6ExtHdrDestOpt() / ICMPv6EchoRequest(),
        IPv6(src="::2", dst="::1") / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting(addresses=[])
        / TCP(sport=80, dport=8080, flags="S"),
        IPv6(src="::2", dst="::1") / IPv6ExtHdrFragment(id=5, m=0, offset=0) / TCP(sport=443, dport=1500),
        IPv6(src="::2", dst="::1") / IPv6ExtHdrHopByHop() / UDP(sport=1500, dport=53),
        IP(src=A, dst=B, options=[IPOption_RR(routers=["1.2.3.4"])]) / TCP(sport=22, dport=51000, flags="A"),
        IP(src=A, dst="224.0.0.22", ttl=1, proto=2, options=[IPOption_Router_Alert()]) / Raw(b"\x22\x00\xfa\x01\x00\x00\x00\x00"),
        IP(src=A, dst=B, options=[IPOption_Timestamp(flg=0, timestamp=1)]) / UDP(sport=53, dport=53),
        IP(src=A, dst=B, ihl=15, options=[IPOption_RR(routers=["0.0.0.0"] * 9)]) / TCP(sport=1500, dport=80),
    ]
    for p in payloads:
        for t in tags():
            add(t() / p)

    # Fragments: IPv4 (first, middle, last; TCP, UDP, ICMP), IPv6 (with the fragment header).
    for frag in fragment(IP(src=A, dst=B, id=77) / UDP(sport=53, dport=1500) / Raw(b"u" * 2000), fragsize=800):
        add(eth() / frag)
        add(eth() / Dot1Q(vlan=100) / frag)
    for frag in fragment(IP(src=C, dst=A, id=78) / TCP(sport=80, dport=51000, flags="PA") / Raw(b"t" * 1800), fragsize=600):
        add(eth() / frag)
    for frag in fragment(IP(src=A, dst=C, id=79) / ICMP(type=8) / Raw(b"i" * 1500), fragsize=1000):
        add(eth() / frag)
    for frag in fragment6(IPv6(src="::2", dst="::1") / IPv6ExtHdrFragment(id=9) / UDP(sport=53, dport=53)
                          / Raw(b"s" * 3000), 1280):
        add(eth() / frag)
    for frag in fragment6(IPv6(src="::1", dst="::2") / IPv6ExtHdrFragment(id=10) / TCP(sport=443, dport=8080)
                          / Raw(b"t" * 2000), 1000):
        add(eth() / Dot1Q(vlan=100) / frag)

    # ARP and RARP, broadcast and unicast, in and out of tags.
    bcast = "ff:ff:ff:ff:ff:ff"
    add(eth(dst=bcast) / ARP(op=1, hwsrc=MAC_A, psrc=A, pdst=B))
    add(eth(dst=MAC_A, src=MAC_B) / ARP(op=2, hwsrc=MAC_B, psrc=B, hwdst=MAC_A, pdst=A))
    add(eth(dst=bcast) / Dot1Q(vlan=100) / ARP(op=1, psrc=C, pdst=A))
    add(eth(dst=bcast) / Dot1AD(vlan=200) / Dot1Q(vlan=100) / ARP(op=1, psrc=A, pdst=C))
    add(Ether(dst=bcast, src=MAC_A, type=0x8035) / ARP(op=3, hwsrc=MAC_A, hwdst=MAC_A))
    add(Ether(dst=MAC_A, src=MAC_B, type=0x8035) / ARP(op=4, hwsrc=MAC_B, psrc=B, hwdst=MAC_A, pdst=A))

    # Broadcast and multicast.
    add(eth(dst=bcast) / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67) / Raw(b"\x01" * 240))
    add(eth(dst=bcast) / IP(src=A, dst="10.0.0.255") / UDP(sport=137, dport=137))
    add(eth(dst=bcast) / IP(src="192.168.1.1", dst="192.168.1.255") / UDP(sport=1500, dport=1500))
    add(eth(dst="01:00:5e:00:00:01") / IP(src=A, dst="224.0.0.1", proto=2) / Raw(b"\x11\x64\xee\x9b\x00\x00\x00\x00"))
    add(eth(dst="01:00:5e:00:00:fb") / IP(src=A, dst="224.0.0.251") / UDP(sport=5353, dport=5353))
    add(eth(dst="01:00:5e:7f:ff:fa") / IP(src=C, dst="239.255.255.250") / UDP(sport=1900, dport=1900))
    add(eth(dst="33:33:00:00:00:01") / IPv6(src="fe80::1", dst="ff02::1") / ICMPv6ND_RA())
    add(eth(dst="33:33:ff:00:00:01") / IPv6(src="fe80::2", dst="ff02::1:ff00:1") / ICMPv6ND_NS(tgt="fe80::1"))
    add(eth(dst="33:33:00:00:00:fb") / IPv6(src="fe80::2", dst="ff02::fb") / UDP(sport=5353, dport=5353))
    add(eth(dst="01:80:c2:00:00:00") / Raw(b"\x42\x42\x03" + b"\x00" * 40))  # an 802.3 frame (STP)

    # Lengths: a full-size frame, a minimum one, a jumbo one.
    add(eth() / IP(src=A, dst=B) / TCP(sport=51000, dport=443, flags="PA") / Raw(b"d" * 1460))
    add(eth() / IP(src=B, dst=A) / UDP(sport=53, dport=51000) / Raw(b"j" * 8000))
    add(eth() / Raw(b"\x00" * 46))

    # Cut short: copies of some frames captured with a small snapshot length.
    cut_from = [0, 1, 2, 256 * 3, 256 * 3 + 5, 256 * 3 + 55, 256 * 3 + 60, 256 * 3 + 85, len(frames) - 40,
                len(frames) - 30, len(frames) - 12, len(frames) - 3]
    for idx in cut_from:
        full, wire = frames[idx]
        for snap in (1, 6, 12, 13, 14, 15, 17, 18, 20, 23, 24, 26, 30, 34, 36, 38, 40, 42, 47, 50, 54, 58, 62, 68):
            if snap < len(full):
                frames.append((full[:snap], wire))
    return frames


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    frames = build()
    with open(sys.argv[1], "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, (data, wire) in enumerate(frames):
            out.write(struct.pack("<IIII", 1700000000 + i, 0, len(data), wire))
            out.write(data)
    cut = sum(1 for d, w in frames if len(d) < w)
    print("scapy_frames: %d frames (%d cut short) written to %s" % (len(frames), cut, sys.argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
