#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

using namespace wirespan;

namespace {

const ipv4::pseudo_header v4_pseudo(std::uint8_t proto, std::size_t len) {
  return ipv4::pseudo_header{{{10, 0, 0, 1}}, {{10, 0, 0, 2}}, proto, static_cast<std::uint16_t>(len)};
}

// Captured here (tcpdump -i lo) during `curl http://127.0.0.1:8000/` against
// `python3 -m http.server`: the TCP part of the client's SYN, with MSS 65495, SACK
// permitted, timestamps, NOP, window scale 10. Checksum as on the wire (loopback offload
// leaves it unfilled, so it is not checked here).
constexpr auto syn_segment = hex_array<
    "b1001f40c3a8feea00000000a002ffd7fe300000"
    "0204ffd70402080aceca6a1b000000000103030a">();

}  // namespace

TEST_CASE("udp: lengths, checksum, round trip") {
  const auto payload = literal_bytes("hello");
  std::array<std::uint8_t, 32> out;
  out.fill(0xa5);
  auto pseudo = v4_pseudo(17, 13);
  auto n = udp::encode(udp::header{.source_port = 12345, .destination_port = 53}, payload, out, pseudo).value();
  CHECK(n == 13);
  CHECK(out[13] == 0xa5);
  auto v = udp::parse(bytes(out).first(n)).value();
  CHECK(v.length() == 13);
  CHECK(v.checksum_ok(pseudo));
  CHECK(v.checksum() == v.computed_checksum(pseudo));
  CHECK(equal(v.payload(), payload));
  auto h = udp::decode(bytes(out).first(n)).value();
  std::array<std::uint8_t, 32> again{};
  CHECK(udp::encode(h, payload, again).value() == n);
  CHECK(equal(bytes(again).first(n), bytes(out).first(n)));
  // Incremental port update keeps the checksum.
  auto mv = udp::view<mutable_bytes>::parse(mutable_bytes(out).first(n)).value();
  mv.set_source_port(1);
  mv.set_destination_port(65535);
  CHECK(mv.checksum_ok(pseudo));

  SUBCASE("length < 8") {
    out[4] = 0;
    out[5] = 7;
    auto r = udp::parse(bytes(out).first(n));
    CHECK(r.error().code == errc::bad_length);
    CHECK(r.error().offset == 4);
  }
  SUBCASE("length > IP payload") {
    out[5] = 14;
    CHECK(udp::parse(bytes(out).first(n)).error().code == errc::bad_length);
    auto q = udp::parse(bytes(out).first(n), {ipv4::parse_mode::quoted});
    REQUIRE(q);
    CHECK(q->cut_short());
  }
  SUBCASE("trailer") {
    out[5] = 12;
    CHECK(udp::parse(bytes(out).first(n)).error().code == errc::bad_length);
    CHECK(udp::parse(bytes(out).first(n), {ipv4::parse_mode::lax}).value().trailer().size() == 1);
  }
  SUBCASE("zero checksum: none over IPv4, invalid over IPv6") {
    out[6] = out[7] = 0;
    auto z = udp::parse(bytes(out).first(n)).value();
    CHECK(z.checksum_ok(pseudo));
    CHECK_FALSE(z.checksum_ok(ipv6::pseudo_header{}));
  }
  CHECK(udp::parse(bytes(out).first(7)).error().code == errc::truncated);
}

TEST_CASE("tcp: captured SYN with options") {
  auto v = tcp::parse(syn_segment).value();
  CHECK(v.source_port() == 0xb100);
  CHECK(v.destination_port() == 8000);
  CHECK(v.sequence() == 0xc3a8feea);
  CHECK(v.header_length() == 40);
  CHECK(v.flags() == tcp::flag::syn);
  CHECK(v.syn());
  CHECK_FALSE(v.ack());
  CHECK(v.window() == 65495);
  std::vector<std::uint8_t> kinds;
  for (auto o : v.options()) {
    kinds.push_back(o.kind);
    if (o.kind == tcp::option_kind::mss) CHECK(o.mss() == 65495);
    if (o.kind == tcp::option_kind::window_scale) CHECK(o.window_scale() == 10);
    if (o.kind == tcp::option_kind::timestamps) CHECK(o.timestamp_echo() == 0);
  }
  CHECK(kinds == std::vector<std::uint8_t>{2, 4, 8, 1, 3});
  auto h = tcp::decode(syn_segment).value();
  std::array<std::uint8_t, 40> again{};
  CHECK(tcp::encode(h, {}, again).value() == 40);
  CHECK(equal(again, syn_segment));
}

