// Interop: the classic BPF validator, interpreter and text forms against libpcap and the
// Linux kernel, on random programs and on programs libpcap compiles.
//
//   libpcap_bpf [programs]
//
// 1. Random programs (every opcode, constants near the edges, jumps in and out of range,
//    memory slots in and out of range): `validate(userland)` accepts exactly what
//    libpcap's `bpf_validate` accepts, except where libpcap is undefined (shifts by a
//    constant of 32 or more, which it accepts and wirespan rejects; counted, and never
//    run). On each accepted program, `run` (and `decoded_program::run`) gives libpcap's `bpf_filter` verdict on random
//    packets, captured whole and cut short. `image` equals `bpf_image` for every
//    instruction.
// 2. The same programs through `setsockopt(SO_ATTACH_FILTER)` on a UDP socket (no traffic
//    is sent): the kernel accepts exactly what `validate()` accepts.
// 3. Programs `pcap_compile` makes from tcpdump expressions (Ethernet): run on the same
//    random and crafted frames, verdicts equal.
// Exit 0 when everything agrees, 1 with the first disagreement otherwise.
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "../static_expressions.hpp"

namespace f = wirespan::filter;
// The netmask for `ip broadcast`: libpcap's gencode uses pcap_compile's netmask as a host
// order number (~netmask is the host part it tests), so /24 is 0xffffff00 for it as for
// compile_options::netmask. (pcap_lookupnet gives network byte order, which tcpdump passes
// on as it is.)
constexpr bpf_u_int32 libpcap_netmask = 0xffffff00;

namespace {

std::uint64_t state = 0x2545f4914f6cdd1dull;
std::uint64_t next() {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}
std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }

const std::uint16_t opcodes[] = {
    f::alu | f::add | f::k, f::alu | f::add | f::x, f::alu | f::sub | f::k, f::alu | f::sub | f::x,
    f::alu | f::mul | f::k, f::alu | f::mul | f::x, f::alu | f::div_ | f::k, f::alu | f::div_ | f::x,
    f::alu | f::mod | f::k, f::alu | f::mod | f::x, f::alu | f::and_ | f::k, f::alu | f::and_ | f::x,
    f::alu | f::or_ | f::k, f::alu | f::or_ | f::x, f::alu | f::xor_ | f::k, f::alu | f::xor_ | f::x,
    f::alu | f::lsh | f::k, f::alu | f::lsh | f::x, f::alu | f::rsh | f::k, f::alu | f::rsh | f::x,
    f::alu | f::neg, f::ld | f::w | f::abs_, f::ld | f::h | f::abs_, f::ld | f::b | f::abs_,
    f::ld | f::w | f::len, f::ld | f::w | f::ind, f::ld | f::h | f::ind, f::ld | f::b | f::ind,
    f::ld | f::imm, f::ld | f::mem, f::ldx | f::w | f::len, f::ldx | f::b | f::msh, f::ldx | f::imm,
    f::ldx | f::mem, f::st, f::stx, f::misc | f::tax, f::misc | f::txa, f::ret | f::k, f::ret | f::a,
    f::jmp | f::ja, f::jmp | f::jeq | f::k, f::jmp | f::jeq | f::x, f::jmp | f::jge | f::k,
    f::jmp | f::jge | f::x, f::jmp | f::jgt | f::k, f::jmp | f::jgt | f::x, f::jmp | f::jset | f::k,
    f::jmp | f::jset | f::x};

std::uint32_t constant() {
  switch (below(8)) {
    case 0: return below(4);
    case 1: return below(40);
    case 2: return below(100);
    case 3: return 0xffffffffu - below(4);
    case 4: return 0x80000000u + below(3) - 1;
    case 5: return f::ancillary_base + 4 * below(20);
    case 6: return static_cast<std::uint32_t>(next());
    default: return below(18);
  }
}

std::vector<f::instruction> random_program() {
  const std::size_t n = 1 + below(below(4) == 0 ? 60 : 12);
  std::vector<f::instruction> p(n);
  // Memory is set first (libpcap's is not initialised): slot i = i * 7.
  const bool init = below(4) != 0;
  for (std::size_t i = 0; i < n; ++i) {
    f::instruction& in = p[i];
    in.code = opcodes[below(sizeof opcodes / sizeof opcodes[0])];
    in.k = constant();
    const std::uint16_t c = in.code;
    if (c == f::st || c == f::stx || c == (f::ld | f::mem) || c == (f::ldx | f::mem)) {
      in.k = below(10) == 0 ? 16 + below(3) : below(16);
    } else if (c == (f::jmp | f::ja)) {
      in.k = below(10) == 0 ? static_cast<std::uint32_t>(n) + below(3) - static_cast<std::uint32_t>(i) - 2
                            : below(static_cast<std::uint32_t>(n - i));
      if (in.k > 0x10000) in.k = 0;  // (libpcap's check wraps for huge offsets)
    } else if (c == (f::alu | f::lsh | f::k) || c == (f::alu | f::rsh | f::k)) {
      in.k = below(12) == 0 ? 32 + below(3) : below(32);
    }
    in.jt = static_cast<std::uint8_t>(below(10) == 0 ? below(256) : below(static_cast<std::uint32_t>(n - i) + 1));
    in.jf = static_cast<std::uint8_t>(below(10) == 0 ? below(256) : below(static_cast<std::uint32_t>(n - i) + 1));
    if (c != f::jmp && (c & 0x07) != f::jmp) in.jt = in.jf = 0;
  }
  if (below(6) != 0) p.back() = {static_cast<std::uint16_t>(below(2) ? (f::ret | f::k) : (f::ret | f::a)), 0, 0, constant()};
  if (init) {
    std::vector<f::instruction> q;
    for (std::uint32_t s = 0; s < 16; ++s) {
      q.push_back(f::stmt(f::ld | f::imm, s * 7));
      q.push_back(f::stmt(f::st, s));
    }
    q.push_back(f::stmt(f::ld | f::imm, 0));
    q.insert(q.end(), p.begin(), p.end());
    return q;
  }
  return p;
}

bool reads_memory_first(const std::vector<f::instruction>& p) {
  for (const auto& i : p) {
    if (i.code == f::st || i.code == f::stx) return false;
    if (i.code == (f::ld | f::mem) || i.code == (f::ldx | f::mem)) return true;
  }
  return false;
}

bool shifts_32(const std::vector<f::instruction>& p) {
  for (const auto& i : p) {
    if ((i.code == (f::alu | f::lsh | f::k) || i.code == (f::alu | f::rsh | f::k)) && i.k >= 32) return true;
  }
  return false;
}

// Memory read before any write in program order, but maybe written on the path taken:
// libpcap's memory is not initialised, so only programs that set all of it are run.
bool memory_initialised(const std::vector<f::instruction>& p) {
  if (p.size() < 33) return false;
  for (std::uint32_t s = 0; s < 16; ++s) {
    if (p[2 * s + 1].code != f::st || p[2 * s + 1].k != s) return false;
  }
  return true;
}

std::vector<std::uint8_t> random_packet() {
  std::vector<std::uint8_t> pkt(below(4) == 0 ? below(8) : below(90));
  for (auto& b : pkt) b = static_cast<std::uint8_t>(below(5) == 0 ? 0 : next());
  return pkt;
}

// An Ethernet frame with the headers filters look at, fields drawn from small sets so
// that expressions match some of them: VLAN tags, IPv4 (options, fragments), IPv6, ARP;
// TCP, UDP, ICMP, SCTP; well-known ports and a few addresses. Cut short at times.
bool last_frame_cut = false;  // random_frame() cut the frame short

