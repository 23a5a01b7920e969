#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "pb_test_util.hpp"

namespace pb = wirespan::protobuf;
using pbtest::hex_of;

namespace {

constexpr auto written() {
  std::array<std::uint8_t, 16> buf{};
  pb::writer w(buf);
  w.add_int32(1, 150);
  auto sub = w.begin_message(3);
  w.add_string(1, "x");
  w.end_message(sub);
  auto n = w.finish();
  return std::pair{buf, n ? *n : 0};
}
static_assert(written().second == 8);
static_assert(written().first[0] == 0x08 && written().first[3] == 0x1a && written().first[4] == 0x03);

}  // namespace

TEST_CASE("protobuf writer: protobuf.dev examples, every scalar type") {
  std::string out;
  pb::buffer_writer w(out);
  w.add_int32(1, 150);
  w.add_string(2, "testing");
  auto sub = w.begin_message(3);
  w.add_int32(1, 150);
  w.end_message(sub);
  std::vector<std::int32_t> packed{3, 270, 86942};
  w.add_packed<pb::types::int32>(4, packed);
  REQUIRE(w.finish());
  CHECK(hex_of(wirespan::as_bytes(out)) == "089601" "120774657374696e67" "1a03089601" "2206038e029ea705");

  std::array<std::uint8_t, 128> buf{};
  pb::writer all(buf);
  all.add_int32(1, -1);
  all.add_int64(2, -1);
  all.add_uint32(3, 0xffffffffu);
  all.add_uint64(4, ~0ull);
  all.add_sint32(5, -1);
  all.add_sint64(6, -2);
  all.add_bool(7, true);
  all.add_enum(8, 2);
  all.add_fixed32(9, 1);
  all.add_sfixed32(10, -1);
  all.add_fixed64(11, 1);
  all.add_sfixed64(12, -1);
  all.add_float(13, 1.0f);
  all.add_double(14, -2.0);
  all.add_bytes(15, wirespan::bytes());
  all.begin_group(16);
  all.add_bool(1, false);
  all.end_group(16);
  auto n = all.finish();
  REQUIRE(n);
  CHECK(hex_of(all.written()) ==
        "08ffffffffffffffffff01" "10ffffffffffffffffff01" "18ffffffff0f" "20ffffffffffffffffff01" "2801" "3003"
        "3801" "4002" "4d01000000" "55ffffffff" "590100000000000000" "61ffffffffffffffff" "6d0000803f"
        "7100000000000000c0" "7a00" "8301" "0800" "8401");
  // Read back with the reader.
  pb::reader r(all.written());
  CHECK(r.validate());
}

TEST_CASE("protobuf writer: span too small reports the size needed and writes nothing past the end") {
  std::array<std::uint8_t, 4> small{};
  pb::writer w(small);
  w.add_string(1, "hello world");
  auto r = w.finish();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == wirespan::errc::buffer_too_small);
  CHECK(r.error().value == 13);
}

TEST_CASE("protobuf writer: long submessages are back-patched, empty ones roll back") {
  std::vector<std::uint8_t> out;
  pb::buffer_writer w(out);
  auto big = w.begin_message(1);
  std::string text(300, 'a');
  w.add_string(2, text);
  w.end_message(big);
  auto empty = w.begin_message(3);
  CHECK(w.empty_since(empty));
  w.rollback(empty);
  auto keep = w.begin_message(4);
  w.end_message(keep);
  REQUIRE(w.finish());
  // 0a, length 303 (2 bytes: af 02), 12 ac 02 'a'*300, then 22 00.
  REQUIRE(out.size() == 1 + 2 + 3 + 300 + 2);
  CHECK(out[0] == 0x0a);
  CHECK(out[1] == 0xaf);
  CHECK(out[2] == 0x02);
  CHECK(out[3] == 0x12);
  CHECK(out[out.size() - 2] == 0x22);
  CHECK(out[out.size() - 1] == 0x00);
  pb::reader r(out);
  REQUIRE(*r.next());
  auto sub = r.message(r.current());
  REQUIRE(*sub->next());
  CHECK(sub->current().as_string() == text);

  // The same into a span, including a length that needs three bytes.
  std::vector<std::uint8_t> span_buf(20000);
  pb::writer ws(span_buf);
  auto m = ws.begin_message(1);
  ws.add_bytes(1, wirespan::bytes(span_buf.data(), 17000));  // contents irrelevant; copied before being moved
  ws.end_message(m);
  auto n = ws.finish();
  REQUIRE(n);
  CHECK(*n == 1 + 3 + 1 + 3 + 17000);
}

TEST_CASE("protobuf writer: packed of every width; empty packed writes nothing") {
  std::string out;
  pb::buffer_writer w(out);
  std::vector<std::int32_t> none;
  w.add_packed<pb::types::int32>(1, none);
  std::vector<std::int64_t> zz{-1, 1};
  w.add_packed<pb::types::sint64>(2, zz);
  std::vector<float> fl{1.0f};
  w.add_packed<pb::types::float_>(3, fl);
  std::vector<double> db{-2.0};
  w.add_packed<pb::types::double_>(4, db);
  REQUIRE(w.finish());
  CHECK(hex_of(wirespan::as_bytes(out)) == "12020102" "1a040000803f" "220800000000000000c0");
}
