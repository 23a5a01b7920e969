#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace f = wirespan::filter;

namespace {

// An IPv4 TCP SYN from 10.0.0.1:51000 to 10.0.0.2:443 in Ethernet.
constexpr std::array<std::uint8_t, 54> syn = {
    0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,                                 // Ethernet
    0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,                  // IPv4
    0xc7, 0x38, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};    // TCP SYN

// The parser and the compiler at compile time: the same code as at run time.
constexpr std::uint32_t verdict(std::string_view expr) {
  auto prog = f::compile(expr);
  if (!prog) return 0xdead;
  return f::run(*prog, syn);
}
static_assert(verdict("tcp port 443") == 262144);
static_assert(verdict("tcp[tcpflags] & tcp-syn != 0") == 262144);
static_assert(verdict("udp port 53") == 0);
static_assert(verdict("src host 10.0.0.1 and dst port 443") == 262144);
static_assert(verdict("net 10.0.0.0/8 and not port 22") == 262144);
static_assert(verdict("") == 262144);  // no expression: everything

std::uint32_t on(std::string_view expr, std::span<const std::uint8_t> frame, bool optimize = true) {
  f::compile_options options;
  options.optimize = optimize;
  auto prog = f::compile(expr, options);
  REQUIRE_MESSAGE(prog, expr);
  REQUIRE(f::validate(*prog));
  return f::run(*prog, frame);
}

wirespan::error error_of(std::string_view expr) {
  auto prog = f::compile(expr);
  REQUIRE_FALSE_MESSAGE(prog, expr);
  return prog.error();
}

}  // namespace

TEST_CASE("filter expressions: the tutorials' first expressions on a TCP SYN") {
  CHECK(on("host 192.168.1.10", syn) == 0);
  CHECK(on("host 10.0.0.2", syn) == 262144);
  CHECK(on("tcp port 443", syn) == 262144);
  CHECK(on("udp port 53", syn) == 0);
  CHECK(on("icmp", syn) == 0);
  CHECK(on("not port 22", syn) == 262144);
  CHECK(on("tcp[tcpflags] & tcp-syn != 0", syn) == 262144);
  CHECK(on("tcp[tcpflags] & tcp-ack != 0", syn) == 0);
  CHECK(on("greater 1400", syn) == 0);
  CHECK(on("less 54", syn) == 262144);
  CHECK(on("net 10.0.0.0/8", syn) == 262144);
  CHECK(on("src host 10.0.0.1 and dst port 80", syn) == 0);
  CHECK(on("port https", syn) == 262144);
  CHECK(on("ip proto \\tcp", syn) == 262144);  // a keyword as a name: escaped, as in libpcap
  CHECK(on("ip proto 6", syn) == 262144);
  CHECK(on("port http", syn) == 0);            // http is listed for TCP only: tcp port 80
  CHECK(on("ether src 02:00:00:00:00:01", syn) == 262144);
  CHECK(on("ether dst 02:00:00:00:00:01", syn) == 0);
  CHECK(on("net 10.0.0.0 mask 255.0.0.0", syn) == 262144);
  CHECK(on("net 10", syn) == 262144);  // the short form: 10.0.0.0/8
  CHECK(on("portrange 400-500", syn) == 262144);
  CHECK(on("src portrange 400-500", syn) == 0);
}

