#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include <wirespan/wirespan.hpp>

using namespace wirespan;
using wirespan::ipv4::address;

namespace {

// Wikipedia, "IPv4 header checksum" worked example (also in the checksum tests):
// 192.168.0.1 -> 192.168.0.199, UDP, total length 0x73, DF, TTL 64, checksum b861.
constexpr auto wiki_header = hex_array<"450000730000400040110000c0a80001c0a800c7">();
constexpr auto wiki_packet = [] {
  std::array<std::uint8_t, 0x73> p{};
  for (std::size_t i = 0; i < wiki_header.size(); ++i) p[i] = wiki_header[i];
  p[10] = 0xb8;
  p[11] = 0x61;
  return p;
}();

// Captured here with `tcpdump -i lo -w` during `ping -c1 -R 127.0.0.1` (Debian 12
// iputils-ping): the echo request's 60-byte IPv4 header, a NOP then a 39-byte Record
// Route option whose first slot the kernel filled on output. Checksum as on the wire.
constexpr auto rr_header = hex_array<
    "4f00007c555240004001361c7f0000017f000001"
    "010727087f0000010000000000000000000000000000000000000000000000000000000000000000">();

static_assert(ipv4::parse(wiki_packet).value().checksum() == 0xb861);
static_assert(ipv4::parse(wiki_packet).value().source() == address{{192, 168, 0, 1}});
static_assert(ipv4::parse(wiki_packet).value().payload().size() == 0x73 - 20);
static_assert(ipv4::parse(wiki_packet).value().dont_fragment());
static_assert(ipv4::parse(wiki_packet).value().protocol() == ipv4::protocol_udp);
static_assert(!ipv4::parse(bytes(wiki_packet).first(19)));
static_assert(ipv4::parse(bytes(wiki_packet).first(19)).error().code == errc::truncated);

constexpr auto crafted = [] {
  ipv4::header h;
  h.identification = 0xabcd;
  h.dont_fragment = true;
  h.ttl = 64;
  h.protocol = 17;
  h.source = address{{192, 168, 1, 10}};
  h.destination = address{{10, 0, 0, 1}};
  std::array<std::uint8_t, 28> out{};
  const std::array<std::uint8_t, 8> payload{1, 2, 3, 4, 5, 6, 7, 8};
  (void)ipv4::encode(h, payload, out).value();
  return out;
}();
static_assert(crafted[2] == 0 && crafted[3] == 28);
static_assert(ipv4::parse(crafted).value().checksum_ok());
static_assert(ipv4::decode(crafted).value().identification == 0xabcd);

// Builds a datagram with the given header bytes and payload, fixing the checksum.
std::vector<std::uint8_t> with_checksum(std::vector<std::uint8_t> p) {
  const std::size_t hlen = std::size_t{p[0] & 0x0fu} * 4;
  p[10] = p[11] = 0;
  if (hlen <= p.size() && hlen >= 20) store_be16(p.data() + 10, internet_checksum(bytes(p.data(), hlen)));
  return p;
}

std::vector<std::uint8_t> datagram(std::vector<std::uint8_t> options, std::size_t payload = 8) {
  std::vector<std::uint8_t> p(wiki_header.begin(), wiki_header.end());
  p.insert(p.end(), options.begin(), options.end());
  p[0] = static_cast<std::uint8_t>(0x40 | (p.size() / 4));
  p.resize(p.size() + payload, 0x5a);
  store_be16(p.data() + 2, static_cast<std::uint16_t>(p.size()));
  return with_checksum(p);
}

}  // namespace