std::vector<std::uint8_t> random_frame() {
  last_frame_cut = false;
  std::vector<std::uint8_t> fr;
  auto put16 = [&fr](std::uint32_t v) {
    fr.push_back(static_cast<std::uint8_t>(v >> 8));
    fr.push_back(static_cast<std::uint8_t>(v));
  };
  const std::uint8_t v4[][4] = {{10, 0, 0, 1}, {10, 0, 0, 2}, {192, 168, 1, 10}, {224, 0, 0, 1}, {255, 255, 255, 255}};
  const std::uint8_t macs[3][6] = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x02, 0, 0, 0, 0, 1}, {0x01, 0, 0x5e, 0, 0, 1}};
  for (int i = 0; i < 2; ++i) {
    const auto& m = macs[below(3)];
    fr.insert(fr.end(), m, m + 6);
  }
  for (std::uint32_t v = below(4) == 0 ? 1 + below(2) : 0; v > 0; --v) {
    put16(below(3) == 0 ? 0x88a8 : 0x8100);
    put16(below(3) == 0 ? 100 : below(4096));
  }
  const std::uint32_t ports[] = {22, 53, 80, 443, 8080, 1500, 1024 + below(60000)};
  const std::uint32_t protos[] = {6, 17, 1, 132, 2, 47, below(256)};
  const std::uint32_t kind = below(10);
  std::uint32_t proto = protos[below(7)];
  if (kind < 6) {
    put16(0x0800);
    const std::uint32_t ihl = below(4) == 0 ? 5 + below(3) : 5;
    fr.push_back(static_cast<std::uint8_t>(0x40 | ihl));
    fr.push_back(static_cast<std::uint8_t>(below(256)));
    put16(20 + below(1500));
    put16(below(65536));
    put16(below(5) == 0 ? below(65536) : 0x4000);
    fr.push_back(static_cast<std::uint8_t>(1 + below(64)));
    fr.push_back(static_cast<std::uint8_t>(proto));
    put16(0);
    const auto& s = v4[below(5)];
    const auto& d = v4[below(5)];
    fr.insert(fr.end(), s, s + 4);
    fr.insert(fr.end(), d, d + 4);
    for (std::uint32_t o = 5; o < ihl; ++o) put16(0x0101), put16(0x0101);
  } else if (kind < 9) {
    put16(0x86dd);
    put16(0x6000);
    put16(0);
    put16(40 + below(1400));
    fr.push_back(static_cast<std::uint8_t>(proto == 1 ? 58 : proto));
    fr.push_back(64);
    for (int a = 0; a < 2; ++a) {
      const bool multicast = below(4) == 0;
      for (int i = 0; i < 16; ++i) fr.push_back(static_cast<std::uint8_t>(multicast && i == 0 ? 0xff : (i == 15 ? 1 + below(2) : 0)));
    }
  } else {
    put16(below(2) ? 0x0806 : 0x8035);
    put16(1), put16(0x0800), put16(0x0604), put16(1 + below(4));  // Ethernet/IPv4, request .. reverse reply
    for (int half = 0; half < 2; ++half) {
      const auto& m = macs[below(3)];
      fr.insert(fr.end(), m, m + 6);
      const auto& a = v4[below(5)];
      fr.insert(fr.end(), a, a + 4);
    }
    if (below(6) == 0) {
      fr.resize(below(static_cast<std::uint32_t>(fr.size())));
      last_frame_cut = true;
    }
    return fr;
  }
  // Transport: ports, TCP flags, ICMP type.
  if (proto == 1 || proto == 58 || proto == 2) {
    const std::uint32_t types[] = {0, 8, 3, 11, 0x11, 128, 129, below(160)};  // (0x11: an IGMP query)
    fr.push_back(static_cast<std::uint8_t>(types[below(8)]));  // ICMP / ICMPv6 type, code
    fr.push_back(static_cast<std::uint8_t>(below(4)));
  } else {
    put16(ports[below(7)]);
  }
  put16(ports[below(7)]);
  for (int i = 0; i < 8; ++i) fr.push_back(static_cast<std::uint8_t>(below(256)));
  fr.push_back(static_cast<std::uint8_t>(0x50 + 0x10 * below(3)));  // TCP data offset 5..7
  const std::uint32_t flags[] = {0x02, 0x12, 0x10, 0x18, 0x11, 0x04, below(256)};
  fr.push_back(static_cast<std::uint8_t>(flags[below(7)]));  // TCP flags
  for (int i = 0; i < 6 + static_cast<int>(below(20)); ++i) fr.push_back(static_cast<std::uint8_t>(below(256)));
  if (below(6) == 0) {
    fr.resize(below(static_cast<std::uint32_t>(fr.size())));
    last_frame_cut = true;
  }
  return fr;
}

