#!/usr/bin/env python3
"""Interop: `wirespan decode --json` against `tshark -T fields` on captures of real traffic.

The test makes its own traffic and captures it with tcpdump:
  - in a fresh network namespace, pings on its loopback: several sizes, -R (record
    route), -T tsonly and -T tsandaddr (timestamps), -Q (TOS);
  - across three namespaces it creates (client -- router -- server, veth pairs, MTU 1280
    on the server link): IPv4 fragments, "fragmentation needed", TTL exceeded and port
    unreachable from traceroute, a TCP handshake with options to a local HTTP server,
    DNS over UDP, IPv6 ping, the ARP and neighbour discovery they cause, and VLAN-tagged
    frames (802.1Q, 802.1ad) sent through a packet socket on the client's veth.
Then, for every capture (also converted to pcapng and to nanosecond pcap with editcap),
every field of FIELDS in every frame must be equal. All namespaces are deleted at the
end; no packet leaves them.

usage: tshark_decode.py WIRESPAN_BINARY WORK_DIR
Exit 77 (skipped) when not root or a tool is missing; CI has them all.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

FIELDS = """eth.src eth.dst eth.type vlan.id ieee8021ad.id arp.opcode arp.src.proto_ipv4 arp.dst.proto_ipv4
ip.version ip.hdr_len ip.dsfield.dscp ip.dsfield.ecn ip.len ip.id ip.flags.rb ip.flags.df
ip.flags.mf ip.frag_offset ip.ttl ip.proto ip.checksum ip.src ip.dst ip.opt.type icmp.type
icmp.code icmp.checksum icmp.ident icmp.seq icmp.mtu ipv6.plen ipv6.nxt ipv6.hlim ipv6.src
ipv6.dst icmpv6.type icmpv6.code udp.srcport udp.dstport udp.length udp.checksum tcp.srcport
tcp.dstport tcp.seq_raw tcp.ack_raw tcp.hdr_len tcp.flags tcp.window_size_value tcp.checksum
tcp.urgent_pointer tcp.options.mss_val tcp.options.wscale.shift""".split()

TSHARK_PREFS = ["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
                "-o", "tcp.desegment_tcp_streams:FALSE"]

TAG = "ws%d" % os.getpid()
NS = {"lo": TAG + "lo", "a": TAG + "a", "r": TAG + "r", "b": TAG + "b"}


def run(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def ns(name, *cmd, check=True, **kw):
    return run("ip", "netns", "exec", NS[name], *cmd, check=check, **kw)


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


class Capture:
    def __init__(self, namespace, iface, path, flt=""):
        self.path = path
        args = ["ip", "netns", "exec", NS[namespace], "tcpdump", "--immediate-mode", "-i", iface, "-U", "-s", "0", "-w", path]
        if flt:
            args += flt.split()
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # Wait until tcpdump says it is listening.
        line = self.proc.stderr.readline()
        if "listening" not in line:
            raise RuntimeError("tcpdump did not start: " + line)

    def stop(self):
        time.sleep(1.5)  # longer than libpcap's buffer timeout, in case immediate mode is ignored
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=10)


def setup():
    for n in NS.values():
        run("ip", "netns", "add", n)
    for n in NS:
        ns(n, "ip", "link", "set", "lo", "up")
    run("ip", "link", "add", "va", "netns", NS["a"], "type", "veth", "peer", "name", "vra", "netns", NS["r"])
    run("ip", "link", "add", "vb", "netns", NS["b"], "type", "veth", "peer", "name", "vrb", "netns", NS["r"])
    for n, dev in (("a", "va"), ("r", "vra"), ("r", "vrb"), ("b", "vb")):
        ns(n, "ip", "link", "set", dev, "up")
    ns("r", "ip", "link", "set", "vrb", "mtu", "1280")
    ns("b", "ip", "link", "set", "vb", "mtu", "1280")
    ns("a", "ip", "addr", "add", "10.91.1.2/24", "dev", "va")
    ns("r", "ip", "addr", "add", "10.91.1.1/24", "dev", "vra")
    ns("r", "ip", "addr", "add", "10.91.2.1/24", "dev", "vrb")
    ns("b", "ip", "addr", "add", "10.91.2.2/24", "dev", "vb")
    ns("a", "ip", "-6", "addr", "add", "fd00:91:1::2/64", "dev", "va", "nodad")
    ns("r", "ip", "-6", "addr", "add", "fd00:91:1::1/64", "dev", "vra", "nodad")
    ns("r", "ip", "-6", "addr", "add", "fd00:91:2::1/64", "dev", "vrb", "nodad")
    ns("b", "ip", "-6", "addr", "add", "fd00:91:2::2/64", "dev", "vb", "nodad")
    ns("a", "ip", "route", "add", "default", "via", "10.91.1.1")
    ns("b", "ip", "route", "add", "default", "via", "10.91.2.1")
    ns("a", "ip", "-6", "route", "add", "default", "via", "fd00:91:1::1")
    ns("b", "ip", "-6", "route", "add", "default", "via", "fd00:91:2::1")
    ns("r", "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
    ns("r", "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1")
    # Port unreachables are rate limited per destination; let every one out.
    for n in ("r", "b"):
        ns(n, "sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0")


def teardown():
    for n in NS.values():
        run("ip", "netns", "pids", n, check=False)
        pids = run("ip", "netns", "pids", n, check=False).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        run("ip", "netns", "del", n, check=False)


HTTP_CLIENT = """
import urllib.request
print(urllib.request.urlopen('http://10.91.2.2:8080/', timeout=5).status)
"""

DNS_SERVER = """
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('10.91.2.2', 53))
while True:
    q, peer = s.recvfrom(512)
    # Answer: same ID, QR=1, RCODE=3 (NXDOMAIN), the question echoed.
    s.sendto(q[:2] + b'\\x81\\x83' + q[4:6] + b'\\x00\\x00\\x00\\x00\\x00\\x00' + q[12:], peer)