TEST_CASE("ipv4: golden header fields") {
  auto v = ipv4::parse(wiki_packet).value();
  CHECK(v.version() == 4);
  CHECK(v.ihl() == 5);
  CHECK(v.header_length() == 20);
  CHECK(v.dscp() == 0);
  CHECK(v.ecn() == 0);
  CHECK(v.total_length() == 0x73);
  CHECK(v.identification() == 0);
  CHECK(v.flags() == 2);
  CHECK_FALSE(v.reserved_flag());
  CHECK_FALSE(v.more_fragments());
  CHECK(v.fragment_offset() == 0);
  CHECK_FALSE(v.is_fragment());
  CHECK(v.ttl() == 64);
  CHECK(v.destination().to_string() == "192.168.0.199");
  CHECK(v.computed_checksum() == 0xb861);
  CHECK(v.trailer().empty());
  CHECK(v.options_area().empty());
}

TEST_CASE("ipv4: record route header captured from ping -R") {
  auto v = ipv4::view<>::parse(rr_header, {ipv4::parse_mode::quoted, ipv4::checksum_policy::verify});
  REQUIRE(v);
  CHECK(v->header_length() == 60);
  CHECK(v->cut_short());
  std::vector<std::uint8_t> types;
  for (auto o : v->options()) types.push_back(o.type);
  CHECK(types == std::vector<std::uint8_t>{1, 7});
  CHECK(v->checksum() == 0x361c);
  auto rr = (*std::next(v->options().begin())).route();
  CHECK(rr.pointer == 8);
  CHECK(rr.size() == 9);
  CHECK(rr.filled() == 1);
  CHECK(rr[0] == address{{127, 0, 0, 1}});
}

TEST_CASE("ipv4: strict and lax lengths") {
  auto p = datagram({});
  CHECK(ipv4::parse(p));
  SUBCASE("trailer rejected strictly, reported laxly") {
    auto q = p;
    q.insert(q.end(), {0, 0, 0, 0});
    auto strict = ipv4::parse(q);
    REQUIRE_FALSE(strict);
    CHECK(strict.error().code == errc::bad_length);
    CHECK(strict.error().offset == 2);
    auto lax = ipv4::parse(q, {ipv4::parse_mode::lax});
    REQUIRE(lax);
    CHECK(lax->trailer().size() == 4);
    CHECK(lax->payload().size() == 8);
  }
  SUBCASE("total length 0: segmentation offload in lax mode only") {
    auto q = p;
    q[2] = q[3] = 0;
    q = with_checksum(q);
    CHECK(ipv4::parse(q).error().code == errc::bad_length);
    auto lax = ipv4::parse(q, {ipv4::parse_mode::lax});
    REQUIRE(lax);
    CHECK(lax->payload().size() == 8);
    CHECK(lax->total_length() == 0);
  }
  SUBCASE("total length beyond the buffer: an error, or cut short when quoted") {
    auto q = p;
    q.erase(q.end() - 3, q.end());  // (resize(size() - 3) trips GCC 12 -Wstringop-overflow at -O2)
    CHECK(ipv4::parse(q).error().code == errc::bad_length);
    CHECK(ipv4::parse(q, {ipv4::parse_mode::lax}).error().code == errc::bad_length);
    auto quoted = ipv4::parse(q, {ipv4::parse_mode::quoted});
    REQUIRE(quoted);
    CHECK(quoted->cut_short());
    CHECK(quoted->payload().size() == 5);
  }
}