TEST_CASE("tcp: hostile input") {
  auto seg = std::vector<std::uint8_t>(syn_segment.begin(), syn_segment.end());
  SUBCASE("data offset < 5") {
    for (std::uint8_t off = 0; off < 5; ++off) {
      seg[12] = static_cast<std::uint8_t>(off << 4 | (seg[12] & 0x0f));
      auto r = tcp::parse(seg);
      CHECK(r.error().code == errc::bad_length);
      CHECK(r.error().offset == 12);
    }
  }
  SUBCASE("data offset past the segment") {
    seg[12] = 0xf0;
    CHECK(tcp::parse(seg).error().code == errc::bad_length);
    CHECK(tcp::parse(seg, {ipv4::parse_mode::quoted}).value().cut_short());
  }
  SUBCASE("bad option lengths") {
    seg[21] = 5;  // MSS length 5
    CHECK(tcp::parse(seg).error().code == errc::bad_length);
    seg[21] = 1;
    CHECK(tcp::parse(seg).error().code == errc::bad_length);
    seg[21] = 40;
    CHECK(tcp::parse(seg).error().code == errc::bad_length);
  }
  SUBCASE("SACK blocks") {
    std::array<std::uint8_t, 32> s{};
    s[12] = 0x80;
    s[20] = 1;
    s[21] = 1;
    s[22] = 5;
    s[23] = 10;
    store_be32(s.data() + 24, 100);
    store_be32(s.data() + 28, 200);
    auto v = tcp::parse(s).value();
    auto o = *std::next(v.options().begin(), 2);
    CHECK(o.kind == tcp::option_kind::sack);
    CHECK(o.sack_count() == 1);
    CHECK(o.sack(0).right == 200);
    s[23] = 9;
    CHECK(tcp::parse(s).error().code == errc::bad_length);
  }
  CHECK(tcp::parse(bytes(seg).first(19)).error().code == errc::truncated);
}

TEST_CASE("tcp: checksum over IPv4 and IPv6 pseudo-headers; setters") {
  const auto payload = literal_bytes("GET / HTTP/1.0\r\n\r\n");
  tcp::header h{.source_port = 40000, .destination_port = 80, .sequence = 1, .acknowledgment = 2,
                .flags = tcp::flag::ack | tcp::flag::psh | tcp::flag::ece | tcp::flag::cwr | tcp::flag::ns,
                .window = 512};
  h.options = ipv4::options_buffer::from(hex_array<"01010402">()).value();
  std::array<std::uint8_t, 80> out;
  out.fill(0xa5);
  auto pseudo = v4_pseudo(6, 24 + payload.size());
  auto n = tcp::encode(h, payload, out, pseudo).value();
  CHECK(n == 24 + payload.size());
  auto mv = tcp::view<mutable_bytes>::parse(mutable_bytes(out).first(n)).value();
  CHECK(mv.checksum_ok(pseudo));
  CHECK(mv.ns());
  CHECK(mv.flags() == 0x1d8);
  mv.set_sequence(0xffffffff);
  mv.set_acknowledgment(7);
  mv.set_window(0);
  mv.set_source_port(1);
  CHECK(mv.checksum_ok(pseudo));
  ipv6::pseudo_header p6{ipv6::address::parse("2001:db8::1").value(), ipv6::address::parse("::1").value(),
                         static_cast<std::uint32_t>(n), 6};
  REQUIRE(tcp::encode(h, payload, out, p6));
  CHECK(tcp::parse(bytes(out).first(n)).value().checksum_ok(p6));
  CHECK_FALSE(tcp::parse(bytes(out).first(n)).value().checksum_ok(pseudo));
}

