#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include <wirespan/wirespan.hpp>

using namespace wirespan;
using wirespan::ipv4::address;

namespace {

constexpr auto ping_payload = literal_bytes("PingPayload");

constexpr auto echo_bytes = [] {
  std::array<std::uint8_t, 8 + ping_payload.size()> out{};
  (void)icmp::encode(icmp::echo{.id = 1234, .sequence = 1, .payload = ping_payload}, out).value();
  return out;
}();
// 0x04d2 = 1234. The checksum 0x972c was computed independently (Python, RFC 1071 sum).
static_assert(echo_bytes[0] == 8 && echo_bytes[4] == 0x04 && echo_bytes[5] == 0xd2 && echo_bytes[7] == 1);
static_assert(icmp::parse(echo_bytes).value().identifier() == 1234);
static_assert(icmp::parse(echo_bytes).value().checksum_ok());

std::vector<std::uint8_t> unreachable_for(std::size_t quoted_payload) {
  ipv4::header inner;
  inner.protocol = ipv4::protocol_udp;
  inner.source = address{{10, 0, 0, 1}};
  inner.destination = address{{10, 0, 0, 2}};
  std::vector<std::uint8_t> original(28 + 100, 0x11);
  const std::array<std::uint8_t, 8> udp{0x30, 0x39, 0x00, 0x35, 0x00, 0x6c, 0x00, 0x00};
  std::vector<std::uint8_t> payload(udp.begin(), udp.end());
  payload.resize(108, 0x11);
  REQUIRE(ipv4::encode(inner, payload, original));
  original.resize(20 + quoted_payload);
  std::vector<std::uint8_t> out(8 + original.size());
  REQUIRE(icmp::encode(icmp::destination_unreachable{.code = 4, .mtu = 1280, .original = original}, out));
  return out;
}

}  // namespace

TEST_CASE("icmp: echo request golden bytes") {
  CHECK(to_hex(echo_bytes) == "0800972c04d20001" "50696e675061796c6f6164");
  auto v = icmp::parse(echo_bytes).value();
  CHECK(v.type() == icmp::type::echo_request);
  CHECK(v.sequence() == 1);
  CHECK(equal(v.payload(), ping_payload));
  auto m = icmp::decode(echo_bytes).value();
  std::array<std::uint8_t, 40> again;
  again.fill(0xa5);
  CHECK(icmp::encode(m, again).value() == echo_bytes.size());
  CHECK(equal(bytes(again).first(echo_bytes.size()), echo_bytes));
  CHECK(again[echo_bytes.size()] == 0xa5);
}

TEST_CASE("icmp: every type encodes, parses and round-trips") {
  std::array<std::uint8_t, 64> buf{};
  auto check = [&](auto value, std::uint8_t type, std::size_t size) {
    auto n = icmp::encode(value, buf);
    REQUIRE(n);
    CHECK(*n == size);
    auto v = icmp::parse(bytes(buf).first(*n));
    REQUIRE(v);
    CHECK(v->type() == type);
    auto m = icmp::decode(bytes(buf).first(*n)).value();
    std::array<std::uint8_t, 64> again{};
    CHECK(icmp::encode(m, again).value() == *n);
    CHECK(equal(bytes(again).first(*n), bytes(buf).first(*n)));
    return *v;
  };
  CHECK(check(icmp::echo{.id = 7, .sequence = 9, .reply = true}, 0, 8).sequence() == 9);
  auto ts = check(icmp::timestamp{.id = 1, .sequence = 2, .originate = 3, .receive = 4, .transmit = 5}, 13, 20);
  CHECK(ts.originate_timestamp() == 3);
  CHECK(ts.receive_timestamp() == 4);
  CHECK(ts.transmit_timestamp() == 5);
  check(icmp::timestamp{.reply = true}, 14, 20);
  check(icmp::information{.id = 3}, 15, 8);
  check(icmp::information{.reply = true}, 16, 8);
  CHECK(check(icmp::address_mask{.mask = {{255, 255, 255, 0}}, .reply = true}, 18, 12).address_mask() ==
        address{{255, 255, 255, 0}});
  CHECK(check(icmp::redirect{.gateway = {{10, 0, 0, 254}}}, 5, 8).gateway() == address{{10, 0, 0, 254}});
  CHECK(check(icmp::parameter_problem{.pointer = 12}, 12, 8).pointer() == 12);
  CHECK(check(icmp::time_exceeded{}, 11, 8).code() == 0);
  check(icmp::source_quench{}, 4, 8);
  // An unknown type is kept raw.
  const std::array<std::uint8_t, 3> body{1, 2, 3};
  auto raw = check(icmp::message{.type = 42, .code = 7, .rest_of_header = 0xdeadbeef, .body = body}, 42, 11);
  CHECK(raw.rest_of_header() == 0xdeadbeef);
}