TEST_CASE("filter expressions: libpcap's precedence and qualifier inheritance") {
  // and/or are equal and group left to right; not binds tightest.
  CHECK(on("udp and tcp or port 443", syn) == 262144);  // (udp and tcp) or port 443
  CHECK(on("port 443 or tcp and udp", syn) == 0);       // (port 443 or tcp) and udp
  CHECK(on("not tcp and udp", syn) == 0);
  // A bare value takes the qualifiers before it: host, then port.
  CHECK(on("host 10.9.9.9 or 10.0.0.2", syn) == 262144);
  CHECK(on("dst host 10.9.9.9 or 10.0.0.1", syn) == 0);  // dst host 10.0.0.1
  CHECK(on("not port 22 and 443", syn) == 262144);        // (not port 22) and port 443
  CHECK(on("tcp port 80 or 443", syn) == 262144);
  // Arithmetic: | below ^ below & below shifts below + - below * / %.
  CHECK(on("1 | 2 ^ 3 = 1", syn) == 262144);
  CHECK(on("3 ^ 1 & 2 = 3", syn) == 262144);
  CHECK(on("1 << 2 + 1 = 8", syn) == 262144);
  CHECK(on("2 + 3 * 4 = 14", syn) == 262144);
  CHECK(on("-1 = 4294967295", syn) == 262144);
  CHECK(on("(ip[0] & 0xf) * 4 = 20", syn) == 262144);
  CHECK(on("ip[2:2] - 20 = tcp[12] >> 2", syn) == 262144);
  CHECK(on("len = 54 and len >= 54 and len <= 54 and len != 53 and len > 53 and len < 55", syn) == 262144);
}

TEST_CASE("filter expressions: what libpcap rejects is rejected, with the column") {
  using wirespan::errc;
  auto e = error_of("tcp port");
  CHECK(e.code == errc::malformed);
  CHECK(e.offset == 8);
  e = error_of("host 10.0.0.1 and");
  CHECK(e.offset == 17);
  e = error_of("port 70000");
  CHECK(e.code == errc::bad_value);
  e = error_of("net 10.0.0.1/8");
  CHECK(e.code == errc::bad_value);
  e = error_of("tcp[tcpflags] & tcp-syn");  // no relation
  CHECK(e.code == errc::malformed);
  e = error_of("ip[0:3] = 1");
  CHECK(e.offset == 5);
  e = error_of("(tcp or udp");
  CHECK(e.offset == 11);
  e = error_of("ip[0] / 0 = 1");
  CHECK(e.code == errc::bad_value);
  e = error_of("host example.com");  // names are not looked up
  CHECK(e.code == errc::malformed);
  e = error_of("ip broadcast");  // no netmask given
  CHECK(e.code == errc::invalid_argument);
  f::compile_options with_mask;
  with_mask.netmask = 0xffffff00;
  CHECK(f::compile("ip broadcast", with_mask));
  e = error_of("ip proto tcp");  // unescaped keyword
  CHECK(e.code == errc::malformed);
  e = error_of("ip port 80");  // libpcap: illegal qualifier of 'port'
  CHECK(e.code == errc::malformed);
  e = error_of("udp port ssh");  // ssh is listed for TCP only
  CHECK(e.code == errc::malformed);
  e = error_of("ether");
  CHECK(e.code == errc::malformed);
  e = error_of("vlan 4096");
  CHECK(e.code == errc::bad_value);
  e = error_of("mpls");
  CHECK(e.code == errc::unsupported);
  CHECK(wirespan::to_string(error_of("tcp port")).find("expected a port") != std::string::npos);
}

TEST_CASE("filter expressions: long programs reach their targets through ja") {
  std::string expr = "host 10.0.0.99";
  for (int i = 0; i < 60; ++i) expr += " or host 10.0.1." + std::to_string(i);
  expr += " or port 443";
  auto prog = f::compile(expr);
  REQUIRE(prog);
  CHECK(prog->size() > 300);
  CHECK(f::validate(*prog));
  CHECK(f::run(*prog, syn) == 262144);
  bool has_ja = false;
  for (const auto& i : *prog) has_ja = has_ja || i.code == (f::jmp | f::ja);
  CHECK(has_ja);
}

