#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "pb_test_util.hpp"

namespace pb = wirespan::protobuf;
using pbtest::hex;
using wirespan::errc;

namespace {

// The error of the first malformed field, walking groups; or no error.
wirespan::result<void> walk(const std::vector<std::uint8_t>& data, pb::read_options o = {}) {
  return pb::validate(data, o);
}

}  // namespace

TEST_CASE("protobuf reader: protobuf.dev encoding examples") {
  auto a = hex("08 96 01");
  pb::reader r(a);
  REQUIRE(*r.next());
  CHECK(r.current().number == 1);
  CHECK(r.current().type == pb::wire_type::varint);
  CHECK(r.current().as_int32() == 150);
  CHECK_FALSE(*r.next());

  auto b = hex("12 07 74 65 73 74 69 6e 67");
  pb::reader rb(b);
  REQUIRE(*rb.next());
  CHECK(rb.current().number == 2);
  CHECK(rb.current().as_string() == "testing");
  CHECK(rb.current().value_offset == 2);

  auto c = hex("1a 03 08 96 01");
  pb::reader rc(c);
  REQUIRE(*rc.next());
  auto sub = rc.message(rc.current());
  REQUIRE(sub);
  REQUIRE(*sub->next());
  CHECK(sub->current().as_uint64() == 150);
  CHECK(sub->current().offset == 2);  // absolute offset in the outer buffer

  auto d = hex("22 06 03 8e 02 9e a7 05");
  pb::reader rd(d);
  REQUIRE(*rd.next());
  auto packed = rd.packed<pb::types::int32>(rd.current());
  REQUIRE(packed);
  CHECK(packed->size() == 3);
  std::vector<std::int32_t> got(packed->begin(), packed->end());
  CHECK(got == std::vector<std::int32_t>{3, 270, 86942});
}

TEST_CASE("protobuf reader: every wire type, typed getters, fields() range") {
  auto m = hex("08 ff ff ff ff ff ff ff ff ff 01"   // 1: int32 -1 (10 bytes)
               "10 03"                              // 2: sint32 -2
               "1d 00 00 80 3f"                     // 3: float 1.0
               "21 00 00 00 00 00 00 f0 bf"         // 4: double -1.0
               "2b 08 01 2c"                        // 5: group { 1: 1 }
               "32 00"                              // 6: empty bytes
               "f8 ff ff ff 0f 01");                // 536870911: 1
  pb::reader r(m);
  std::vector<std::uint32_t> numbers;
  for (auto f : r.fields()) {
    REQUIRE(f);
    numbers.push_back(f->number);
    switch (f->number) {
      case 1: CHECK(f->as_int32() == -1); CHECK(f->as_int64() == -1); CHECK(f->as_uint64() == ~0ull); break;
      case 2: CHECK(f->as_sint32() == -2); break;
      case 3: CHECK(f->as_float() == 1.0f); CHECK(f->as_fixed32() == 0x3f800000u); break;
      case 4: CHECK(f->as_double() == -1.0); break;
      case 5: {
        CHECK(f->type == pb::wire_type::start_group);
        CHECK(pbtest::hex_of(f->data) == "0801");
        CHECK(pbtest::hex_of(f->raw) == "2b08012c");
        auto g = r.group(*f);
        REQUIRE(*g.next());
        CHECK(g.current().as_bool());
        break;
      }
      case 6: CHECK(f->as_bytes().empty()); break;
      case pb::max_field_number: CHECK(f->as_uint32() == 1); break;
      default: FAIL("unexpected field");
    }
  }
  CHECK(numbers == std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6, pb::max_field_number});
}