TEST_CASE("icmp: errors quote the original datagram") {
  auto msg = unreachable_for(8);
  auto v = icmp::parse(msg).value();
  CHECK(v.next_hop_mtu() == 1280);
  auto q = v.quoted();
  REQUIRE(q);
  CHECK(q->cut_short());
  CHECK(q->total_length() == 128);
  CHECK(q->destination() == address{{10, 0, 0, 2}});
  auto ports = v.quoted_transport();
  REQUIRE(ports.size() == 8);
  CHECK(load_be16(ports.data()) == 12345);
  CHECK(load_be16(ports.data() + 2) == 53);

  SUBCASE("truncated quoted datagram") {
    auto shorter = unreachable_for(3);
    auto s = icmp::parse(shorter).value();
    REQUIRE(s.quoted());
    CHECK(s.quoted_transport().size() == 3);
    auto no_header = unreachable_for(0);
    no_header.resize(8 + 12);
    store_be16(no_header.data() + 2, 0);
    store_be16(no_header.data() + 2, internet_checksum(no_header));
    auto n = icmp::parse(no_header).value();
    auto e = n.quoted();
    REQUIRE_FALSE(e);
    CHECK(e.error().code == errc::truncated);
    CHECK(e.error().offset == 20);
    CHECK(n.quoted_transport().empty());
  }
  SUBCASE("RFC 4884 length bounds the original datagram") {
    auto m = unreachable_for(20);
    m[5] = 10;  // 40 bytes of original datagram, then an extension
    m.resize(m.size() + 8, 0);
    store_be16(m.data() + 2, 0);
    store_be16(m.data() + 2, internet_checksum(m));
    auto r = icmp::parse(m).value();
    CHECK(r.original_length() == 10);
    CHECK(r.original_datagram().size() == 40);
  }
}

TEST_CASE("icmp: hostile input") {
  CHECK(icmp::parse(bytes(echo_bytes).first(3)).error().code == errc::truncated);
  auto ts = std::array<std::uint8_t, 19>{13};
  CHECK(icmp::parse(ts).error().code == errc::truncated);
  auto bad = echo_bytes;
  bad[9] ^= 1;
  auto r = icmp::parse(bad);
  CHECK(r.error().code == errc::bad_checksum);
  CHECK(r.error().offset == 2);
  CHECK(icmp::parse(bad, {ipv4::checksum_policy::ignore}));
  CHECK(icmp::decode(bytes(echo_bytes).first(7)).error().code == errc::truncated);
  CHECK(icmp::parse(echo_bytes).value().quoted().error().code == errc::invalid_argument);
}

TEST_CASE("icmp: setters keep the checksum") {
  auto b = echo_bytes;
  auto v = icmp::view<mutable_bytes>::parse(b).value();
  v.set_identifier(0xffff);
  v.set_sequence(0x1234);
  CHECK(v.checksum_ok());
  CHECK(v.checksum() == v.computed_checksum());
}
