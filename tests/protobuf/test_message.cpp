#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "pb_test_util.hpp"

namespace pb = wirespan::protobuf;
namespace pt = wirespan::protobuf::types;
using pbtest::hex;
using pbtest::hex_of;

namespace {

struct HelloRequest {
  std::string_view name;
  using protobuf_schema = pb::schema<pb::member<1, &HelloRequest::name, pt::string>>;
};

constexpr auto hello_bytes() {
  std::array<std::uint8_t, 7> out{};
  auto n = pb::encode(HelloRequest{"World"}, out);
  return std::pair{out, n ? *n : 0};
}
// The example, at compile time.
static_assert(hello_bytes().second == 7);
static_assert(hello_bytes().first == std::array<std::uint8_t, 7>{0x0a, 0x05, 0x57, 0x6f, 0x72, 0x6c, 0x64});
static_assert(pb::encoded_size(HelloRequest{"World"}) == 7);
// Into a growable buffer of another byte type, at compile time too.
constexpr bool hello_into_chars() {
  std::vector<char> out{'x'};
  auto n = pb::encode(HelloRequest{"World"}, out);
  return n && *n == 7 && out.size() == 8 && out[0] == 'x' && out[1] == 0x0a && out[3] == 'W' && out[7] == 'd';
}
#if !defined(__clang__)  // clang 14 cannot evaluate libstdc++ 12's vector::resize of chars
static_assert(hello_into_chars());
#endif

enum class color : std::int32_t { red = 0, green = 1, blue = -1 };

struct Entry {
  wirespan::bytes key;
  std::int64_t value = 0;
  using protobuf_schema = pb::schema<pb::member<1, &Entry::key, pt::string>, pb::member<2, &Entry::value, pt::int64>>;
  friend constexpr bool operator==(const Entry& a, const Entry& b) noexcept {
    return wirespan::equal(a.key, b.key) && a.value == b.value;
  }
};

// Every scalar type, with compile-time round trips (wirespan::bytes for text: constexpr).
struct Scalars {
  std::int32_t i32 = 0;
  std::int64_t i64 = 0;
  std::uint32_t u32 = 0;
  std::uint64_t u64 = 0;
  std::int32_t s32 = 0;
  std::int64_t s64 = 0;
  bool b = false;
  color c = color::red;
  std::uint32_t f32 = 0;
  std::uint64_t f64 = 0;
  std::int32_t sf32 = 0;
  std::int64_t sf64 = 0;
  float f = 0;
  double d = 0;
  wirespan::bytes s;
  std::vector<std::uint8_t> by;
  std::optional<std::int32_t> opt;
  std::vector<std::int32_t> packed;
  std::vector<std::int64_t> unpacked;
  std::vector<Entry> entries;
  std::optional<Entry> one;
  std::vector<std::pair<std::int32_t, std::int64_t>> map;
  using protobuf_schema = pb::schema<
      pb::member<1, &Scalars::i32, pt::int32>, pb::member<2, &Scalars::i64, pt::int64>,
      pb::member<3, &Scalars::u32, pt::uint32>, pb::member<4, &Scalars::u64, pt::uint64>,
      pb::member<5, &Scalars::s32, pt::sint32>, pb::member<6, &Scalars::s64, pt::sint64>,
      pb::member<7, &Scalars::b, pt::bool_>, pb::member<8, &Scalars::c, pt::enum_>,
      pb::member<9, &Scalars::f32, pt::fixed32>, pb::member<10, &Scalars::f64, pt::fixed64>,
      pb::member<11, &Scalars::sf32, pt::sfixed32>, pb::member<12, &Scalars::sf64, pt::sfixed64>,
      pb::member<13, &Scalars::f, pt::float_>, pb::member<14, &Scalars::d, pt::double_>,
      pb::member<15, &Scalars::s, pt::string>, pb::member<16, &Scalars::by, pt::bytes>,
      pb::member<17, &Scalars::opt, pt::int32>, pb::member<18, &Scalars::packed, pt::packed<pt::int32>>,
      pb::member<19, &Scalars::unpacked, pt::repeated<pt::sint64>>,
      pb::member<20, &Scalars::entries, pt::repeated<pt::message>>, pb::member<21, &Scalars::one, pt::message>,
      pb::member<22, &Scalars::map, pt::map<pt::int32, pt::int64>>>;
};

constexpr bool scalars_round_trip() {
  Scalars m;
  m.i32 = -1;
  m.i64 = std::numeric_limits<std::int64_t>::min();
  m.u32 = 0xffffffffu;
  m.u64 = ~0ull;
  m.s32 = std::numeric_limits<std::int32_t>::min();
  m.s64 = std::numeric_limits<std::int64_t>::max();
  m.b = true;
  m.c = color::blue;
  m.f32 = 7;
  m.f64 = 8;
  m.sf32 = -9;
  m.sf64 = -10;
  m.f = 1.5f;
  m.d = -0.25;
  m.by = {0, 1, 2};
  m.opt = 0;  // present though zero
  m.packed = {3, 270, 86942, -1};
  m.unpacked = {-1, 0, 1};
  m.entries.push_back(Entry{{}, 5});
  m.entries.push_back(Entry{{}, -5});
  m.one = Entry{};
  m.map.push_back({1, 2});
  m.map.push_back({-3, 4});
  std::array<std::uint8_t, 400> out{};
  auto n = pb::encode(m, out);
  if (!n || *n != pb::encoded_size(m)) return false;
  auto d = pb::decode<Scalars>(wirespan::bytes(out.data(), *n));
  if (!d) return false;
  return d->i32 == m.i32 && d->i64 == m.i64 && d->u32 == m.u32 && d->u64 == m.u64 && d->s32 == m.s32 &&
         d->s64 == m.s64 && d->b && d->c == color::blue && d->f32 == 7 && d->f64 == 8 && d->sf32 == -9 &&
         d->sf64 == -10 && d->f == 1.5f && d->d == -0.25 && d->by == m.by && d->opt == 0 && d->packed == m.packed &&
         d->unpacked == m.unpacked && d->entries == m.entries && d->one.has_value() && d->map == m.map;
}
static_assert(scalars_round_trip());

struct Oneof {
  std::variant<std::monostate, std::string, std::int32_t, Entry> v;
  using protobuf_schema =
      pb::schema<pb::oneof<&Oneof::v, pb::alternative<1, pt::string>, pb::alternative<2, pt::sint32>,
                           pb::alternative<3, pt::message>>>;
};

struct Keeper {
  std::int32_t id = 0;
  std::vector<wirespan::bytes> unknown;
  using protobuf_schema = pb::schema<pb::member<1, &Keeper::id, pt::int32>, pb::unknown_fields<&Keeper::unknown>>;
};

struct Texts {
  std::string s;
  std::string_view sv;
  std::map<std::string, std::int32_t> m;
  using protobuf_schema = pb::schema<pb::member<1, &Texts::s, pt::string>, pb::member<2, &Texts::sv, pt::bytes>,
                                     pb::member<3, &Texts::m, pt::map<pt::string, pt::int32>>>;
};

struct Outer {
  std::optional<Scalars> inner;
  using protobuf_schema = pb::schema<pb::member<1, &Outer::inner, pt::message>>;
};

}  // namespace