TEST_CASE("protobuf reader: conformance must-fail cases, each with its error and offset") {
  // Field number 0 with every wire type that carries a value.
  for (auto c : {"01 44 45 41 44 42 45 45 46", "02 01 01", "03 04", "05 44 45 41 44"}) {
    auto e = walk(hex(c));
    REQUIRE_FALSE(e);
    CHECK(e.error().code == errc::bad_value);
    CHECK(e.error().offset == 0);
  }
  // Overlong tag (more than 5 bytes), tag above 2^32 - 1, 11-byte tag.
  CHECK(walk(hex("88 80 80 80 80 80 80 80 00 d2 09")).error().code == errc::malformed);
  CHECK(walk(hex("80 80 80 80 10 08 01")).error().code == errc::malformed);
  CHECK(walk(hex("f8 ff ff ff 1f 01")).error().code == errc::malformed);
  CHECK(walk(hex("88 80 80 80 80 80 80 80 80 80 01")).error().code == errc::malformed);
  // Wire types 6 and 7 for fields 0..3 (field 0 fails first, on its number).
  for (int field = 1; field <= 3; ++field) {
    for (int wt : {6, 7}) {
      std::vector<std::uint8_t> m{static_cast<std::uint8_t>(field << 3 | wt), 1};
      auto e = walk(m);
      REQUIRE_FALSE(e);
      CHECK(e.error().code == errc::malformed);
      CHECK(e.error().value == static_cast<std::uint64_t>(wt));
    }
  }
  // Unmatched start and end groups of field 201, and a mismatched end group.
  CHECK(walk(hex("cb 0c")).error().code == errc::truncated);
  CHECK(walk(hex("cc 0c")).error().code == errc::malformed);
  auto mismatch = walk(hex("0b 08 01 14"));
  CHECK(mismatch.error().code == errc::malformed);
  CHECK(mismatch.error().offset == 3);
  // Premature end before and inside every kind of value (known and unknown numbers).
  for (auto c : {"08", "09", "0a", "0d", "08 80", "09 61 62 63 64 65 66 67", "0a 80", "0d 61 62 63", "0a 01",
                 "d0 29 80", "d2 29 01"}) {
    auto e = walk(hex(c));
    REQUIRE_FALSE(e);
    CHECK((e.error().code == errc::truncated || e.error().code == errc::bad_length));
  }
  // Length beyond the enclosing message, reported with both numbers.
  auto len = walk(hex("0a 05 01 02"));
  CHECK(len.error().code == errc::bad_length);
  CHECK(len.error().value == 5);
  CHECK(len.error().limit == 2);
  CHECK(len.error().offset == 1);
  // 11-byte value varint; the error names the varint's offset.
  auto v11 = walk(hex("08 ff ff ff ff ff ff ff ff ff ff 01"));
  CHECK(v11.error().code == errc::malformed);
  CHECK(v11.error().offset == 1);
  // Lengths: at most 5 bytes and below 2^31.
  CHECK(walk(hex("0a 81 80 80 80 00 61")));
  CHECK(walk(hex("0a 81 80 80 80 80 00 61")).error().code == errc::malformed);
  CHECK(walk(hex("0a ff ff ff ff 07")).error().code == errc::bad_length);
}

TEST_CASE("protobuf reader: premature end inside a submessage and a packed region") {
  auto m = hex("1a 02 08 80");  // submessage whose int32 is cut
  pb::reader r(m);
  REQUIRE(*r.next());  // the outer field is whole
  auto sub = r.message(r.current());
  REQUIRE(sub);
  auto e = sub->next();
  REQUIRE_FALSE(e);
  CHECK(e.error().code == errc::truncated);
  CHECK(e.error().offset == 3);

  auto p = hex("22 01 80");  // packed region ends inside a varint
  pb::reader rp(p);
  REQUIRE(*rp.next());
  CHECK(rp.packed<pb::types::int32>(rp.current()).error().code == errc::truncated);
  auto f = hex("22 03 01 02 03");  // packed fixed32 region of 3 bytes
  pb::reader rf(f);
  REQUIRE(*rf.next());
  auto pf = rf.packed<pb::types::fixed32>(rf.current());
  CHECK(pf.error().code == errc::bad_length);
  CHECK(pf.error().value == 3);
  CHECK(rf.packed<pb::types::int64>(rf.current())->size() == 3);
  auto p11 = hex("22 0b ff ff ff ff ff ff ff ff ff ff 01");
  pb::reader r11(p11);
  REQUIRE(*r11.next());
  CHECK(r11.packed<pb::types::uint64>(r11.current()).error().code == errc::malformed);
}

TEST_CASE("protobuf reader: packed fixed and zigzag ranges") {
  auto m = hex("0a 08 01 00 00 00 ff ff ff ff  12 03 01 02 03  1a 10 00 00 00 00 00 00 f0 3f 00 00 00 00 00 00 00 c0");
  pb::reader r(m);
  REQUIRE(*r.next());
  auto a = r.packed<pb::types::sfixed32>(r.current());
  std::vector<std::int32_t> av(a->begin(), a->end());
  CHECK(av == std::vector<std::int32_t>{1, -1});
  REQUIRE(*r.next());
  auto z = r.packed<pb::types::sint64>(r.current());
  std::vector<std::int64_t> zv(z->begin(), z->end());
  CHECK(zv == std::vector<std::int64_t>{-1, 1, -2});
  REQUIRE(*r.next());
  auto d = r.packed<pb::types::double_>(r.current());
  std::vector<double> dv(d->begin(), d->end());
  CHECK(dv == std::vector<double>{1.0, -2.0});
}