TEST_CASE("ethernet: VLAN stacks") {
  ethernet::header h;
  h.destination = ethernet::mac_address::parse("ff:ff:ff:ff:ff:ff").value();
  h.source = ethernet::mac_address::parse("00-1A-2b-3c-4d-5e").value();
  h.push_tag({ethernet::ethertype::qinq, 3, true, 100}).push_tag({ethernet::ethertype::vlan, 0, false, 4094});
  h.ethertype = ethernet::ethertype::arp;
  std::array<std::uint8_t, 64> out;
  out.fill(0xa5);
  auto n = ethernet::encode(h, out).value();
  CHECK(n == 22);
  CHECK(out[22] == 0xa5);
  auto v = ethernet::parse(bytes(out).first(n)).value();
  CHECK(v.tag_count() == 2);
  CHECK(v.tag(0).id == 100);
  CHECK(v.tag(0).pcp == 3);
  CHECK(v.tag(0).dei);
  CHECK(v.tag(1).id == 4094);
  CHECK(v.ethertype() == ethernet::ethertype::arp);
  CHECK(v.destination().is_broadcast());
  CHECK(v.source().to_string() == "00:1a:2b:3c:4d:5e");
  CHECK(ethernet::decode(bytes(out).first(n)).value() == h);
  SUBCASE("tag stack running off the frame") {
    for (std::size_t cut = 14; cut < n; ++cut) {
      auto r = ethernet::parse(bytes(out).first(cut));
      REQUIRE_FALSE(r);
      CHECK(r.error().code == errc::truncated);
    }
  }
  SUBCASE("too many tags") {
    std::vector<std::uint8_t> f(12, 0);
    for (int i = 0; i < 9; ++i) f.insert(f.end(), {0x81, 0x00, 0x00, 0x01});
    f.insert(f.end(), {0x08, 0x00});
    CHECK(ethernet::parse(f).error().code == errc::limit_exceeded);
  }
  CHECK_FALSE(ethernet::mac_address::parse("00:1a:2b:3c:4d-5e"));
  CHECK_FALSE(ethernet::mac_address::parse("00:1a:2b:3c:4d:5"));
  CHECK_FALSE(ethernet::mac_address::parse("00:1a:2b:3c:4d:5g"));
}

TEST_CASE("arp: Ethernet/IPv4") {
  arp::packet p{arp::opcode::reply, ethernet::mac_address::parse("02:00:00:00:00:01").value(),
                ipv4::address{{10, 0, 0, 1}}, ethernet::mac_address::parse("02:00:00:00:00:02").value(),
                ipv4::address{{10, 0, 0, 2}}};
  std::array<std::uint8_t, 46> out{};  // padded to the Ethernet minimum
  CHECK(arp::encode(p, out).value() == 28);
  auto v = arp::parse(out).value();
  CHECK(v.is_ethernet_ipv4());
  CHECK(v.trailer().size() == 18);
  CHECK(v.sender_ip() == ipv4::address{{10, 0, 0, 1}});
  CHECK(arp::decode(out).value() == p);
  CHECK(arp::parse(bytes(out).first(27)).error().code == errc::truncated);
  CHECK(arp::parse(bytes(out).first(7)).error().code == errc::truncated);
}

TEST_CASE("ipv6: addresses agree with inet_pton/inet_ntop") {
  static_assert(ipv6::address::parse("::1").value().is_loopback());
  static_assert(ipv6::address::parse("fe80::1").value().is_link_local());
  static_assert(!ipv6::address::parse(":::"));
  const char* samples[] = {"::", "::1", "1::", "2001:db8::1", "2001:db8:0:0:1:0:0:1", "::ffff:1.2.3.4",
                           "::1.2.3.4", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4", "fe80::", "1::2:3",
                           "1:0:0:2::3", "0:0:1::", "::ffff:0:1", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
                           "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "1:2:3:4:5:6:7", ":1::", "1::2:",
                           "::1.2.3", "::01.2.3.4", "::256.1.1.1", "1.2.3.4", "::1.2.3.4:1", "g::", "", " ::1",
                           "::ffff:1.2.3.04", "1:2:3:4:5:6:7:1.2.3.4", "0001:02:003::", "::0:0"};
  std::mt19937 rng(7);
  std::vector<std::string> inputs(std::begin(samples), std::end(samples));
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    const char alphabet[] = "0123456789abcdefABCDEF:.:::";
    const std::size_t len = rng() % 20;
    for (std::size_t k = 0; k < len; ++k) s += alphabet[rng() % (sizeof alphabet - 1)];
    inputs.push_back(s);
  }
  for (int i = 0; i < 3000; ++i) {  // random addresses, with runs of zero groups
    ipv6::address a;
    for (std::size_t g = 0; g < 8; ++g) {
      const std::uint16_t v = rng() % 3 == 0 ? 0 : static_cast<std::uint16_t>(rng() % 4 == 0 ? rng() % 16 : rng());
      a.octets[2 * g] = static_cast<std::uint8_t>(v >> 8);
      a.octets[2 * g + 1] = static_cast<std::uint8_t>(v);
    }
    if (rng() % 10 == 0) {
      for (std::size_t k = 0; k < 10; ++k) a.octets[k] = 0;
      a.octets[10] = a.octets[11] = rng() % 2 ? 0xff : 0;
    }
    char buf[INET6_ADDRSTRLEN];
    REQUIRE(inet_ntop(AF_INET6, a.octets.data(), buf, sizeof buf));
    CHECK(a.to_string() == std::string(buf));
    inputs.emplace_back(buf);
  }
  for (const auto& s : inputs) {
    CAPTURE(s);
    unsigned char want[16];
    const bool ok = inet_pton(AF_INET6, s.c_str(), want) == 1;
    auto got = ipv6::address::parse(s);
    REQUIRE(bool(got) == ok);
    if (ok) CHECK(std::equal(want, want + 16, got->octets.begin()));
  }
}