TEST_CASE("ipv4: hostile input, one class each") {
  auto p = datagram({});
  SUBCASE("shorter than 20 bytes") {
    for (std::size_t n = 0; n < 20; ++n) {
      auto r = ipv4::parse(bytes(p).first(n));
      REQUIRE_FALSE(r);
      CHECK(r.error().code == errc::truncated);
      CHECK(r.error().value == 20 - n);
    }
  }
  SUBCASE("version") {
    p[0] = 0x65;
    auto r = ipv4::parse(p);
    CHECK(r.error().code == errc::bad_version);
    CHECK(to_string(r.error()) == "ipv4: version 6 != 4 at byte 0 (bad version)");
  }
  SUBCASE("IHL < 5") {
    for (std::uint8_t ihl = 0; ihl < 5; ++ihl) {
      p[0] = static_cast<std::uint8_t>(0x40 | ihl);
      auto r = ipv4::parse(p);
      CHECK(r.error().code == errc::bad_length);
      CHECK(r.error().offset == 0);
    }
  }
  SUBCASE("total length < IHL*4") {
    store_be16(p.data() + 2, 19);
    auto r = ipv4::parse(with_checksum(p));
    CHECK(r.error().code == errc::bad_length);
    CHECK(r.error().offset == 2);
  }
  SUBCASE("header longer than the buffer") {
    p[0] = 0x4f;
    store_be16(p.data() + 2, 100);
    auto r = ipv4::parse(p, {ipv4::parse_mode::quoted});
    CHECK(r.error().code == errc::truncated);
  }
  SUBCASE("checksum") {
    p[8] ^= 1;
    auto r = ipv4::parse(p);
    CHECK(r.error().code == errc::bad_checksum);
    CHECK(r.error().offset == 10);
    CHECK(ipv4::parse(p, {ipv4::parse_mode::strict, ipv4::checksum_policy::ignore}));
  }
}

TEST_CASE("ipv4: option validation") {
  struct bad {
    std::vector<std::uint8_t> options;
    errc code;
    std::uint32_t offset;
  };
  const bad cases[] = {
      {{0x44, 0x00, 0x00, 0x00}, errc::bad_length, 21},                    // option length 0
      {{0x44, 0x01, 0x00, 0x00}, errc::bad_length, 21},                    // option length 1
      {{0x01, 0x01, 0x01, 0x07}, errc::malformed, 23},                     // no length octet
      {{0x07, 0x08, 0x04, 0x00}, errc::bad_length, 21},                    // past the header
      {{0x07, 0x07, 0x03, 0, 0, 0, 0, 0}, errc::bad_value, 22},            // RR pointer < 4
      {{0x07, 0x07, 0x09, 0, 0, 0, 0, 0}, errc::bad_value, 22},            // RR pointer beyond
      {{0x07, 0x07, 0x06, 0, 0, 0, 0, 0}, errc::bad_value, 22},            // RR pointer, no room
      {{0x07, 0x02, 0x00, 0x00}, errc::bad_length, 21},                    // RR too short
      {{0x44, 0x08, 0x04, 0x00, 0, 0, 0, 0}, errc::bad_value, 22},         // TS pointer < 5
      {{0x44, 0x08, 0x05, 0x02, 0, 0, 0, 0}, errc::bad_value, 23},         // TS flag 2
      {{0x44, 0x08, 0x05, 0x01, 0, 0, 0, 0}, errc::bad_value, 22},         // TS no room for 8
      {{0x44, 0x08, 0x0a, 0x00, 0, 0, 0, 0}, errc::bad_value, 22},         // TS pointer beyond
      {{0x94, 0x03, 0x00, 0x00}, errc::bad_length, 21},                    // router alert != 4
  };
  for (const auto& c : cases) {
    CAPTURE(c.options);
    auto p = datagram(c.options);
    auto r = ipv4::parse(p);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == c.code);
    CHECK(r.error().offset == c.offset);
  }
  // The good forms.
  const std::vector<std::vector<std::uint8_t>> good = {
      {0x01, 0x01, 0x01, 0x00},
      {0x07, 0x07, 0x08, 1, 2, 3, 4, 0},                    // RR full (pointer = length + 1)
      {0x44, 0x0c, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0},     // TS only, 2 slots
      {0x44, 0x0c, 0x0d, 0x31, 0, 0, 0, 1, 0, 0, 0, 2},     // TS full, overflow 3, flag 1
      {0x44, 0x0c, 0x05, 0x03, 10, 0, 0, 1, 0, 0, 0, 0},    // prespecified
      {0x94, 0x04, 0x00, 0x00},                             // router alert
      {0x82, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},           // security (RFC 791 length 11)
      {0x9e, 0x04, 0xaa, 0xbb},                             // unknown, kept raw
      {0x00, 0x07, 0xff, 0xff},                             // EOL: what follows is padding
  };
  for (const auto& o : good) {
    CAPTURE(o);
    CHECK(ipv4::parse(datagram(o)));
  }
  auto ts = datagram({0x44, 0x0c, 0x0d, 0x31, 10, 0, 0, 1, 0, 0, 0, 2});
  auto opt = *ipv4::parse(ts).value().options().begin();
  REQUIRE(opt.type == ipv4::option_type::timestamp);
  auto t = opt.timestamp();
  CHECK(t.overflow == 3);
  CHECK(t.flag == ipv4::timestamp_flag::addresses_and_timestamps);
  CHECK(t.size() == 1);
  CHECK(t.filled() == 1);
  CHECK(t.address_at(0) == address{{10, 0, 0, 1}});
  CHECK(t.timestamp_at(0) == 2);
}