TEST_CASE("protobuf reader: nesting depth limit for groups and messages") {
  auto nest_groups = [](int n) {
    std::vector<std::uint8_t> m{0x08, 0x01};
    for (int i = 0; i < n; ++i) {
      m.insert(m.begin(), 0x0b);
      m.push_back(0x0c);
    }
    return m;
  };
  CHECK(walk(nest_groups(100)));
  auto e = walk(nest_groups(101));
  REQUIRE_FALSE(e);
  CHECK(e.error().code == errc::limit_exceeded);
  pb::read_options shallow;
  shallow.max_depth = 3;
  CHECK(walk(nest_groups(3), shallow));
  CHECK_FALSE(walk(nest_groups(4), shallow));

  auto m = hex("0a 02 0a 00");
  pb::reader r(m, shallow);
  REQUIRE(*r.next());
  auto s1 = r.message(r.current());
  REQUIRE(*s1->next());
  auto s2 = s1->message(s1->current());
  CHECK(s2->depth() == 2);
  pb::read_options one;
  one.max_depth = 1;
  pb::reader r1(m, one);
  REQUIRE(*r1.next());
  auto t1 = r1.message(r1.current());
  REQUIRE(*t1->next());
  CHECK(t1->message(t1->current()).error().code == errc::limit_exceeded);
}

TEST_CASE("protobuf reader: canonical-only option and the error stays put") {
  pb::read_options canon;
  canon.canonical = true;
  CHECK(walk(hex("08 96 01"), canon));
  CHECK(walk(hex("08 96 81 00"), canon).error().code == errc::non_canonical);
  CHECK(walk(hex("88 00 01"), canon).error().code == errc::non_canonical);             // overlong tag
  CHECK(walk(hex("0a 81 00 61"), canon).error().code == errc::non_canonical);          // overlong length
  CHECK(walk(hex("08 ff ff ff ff ff ff ff ff ff 7f"), canon).error().code == errc::non_canonical);
  CHECK(walk(hex("08 ff ff ff ff ff ff ff ff ff 01"), canon));
  CHECK(walk(hex("08 96 81 00")));  // accepted by default

  auto bad = hex("08 01 08");
  pb::reader r(bad);
  REQUIRE(*r.next());
  auto e1 = r.next();
  auto e2 = r.next();
  REQUIRE_FALSE(e1);
  REQUIRE_FALSE(e2);
  CHECK(e1.error() == e2.error());
  CHECK(r.position() == 2);
}

TEST_CASE("protobuf reader: UTF-8 validation of strings") {
  CHECK(pb::valid_utf8(wirespan::as_bytes(std::string_view("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80"))));
  CHECK_FALSE(pb::valid_utf8(wirespan::as_bytes(std::string_view("\xc0\xaf"))));          // overlong
  CHECK_FALSE(pb::valid_utf8(wirespan::as_bytes(std::string_view("\xed\xa0\x80"))));      // surrogate
  CHECK_FALSE(pb::valid_utf8(wirespan::as_bytes(std::string_view("\xf4\x90\x80\x80"))));  // above U+10FFFF
  CHECK_FALSE(pb::valid_utf8(wirespan::as_bytes(std::string_view("abcdefghij\xe2\x9c"))));  // cut
  auto m = hex("0a 02 c3 28");
  pb::reader r(m);
  REQUIRE(*r.next());
  auto s = r.string(r.current());
  REQUIRE_FALSE(s);
  CHECK(s.error().code == errc::bad_value);
  CHECK(s.error().offset == 2);
  pb::read_options lax;
  lax.validate_utf8 = false;
  pb::reader rl(m, lax);
  REQUIRE(*rl.next());
  CHECK(rl.string(rl.current())->size() == 2);
}

TEST_CASE("protobuf reader: never reads outside the span (every prefix of a message)") {
  auto m = hex("08 96 01 12 07 74 65 73 74 69 6e 67 1a 03 08 96 01 2b 08 01 2c 31 01 02 03 04 05 06 07 08");
  REQUIRE(walk(m));
  for (std::size_t cut = 0; cut < m.size(); ++cut) {
    std::vector<std::uint8_t> part(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(cut));
    auto r = walk(part);
    // Prefixes that end between fields are whole messages; the others fail cleanly.
    const bool boundary = cut == 0 || cut == 3 || cut == 12 || cut == 17 || cut == 21;
    CHECK(r.has_value() == boundary);
  }
}