// The expressions every part below compiles (with libpcap and with wirespan).
const char* const expressions[] = {
    "host 192.168.1.10", "tcp port 443", "udp port 53", "icmp", "not port 22", "tcp[tcpflags] & tcp-syn != 0",
    "greater 1400", "net 10.0.0.0/8", "src host 10.0.0.1 and dst port 80", "ip", "ip6", "arp", "rarp",
    "vlan", "vlan 100", "vlan and tcp", "vlan 100 and vlan", "vlan and vlan and tcp port 80", "not vlan or ip",
    "vlan 100 and ip host 10.0.0.1", "vlan and udp port 53", "ip or vlan and ip", "vlan 4095 or arp", "ether broadcast", "ether multicast",
    "ip multicast", "ip broadcast", "ip6 multicast", "sctp", "igmp", "icmp6", "ip proto 132", "less 60",
    "len >= 100", "tcp[13] & 0x12 = 0x12", "ip[6:2] & 0x1fff = 0", "portrange 1000-2000", "src or dst port 8080",
    "ether proto 0x86dd", "ip and (tcp or udp) and not port 53", "tcp port 80 or tcp port 443 and host 10.0.0.2",
    "icmp[icmptype] = icmp-echo", "ip[2:2] > 576", "udp and ip[8] < 10", "ip6 and tcp", "net 192.168.1.0/24",
    "dst net 224.0.0.0/4", "ether[0] & 1 = 1", "tcp[((tcp[12] & 0xf0) >> 2):1] & 0x40 = 0x40", "ip[0] & 0xf > 5",
    "(tcp[12] >> 4) * 4 > 20", "ip[3] % 7 = 2 or ip[4] - 1 = 0", "ether src 02:00:00:00:00:01",
    // Qualifiers and their inheritance.
    "host 10.0.0.1 or 10.0.0.2", "not port 22 and 53", "tcp and port 80 or 443", "src host 10.0.0.1",
    "dst host 10.0.0.2", "src or dst host 192.168.1.10", "src and dst host 10.0.0.1", "ip host 10.0.0.1",
    "arp host 10.0.0.2", "rarp host 10.0.0.1", "ip src 10.0.0.1", "ip dst 10.0.0.2", "src 10.0.0.1",
    "dst 10.0.0.2 or 10.0.0.1", "ip6 host ::1", "ip6 src ::2", "ip6 dst ::1", "host ::1", "ip6 net ::/0",
    "ip6 net ff00::/8", "net ::/16", "ether host 02:00:00:00:00:01", "ether dst ff:ff:ff:ff:ff:ff",
    "ether src or dst 01:00:5e:00:00:01", "ether src and dst 02:00:00:00:00:01", "net 10.0.0.0 mask 255.0.0.0",
    "net 192.168.1", "net 10", "src net 10.0.0.0/24", "dst net 192.168.0.0/16", "net 0.0.0.0/0",
    "ip net 224.0.0.0/4", "arp net 10.0.0.0/8", "src or dst net 10.0.0.0/30",
    // Ports.
    "port 80", "src port 22", "dst port 443", "tcp src port 8080", "udp dst port 53", "sctp port 1500",
    "port domain", "port ssh or port http", "tcp port https", "udp port 1500", "port bootps or port 22", "port 1500 or 22",
    "portrange 20-25", "src portrange 1-1024", "dst portrange 8000-8080", "tcp portrange 400-500",
    "udp portrange 1-100", "src or dst port 22", "src and dst port 1500",
    // Protocols.
    "ip proto 6", "ip proto 17", "ip proto 1", "ip6 proto 6", "ip6 proto 58", "proto 17", "proto \\tcp",
    "ip proto \\udp", "ip proto gre", "ip6 proto ipv6-icmp", "ether proto 0x0800", "ether proto 0x0806", "ether proto 0x86dd", "icmp6", "udp", "tcp",
    "icmp or icmp6", "tcp or udp or sctp", "not ip", "not (tcp or udp)", "!tcp && !udp",
    "tcp || udp", "ip and not ip6", "arp or rarp", "igmp or sctp",
    // Lengths and casts.
    "greater 100", "less 100", "greater 60", "less 40", "len > 60", "len < 1000", "len = 54", "len != 54",
    "len >= 64 and len <= 128", "ether multicast or ether broadcast", "broadcast", "multicast",
    "ip6 multicast and udp", "ip multicast or ip6 multicast",
    // Relations and arithmetic.
    "ip[0] = 0x45", "ip[0] & 0xf0 = 0x40", "ip[8] < 64", "ip[8] <= 1", "ip[1] != 0", "ip[9] > 16",
    "ip[6:2] & 0x3fff != 0", "ip[2:2] > 1000", "ip[12:4] = 0x0a000001", "ip6[6] = 17", "ip6[7] > 32",
    "ip6[0:4] & 0xf0000000 = 0x60000000", "arp[7] = 1", "ether[12:2] = 0x86dd", "ether[0:4] = 0xffffffff",
    "ether[6] & 2 != 0", "tcp[0:2] = 443", "tcp[2:2] = 443", "tcp[13] = 2", "tcp[13] & 0x12 != 0",
    "tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn", "tcp[tcpflags] & tcp-fin != 0",
    "tcp[tcpflags] & tcp-rst != 0", "tcp[tcpflags] & tcp-push != 0", "tcp[tcpflags] & tcp-urg != 0",
    "tcp[tcpflags] & tcp-ece != 0", "tcp[tcpflags] & tcp-cwr != 0", "tcp[tcpflags] & (tcp-ack|tcp-syn) == tcp-ack",
    "udp[4:2] > 100", "udp[0:2] = 53 or udp[2:2] = 53", "icmp[0] = 8", "icmp[icmptype] != icmp-echo",
    "icmp[icmpcode] = 0", "icmp[icmptype] = icmp-unreach", "icmp6[0] = 128", "icmp6[icmp6type] = icmp6-echo",
    "igmp[0] = 0x11", "sctp[0:2] = 1500", "tcp[((tcp[12] & 0xf0) >> 2)] & 0xc0 = 0x40", "ip[ip[0] & 0xf] = 0",
    "ether[ether[14] & 3] > 0", "tcp[ip[0] & 3] > 4", "1 + 1 = 2", "2 * 3 = 6", "10 / 3 = 3", "10 % 3 = 1",
    "5 - 7 = 4294967294", "-1 = 0xffffffff", "1 << 31 > 0", "0x80000000 >> 31 = 1", "7 & 3 | 8 = 11",
    "6 ^ 3 = 5", "len - 14 >= ip[2:2]", "ip[2:2] + 14 < len", "ip[0] * 4 - 60 > 0", "tcp[12] / 16 = 5",
    "(ip[0] & 0xf) << 2 > 20", "ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 0",
    "len > ip[2:2] + 14", "ip[3] % 2 = 0", "ether[1] ^ ether[2] = 0", "ip[4:2] | ip[6:2] & 0xff00 > 0",
    // Combinations.
    "tcp port 80 and (src host 10.0.0.1 or dst host 10.0.0.1)", "udp and not port 53 and not port 67",
    "(ip or ip6) and tcp port 22", "not (host 10.0.0.1 or host 10.0.0.2) and ip",
    "ip and tcp and tcp[13] & 2 != 0 and greater 50", "icmp and icmp[0] != 0 and icmp[0] != 8",
    "host 192.168.1.10 and (port 80 or port 443)", "not tcp port 22 and not arp",
    "(tcp and (port 80 or 8080)) or (udp and port 53)", "ether broadcast and arp",
    "ip6 and not icmp6 and not tcp", "src net 10.0.0.0/8 and dst net 192.168.1.0/24",
    "tcp[tcpflags] & tcp-syn != 0 and not tcp[tcpflags] & tcp-ack != 0"};

// Static filters for the capture files: each expression of static_expressions.hpp with
// its compile-time predicate.
struct static_entry {
  const char* text;
  std::uint32_t (*match)(wirespan::bytes frame, std::uint32_t wire_length);
};
#define WIRESPAN_STATIC_ENTRY(text) \
  static_entry{text, [](wirespan::bytes fr, std::uint32_t wl) { return f::static_filter<text>::match(fr, wl); }},
const static_entry static_entries[] = {WIRESPAN_STATIC_EXPRESSIONS(WIRESPAN_STATIC_ENTRY)};
#undef WIRESPAN_STATIC_ENTRY

struct frame_record {
  std::vector<std::uint8_t> bytes;
  std::uint32_t wire = 0;
};

