#include <doctest/doctest.h>

#include <array>
#include <cstdint>

#include <wirespan/wirespan.hpp>

using namespace wirespan;

namespace {
constexpr auto data = hex_array<"01 0203 040506 0708090a 0b0c0d0e0f10 1112131415161718">();

constexpr bool reads_every_width_big_endian() {
  reader r(data);
  return *r.read_u8() == 0x01 && *r.read_be16() == 0x0203 && *r.read_be24() == 0x040506 &&
         *r.read_be32() == 0x0708090a && *r.read_be48() == 0x0b0c0d0e0f10 && *r.read_be64() == 0x1112131415161718 &&
         r.empty() && r.remaining() == 0 && r.position() == data.size();
}
constexpr bool reads_every_width_little_endian() {
  reader r(data);
  return *r.read_u8() == 0x01 && *r.read_le16() == 0x0302 && *r.read_le24() == 0x060504 &&
         *r.read_le32() == 0x0a090807 && *r.read_le48() == 0x100f0e0d0c0b && *r.read_le64() == 0x1817161514131211;
}
}  // namespace
static_assert(reads_every_width_big_endian());
static_assert(reads_every_width_little_endian());

TEST_CASE("reader: every read past the end fails, names the field, and leaves the cursor") {
  const std::array<std::uint8_t, 3> three{1, 2, 3};
  reader r(three);
  CHECK(r.skip(2).has_value());
  const std::size_t before = r.position();

  auto check_truncated = [&](const error& e, std::uint64_t missing) {
    CHECK(e.code == errc::truncated);
    CHECK(e.offset == 2);
    CHECK(e.value == missing);
  };
  check_truncated(r.read_be16().error(), 1);
  check_truncated(r.read_be24().error(), 2);
  check_truncated(r.read_be32().error(), 3);
  check_truncated(r.read_be48().error(), 5);
  check_truncated(r.read_be64().error(), 7);
  check_truncated(r.read_le16().error(), 1);
  check_truncated(r.read_le24().error(), 2);
  check_truncated(r.read_le32().error(), 3);
  check_truncated(r.read_le48().error(), 5);
  check_truncated(r.read_le64().error(), 7);
  check_truncated(r.read_bytes(4).error(), 3);
  check_truncated(r.skip(2).error(), 1);
  std::array<std::uint8_t, 2> two{};
  check_truncated(r.read_into(two).error(), 1);
  CHECK(r.position() == before);

  auto e = r.read_be32("icmp: identifier");
  CHECK(to_string(e.error()) == "icmp: identifier at byte 2 (truncated)");

  CHECK(*r.peek_u8() == 3);
  CHECK(*r.read_u8() == 3);
  CHECK(r.read_u8().error().value == 1);
  CHECK(r.peek_u8().error().code == errc::truncated);
  CHECK(r.read_bytes(0).has_value());
  CHECK(r.skip(0).has_value());
}

TEST_CASE("reader: views, copies and seeks") {
  const std::array<std::uint8_t, 6> six{10, 11, 12, 13, 14, 15};
  reader r(six);
  auto head = r.read_bytes(2);
  REQUIRE(head);
  CHECK(head->data() == six.data());
  CHECK(r.consumed().size() == 2);
  CHECK(r.rest().size() == 4);
  CHECK(r.data().size() == 6);
  std::array<std::uint8_t, 2> out{};
  CHECK(r.read_into(out).has_value());
  CHECK(out[0] == 12);
  CHECK(out[1] == 13);
  CHECK(r.seek(6).has_value());
  CHECK(r.empty());
  auto bad = r.seek(9);
  CHECK(bad.error().code == errc::truncated);
  CHECK(bad.error().value == 3);
  CHECK(r.position() == 6);
  CHECK(r.seek(1).has_value());
  CHECK(*r.read_u8() == 11);
  reader empty;
  CHECK(empty.empty());
  CHECK(empty.read_u8().error().offset == 0);
}
