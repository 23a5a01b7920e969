#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

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

namespace {

// The reference: byte by byte, as protobuf.dev describes it (libprotobuf's handling of
// the 10th byte: only its lowest bit counts). 0 bytes taken: unterminated or too long.
struct reference_varint {
  std::uint64_t value = 0;
  std::size_t size = 0;
};
reference_varint reference_decode(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n && i < 10; ++i) {
    v |= static_cast<std::uint64_t>(p[i] & 0x7f) << (7 * i);
    if (p[i] < 0x80) return {v, i + 1};
  }
  return {};
}

// Random varint-shaped bytes: runs of continuation bytes of every length 0..11 with a
// random last byte, values of every bit pattern.
std::vector<std::uint8_t> random_varints(std::uint64_t seed, std::size_t count, unsigned max_len) {
  std::vector<std::uint8_t> out;
  std::uint64_t x = seed;
  auto next = [&x] {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return x;
  };
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned len = 1 + static_cast<unsigned>(next() % max_len);
    for (unsigned k = 0; k + 1 < len; ++k) out.push_back(static_cast<std::uint8_t>(next() | 0x80));
    out.push_back(static_cast<std::uint8_t>(next() & 0x7f));
  }
  return out;
}

}  // namespace

TEST_CASE("protobuf: the word-at-a-time varint decoder agrees with the byte-by-byte reference") {
  // Every length 1..11 with random bytes (10th bytes of every value included), each
  // decoded where 10 bytes are readable (the fast path) and at the exact end (bounded).
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  for (int trial = 0; trial < 20000; ++trial) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const unsigned len = 1 + static_cast<unsigned>(x % 11);
    std::array<std::uint8_t, 24> buf{};
    std::uint64_t y = x;
    for (unsigned k = 0; k < len; ++k, y = y * 6364136223846793005ull + 1442695040888963407ull) {
      buf[k] = static_cast<std::uint8_t>((y >> 33) | (k + 1 < len ? 0x80 : 0));
      if (k + 1 == len) buf[k] &= 0x7f;
    }
    const reference_varint want = reference_decode(buf.data(), len);
    auto fast = pb::decode_varint(wirespan::bytes(buf.data(), buf.size()));
    auto exact = pb::decode_varint(wirespan::bytes(buf.data(), len));
    if (want.size == 0) {
      CHECK_FALSE(fast);
      CHECK_FALSE(exact);
      std::uint64_t v3 = 0;
      CHECK((len < 11 || pb::detail::varint_decode_unbounded<3>(buf.data(), v3) == nullptr));
      continue;
    }
    REQUIRE(fast);
    REQUIRE(exact);
    CHECK(fast->value == want.value);
    CHECK(fast->size == want.size);
    CHECK(exact->value == want.value);
    CHECK(exact->size == want.size);
    // The schema decoder's variant (three bytes one by one first).
    std::uint64_t v3 = 0;
    const std::uint8_t* end3 = pb::detail::varint_decode_unbounded<3>(buf.data(), v3);
    REQUIRE(end3 != nullptr);
    CHECK(v3 == want.value);
    CHECK(static_cast<std::size_t>(end3 - buf.data()) == want.size);
  }
}

TEST_CASE("protobuf: decode_varints (bulk) equals decoding one by one, whatever the lengths") {
  std::vector<std::uint64_t> out(5000);
  for (unsigned max_len : {1u, 2u, 3u, 10u}) {
    for (std::uint64_t seed : {1ull, 77ull, 12345ull}) {
      const auto in = random_varints(seed, 3000, max_len);
      // One by one.
      std::vector<std::uint64_t> want;
      for (wirespan::bytes rest(in); !rest.empty();) {
        auto v = pb::decode_varint(rest);
        REQUIRE(v);
        want.push_back(v->value);
        rest = rest.subspan(v->size);
      }
      auto r = pb::decode_varints(in, out);
      REQUIRE(r);
      CHECK(r->count == want.size());
      CHECK(r->size == in.size());
      CHECK(std::equal(want.begin(), want.end(), out.begin()));
      // In small buffers: every buffer size stops exactly when full, and resumes.
      for (std::size_t chunk : {1u, 7u, 8u, 9u, 64u}) {
        std::vector<std::uint64_t> got;
        std::vector<std::uint64_t> buffer(chunk);
        for (wirespan::bytes rest(in); !rest.empty();) {
          auto part = pb::decode_varints(rest, buffer);
          REQUIRE(part);
          REQUIRE(part->count > 0);
          CHECK(part->count <= chunk);
          got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(part->count));
          rest = rest.subspan(part->size);
        }
        CHECK(got == want);
      }
    }
  }
}

