#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <span>
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

namespace {

// Field numbers 1..15 (one-byte tags): the schema decoder's fast path. `Slow` is the
// same message with two-byte tags, which always takes the general path.
template <std::uint32_t Base>
struct Tree {
  std::int32_t value = 0;
  std::vector<Tree> children;
  using protobuf_schema =
      pb::schema<pb::member<Base + 1, &Tree::value, pt::int32>, pb::member<Base + 2, &Tree::children, pt::repeated<pt::message>>>;
};

struct Fast {
  std::int32_t id = 0;
  std::string_view name;
  std::vector<std::int32_t> values;
  std::vector<std::uint32_t> fixed;
  std::vector<std::int64_t> loose;
  std::optional<double> score;
  wirespan::bytes blob;
  using protobuf_schema =
      pb::schema<pb::member<1, &Fast::id, pt::int32>, pb::member<2, &Fast::name, pt::string>,
                 pb::member<3, &Fast::values, pt::packed<pt::int32>>, pb::member<4, &Fast::fixed, pt::packed<pt::fixed32>>,
                 pb::member<5, &Fast::loose, pt::repeated<pt::sint64>>, pb::member<6, &Fast::score, pt::double_>,
                 pb::member<7, &Fast::blob, pt::bytes>>;
};

struct Holder {
  std::int32_t a = 0;
  Tree<0> t;  // not optional: written when its encoding is not empty
  using protobuf_schema = pb::schema<pb::member<1, &Holder::a, pt::int32>, pb::member<2, &Holder::t, pt::message>>;
};

template <class T>
std::vector<std::uint8_t> nested(int depth) {
  T t;
  T* p = &t;
  for (int i = 0; i < depth; ++i) {
    p->value = i + 1;
    p = &p->children.emplace_back();
  }
  p->value = -1;
  std::vector<std::uint8_t> out;
  (void)pb::encode(t, out);
  return out;
}

template <class T>
int depth_of(const T& t) {
  return t.children.empty() ? 0 : 1 + depth_of(t.children[0]);
}

std::vector<std::uint8_t> packed_field(std::uint8_t tag, const std::vector<std::uint8_t>& body) {
  // (Built byte by byte: GCC 12 -O3 warns about vector::insert into a one-byte vector.)
  std::uint8_t len[10];
  const std::size_t n = pb::encode_varint(len, body.size());
  std::vector<std::uint8_t> out;
  out.reserve(1 + n + body.size());
  out.push_back(tag);
  for (std::size_t i = 0; i < n; ++i) out.push_back(len[i]);
  for (auto b : body) out.push_back(b);
  return out;
}

}  // namespace

TEST_CASE("protobuf message: recursive schemas, and the depth limit is the same on both decoding paths") {
  for (int depth : {0, 1, 5, 98, 99, 100, 101, 150}) {
    auto fast = pb::decode<Tree<0>>(nested<Tree<0>>(depth));
    auto slow = pb::decode<Tree<16>>(nested<Tree<16>>(depth));
    CAPTURE(depth);
    REQUIRE(fast.has_value() == slow.has_value());
    if (fast) {
      CHECK(depth_of(*fast) == depth);
      CHECK(depth_of(*slow) == depth);
    } else {
      CHECK(fast.error().code == wirespan::errc::limit_exceeded);
      CHECK(slow.error().code == wirespan::errc::limit_exceeded);
    }
  }
  CHECK(pb::decode<Tree<0>>(nested<Tree<0>>(100)));
  CHECK_FALSE(pb::decode<Tree<0>>(nested<Tree<0>>(101)));
  pb::read_options shallow;
  shallow.max_depth = 3;
  CHECK(pb::decode<Tree<0>>(nested<Tree<0>>(3), shallow));
  CHECK_FALSE(pb::decode<Tree<0>>(nested<Tree<0>>(4), shallow));
}