TEST_CASE("protobuf message: HelloRequest into a char buffer") { CHECK(hello_into_chars()); }

TEST_CASE("protobuf message: protobuf.dev values, int32 -1 as 10 bytes, INT64_MAX into int32") {
  Scalars m;
  m.i32 = -1;
  std::vector<std::uint8_t> out;
  REQUIRE(pb::encode(m, out));
  CHECK(hex_of(out) == "08ffffffffffffffffff01");
  auto d = pb::decode<Scalars>(hex("08 ff ff ff ff ff ff ff ff 7f"));  // INT64_MAX
  REQUIRE(d);
  CHECK(d->i32 == -1);
  auto u = pb::decode<Scalars>(hex("20 ff ff ff ff ff ff ff ff ff 01"));
  CHECK(u->u64 == ~0ull);
  auto over = pb::decode<Scalars>(hex("08 b9 e0 80 80 80 80 80 80 00"));  // 12345, 7 bytes too long
  CHECK(over->i32 == 12345);
  // Zero scalars are not written (implicit presence); an empty message is empty.
  CHECK(pb::encoded_size(Scalars{}) == 0);
}

TEST_CASE("protobuf message: last one wins, repeated append in any encoding mix, submessages merge") {
  const auto input = hex("08 01 08 02"            // i32 twice: last wins
                                   "92 01 02 01 02 90 01 03"  // 18: packed [1, 2], then unpacked 3
                                   "98 01 01 9a 01 01 03"     // 19: unpacked -1, then packed [-2]
                                   "aa 01 02 10 07 aa 01 03 0a 01 61");  // 21: {value 7} then {key "a"}: merged
  auto d = pb::decode<Scalars>(input);
  REQUIRE(d);
  CHECK(d->i32 == 2);
  CHECK(d->packed == std::vector<std::int32_t>{1, 2, 3});
  CHECK(d->unpacked == std::vector<std::int64_t>{-1, -2});
  REQUIRE(d->one);
  CHECK(d->one->value == 7);
  CHECK(d->one->key.size() == 1);
}