TEST_CASE("ipv6: extension-header walk") {
  // Hop-by-hop (router alert + PadN), destination options (Pad1s), fragment, then UDP.
  std::vector<std::uint8_t> ext = {
      60, 0, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00,                // HBH: next=DstOpt, RA, PadN(0)
      44, 0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                // DstOpt: next=Frag, Pad1 x6
      17, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef,                // Frag: next=UDP, offset 0, M=1
      0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00,           // UDP, 8 bytes
  };
  ipv6::header h{.next_header = 0, .hop_limit = 1, .source = ipv6::address::parse("fe80::1").value(),
                 .destination = ipv6::address::parse("ff02::1").value()};
  std::array<std::uint8_t, 128> out;
  out.fill(0xa5);
  auto n = ipv6::encode(h, ext, out).value();
  auto v = ipv6::parse(bytes(out).first(n)).value();
  CHECK(v.extension_count() == 3);
  CHECK(v.upper_protocol() == 17);
  CHECK(v.upper_offset() == 64);
  CHECK(v.upper_payload().size() == 8);
  REQUIRE(v.fragment());
  CHECK(v.fragment()->more);
  CHECK(v.fragment()->identification == 0xdeadbeef);
  CHECK_FALSE(v.is_later_fragment());
  std::vector<std::uint8_t> types;
  for (auto e : v.extensions()) types.push_back(e.type);
  CHECK(types == std::vector<std::uint8_t>{0, 60, 44});
  CHECK(ipv6::decode(bytes(out).first(n)).value().payload_length == 32);

  SUBCASE("extension header past the payload") {
    out[41] = 4;  // HBH length 40 bytes
    auto r = ipv6::parse(bytes(out).first(n));
    CHECK(r.error().code == errc::bad_length);
    CHECK(r.error().offset == 41);
  }
  SUBCASE("option past its header") {
    out[43] = 9;
    CHECK(ipv6::parse(bytes(out).first(n)).error().code == errc::bad_length);
  }
  SUBCASE("hop-by-hop not first") {
    out[48] = 0;
    CHECK(ipv6::parse(bytes(out).first(n)).error().code == errc::bad_value);
  }
  SUBCASE("payload length") {
    CHECK(ipv6::parse(bytes(out).first(n + 1)).error().code == errc::bad_length);
    CHECK(ipv6::parse(bytes(out).first(n + 1), {ipv4::parse_mode::lax}).value().trailer().size() == 1);
    CHECK(ipv6::parse(bytes(out).first(n - 1)).error().code == errc::bad_length);
    CHECK(ipv6::parse(bytes(out).first(39)).error().code == errc::truncated);
    out[0] = 0x45;
    CHECK(ipv6::parse(bytes(out).first(n)).error().code == errc::bad_version);
  }
}

TEST_CASE("icmpv6: echo and checksum with the pseudo-header") {
  const auto data = literal_bytes("abc");
  ipv6::pseudo_header p{ipv6::address::parse("::1").value(), ipv6::address::parse("::1").value(), 11, 58};
  std::array<std::uint8_t, 16> out{};
  auto n = icmpv6::encode(icmpv6::echo{.id = 5, .sequence = 6, .payload = data}, out, p).value();
  auto v = icmpv6::parse(bytes(out).first(n)).value();
  CHECK(v.type() == icmpv6::type::echo_request);
  CHECK(v.checksum_ok(p));
  CHECK(v.identifier() == 5);
  CHECK(v.sequence() == 6);
  auto m = icmpv6::decode(bytes(out).first(n)).value();
  std::array<std::uint8_t, 16> again{};
  CHECK(icmpv6::encode(m, again, p).value() == n);
  CHECK(equal(bytes(again).first(n), bytes(out).first(n)));
  CHECK(icmpv6::parse(bytes(out).first(7)).error().code == errc::truncated);
  CHECK(v.quoted().error().code == errc::invalid_argument);
}