TEST_CASE("protobuf message: the fast path on packed regions, long strings, UTF-8 and the end of the input") {
  // Packed varints whose last value runs past the region into the next field: truncated
  // at that value, though the input goes on.
  auto crossing = pb::decode<Fast>(hex("1a 02 01 80 08 01"));
  REQUIRE_FALSE(crossing);
  CHECK(crossing.error().code == wirespan::errc::truncated);
  CHECK(crossing.error().offset == 3);
  auto eleven = pb::decode<Fast>(hex("1a 0c 05 ff ff ff ff ff ff ff ff ff ff 01 08 01"));
  REQUIRE_FALSE(eleven);
  CHECK(eleven.error().code == wirespan::errc::malformed);
  CHECK(eleven.error().offset == 3);
  // Long regions go through the bulk decoder: same values, same errors.
  std::vector<std::uint8_t> body;
  std::vector<std::int32_t> want;
  for (int i = 0; i < 300; ++i) {
    const std::int32_t v = (i % 7 == 0) ? -i : i * 97;
    want.push_back(v);
    std::uint8_t b[10];
    const std::size_t n = pb::encode_varint(b, pt::int32::to_wire(v));
    body.insert(body.end(), b, b + n);
  }
  auto input = packed_field(0x1a, body);
  input.insert(input.end(), {0x08, 0x2a});
  auto ok = pb::decode<Fast>(input);
  REQUIRE(ok);
  CHECK(ok->values == want);
  CHECK(ok->id == 42);
  for (std::size_t cut : {0u, 1u, 65u, 200u, 401u}) {
    auto bad_body = body;
    bad_body.insert(bad_body.begin() + static_cast<std::ptrdiff_t>(cut), 11, 0xff);
    auto r = pb::decode<Fast>(packed_field(0x1a, bad_body));
    CAPTURE(cut);
    // Where the inserted run starts inside a varint, the value it joins is the bad one.
    std::size_t start = 0;
    while (true) {
      auto v = pb::decode_varint(wirespan::bytes(body).subspan(start));
      if (start + v->size > cut) break;
      start += v->size;
    }
    REQUIRE_FALSE(r);
    CHECK(r.error().code == wirespan::errc::malformed);
    CHECK(r.error().offset == 3 + start);  // tag, two-byte length
  }
  auto truncated_body = body;
  truncated_body.push_back(0x80);
  auto t = pb::decode<Fast>(packed_field(0x1a, truncated_body));
  REQUIRE_FALSE(t);
  CHECK(t.error().code == wirespan::errc::truncated);
  CHECK(t.error().offset == 3 + body.size());
  // Packed fixed32: a whole number of values, or an error.
  auto fixed = pb::decode<Fast>(hex("22 08 01 00 00 00 ff ff ff ff"));
  REQUIRE(fixed);
  CHECK(fixed->fixed == std::vector<std::uint32_t>{1, 0xffffffffu});
  CHECK(pb::decode<Fast>(hex("22 07 01 00 00 00 ff ff ff")).error().code == wirespan::errc::bad_length);
  // Unpacked and packed records of one repeated field, mixed.
  auto mixed = pb::decode<Fast>(hex("28 03 2a 02 01 04 28 05"));
  REQUIRE(mixed);
  CHECK(mixed->loose == std::vector<std::int64_t>{-2, -1, 2, -3});
  // A string with a two-byte length; non-ASCII UTF-8 accepted; bad UTF-8 reported at
  // the payload.
  std::string long_name(300, 'a');
  long_name += "h\xc3\xa9llo \xe2\x82\xac";
  std::vector<std::uint8_t> name_bytes(long_name.begin(), long_name.end());
  const auto name_input = packed_field(0x12, name_bytes);  // (the name is a view into it)
  auto named = pb::decode<Fast>(name_input);
  REQUIRE(named);
  CHECK(named->name == long_name);
  name_bytes[250] = 0xc0;
  auto bad_utf8 = pb::decode<Fast>(packed_field(0x12, name_bytes));
  REQUIRE_FALSE(bad_utf8);
  CHECK(bad_utf8.error().code == wirespan::errc::bad_value);
  CHECK(bad_utf8.error().offset == 3);
  CHECK(pb::decode<Fast>(hex("3a 02 c0 80"))->blob.size() == 2);  // bytes: not checked
  // Values at the very end of the input (the bounded paths), and cut one byte short.
  auto tail = hex("08 ff ff ff ff 0f 31 00 00 00 00 00 00 f0 3f");
  auto at_end = pb::decode<Fast>(tail);
  REQUIRE(at_end);
  CHECK(at_end->id == -1);
  CHECK(at_end->score == 1.0);
  tail.pop_back();
  CHECK(pb::decode<Fast>(tail).error().code == wirespan::errc::truncated);
  CHECK(pb::decode<Fast>(hex("08 ff ff")).error().code == wirespan::errc::truncated);
  CHECK(pb::decode<Fast>(hex("12 05 61 62")).error().code == wirespan::errc::bad_length);
}

