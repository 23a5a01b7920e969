#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace f = wirespan::filter;
using f::instruction;

namespace {

std::vector<instruction> plain(std::string_view expr) {
  f::compile_options o;
  o.optimize = false;
  return f::compile(expr, o).value();
}

std::string optimized_text(std::string_view expr) {
  auto p = f::compile(expr);
  REQUIRE_MESSAGE(p, expr);
  return f::dump(*p);
}

// Every frame length from 0 to the whole frame, and a few wire lengths.
void same_verdicts(const std::vector<instruction>& a, const std::vector<instruction>& b,
                   const std::vector<std::uint8_t>& frame) {
  for (std::size_t cut = 0; cut <= frame.size(); ++cut) {
    for (std::uint32_t wire : {static_cast<std::uint32_t>(cut), std::uint32_t{1500}}) {
      CHECK(f::run(a, wirespan::bytes(frame.data(), cut), wire) == f::run(b, wirespan::bytes(frame.data(), cut), wire));
    }
  }
}

const std::vector<std::uint8_t> syn = {
    0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1,
    10, 0, 0, 2, 0xc7, 0x38, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};

}  // namespace

TEST_CASE("filter optimizer: the tutorials' expressions come out as tcpdump prints them") {
  // `tcpdump -d -y EN10MB 'tcp[tcpflags] & tcp-syn != 0'` (tcpdump 4.99.3, libpcap 1.10.3):
  // the optimizer drops the second ldxb and turns `and #2; jeq #0` into `jset #2`.
  CHECK(optimized_text("tcp[tcpflags] & tcp-syn != 0") ==
        "(000) ldh      [12]\n"
        "(001) jeq      #0x800           jt 2\tjf 10\n"
        "(002) ldb      [23]\n"
        "(003) jeq      #0x6             jt 4\tjf 10\n"
        "(004) ldh      [20]\n"
        "(005) jset     #0x1fff          jt 10\tjf 6\n"
        "(006) ldxb     4*([14]&0xf)\n"
        "(007) ldb      [x + 27]\n"
        "(008) jset     #0x2             jt 9\tjf 10\n"
        "(009) ret      #262144\n"
        "(010) ret      #0\n");
  // `tcpdump -d -y EN10MB 'not port 22'`: the returns the other way round, as libpcap
  // lays them out.
  const std::string not_port_22 = optimized_text("not port 22");
  CHECK(not_port_22.find("(022) ret      #0\n(023) ret      #262144\n") != std::string::npos);
  CHECK(not_port_22.find("(000) ldh      [12]\n(001) jeq      #0x86dd          jt 2\tjf 10\n") == 0);
  // Shared loads: `len < 10 or len > 20` loads the length once (`tcpdump -d`).
  CHECK(optimized_text("len < 10 or len > 20") ==
        "(000) ld       #pktlen\n"
        "(001) jge      #0xa             jt 2\tjf 4\n"
        "(002) jgt      #0x14            jt 4\tjf 3\n"
        "(003) ret      #0\n"
        "(004) ret      #262144\n");
}

TEST_CASE("filter optimizer: expressions libpcap finds reject every packet are errors") {
  for (const char* e : {"ip and ip6", "tcp and udp", "2 * 3 = 7", "1 + 1 = 3", "not ip and ip", "ip and not ip",
                        "port 80 and not port 80", "ip[0] = 1 and ip[0] = 2", "tcp port 443 and vlan",
                        "src host 10.0.0.1 and ip6", "ether[12:2] = 0x86dd and ether[12:2] = 0x806"}) {
    auto p = f::compile(e);
    REQUIRE_FALSE_MESSAGE(p, e);
    CHECK(std::string_view(p.error().what) == "filter: expression rejects all packets");
    // Unoptimized, they compile, and match nothing.
    CHECK(f::run(plain(e), syn) == 0);
  }
  // As pcap_compile, only what its optimizer finds: these compile (and match nothing).
  for (const char* e : {"ip and 1 + 1 = 3", "len < 10 and len > 20", "ether[12:2] = 0x86dd and arp"}) {
    auto p = f::compile(e);
    REQUIRE_MESSAGE(p, e);
    CHECK(f::run(*p, syn) == 0);
  }
}

TEST_CASE("filter optimizer: verdicts of the unoptimized program, on every cut of a frame") {
  for (const char* e : {"tcp port 443", "host 10.0.0.2 or 10.0.0.3", "not port 22 and 53", "tcp[13] & 2 != 0",
                        "ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 0", "vlan or tcp",
                        "(tcp[((tcp[12] & 0xf0) >> 2)] & 0xc0 = 0x40) or not icmp6 and len < 1000",
                        "host 192.168.1.10 or not ip", "portrange 400-500 or udp"}) {
    CAPTURE(e);
    const auto p = plain(e);
    const auto o = f::compile(e).value();
    CHECK(o.size() <= p.size());
    CHECK(f::validate(o));
    same_verdicts(p, o, syn);
  }
}

TEST_CASE("filter optimizer: hand-written programs") {
  using namespace f;
  // A load repeated with nothing in between goes; a jump to the next instruction goes.
  const std::vector<instruction> twice = {stmt(ld | h | abs_, 12), stmt(ld | h | abs_, 12), jump(jmp | ja, 0, 0, 0),
                                          jump(jmp | jeq | k, 0x800, 0, 1), stmt(ret | k, 1), stmt(ret | k, 0)};
  const auto once = optimize(twice);
  CHECK(once == std::vector<instruction>{stmt(ld | h | abs_, 12), jump(jmp | jeq | k, 0x800, 0, 1), stmt(ret | k, 1),
                                         stmt(ret | k, 0)});
  same_verdicts(twice, once, syn);
  // A load whose value is not used stays: past the captured bytes it returns 0.
  const std::vector<instruction> dead = {stmt(ld | w | abs_, 100), stmt(ret | k, 7)};
  CHECK(optimize(dead) == dead);
  CHECK(run(optimize(dead), syn) == 0);
  // Code from which every way returns 0 is `ret #0`.
  const std::vector<instruction> zero = {stmt(ld | h | abs_, 12), jump(jmp | jeq | k, 1, 0, 1), stmt(ret | k, 0),
                                         stmt(ret | k, 0)};
  CHECK(optimize(zero) == std::vector<instruction>{stmt(ret | k, 0)});
  CHECK(rejects_all(zero));
  // Invalid programs come back as they are.
  const std::vector<instruction> bad = {jump(jmp | jeq | k, 1, 9, 9), stmt(ret | k, 0)};
  CHECK(optimize(bad) == bad);
  // Ancillary loads are not shared (the kernel's random differs each time).
  const std::vector<instruction> rnd = {stmt(ld | w | abs_, ancillary_base + 56), jump(jmp | jeq | k, 1, 0, 2),
                                        stmt(ld | w | abs_, ancillary_base + 56), jump(jmp | jeq | k, 1, 0, 1),
                                        stmt(ret | k, 1), stmt(ret | k, 0)};
  CHECK(optimize(rnd) == rnd);
}

// The optimizer runs at compile time too.
static_assert(f::compile("tcp port 443").value().size() == 20);
static_assert(!f::compile("ip and ip6"));