TEST_CASE("ipv4: option builder pads to 4 bytes") {
  constexpr auto rr = ipv4::option_builder{}.record_route(9).finish();
  static_assert(rr.value().size() == 40);
  static_assert(rr.value().storage[0] == 7 && rr.value().storage[1] == 39 && rr.value().storage[2] == 4);
  static_assert(rr.value().storage[39] == 0);
  auto ra = ipv4::option_builder{}.router_alert().finish().value();
  CHECK(ra.size() == 4);
  auto ts = ipv4::option_builder{}.timestamp(ipv4::timestamp_flag::addresses_and_timestamps, 4).finish().value();
  CHECK(ts.size() == 36);
  CHECK(ipv4::option_builder{}.record_route(9).nop().finish().value().size() == 40);
  CHECK(ipv4::option_builder{}.record_route(9).nop().nop().finish().error().code == errc::limit_exceeded);
  CHECK(ipv4::option_builder{}.record_route(0).finish().error().code == errc::invalid_argument);
  const address hops[] = {{{10, 0, 0, 1}}, {{10, 0, 0, 2}}};
  auto lsrr = ipv4::option_builder{}.nop().source_route(false, hops).finish().value();
  CHECK(lsrr.size() == 12);
  ipv4::header h;
  h.options = lsrr;
  h.protocol = 1;
  std::array<std::uint8_t, 64> out{};
  auto n = ipv4::encode(h, out).value();
  CHECK(n == 32);
  auto v = ipv4::parse(bytes(out).first(n)).value();
  std::vector<std::uint8_t> types;
  for (auto o : v.options()) types.push_back(o.type);
  CHECK(types == std::vector<std::uint8_t>{1, 131});
  CHECK((*std::next(v.options().begin())).route()[1] == address{{10, 0, 0, 2}});
}

TEST_CASE("ipv4: encode into a 0xA5-filled buffer; decode then encode is byte-identical") {
  std::array<std::uint8_t, 64> out;
  out.fill(0xa5);
  ipv4::header h;
  h.identification = 0xabcd;
  h.dont_fragment = true;
  h.protocol = 17;
  h.source = address{{192, 168, 1, 10}};
  h.destination = address{{10, 0, 0, 1}};
  const std::array<std::uint8_t, 8> payload{};
  auto n = ipv4::encode(h, payload, out).value();
  CHECK(n == 28);
  CHECK(out[28] == 0xa5);
  // The checksum c350 was computed independently (a 16-bit one's-complement sum in Python).
  CHECK(to_hex(bytes(out).first(20)) == "4500001cabcd40004011c350c0a8010a0a000001");
  auto v = ipv4::parse(bytes(out).first(n)).value();
  CHECK(v.checksum_ok());
  CHECK(v.total_length() == 28);

  for (const auto& src : {std::vector<std::uint8_t>(wiki_packet.begin(), wiki_packet.end()),
                          datagram({0x07, 0x07, 0x04, 0, 0, 0, 0, 0x00}),
                          datagram({0x01, 0x44, 0x08, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0})}) {
    auto d = ipv4::decode(src).value();
    std::vector<std::uint8_t> again(src.size(), 0xa5);
    auto m = ipv4::encode(d, ipv4::parse(src).value().payload(), again).value();
    CHECK(m == src.size());
    CHECK(again == src);
  }
  // Deliberately wrong values are written as given.
  ipv4::header bad;
  bad.checksum = 0x1234;
  bad.total_length = 7;
  bad.ihl = 5;
  std::array<std::uint8_t, 20> b{};
  REQUIRE(ipv4::encode(bad, b));
  CHECK(load_be16(b.data() + 10) == 0x1234);
  CHECK(load_be16(b.data() + 2) == 7);
  std::array<std::uint8_t, 19> small{};
  auto e = ipv4::encode(h, small);
  CHECK(e.error().code == errc::buffer_too_small);
  CHECK(e.error().value == 20);
}