TEST_CASE("protobuf message: submessages and packed regions of 128 bytes or more get their longer length") {
  for (std::size_t len : {0u, 1u, 120u, 127u, 128u, 129u, 300u, 16383u, 16384u, 20000u}) {
    Tree<0> t;
    // A child whose body is a packed-free message of about `len` bytes: values in
    // grandchildren, 2 bytes each (tag + one-byte varint), inside 2-byte wrappers.
    auto& child = t.children.emplace_back();
    for (std::size_t i = 0; i < len / 4; ++i) child.children.emplace_back().value = static_cast<std::int32_t>(i % 100 + 1);
    std::vector<std::uint8_t> out;
    REQUIRE(pb::encode(t, out));
    CAPTURE(len);
    CHECK(out.size() == pb::encoded_size(t));
    // The child's length prefix says exactly how many bytes follow.
    auto prefix = pb::decode_varint(wirespan::bytes(out).subspan(1));
    REQUIRE(prefix);
    CHECK(1 + prefix->size + prefix->value == out.size());
    auto back = pb::decode<Tree<0>>(out);
    REQUIRE(back);
    REQUIRE(back->children.size() == 1);
    CHECK(back->children[0].children.size() == len / 4);
    // Into a span of exactly the size: no byte written past it.
    std::vector<std::uint8_t> exact(out.size() + 8, 0xa5);
    auto n = pb::encode(t, std::span<std::uint8_t>(exact.data(), out.size()));
    REQUIRE(n);
    CHECK(std::equal(out.begin(), out.end(), exact.begin()));
    CHECK(std::all_of(exact.end() - 8, exact.end(), [](std::uint8_t b) { return b == 0xa5; }));
  }
  // Packed: 10 values of 2 bytes (20), 100 values (200 bytes), 10000 values.
  for (std::size_t count : {10u, 64u, 100u, 10000u}) {
    Fast f;
    for (std::size_t i = 0; i < count; ++i) f.values.push_back(static_cast<std::int32_t>(200 + i % 1000));
    std::vector<std::uint8_t> out;
    REQUIRE(pb::encode(f, out));
    CHECK(out.size() == pb::encoded_size(f));
    auto back = pb::decode<Fast>(out);
    REQUIRE(back);
    CHECK(back->values == f.values);
  }
  // An empty singular submessage is not written, even as the last field of a full buffer.
  Holder h;
  h.a = 7;
  std::array<std::uint8_t, 2> two{};
  CHECK(pb::encode(h, two).value() == 2);
  CHECK(hex_of(two) == "0807");
  h.t.value = 1;
  std::array<std::uint8_t, 6> six{};
  CHECK(pb::encode(h, six).value() == 6);
  CHECK(hex_of(six) == "080712020801");
}

TEST_CASE("protobuf message: a varint at the very end of the input, whole or cut at every byte") {
  // The fast path loads the input's last 8 bytes for a varint that ends it; every length
  // and every cut must be judged as the byte-by-byte path judges it. (A fuzzer found the
  // 8 unterminated bytes at the end: 08 ed a0 80 f0 9f 80 ff a4.)
  auto found = pb::decode<Fast>(hex("08 ed a0 80 f0 9f 80 ff a4"));
  REQUIRE_FALSE(found);
  CHECK(found.error().code == wirespan::errc::truncated);
  for (std::size_t prefix : {0u, 1u, 7u, 12u}) {
    const std::uint64_t values[] = {0, 1, 127, 128, 300, 1ull << 35, 1ull << 49, (1ull << 56) - 1, 1ull << 56, ~0ull};
    for (std::uint64_t value : values) {
      // `prefix` bytes of another field first (a bytes field 7), then field 5 (sint64).
      std::vector<std::uint8_t> in;
      if (prefix != 0) {
        in = {0x3a, 0};
        in.resize(prefix < 2 ? 2 : prefix, 0x61);
        in[1] = static_cast<std::uint8_t>(in.size() - 2);
      }
      in.push_back(0x28);
      std::uint8_t b[10];
      const std::size_t n = pb::encode_varint(b, value);
      in.insert(in.end(), b, b + n);
      auto whole = pb::decode<Fast>(in);
      CAPTURE(prefix);
      CAPTURE(value);
      REQUIRE(whole);
      REQUIRE(whole->loose.size() == 1);
      CHECK(static_cast<std::uint64_t>(pt::sint64::to_wire(whole->loose[0])) == value);
      for (std::size_t cut = 1; cut < n; ++cut) {
        std::vector<std::uint8_t> shorter(in.begin(), in.end() - static_cast<std::ptrdiff_t>(cut));
        auto r = pb::decode<Fast>(shorter);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == wirespan::errc::truncated);
      }
      // Inside a submessage that ends before the input: the varint may not run past it.
      Tree<0> t;
      t.children.emplace_back().value = static_cast<std::int32_t>(value);
      std::vector<std::uint8_t> tree;
      REQUIRE(pb::encode(t, tree));
      tree.push_back(0x08);
      tree.push_back(0x01);
      auto ok = pb::decode<Tree<0>>(tree);
      REQUIRE(ok);
      CHECK(ok->value == 1);
      CHECK(ok->children.at(0).value == static_cast<std::int32_t>(value));
    }
  }
}