// libpcap_bpf --captures FILE...: every frame of every capture file (read by libpcap:
// pcap or pcapng; Ethernet, raw IP or Linux cooked), for every expression: (a) wirespan's
// program in wirespan's interpreter (run(), and decoded_program), (b) the static filter where the expression is one,
// (c) wirespan's program in libpcap's bpf_filter and (d) libpcap's own program give one
// verdict, optimized or not. One exception, counted: on a frame cut short by the snapshot
// length, libpcap's optimizer can change its own verdict (it drops loads no test uses, so
// a load past the captured bytes no longer rejects); there wirespan's verdict must be that
// of libpcap's unoptimized program. On the crafted frames (a file named scapy*), each
// kind of frame the issue lists must be there, and every value of the TCP flags byte.
int check_captures(int count, char** files) {
  long total_frames = 0, verdicts = 0, matched = 0, cut_frames = 0, libpcap_optimizer_cut = 0, static_verdicts = 0;
  long expression_programs = 0, rejected_both = 0;
  for (int i = 0; i < count; ++i) {
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t* in = pcap_open_offline(files[i], errbuf);
    if (in == nullptr) {
      std::fprintf(stderr, "libpcap_bpf: %s: %s\n", files[i], errbuf);
      return 1;
    }
    const int dlt = pcap_datalink(in);
    f::link_type link{};
    if (dlt == DLT_EN10MB) {
      link = f::link_type::ethernet;
    } else if (dlt == DLT_RAW) {
      link = f::link_type::raw;
    } else if (dlt == DLT_LINUX_SLL) {
      link = f::link_type::linux_sll;
    } else {
      std::fprintf(stderr, "libpcap_bpf: %s: link type %d is not one wirespan compiles for\n", files[i], dlt);
      return 1;
    }
    std::vector<frame_record> recs;
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(in, &hdr, &data) == 1) {
      recs.push_back({std::vector<std::uint8_t>(data, data + hdr->caplen), hdr->len});
      cut_frames += hdr->caplen < hdr->len ? 1 : 0;
    }
    pcap_close(in);
    if (recs.empty()) {
      std::fprintf(stderr, "libpcap_bpf: %s has no frames\n", files[i]);
      return 1;
    }
    total_frames += static_cast<long>(recs.size());
    pcap_t* dead = pcap_open_dead(dlt, 262144);
    const auto verdict_of = [&](const char* text, const std::vector<f::instruction>& mine, const f::decoded_program& decoded,
                                const std::vector<f::instruction>& plain, const bpf_program& opt,
                                const bpf_program& unopt, const frame_record& r, std::uint32_t& v) -> bool {
      const auto caplen = static_cast<std::uint32_t>(r.bytes.size());
      const std::uint32_t a = f::run(mine, r.bytes, r.wire);
      const std::uint32_t c = bpf_filter(reinterpret_cast<const bpf_insn*>(mine.data()), r.bytes.data(), r.wire, caplen);
      const std::uint32_t fast = decoded.run(r.bytes, r.wire);
      const std::uint32_t twin = decoded.reference_run(r.bytes, r.wire);
      const std::uint32_t p = f::run(plain, r.bytes, r.wire);
      const std::uint32_t d = bpf_filter(opt.bf_insns, r.bytes.data(), r.wire, caplen);
      const std::uint32_t du = bpf_filter(unopt.bf_insns, r.bytes.data(), r.wire, caplen);
      v = a;
      if (a == c && a == p && a == fast && a == twin && (a == d || (caplen < r.wire && du != d && a == du))) {
        libpcap_optimizer_cut += a != d ? 1 : 0;
        return true;
      }
      std::fprintf(stderr, "libpcap_bpf: %s, %s: wirespan %u (in bpf_filter %u, unoptimized %u), libpcap %u "
                   "(unoptimized %u; decoded %u, its switch %u) on a frame of %u bytes (wire %u):", files[i], text, a, c, p, d, du, fast, twin, caplen, r.wire);
      for (auto byte : r.bytes) std::fprintf(stderr, " %02x", byte);
      std::fprintf(stderr, "\nwirespan:\n%s", f::dump(mine).c_str());
      return false;
    };
    const auto compile_both = [&](const char* text, std::vector<f::instruction>& mine, std::vector<f::instruction>& plain,
                                  bpf_program& opt, bpf_program& unopt) -> int {  // 1: both, 0: neither, -1: differ
      const bool theirs = pcap_compile(dead, &opt, text, 1, libpcap_netmask) == 0;
      const bool theirs_plain = theirs && pcap_compile(dead, &unopt, text, 0, libpcap_netmask) == 0;
      f::compile_options o;
      o.netmask = 0xffffff00;
      o.link = link;
      auto ours = f::compile(text, o);
      o.optimize = false;
      auto ours_plain = f::compile(text, o);
      if (theirs != ours.has_value() || theirs != theirs_plain || (theirs && !ours_plain)) {
        std::fprintf(stderr, "libpcap_bpf: %s, %s: libpcap %s, wirespan %s\n", files[i], text,
                     theirs ? "compiles it" : pcap_geterr(dead),
                     ours ? "compiles it" : wirespan::to_string(ours.error()).c_str());
        return -1;
      }
      if (!theirs) return 0;
      mine = std::move(*ours);
      plain = std::move(*ours_plain);
      return 1;
    };
    for (const char* e : expressions) {
      std::vector<f::instruction> mine, plain;
      bpf_program opt{}, unopt{};
      const int both = compile_both(e, mine, plain, opt, unopt);
      if (both < 0) return 1;
      if (both == 0) {
        ++rejected_both;
        continue;
      }
      ++expression_programs;
      const auto decoded = f::decoded_program::make(mine).value();
      for (const auto& r : recs) {
        std::uint32_t v = 0;
        if (!verdict_of(e, mine, decoded, plain, opt, unopt, r, v)) return 1;
        ++verdicts;
        matched += v != 0 ? 1 : 0;
      }
      pcap_freecode(&opt);
      pcap_freecode(&unopt);
    }
    // (b): the static filters (for Ethernet frames), with the three others.
    if (link == f::link_type::ethernet) {
      for (const auto& s : static_entries) {
        std::vector<f::instruction> mine, plain;
        bpf_program opt{}, unopt{};
        if (compile_both(s.text, mine, plain, opt, unopt) != 1) return 1;
        const auto decoded = f::decoded_program::make(mine).value();
        for (const auto& r : recs) {
          std::uint32_t v = 0;
          if (!verdict_of(s.text, mine, decoded, plain, opt, unopt, r, v)) return 1;
          if (s.match(r.bytes, r.wire) != v) {
            std::fprintf(stderr, "libpcap_bpf: %s: static_filter<\"%s\"> says %u, the run-time program %u\n",
                         files[i], s.text, s.match(r.bytes, r.wire), v);
            return 1;
          }
          ++static_verdicts;
        }
        pcap_freecode(&opt);
        pcap_freecode(&unopt);
      }
    }
    // The crafted frames hold every kind of frame they are made for.
    const std::string name = files[i];
    if (name.find("scapy") != std::string::npos) {
      struct kind {
        const char* what;
        const char* expression;
      };
      const kind kinds[] = {
          {"802.1Q tags", "vlan 100"}, {"stacked tags", "vlan 200 and vlan 100"}, {"0x9100 tags", "ether[12:2] = 0x9100"},
          {"priority tags", "vlan 0"}, {"IPv6 hop-by-hop options", "ip6[6] = 0"}, {"IPv6 routing headers", "ip6[6] = 43"},
          {"IPv6 destination options", "ip6[6] = 60"}, {"IPv6 fragments", "ip6[6] = 44"},
          {"IPv6 TCP after extension headers", "ip6 and tcp and not ip6[6] = 6"}, {"IPv4 options", "ip[0] & 0xf > 5"},
          {"first IPv4 fragments", "ip[6:2] & 0x2000 != 0 and ip[6:2] & 0x1fff = 0"},
          {"non-first IPv4 fragments", "ip[6:2] & 0x1fff != 0"}, {"SCTP over IPv4", "ip and sctp"},
          {"SCTP over IPv6", "ip6 and sctp"}, {"ARP", "arp"}, {"RARP", "rarp"}, {"Ethernet broadcast", "ether broadcast"},
          {"Ethernet multicast", "ether multicast and not ether broadcast"}, {"IPv4 broadcast", "ip broadcast"},
          {"IPv4 multicast", "ip multicast"}, {"IPv6 multicast", "ip6 multicast"}, {"IGMP", "igmp"},
          {"ICMP", "icmp"}, {"ICMPv6", "icmp6"}, {"frames cut short", "len > 0"}};
      std::string found;
      for (const auto& k : kinds) {
        bpf_program opt{};
        if (pcap_compile(dead, &opt, k.expression, 1, libpcap_netmask) != 0) {
          std::fprintf(stderr, "libpcap_bpf: pcap_compile(%s): %s\n", k.expression, pcap_geterr(dead));
          return 1;
        }
        long n = 0;
        for (const auto& r : recs) {
          if (std::string_view(k.what) == "frames cut short") {
            n += r.bytes.size() < r.wire ? 1 : 0;
          } else {
            n += bpf_filter(opt.bf_insns, r.bytes.data(), r.wire, static_cast<std::uint32_t>(r.bytes.size())) != 0;
          }
        }
        pcap_freecode(&opt);
        if (n == 0) {
          std::fprintf(stderr, "libpcap_bpf: %s has no %s (%s)\n", files[i], k.what, k.expression);
          return 1;
        }
        found += std::string(found.empty() ? "" : ", ") + std::to_string(n) + " " + k.what;
      }
      // Every TCP flag combination, each a relation both compile and judge alike.
      for (unsigned flags = 0; flags < 256; ++flags) {
        const std::string e = "tcp[tcpflags] = " + std::to_string(flags);
        std::vector<f::instruction> mine, plain;
        bpf_program opt{}, unopt{};
        if (compile_both(e.c_str(), mine, plain, opt, unopt) != 1) return 1;
        const auto decoded = f::decoded_program::make(mine).value();
        long n = 0;
        for (const auto& r : recs) {
          std::uint32_t v = 0;
          if (!verdict_of(e.c_str(), mine, decoded, plain, opt, unopt, r, v)) return 1;
          ++verdicts;
          n += v != 0 ? 1 : 0;
        }
        pcap_freecode(&opt);
        pcap_freecode(&unopt);
        if (n == 0) {
          std::fprintf(stderr, "libpcap_bpf: %s has no TCP segment with flags %u\n", files[i], flags);
          return 1;
        }
      }
      std::printf("libpcap_bpf: %s has %s, and every one of the 256 TCP flag combinations\n", files[i], found.c_str());
    }
    pcap_close(dead);
    std::printf("libpcap_bpf: %s: %zu frames\n", files[i], recs.size());
  }
  std::printf("libpcap_bpf: %d capture files, %ld frames (%ld cut short by the snapshot length): %ld programs "
              "compiled by both (%ld expressions rejected by both for a link type), %ld verdicts equal in wirespan's "
              "interpreter and libpcap's, for wirespan's program optimized and not and libpcap's (%ld matches), "
              "but for %ld on cut frames where libpcap's optimizer changes its own verdict and wirespan's is that "
              "of libpcap's unoptimized program; %ld static filter verdicts equal to the run-time program's\n",
              count, total_frames, cut_frames, expression_programs, rejected_both, verdicts, matched,
              libpcap_optimizer_cut, static_verdicts);
  return 0;
}