TEST_CASE("filter expressions: vlan moves the headers of what follows it by 4 bytes") {
  std::vector<std::uint8_t> tagged(syn.begin(), syn.begin() + 12);
  for (int b : {0x81, 0x00, 0x00, 0x64}) tagged.push_back(static_cast<std::uint8_t>(b));  // 802.1Q, VLAN 100
  tagged.insert(tagged.end(), syn.begin() + 12, syn.end());
  CHECK(on("vlan 100 and tcp port 443", tagged) == 262144);
  CHECK(on("vlan and tcp port 443", tagged) == 262144);
  CHECK(on("vlan 101 and tcp port 443", tagged) == 0);
  CHECK(on("tcp port 443", tagged) == 0);            // no vlan: the EtherType read is the TPID
  CHECK(on("tcp port 443 and vlan", tagged, false) == 0);  // the shift applies to what comes after
  // (and so nothing can match: an IP EtherType is not a VLAN TPID; as libpcap does, the
  // optimizer finds it and compile() says so)
  CHECK(std::string_view(error_of("tcp port 443 and vlan").what) == "filter: expression rejects all packets");
  CHECK(on("vlan and vlan", tagged) == 0);           // one tag only
  tagged[12] = 0x88, tagged[13] = 0xa8;              // 802.1ad
  CHECK(on("vlan 100 and ip", tagged) == 262144);
}

TEST_CASE("filter expressions: raw IP and Linux cooked capture") {
  f::compile_options raw;
  raw.link = f::link_type::raw;
  f::compile_options sll;
  sll.link = f::link_type::linux_sll;
  // `tcpdump -d -y RAW ip`, `tcpdump -d -y LINUX_SLL ip`
  CHECK(f::dump(f::compile("ip", raw).value()) ==
        "(000) ldb      [0]\n(001) and      #0xf0\n(002) jeq      #0x40            jt 3\tjf 4\n"
        "(003) ret      #262144\n(004) ret      #0\n");
  CHECK(f::dump(f::compile("ip", sll).value()) ==
        "(000) ldh      [14]\n(001) jeq      #0x800           jt 2\tjf 3\n(002) ret      #262144\n(003) ret      #0\n");
  // The SYN without its Ethernet header, and with a cooked one.
  const std::vector<std::uint8_t> bare(syn.begin() + 14, syn.end());
  std::vector<std::uint8_t> cooked = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0};
  cooked.insert(cooked.end(), syn.begin() + 12, syn.end());
  for (const char* e : {"tcp port 443", "src host 10.0.0.1 and dst port 443", "tcp[tcpflags] & tcp-syn != 0", "ip"}) {
    CAPTURE(e);
    CHECK(f::run(f::compile(e, raw).value(), bare) == 262144);
    CHECK(f::run(f::compile(e, sll).value(), cooked) == 262144);
  }
  CHECK(f::run(f::compile("ip6 or udp", raw).value(), bare) == 0);
  // What needs an Ethernet header does not compile; arp on raw IP rejects everything.
  CHECK(std::string_view(f::compile("ether host 02:00:00:00:00:01", raw).error().what).find("ethernet addresses") !=
        std::string_view::npos);
  CHECK(std::string_view(f::compile("vlan", sll).error().what) == "filter: no VLAN support for Linux cooked v1");
  CHECK(std::string_view(f::compile("ether broadcast", raw).error().what) == "filter: not a broadcast link");
  CHECK(std::string_view(f::compile("arp", raw).error().what) == "filter: expression rejects all packets");
  CHECK(f::compile("arp", sll));
}

TEST_CASE("filter expressions: a bare value needs a qualifier before it, as in libpcap") {
  // (found by the filter_differential fuzz target: libpcap says "syntax error")
  for (const char* e : {"10.0.0.1", "::1", "2:00:0042:00::2:00", "not ::1", "(10.0.0.1)", "tcp or 10.0.0.1",
                        "ip and 10.0.0.1", "vlan or 10.0.0.1", "\\igmp", "\\tcp or udp"}) {
    CAPTURE(e);
    CHECK(error_of(e).code == wirespan::errc::malformed);
  }
  // After a primitive with a value, a bare value takes its qualifiers, after not and in
  // parentheses too.
  CHECK(on("host 10.0.0.9 or not 10.0.0.1", syn) == 0);
  CHECK(on("host 10.0.0.9 or (10.0.0.2)", syn) == 262144);
  CHECK(on("port 22 or not 443", syn) == 0);
}