TEST_CASE("protobuf: decode_varints reports the bad varint's offset: 11 bytes, or the data ends inside it") {
  std::vector<std::uint64_t> out(512);
  for (std::size_t at : {0u, 5u, 100u, 130u, 250u}) {
    auto in = random_varints(at + 3, 200, 2);
    // Align `at` on a varint start.
    std::size_t start = 0;
    while (start < at) start += reference_decode(in.data() + start, in.size() - start).size;
    std::vector<std::uint8_t> bad(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(start));
    for (int k = 0; k < 11; ++k) bad.push_back(0xff);
    bad.push_back(0x01);
    bad.insert(bad.end(), in.begin(), in.end());
    auto r = pb::decode_varints(bad, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == wirespan::errc::malformed);
    CHECK(r.error().offset == start);
    // Ending inside a varint.
    std::vector<std::uint8_t> cut(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(start));
    cut.push_back(0x80);
    cut.push_back(0x81);
    auto t = pb::decode_varints(cut, out);
    REQUIRE_FALSE(t);
    CHECK(t.error().code == wirespan::errc::truncated);
    CHECK(t.error().offset == start);
  }
  // Nothing to do, and no room.
  CHECK(pb::decode_varints({}, out)->count == 0);
  auto one = hex("01 02");
  auto none = pb::decode_varints(one, std::span<std::uint64_t>());
  REQUIRE(none);
  CHECK(none->count == 0);
  CHECK(none->size == 0);
}

TEST_CASE("protobuf: the SSSE3 varint kernel equals the scalar loop") {
#if WIRESPAN_HAS_X86_KERNELS
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("ssse3")) return;
  for (unsigned max_len : {1u, 2u, 3u, 10u, 11u}) {
    for (std::uint64_t seed = 1; seed < 40; ++seed) {
      auto in = random_varints(seed, 300 + seed * 7, max_len);
      in.erase(in.end() - static_cast<std::ptrdiff_t>(seed % 3), in.end());  // end inside a varint at times (erase: GCC 12 -O2 ASan warns on resize)
      for (std::size_t room : {8u, 9u, 100u, 4000u}) {
        std::vector<std::uint64_t> a(room), b(room);
        std::uint64_t* pa = a.data();
        std::uint64_t* pb_ = b.data();
        const auto* ea = pb::detail::decode_varints_scalar(in.data(), in.data() + in.size(), pa, pa + room);
        const auto* eb = pb::detail::decode_varints_ssse3(in.data(), in.data() + in.size(), pb_, pb_ + room);
        CHECK(ea == eb);
        REQUIRE(pa - a.data() == pb_ - b.data());
        CHECK(std::equal(a.data(), pa, b.data()));
      }
    }
  }
#endif
}

namespace {
constexpr bool bulk_at_compile_time() {
  constexpr std::uint8_t in[] = {0x96, 0x01, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05};
  std::uint64_t out[4]{};
  auto r = pb::decode_varints(wirespan::bytes(in, sizeof in), out);
  return r && r->count == 4 && r->size == 8 && out[0] == 150 && out[1] == 3 && out[2] == 270 && out[3] == 86942;
}
static_assert(bulk_at_compile_time());
}  // namespace