int fail(const char* what, const std::vector<f::instruction>& p) {
  std::fprintf(stderr, "libpcap_bpf: %s\n%s", what, f::dump(p).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--captures") return check_captures(argc - 2, argv + 2);
  const long programs = argc > 1 ? std::atol(argv[1]) : 200000;
  const int sock = socket(AF_INET, SOCK_DGRAM, 0);
  if (sock < 0) {
    std::perror("libpcap_bpf: socket");
    return 1;
  }
  long text_round_trips = 0;
  long accepted = 0, runs = 0, kernel_checked = 0, kernel_accepted = 0, undefined_in_libpcap = 0;
  for (long t = 0; t < programs; ++t) {
    const auto p = random_program();
    const auto* insns = reinterpret_cast<const bpf_insn*>(p.data());
    const int n = static_cast<int>(p.size());
    // Text, for every instruction.
    for (int i = 0; i < n; ++i) {
      if (f::image(p[static_cast<std::size_t>(i)], static_cast<std::size_t>(i)) != bpf_image(&insns[i], i)) {
        std::fprintf(stderr, "ours:    %s\nlibpcap: %s\n", f::image(p[static_cast<std::size_t>(i)], static_cast<std::size_t>(i)).c_str(),
                     bpf_image(&insns[i], i));
        return fail("image differs from bpf_image", p);
      }
    }
    // Text read back: -dd and -ddd exactly; libpcap's own -d lines (bpf_image) give the
    // fields -d shows.
    {
      std::string d;
      for (int i = 0; i < n; ++i) (d += bpf_image(&insns[i], i)) += '\n';
      auto from_d = f::parse_program(d);
      auto from_dd = f::parse_program(f::dump(p, f::text_format::c_array));
      auto from_ddd = f::parse_program(f::dump(p, f::text_format::decimal));
      if (!from_dd || *from_dd != p || !from_ddd || *from_ddd != p) return fail("-dd / -ddd text does not read back", p);
      std::vector<f::instruction> shown = p;
      bool printable = true;
      for (std::size_t i = 0; i < shown.size(); ++i) {
        auto& in = shown[i];
        const bool known = f::image(in, i).find("unimp") == std::string::npos;
        if (!known) in.k = 0, in.jt = 0, in.jf = 0;
        if (!f::is_conditional_jump(in.code)) in.jt = 0, in.jf = 0;
        if (in.code == (f::jmp | f::ja) && i + 1 + std::uint64_t{in.k} > 0x7fffffff) printable = false;
        const std::string img = f::image(in, i);
        const bool has_k = img.find('#') != std::string::npos || img.find('[') != std::string::npos ||
                           img.find("ja ") != std::string::npos || img.find("M[") != std::string::npos;
        if (known && !has_k) in.k = 0;
        if (img.find("#pktlen") != std::string::npos) in.k = 0;
      }
      if (printable && (!from_d || *from_d != shown)) {
        std::fprintf(stderr, "libpcap_bpf: bpf_image's text does not read back: %s\n%s",
                     from_d ? "different" : wirespan::to_string(from_d.error()).c_str(), d.c_str());
        return fail("program:", p);
      }
      text_round_trips += 3;
    }
    // Validation.
    const bool ours = f::validate(p, f::validation::userland).has_value();
    const bool theirs = bpf_validate(insns, n) != 0;
    if (ours != theirs) {
      if (theirs && !ours && shifts_32(p)) {
        ++undefined_in_libpcap;
        continue;
      }
      return fail(ours ? "validate(userland) accepts what bpf_validate rejects"
                       : "validate(userland) rejects what bpf_validate accepts",
                  p);
    }
    // The kernel.
    sock_fprog fp{static_cast<unsigned short>(p.size()), reinterpret_cast<sock_filter*>(const_cast<f::instruction*>(p.data()))};
    const bool kernel = setsockopt(sock, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) == 0;
    if (!kernel && errno != EINVAL) {
      std::perror("libpcap_bpf: SO_ATTACH_FILTER");
      return 1;
    }
    ++kernel_checked;
    kernel_accepted += kernel ? 1 : 0;
    if (kernel != f::validate(p).has_value()) {
      return fail(kernel ? "the kernel accepts what validate() rejects" : "the kernel rejects what validate() accepts", p);
    }
    if (!ours) continue;
    ++accepted;
    if (!memory_initialised(p) && reads_memory_first(p)) continue;
    if (!memory_initialised(p)) {
      // Memory read after a write in program order may still be unwritten on the path
      // taken; only run programs without memory reads.
      bool reads = false;
      for (const auto& i : p) reads = reads || i.code == (f::ld | f::mem) || i.code == (f::ldx | f::mem);
      if (reads) continue;
    }
    const auto fast = f::decoded_program::make(p, f::validation::userland);
    if (!fast) return fail("decoded_program refuses a program validate() accepts", p);
    for (int k = 0; k < 6; ++k) {
      auto pkt = random_packet();
      const auto caplen = static_cast<std::uint32_t>(pkt.size());
      const std::uint32_t wirelen = k % 2 == 0 ? caplen : caplen + below(100);
      const std::uint32_t a = f::run(p, pkt, wirelen);
      if (fast->run(pkt, wirelen) != a) return fail("decoded_program::run differs from run", p);
      if (fast->reference_run(pkt, wirelen) != a) return fail("decoded_program::reference_run differs from run", p);
      const std::uint32_t b = bpf_filter(insns, pkt.data(), wirelen, caplen);
      ++runs;
      if (a != b) {
        std::fprintf(stderr, "verdicts %u (wirespan) and %u (libpcap) on %u bytes (wire %u)\n", a, b, caplen, wirelen);
        return fail("run differs from bpf_filter", p);
      }
    }
  }

  // Programs libpcap compiles, on structured frames (the same frames whatever the number
  // of random programs above).
  state = 0x9e3779b97f4a7c15ull;
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
  long compiled = 0, frames = 0, matches = 0, ours_compiled = 0, cut_differences = 0;
  long identical = 0, plain_insns = 0, optimized_insns = 0, libpcap_insns = 0, kernel_programs = 0;
  std::string not_yet, cut_expressions;
  for (const char* e : expressions) {
    bpf_program bp{};
    if (pcap_compile(dead, &bp, e, 1, libpcap_netmask) != 0) {  // (netmask: for ip broadcast)
      std::fprintf(stderr, "libpcap_bpf: pcap_compile(%s): %s\n", e, pcap_geterr(dead));
      return 1;
    }
    ++compiled;
    const f::program prog(reinterpret_cast<const f::instruction*>(bp.bf_insns), bp.bf_len);
    if (!f::validate(prog)) {
      std::fprintf(stderr, "libpcap_bpf: validate() rejects the program of %s\n", e);
      return 1;
    }
    if (f::dump(prog).empty()) return 1;
    // wirespan's own program for the same expression.
    f::compile_options opts;
    opts.netmask = 0xffffff00;
    auto mine = f::compile(e, opts);
    opts.optimize = false;
    const auto plain = f::compile(e, opts);
    if (!plain) {
      std::fprintf(stderr, "libpcap_bpf: wirespan does not compile %s without the optimizer\n", e);
      return 1;
    }
    plain_insns += static_cast<long>(plain->size());
    if (!mine && mine.error().code == wirespan::errc::unsupported) {
      // Not built yet (vlan): counted and named in the summary; libpcap's program is still
      // run through wirespan's interpreter below.
      not_yet += std::string(not_yet.empty() ? "" : ", ") + e;
      mine = std::vector<f::instruction>(prog.begin(), prog.end());
    } else if (!mine) {
      std::fprintf(stderr, "libpcap_bpf: wirespan does not compile %s: %s\n", e, wirespan::to_string(mine.error()).c_str());
      return 1;
    } else {
      ++ours_compiled;
    }
    if (!f::validate(*mine)) {
      std::fprintf(stderr, "libpcap_bpf: wirespan's program for %s fails validate()\n%s", e, f::dump(*mine).c_str());
      return 1;
    }
    optimized_insns += static_cast<long>(mine->size());
    if (mine->size() == bp.bf_len &&
        std::memcmp(mine->data(), bp.bf_insns, mine->size() * sizeof(f::instruction)) == 0) {
      ++identical;
    }
    libpcap_insns += static_cast<long>(bp.bf_len);
    const std::vector<f::instruction>* both_programs[] = {&*mine, &*plain};
    for (const auto* q : both_programs) {  // the kernel takes both
      sock_fprog fp{static_cast<unsigned short>(q->size()),
                    reinterpret_cast<sock_filter*>(const_cast<f::instruction*>(q->data()))};
      if (setsockopt(sock, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) != 0) {
        std::fprintf(stderr, "libpcap_bpf: the kernel rejects wirespan's program for %s: %s\n%s", e,
                     std::strerror(errno), f::dump(*q).c_str());
        return 1;
      }
      ++kernel_programs;
    }
    long hits = 0;
    for (int k = 0; k < 4000; ++k) {
      const auto fr = random_frame();
      const auto caplen = static_cast<std::uint32_t>(fr.size());
      const std::uint32_t wirelen = caplen + (k % 3 == 0 ? below(2000) : 0);
      const std::uint32_t a = f::run(prog, fr, wirelen);
      const std::uint32_t b = bpf_filter(bp.bf_insns, fr.data(), wirelen, caplen);
      const std::uint32_t c = f::run(*mine, fr, wirelen);
      const std::uint32_t d = bpf_filter(reinterpret_cast<const bpf_insn*>(mine->data()), fr.data(), wirelen, caplen);
      if (c != d) {
        std::fprintf(stderr, "libpcap_bpf: %s: wirespan's program gives %u in wirespan's interpreter, %u in libpcap's\n", e, c, d);
        return 1;
      }
      if (f::run(*plain, fr, wirelen) != c) {  // the optimizer changes no verdict, not even on cut frames
        std::fprintf(stderr, "libpcap_bpf: %s: optimized %u, not optimized %u, on a frame of %u bytes:", e, c,
                     f::run(*plain, fr, wirelen), caplen);
        for (auto byte : fr) std::fprintf(stderr, " %02x", byte);
        std::fprintf(stderr, "\noptimized:\n%snot optimized:\n%s", f::dump(*mine).c_str(), f::dump(*plain).c_str());
        return 1;
      }
      if (c != b && last_frame_cut) {
        // libpcap's optimizer reorders tests (or_pullup, and_pullup) and drops loads, which
        // changes verdicts on frames cut inside a header; wirespan has no such optimizer yet.
        ++cut_differences;
        if (cut_expressions.find(std::string("\"") + e + "\"") == std::string::npos) {
          cut_expressions += std::string(cut_expressions.empty() ? "" : ", ") + "\"" + e + "\"";
        }
      } else if (c != b) {
        std::fprintf(stderr, "libpcap_bpf: %s: wirespan's program says %u (%u in libpcap's interpreter), libpcap's %u, "
                     "on a frame of %u bytes (wire %u):", e, c, d, b, caplen, wirelen);
        for (auto byte : fr) std::fprintf(stderr, " %02x", byte);
        std::fprintf(stderr, "\nwirespan:\n%slibpcap:\n%s", f::dump(*mine).c_str(), f::dump(prog).c_str());
        return 1;
      }
      ++frames;
      matches += b != 0 ? 1 : 0;
      hits += b != 0 ? 1 : 0;
      if (a != b) {
        std::fprintf(stderr, "libpcap_bpf: %s: verdicts %u (wirespan) and %u (libpcap)\n", e, a, b);
        return 1;
      }
    }
    if ((hits == 0 || hits == 4000) && bp.bf_len > 1) {  // the frames must exercise both outcomes (unless constant)
      std::fprintf(stderr, "libpcap_bpf: %s matched %ld of 4000 frames\n", e, hits);
      return 1;
    }
    pcap_freecode(&bp);
  }
  // The other link types: raw IP (DLT_RAW) and Linux cooked capture (DLT_LINUX_SLL). Each
  // expression compiles for both or for neither (`ether host` and `vlan` do not, and
  // `arp` on raw IP rejects every packet), and the verdicts are equal on the random frames
  // with their Ethernet header taken off (raw) or replaced by a cooked one (SLL).
  long link_compiled = 0, link_rejected = 0, link_frames = 0;
  for (const auto& [dlt, link, name] : {std::tuple{DLT_RAW, f::link_type::raw, "raw IP"},
                                        std::tuple{DLT_LINUX_SLL, f::link_type::linux_sll, "Linux cooked"}}) {
    pcap_t* ld = pcap_open_dead(dlt, 262144);
    for (const char* e : expressions) {
      bpf_program lp{};
      const bool theirs = pcap_compile(ld, &lp, e, 1, libpcap_netmask) == 0;
      f::compile_options lopts;
      lopts.netmask = 0xffffff00;
      lopts.link = link;
      const auto ours = f::compile(e, lopts);
      if (theirs != ours.has_value()) {
        std::fprintf(stderr, "libpcap_bpf: %s on %s: libpcap %s, wirespan %s\n", e, name,
                     theirs ? "compiles it" : pcap_geterr(ld),
                     ours ? "compiles it" : wirespan::to_string(ours.error()).c_str());
        return 1;
      }
      if (!theirs) {
        ++link_rejected;
        continue;
      }
      ++link_compiled;
      sock_fprog lf{static_cast<unsigned short>(ours->size()),
                    reinterpret_cast<sock_filter*>(const_cast<f::instruction*>(ours->data()))};
      if (setsockopt(sock, SOL_SOCKET, SO_ATTACH_FILTER, &lf, sizeof lf) != 0) return fail("the kernel rejects", *ours);
      for (int k = 0; k < 1000; ++k) {
        const auto eth = random_frame();
        if (last_frame_cut || eth.size() < 14) continue;
        std::vector<std::uint8_t> fr;
        if (link == f::link_type::raw) {
          const std::size_t skip = eth[12] == 0x81 && eth[13] == 0 ? 18 : 14;
          if (eth.size() < skip) continue;
          fr.assign(eth.begin() + static_cast<std::ptrdiff_t>(skip), eth.end());
        } else {
          fr = {0, static_cast<std::uint8_t>(below(5)), 0, 1, 0, 6};
          fr.insert(fr.end(), eth.begin() + 6, eth.begin() + 12);
          fr.push_back(0), fr.push_back(0);
          fr.insert(fr.end(), eth.begin() + 12, eth.end());
        }
        const auto caplen = static_cast<std::uint32_t>(fr.size());
        const std::uint32_t a = f::run(*ours, fr, caplen);
        const std::uint32_t b = bpf_filter(lp.bf_insns, fr.data(), caplen, caplen);
        if (a != b) {
          std::fprintf(stderr, "libpcap_bpf: %s on %s: wirespan says %u, libpcap %u\n", e, name, a, b);
          return fail("wirespan's program:", *ours);
        }
        ++link_frames;
      }
      pcap_freecode(&lp);
    }
    pcap_close(ld);
  }
  std::printf("libpcap_bpf: on raw IP and Linux cooked capture, the 220 expressions: %ld programs compiled by "
              "both, with equal verdicts on %ld frames, accepted by the kernel; %ld rejected by both\n",
              link_compiled, link_frames, link_rejected);

  // Static filters (the expressions are template arguments): their verdicts are libpcap's
  // on whole frames, and those of the run-time program on every frame.
  long static_filters = 0, static_frames = 0;
  const auto check_static = [&](const char* text, auto match) -> bool {
    bpf_program sp{};
    if (pcap_compile(dead, &sp, text, 1, libpcap_netmask) != 0) {
      std::fprintf(stderr, "libpcap_bpf: pcap_compile(%s): %s\n", text, pcap_geterr(dead));
      return false;
    }
    f::compile_options sopts;
    sopts.netmask = 0xffffff00;
    const auto runtime = f::compile(text);
    if (!runtime) return false;
    ++static_filters;
    for (int k = 0; k < 2000; ++k) {
      const auto fr = random_frame();
      const auto caplen = static_cast<std::uint32_t>(fr.size());
      const std::uint32_t wirelen = caplen + (k % 3 == 0 ? below(2000) : 0);
      const std::uint32_t v = match(fr, wirelen);
      if (v != f::run(*runtime, fr, wirelen) ||
          (!last_frame_cut && v != bpf_filter(sp.bf_insns, fr.data(), wirelen, caplen))) {
        std::fprintf(stderr, "libpcap_bpf: static_filter<\"%s\"> says %u, run() %u, libpcap %u\n", text, v,
                     f::run(*runtime, fr, wirelen), bpf_filter(sp.bf_insns, fr.data(), wirelen, caplen));
        return false;
      }
      ++static_frames;
    }
    pcap_freecode(&sp);
    return true;
  };
#define WIRESPAN_STATIC_DIFF(text) \
  if (!check_static(text, [](const std::vector<std::uint8_t>& fr, std::uint32_t wl) { return f::static_filter<text>::match(fr, wl); })) return 1;
  WIRESPAN_STATIC_EXPRESSIONS(WIRESPAN_STATIC_DIFF)
#undef WIRESPAN_STATIC_DIFF
  std::printf("libpcap_bpf: %ld static filters: verdicts equal to libpcap's (whole frames) and run()'s (all) on "
              "%ld frames\n", static_filters, static_frames);

  // What libpcap rejects, wirespan rejects.
  const char* rejected[] = {
      "port 70000", "net 10.0.0.1/8", "tcp[tcpflags] & tcp-syn", "ip port 80", "ip6 port 443", "tcp port",
      "host", "host 10.0.0.1 and", "and tcp", "tcp or", "(tcp", "tcp)", "ip[0:3] = 1", "ip[0", "ip[0] =",
      "ip[0] / 0 = 1", "ip[0] % 0 = 1", "net 10.0.0.0/33", "host 10.0.0.256", "ether host 02:00:00:00:00",
      "portrange 1-70000", "not", "tcp port ntp", "udp port ssh", "port nosuchservice",
      "ether proto", "10.0.0.1 10.0.0.2", "tcp udp", "src", "greater", "less x", "icmp[0] = ", "== 1",
      "ip6 host 10.0.0.1", "ip host ::1", "vlan 4096", "vlan tcp", "arp net ::/0", "ip6 net ::1/129", "port 22 80", "proto", "ip proto",
      "proto tcp", "ip proto udp", "ip proto esp", "ip6 proto icmp6", "ether", "ether and ip",
      // (found by the filter_differential fuzz target)
      "(host 10.0.0.1) or 10.0.0.2", "not (host 10.0.0.1) or 10.0.0.2", "host 10.0.0.1 or len > 10 or 10.0.0.2",
      "port 80 or not tcp or 443", "port 80 or vlan or 443", "host 10.0.0.1 or (10.0.0.2 and tcp)",
      "port 80 or (443 and 1 = 1)", "host 10.0.0.1 or ((10.0.0.2))", "host ((10.0.0.1))",
      "(tcp and (port 80 or 8080)) or 06", "len / (0 + 1) = 0", "len / ether[0] = 0", "len << 32 = 0",
      "len << (1 * 40) = 0", "len / (ether[0] * 0) = 0", "2 > 02 % 2 % 01", "0 = 1^1^1^1^1^1^1^1^1^1^1^1^1^1^1^1",
      "0 = 1^1^1^1^1^1^1^1^1^1^1^1^1^1^ether[0]", "48 < 000005000000", "udp greater 9", "src broadcast",
      "tcp[13] & \\tcp-syn != 0", "net 0/00", "net 10 mask 255.0.0.0", "net \\3", "net ::6/1",
      "ether host \\aa:bb:cc:dd:ee:ff", "ip[2:2] * -500 * 0 << (0 ^ 10000 << 5) = 0",
      "port 01&&0000001&&000000000000", "net 000000000000", "portrange 0000.0000.0001",
      "port \\0000000&&0000000", "ip proto \\tcp&& 1 = 1"};
  long rejections = 0;
  for (const char* e : rejected) {
    bpf_program bp{};
    if (pcap_compile(dead, &bp, e, 1, libpcap_netmask) == 0) {
      std::fprintf(stderr, "libpcap_bpf: libpcap accepts %s (the list says it rejects it)\n", e);
      return 1;
    }
    f::compile_options opts;
    opts.netmask = 0xffffff00;
    if (f::compile(e, opts)) {
      std::fprintf(stderr, "libpcap_bpf: wirespan accepts %s, which libpcap rejects: %s\n", e, pcap_geterr(dead));
      return 1;
    }
    ++rejections;
  }
  std::printf("libpcap_bpf: %ld expressions libpcap rejects, rejected by wirespan too\n", rejections);

  // Combinations of the expressions above. Where libpcap's optimizer finds that one
  // rejects every packet (`ip and ip6`, `tcp port 80 and vlan`), pcap_compile fails, and
  // so does wirespan's compile() (its optimizer follows libpcap's rules for what a path
  // knows); otherwise both compile, and the verdicts are equal on whole frames. Two
  // things libpcap's optimizer does that wirespan's does not are counted, not failed:
  // - it drops loads whose value no test uses, which can turn a "load past the captured
  //   bytes: 0" into a match (`(tcp[tcp[12] >> 2] & 1 = 1 or ...) and len < 1000` on a
  //   short frame); there wirespan's verdict must be that of libpcap's unoptimized
  //   program, which it keeps;
  // - its "rejects all packets" depends on the order it moves edges in, and in a few
  //   combinations one optimizer finds it and the other does not; there the program that
  //   compiled must in fact reject every frame, and there must be few of them.
  long combos = 0, combos_rejecting = 0, combo_frames = 0, dropped_loads = 0, only_libpcap = 0, only_wirespan = 0;
  std::string reject_differences;
  const char* forms[] = {"(%s) and (%s)", "(%s) and not (%s)", "not (%s) and (%s)", "(%s) or (%s)",
                         "(%s) and (%s) and (%s)", "(%s) or not (%s) and (%s)"};
  constexpr auto n_expressions = static_cast<std::uint32_t>(sizeof expressions / sizeof expressions[0]);
  for (int c = 0; c < 3000; ++c) {
    const char* form = forms[below(6)];
    char text[1024];
    std::snprintf(text, sizeof text, form, expressions[below(n_expressions)], expressions[below(n_expressions)],
                  expressions[below(n_expressions)]);
    bpf_program bp{}, bu{};
    const bool theirs = pcap_compile(dead, &bp, text, 1, libpcap_netmask) == 0;
    const std::string why = theirs ? "" : pcap_geterr(dead);
    if (pcap_compile(dead, &bu, text, 0, libpcap_netmask) != 0) {
      std::fprintf(stderr, "libpcap_bpf: libpcap does not compile %s unoptimized: %s\n", text, pcap_geterr(dead));
      return 1;
    }
    if (!theirs && why.find("rejects all packets") == std::string::npos) {
      std::fprintf(stderr, "libpcap_bpf: libpcap does not compile %s: %s\n", text, why.c_str());
      return 1;
    }
    f::compile_options opts;
    opts.netmask = 0xffffff00;
    const auto mine = f::compile(text, opts);
    opts.optimize = false;
    const auto plain = f::compile(text, opts);
    if (!plain) {
      std::fprintf(stderr, "libpcap_bpf: wirespan does not compile %s unoptimized: %s\n", text,
                   wirespan::to_string(plain.error()).c_str());
      return 1;
    }
    ++combos;
    if (!mine && std::string_view(mine.error().what) != "filter: expression rejects all packets") {
      std::fprintf(stderr, "libpcap_bpf: wirespan does not compile %s: %s\n", text,
                   wirespan::to_string(mine.error()).c_str());
      return 1;
    }
    if (!theirs && !mine) {
      ++combos_rejecting;
    } else if (!theirs || !mine) {
      ++(mine ? only_libpcap : only_wirespan);
      if (reject_differences.size() < 600) reject_differences += std::string("\n  ") + (mine ? "libpcap: " : "wirespan: ") + text;
    }
    for (int k = 0; k < 100; ++k) {
      const auto fr = random_frame();
      const auto caplen = static_cast<std::uint32_t>(fr.size());
      const std::uint32_t unopt_v = bpf_filter(bu.bf_insns, fr.data(), caplen, caplen);
      const std::uint32_t plain_v = f::run(*plain, fr, caplen);
      if (mine && f::run(*mine, fr, caplen) != plain_v) {
        std::fprintf(stderr, "libpcap_bpf: %s: the optimizer changes a verdict\n", text);
        return fail("optimized:", *mine) + fail("not optimized:", *plain);
      }
      if (!mine && plain_v != 0) {
        std::fprintf(stderr, "libpcap_bpf: wirespan says %s rejects all packets, and it matches one\n", text);
        return fail("not optimized:", *plain);
      }
      if (!theirs && unopt_v != 0) {
        std::fprintf(stderr, "libpcap_bpf: libpcap says %s rejects all packets, and it matches one\n", text);
        return 1;
      }
      ++combo_frames;
      if (!theirs || last_frame_cut) continue;
      const std::uint32_t opt_v = bpf_filter(bp.bf_insns, fr.data(), caplen, caplen);
      if (plain_v == opt_v) continue;
      if (plain_v == unopt_v && unopt_v != opt_v) {
        ++dropped_loads;
        continue;
      }
      std::fprintf(stderr, "libpcap_bpf: %s: wirespan says %u, libpcap %u (unoptimized: %u) on a frame of %u bytes\n",
                   text, plain_v, opt_v, unopt_v, caplen);
      return fail("wirespan's program:", *plain);
    }
    if (theirs) pcap_freecode(&bp);
    pcap_freecode(&bu);
  }
  std::printf("libpcap_bpf: %ld combinations of them: %ld found to reject all packets by both libpcap and "
              "wirespan; verdicts equal on %ld frames, but for %ld whole frames where libpcap's optimizer "
              "dropped a failing load and wirespan gives the verdict of libpcap's unoptimized program; found "
              "to reject all packets only by libpcap: %ld, only by wirespan: %ld (the programs reject every frame):%s\n",
              combos, combos_rejecting, combo_frames, dropped_loads, only_libpcap, only_wirespan,
              reject_differences.empty() ? " none" : reject_differences.c_str());
  if ((only_libpcap + only_wirespan) * 200 > combos) {
    std::fprintf(stderr, "libpcap_bpf: more than 0.5%% of the combinations differ on 'rejects all packets'\n");
    return 1;
  }
  std::printf("libpcap_bpf: the optimizer takes wirespan's programs from %ld to %ld instructions (libpcap's: "
              "%ld), with the same verdicts on every frame; the kernel accepts all %ld of them; %ld of the %ld "
              "optimized programs are libpcap's, instruction for instruction\n",
              plain_insns, optimized_insns, libpcap_insns, kernel_programs, identical, ours_compiled);
  close(sock);
  pcap_close(dead);
  std::printf("libpcap_bpf: %ld expressions: libpcap's programs accepted by validate() and run by wirespan on %ld "
              "frames (%ld matches) with libpcap's verdicts; %ld compiled by wirespan with the same verdicts in both "
              "interpreters; not compiled by wirespan yet: %s\n",
              compiled, frames, matches, ours_compiled, not_yet.empty() ? "none" : not_yet.c_str());
  std::printf("libpcap_bpf: on frames cut short inside a header, %ld verdicts differ from libpcap's optimized "
              "programs, for: %s\n",
              cut_differences, cut_expressions.empty() ? "none" : cut_expressions.c_str());
  std::printf("libpcap_bpf: %ld random programs: %ld valid for libpcap as for validate(userland), verdicts equal "
              "to bpf_filter's on %ld runs; %ld checked by the kernel (%ld accepted), all as validate() says; %ld "
              "with a constant shift >= 32 (undefined in libpcap) rejected\n",
              programs, accepted, runs, kernel_checked, kernel_accepted, undefined_in_libpcap);
  std::printf("libpcap_bpf: %ld texts of them (libpcap's bpf_image lines as -d, and -dd, -ddd) read back by "
              "parse_program\n", text_round_trips);
  std::fflush(stdout);
  return 0;
}