"""

DNS_CLIENT = """
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
q = b'\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x07example\\x04test\\x00\\x00\\x01\\x00\\x01'
s.sendto(q, ('10.91.2.2', 53))
print(len(s.recvfrom(512)[0]))
"""

# VLAN-tagged frames (802.1Q, and 802.1ad + 802.1Q) sent as they are through an AF_PACKET
# socket on the client's veth: the capture there sees them with their tags. (The sandbox
# has no 8021q module, so VLAN interfaces cannot be made.)
VLAN_FRAMES = """
import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('va', 0))
mac = s.getsockname()[4]
def csum(b):
    if len(b) % 2: b += b'\\0'
    t = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
udp = struct.pack('!HHHH', 40000, 7, 12, 0) + b'vlan'
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 7, 0, 64, 17, 0,
                 socket.inet_aton('10.91.1.2'), socket.inet_aton('10.91.1.1'))
ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
bcast = b'\\xff' * 6
s.send(bcast + mac + struct.pack('!HH', 0x8100, 0x2064) + b'\\x08\\x00' + ip + udp)
arp = struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 1, mac, socket.inet_aton('10.91.1.2'), b'\\0' * 6,
                  socket.inet_aton('10.91.1.77'))
s.send(bcast + mac + struct.pack('!HHHH', 0x88a8, 200, 0x8100, 100) + b'\\x08\\x06' + arp + b'\\0' * 10)
"""

UDP_CLOSED = """
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'nobody listens here', ('10.91.2.2', 9))
"""


def make_traffic(work):
    caps = []
    # Loopback pings.
    c = Capture("lo", "lo", os.path.join(work, "loopback.pcap"), "icmp")
    for args in (["-s", "0"], ["-s", "56"], ["-s", "1400"], ["-R"], ["-T", "tsonly"], ["-T", "tsandaddr"],
                 ["-Q", "0xb8"], ["-Q", "0x03"]):
        ns("lo", "ping", "-c", "1", "-W", "2", *args, "127.0.0.1")
    c.stop()
    caps.append(c.path)

    ca = Capture("a", "va", os.path.join(work, "client.pcap"))
    cb = Capture("b", "vb", os.path.join(work, "server.pcap"))
    http = subprocess.Popen(["ip", "netns", "exec", NS["b"], "python3", "-m", "http.server", "8080", "--bind",
                             "10.91.2.2", "--directory", work], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dns = subprocess.Popen(["ip", "netns", "exec", NS["b"], "python3", "-c", DNS_SERVER],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    try:
        ns("a", "ping", "-c", "1", "-W", "2", "10.91.2.2")                      # ARP + echo
        ns("a", "ping", "-c", "1", "-W", "2", "-s", "3000", "10.91.2.2")        # fragments
        ns("a", "ping", "-c", "1", "-W", "2", "-M", "do", "-s", "1400", "10.91.2.2", check=False)  # frag needed
        ns("a", "ping", "-c", "1", "-W", "2", "-t", "1", "10.91.2.2", check=False)  # TTL exceeded, quoting ICMP
        ns("a", "traceroute", "-n", "-q", "1", "-w", "2", "-m", "3", "10.91.2.2", check=False)
        ns("a", "python3", "-c", UDP_CLOSED)
        ns("a", "python3", "-c", VLAN_FRAMES)
        ns("a", "python3", "-c", DNS_CLIENT)
        for _ in range(20):
            if ns("a", "python3", "-c", HTTP_CLIENT, check=False).returncode == 0:
                break
            time.sleep(0.25)
        ns("a", "ping", "-6", "-c", "1", "-W", "2", "fd00:91:2::2")
        # Packet too big from the router, then (the path MTU learned) IPv6 fragments.
        for _ in range(2):
            ns("a", "ping", "-6", "-c", "1", "-W", "2", "-s", "2000", "fd00:91:2::2", check=False)
    finally:
        http.kill()
        dns.kill()
        ca.stop()
        cb.stop()
    caps += [ca.path, cb.path]
    # The same frames in the other formats the reader supports.
    for src in list(caps):
        base = src[:-len(".pcap")]
        run("editcap", "-F", "pcapng", src, base + ".pcapng")
        run("editcap", "-F", "nsecpcap", src, base + ".nsec.pcap")
        caps += [base + ".pcapng", base + ".nsec.pcap"]
    return caps


def tshark_frames(path):
    args = ["tshark", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
            "-E", "aggregator=,"] + TSHARK_PREFS
    for f in FIELDS:
        args += ["-e", f]
    out = run(*args).stdout
    frames = []
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(FIELDS) - len(cols))
        frames.append({f: cols[i] for i, f in enumerate(FIELDS)})
    return frames


def tshark_values(text):
    """A tshark field column as a list of normalised values."""
    if text == "":
        return []
    out = []
    for v in text.split(","):
        if v.startswith("0x"):
            out.append(int(v, 16))
        elif v.isdigit():
            out.append(int(v))
        elif v in ("True", "False"):
            out.append(1 if v == "True" else 0)
        else:
            out.append(v)
    return out


def our_values(obj, field):
    def flat(o):
        if field not in o:
            return []
        v = o[field]
        return v if isinstance(v, list) else [v]
    vals = flat(obj)
    if "icmp.quoted" in obj:
        vals += flat(obj["icmp.quoted"])
    return vals


def compare(wirespan, path):
    ours = [json.loads(l) for l in run(wirespan, "decode", "--json", path).stdout.splitlines()]
    theirs = tshark_frames(path)
    problems = []
    if len(ours) != len(theirs):
        problems.append("%s: %d frames, tshark %d" % (path, len(ours), len(theirs)))
    seen = set()
    for i, (o, t) in enumerate(zip(ours, theirs)):
        if o.get("frame") != i + 1:
            problems.append("%s frame %d: numbered %s" % (path, i + 1, o.get("frame")))
        if "error" in o:
            problems.append("%s frame %d: %s" % (path, i + 1, o["error"]))
        for f in FIELDS:
            want = tshark_values(t[f])
            got = our_values(o, f)
            if want:
                seen.add(f)
            if want != got:
                problems.append("%s frame %d %s: wirespan %r, tshark %r" % (os.path.basename(path), i + 1, f, got, want))
    return ours, problems, seen


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    wirespan, work = sys.argv[1], sys.argv[2]
    if os.geteuid() != 0:
        skip("needs root for network namespaces")
    for tool in ("tshark", "tcpdump", "editcap", "ip", "ping", "traceroute"):
        if shutil.which(tool) is None:
            skip(tool + " is not installed")
    os.makedirs(work, exist_ok=True)
    try:
        setup()
    except subprocess.CalledProcessError as e:
        teardown()
        skip("cannot create network namespaces here: %s" % e.stderr.strip())
    try:
        caps = make_traffic(work)
    finally:
        teardown()
    problems, seen, frames = [], set(), 0
    kinds = set()
    for path in caps:
        ours, p, s = compare(wirespan, path)
        problems += p
        seen |= s
        frames += len(ours)
        for o in ours:
            kinds.add(("icmp", o.get("icmp.type"), o.get("icmp.code")))
            if o.get("ip.flags.mf") or o.get("ip.frag_offset"):
                kinds.add("ipv4 fragment")
            if "vlan.id" in o:
                kinds.add("vlan")
            if "arp.opcode" in o:
                kinds.add("arp")
            if "tcp.options.mss_val" in o:
                kinds.add("tcp syn with options")
            if o.get("udp.dstport") == 53 or o.get("udp.srcport") == 53:
                kinds.add("dns")
            if o.get("icmpv6.type") in (128, 129):
                kinds.add("icmpv6 echo")
            if o.get("ip.opt.type"):
                kinds.add(("ip option", tuple(o["ip.opt.type"])))
    # The traffic must contain what the test is about, or it proves nothing.
    required = ["ipv4 fragment", "vlan", "arp", "tcp syn with options", "dns", "icmpv6 echo",
                ("icmp", 3, 4), ("icmp", 11, 0), ("icmp", 3, 3), ("icmp", 8, 0), ("icmp", 0, 0)]
    for r in required:
        if r not in kinds:
            problems.append("the captures have no %r" % (r,))
    if not any(isinstance(k, tuple) and k[0] == "ip option" and 7 in k[1] for k in kinds):
        problems.append("the captures have no record route option")
    if not any(isinstance(k, tuple) and k[0] == "ip option" and 68 in k[1] for k in kinds):
        problems.append("the captures have no timestamp option")
    missing = [f for f in FIELDS if f not in seen]
    if missing:
        problems.append("fields tshark never showed in the captures: %s" % " ".join(missing))
    for p in problems[:60]:
        print(p)
    print("%d captures, %d frames, %d fields compared per frame, %d problems" %
          (len(caps), frames, len(FIELDS), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