TEST_CASE("ipv4: setters update the checksum incrementally") {
  auto p = datagram({0x94, 0x04, 0x00, 0x00}, 12);
  auto v = ipv4::parse_mutable(p).value();
  v.set_ttl(1);
  v.set_protocol(6);
  v.set_source(address{{1, 2, 3, 4}});
  v.set_destination(address{{255, 255, 255, 255}});
  v.set_identification(0xffff);
  v.set_dscp(46);
  v.set_ecn(3);
  v.set_fragment(false, true, 0x1fff);
  CHECK(v.checksum_ok());
  CHECK(v.checksum() == v.computed_checksum());
  CHECK(v.ttl() == 1);
  CHECK(v.dscp() == 46);
  CHECK(v.ecn() == 3);
  CHECK(v.is_middle_fragment());
  CHECK(v.fragment_offset_bytes() == 0x1fff * 8);
  v.set_checksum_no_update(0);
  CHECK_FALSE(v.checksum_ok());
  v.update_checksum();
  CHECK(v.checksum_ok());
}

TEST_CASE("ipv4: the inline fast path agrees with the full check") {
  std::vector<std::vector<std::uint8_t>> inputs = {datagram({}), datagram({}, 0), datagram({0x01, 0x01, 0x01, 0x01})};
  auto trailer = datagram({});
  trailer.push_back(0);
  inputs.push_back(trailer);
  auto bad_sum = datagram({});
  bad_sum[10] ^= 1;
  inputs.push_back(bad_sum);
  auto zero_total = datagram({});
  store_be16(zero_total.data() + 2, 0);
  inputs.push_back(with_checksum(zero_total));
  for (const auto& in : inputs) {
    for (auto mode : {ipv4::parse_mode::strict, ipv4::parse_mode::lax, ipv4::parse_mode::quoted}) {
      for (auto policy : {ipv4::checksum_policy::verify, ipv4::checksum_policy::ignore}) {
        auto fast = ipv4::view<>::parse(in, {mode, policy});
        auto full = ipv4::view<>::parse_checked(in, {mode, policy});
        REQUIRE(fast.has_value() == full.has_value());
        if (fast) {
          CHECK(fast->payload().size() == full->payload().size());
          CHECK(fast->trailer().size() == full->trailer().size());
        } else {
          CHECK(fast.error().code == full.error().code);
        }
      }
    }
  }
}

TEST_CASE("ipv4: fragment helpers") {
  ipv4::header h;
  h.more_fragments = true;
  std::array<std::uint8_t, 20> b{};
  REQUIRE(ipv4::encode(h, b));
  CHECK(ipv4::parse(b).value().is_first_fragment());
  h.more_fragments = false;
  h.fragment_offset = 185;
  REQUIRE(ipv4::encode(h, b));
  auto v = ipv4::parse(b).value();
  CHECK(v.is_last_fragment());
  CHECK(v.fragment_offset_bytes() == 1480);
}
