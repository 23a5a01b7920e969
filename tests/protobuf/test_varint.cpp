#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <limits>

#include <wirespan/wirespan.hpp>

#include "pb_test_util.hpp"

namespace pb = wirespan::protobuf;
using pbtest::hex;

namespace {

constexpr std::uint64_t decoded(std::initializer_list<std::uint8_t> in) {
  std::array<std::uint8_t, 16> buf{};
  std::size_t n = 0;
  for (auto b : in) buf[n++] = b;
  auto r = pb::decode_varint(wirespan::bytes(buf.data(), n));
  return r ? r->value : 0xdeadull;
}

// protobuf.dev "Encoding": 150 is 96 01; 1 is 01.
static_assert(decoded({0x96, 0x01}) == 150);
static_assert(decoded({0x01}) == 1);
static_assert(pb::varint_size(0) == 1 && pb::varint_size(127) == 1 && pb::varint_size(128) == 2);
static_assert(pb::varint_size(~std::uint64_t{0}) == 10 && pb::varint_size(std::uint64_t{1} << 63) == 10);
static_assert(pb::varint_size((std::uint64_t{1} << 63) - 1) == 9);
// ZigZag (protobuf.dev table).
static_assert(pb::zigzag_encode32(0) == 0 && pb::zigzag_encode32(-1) == 1 && pb::zigzag_encode32(1) == 2);
static_assert(pb::zigzag_encode32(-2) == 3 && pb::zigzag_encode32(0x7fffffff) == 0xfffffffe);
static_assert(pb::zigzag_encode32(std::numeric_limits<std::int32_t>::min()) == 0xffffffff);
static_assert(pb::zigzag_encode64(std::numeric_limits<std::int64_t>::min()) == ~std::uint64_t{0});
static_assert(pb::zigzag_encode64(std::numeric_limits<std::int64_t>::max()) == ~std::uint64_t{0} - 1);
// int32 semantics: low 32 bits; -1 written sign-extended as 10 bytes.
static_assert(pb::types::int32::from_wire(0x7fffffffffffffffull) == -1);
static_assert(pb::varint_size(pb::types::int32::to_wire(-1)) == 10);
static_assert(pb::types::bool_::from_wire(12345678) == true);
static_assert(pb::types::uint32::from_wire(std::uint64_t{1} << 33) == 0);

}  // namespace

TEST_CASE("protobuf: varint round trip of edge values, minimal encodings") {
  const std::uint64_t values[] = {0, 1, 127, 128, 150, 16383, 16384, (1ull << 21) - 1, 1ull << 21, 0xffffffffull,
                                  1ull << 35, (1ull << 56) - 1, 1ull << 62, (1ull << 63) - 1, 1ull << 63,
                                  ~std::uint64_t{0}};
  for (auto v : values) {
    std::array<std::uint8_t, 10> buf{};
    const std::size_t n = pb::encode_varint(buf.data(), v);
    CHECK(n == pb::varint_size(v));
    // Both the fast path (10 bytes readable) and the bounded path (exact size).
    std::array<std::uint8_t, 20> padded{};
    for (std::size_t i = 0; i < n; ++i) padded[i] = buf[i];
    auto fast = pb::decode_varint(wirespan::bytes(padded.data(), padded.size()));
    auto slow = pb::decode_varint(wirespan::bytes(buf.data(), n));
    REQUIRE(fast);
    REQUIRE(slow);
    CHECK(fast->value == v);
    CHECK(slow->value == v);
    CHECK(fast->size == n);
    CHECK(slow->size == n);
    CHECK(pb::canonical_varint(v, n));
  }
  auto u64max = hex("ff ff ff ff ff ff ff ff ff 01");
  CHECK(pb::decode_varint(u64max)->value == ~std::uint64_t{0});
}

TEST_CASE("protobuf: overlong varints are accepted, 11 bytes and unterminated are not") {
  auto overlong = hex("b9 e0 80 80 80 80 80 80 00");  // 12345 with 7 extra bytes (conformance suite)
  auto r = pb::decode_varint(overlong);
  REQUIRE(r);
  CHECK(r->value == 12345);
  CHECK(r->size == 9);
  CHECK_FALSE(pb::canonical_varint(r->value, r->size));
  // A 10th byte above 1 drops its high bits, as libprotobuf does.
  auto tenth = hex("ff ff ff ff ff ff ff ff ff 7f");
  CHECK(pb::decode_varint(tenth)->value == ~std::uint64_t{0});
  CHECK(pb::canonical_varint(~std::uint64_t{0}, 10));
  auto eleven = hex("ff ff ff ff ff ff ff ff ff ff 01");
  CHECK(pb::decode_varint(eleven).error().code == wirespan::errc::malformed);
  for (std::size_t cut = 0; cut < 10; ++cut) {
    auto bytes = hex("ff ff ff ff ff ff ff ff ff 01");
    bytes.resize(cut);
    CHECK(pb::decode_varint(bytes).error().code == wirespan::errc::truncated);
  }
}

TEST_CASE("protobuf: zigzag round trips at every edge") {
  const std::int32_t v32[] = {0, -1, 1, -2, 2, 63, -64, 64, std::numeric_limits<std::int32_t>::max(),
                              std::numeric_limits<std::int32_t>::min()};
  for (auto v : v32) CHECK(pb::zigzag_decode32(pb::zigzag_encode32(v)) == v);
  const std::int64_t v64[] = {0, -1, 1, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
                              std::int64_t{1} << 40, -(std::int64_t{1} << 40)};
  for (auto v : v64) CHECK(pb::zigzag_decode64(pb::zigzag_encode64(v)) == v);
  CHECK(pb::types::sint32::from_wire(pb::types::sint32::to_wire(-123456)) == -123456);
  CHECK(pb::types::sint64::from_wire(pb::types::sint64::to_wire(std::numeric_limits<std::int64_t>::min())) ==
        std::numeric_limits<std::int64_t>::min());
  // sint32 from a 64-bit varint takes the low 32 bits first.
  CHECK(pb::types::sint32::from_wire(0x1'0000'0003ull) == -2);
}

TEST_CASE("protobuf: float and double by bit pattern") {
  CHECK(pb::types::float_::to_wire(1.0f) == 0x3f800000u);
  CHECK(pb::types::double_::to_wire(-2.0) == 0xc000000000000000ull);
  CHECK(pb::types::float_::from_wire(0x7f800000u) == std::numeric_limits<float>::infinity());
  CHECK(pb::types::double_::from_wire(0x3ff0000000000000ull) == 1.0);
}