TEST_CASE("protobuf message: a known field with another wire type is unknown, not an error") {
  const auto input = hex("0d 01 00 00 00 08 05 12 01 41");  // the kept spans point into it
  auto d = pb::decode<Keeper>(input);
  REQUIRE(d);
  CHECK(d->id == 5);
  REQUIRE(d->unknown.size() == 2);
  CHECK(hex_of(d->unknown[0]) == "0d01000000");
  CHECK(hex_of(d->unknown[1]) == "120141");
  // Re-encoding keeps them (after the known fields).
  std::vector<std::uint8_t> out;
  REQUIRE(pb::encode(*d, out));
  CHECK(hex_of(out) == "0805" "0d01000000" "120141");
}

TEST_CASE("protobuf message: oneof, maps, owning and viewing strings") {
  Oneof o;
  o.v = std::int32_t{0};  // a set alternative is written even when zero
  std::vector<std::uint8_t> out;
  REQUIRE(pb::encode(o, out));
  CHECK(hex_of(out) == "1000");
  auto d = pb::decode<Oneof>(hex("0a 01 61 10 03"));  // string then sint32: the last one wins
  REQUIRE(d);
  CHECK(d->v.index() == 2);
  CHECK(std::get<2>(d->v) == -2);
  const auto merged = hex("1a 02 10 01 1a 03 0a 01 62");
  auto m = pb::decode<Oneof>(merged);  // message alternative merged
  REQUIRE(std::get<3>(m->v).value == 1);
  CHECK(std::get<3>(m->v).key.size() == 1);

  const auto input = hex("0a 02 68 69 12 01 00 1a 05 0a 01 6b 10 01 1a 05 0a 01 6b 10 02 1a 02 10 09");
  auto t = pb::decode<Texts>(input);  // sv views into input
  REQUIRE(t);
  CHECK(t->s == "hi");
  CHECK(t->sv == std::string_view("\0", 1));
  CHECK(t->m.size() == 2);
  CHECK(t->m.at("k") == 2);  // repeated key: the last value
  CHECK(t->m.at("") == 9);   // missing key: the default
  // Map entries are written with both key and value.
  Texts w;
  w.m["a"] = 0;
  std::vector<std::uint8_t> wout;
  REQUIRE(pb::encode(w, wout));
  CHECK(hex_of(wout) == "1a050a01611000");
}

TEST_CASE("protobuf message: strict errors propagate from nested messages, UTF-8 checked") {
  auto bad = pb::decode<Outer>(hex("0a 03 08 80 80"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == wirespan::errc::truncated);
  CHECK(bad.error().offset == 3);
  auto utf = pb::decode<Texts>(hex("0a 01 ff"));
  REQUIRE_FALSE(utf);
  CHECK(utf.error().code == wirespan::errc::bad_value);
  pb::read_options lax;
  lax.validate_utf8 = false;
  CHECK(pb::decode<Texts>(hex("0a 01 ff"), lax));
  CHECK(pb::decode<Texts>(hex("12 01 ff")));  // bytes are not checked
  auto packed = pb::decode<Scalars>(hex("92 01 01 80"));
  CHECK(packed.error().code == wirespan::errc::truncated);
  auto p11 = pb::decode<Scalars>(hex("92 01 0c 05 ff ff ff ff ff ff ff ff ff ff 01"));  // an 11-byte value
  CHECK(p11.error().code == wirespan::errc::malformed);
  CHECK(p11.error().offset == 4);
  auto many = pb::decode<Scalars>(hex("92 01 0a 01 02 03 04 05 06 07 08 09 0a"));  // word-at-a-time count
  REQUIRE(many);
  CHECK(many->packed.size() == 10);
  CHECK(many->packed[9] == 10);
}

TEST_CASE("protobuf message: decode into an existing value replaces it; buffer too small") {
  Scalars m;
  m.packed = {1, 2, 3};
  m.i32 = 4;
  REQUIRE(pb::decode(hex("92 01 01 05"), m));
  CHECK(m.packed == std::vector<std::int32_t>{5});
  CHECK(m.i32 == 0);
  std::array<std::uint8_t, 3> small{};
  auto r = pb::encode(HelloRequest{"World"}, small);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == wirespan::errc::buffer_too_small);
  CHECK(r.error().value == 7);
}

TEST_CASE("protobuf message: field number 536870911 and nested depth") {
  struct Far {
    std::int32_t x = 0;
    using protobuf_schema = pb::schema<pb::member<536870911, &Far::x, pt::int32>>;
  };
  std::vector<std::uint8_t> out;
  REQUIRE(pb::encode(Far{1}, out));
  CHECK(hex_of(out) == "f8ffffff0f01");
  CHECK(pb::decode<Far>(out)->x == 1);
}
