#include <doctest/doctest.h>

#include <array>
#include <cstdint>

#include <wirespan/wirespan.hpp>

using namespace wirespan;

namespace {
constexpr bool writes_every_width() {
  std::array<std::uint8_t, 29> out{};
  writer w(out);
  bool ok = w.write_u8(0x01).has_value() && w.write_be16(0x0203).has_value() && w.write_be24(0x040506).has_value() &&
            w.write_be32(0x0708090a).has_value() && w.write_be48(0x0b0c0d0e0f10).has_value() &&
            w.write_be64(0x1112131415161718).has_value() && w.write_le16(0x1a19).has_value() &&
            w.write_le24(0x1d1c1b).has_value() && w.write_le32(0x21201f1e).has_value() == false;
  // 1+2+3+4+6+8+2+3 = 29: the last 4-byte write does not fit.
  constexpr auto expected = hex_array<"01 0203 040506 0708090a 0b0c0d0e0f10 1112131415161718 191a 1b1c1d">();
  return ok && w.remaining() == 0 && equal(w.written(), expected);
}
}  // namespace
static_assert(writes_every_width());

TEST_CASE("writer: every write that does not fit fails with the size needed and writes nothing") {
  std::array<std::uint8_t, 5> out{};
  out.fill(0xa5);
  writer w(out);
  REQUIRE(w.write_be32(0xdeadbeef).has_value());
  auto check_small = [&](const result<void>& r, std::uint64_t needed) {
    REQUIRE(!r);
    CHECK(r.error().code == errc::buffer_too_small);
    CHECK(r.error().offset == 4);
    CHECK(r.error().value == needed);
    CHECK(r.error().limit == 5);
  };
  check_small(w.write_be16(1), 6);
  check_small(w.write_be24(1), 7);
  check_small(w.write_be32(1), 8);
  check_small(w.write_be48(1), 10);
  check_small(w.write_be64(1), 12);
  check_small(w.write_le16(1), 6);
  check_small(w.write_le24(1), 7);
  check_small(w.write_le32(1), 8);
  check_small(w.write_le48(1), 10);
  check_small(w.write_le64(1), 12);
  const std::array<std::uint8_t, 3> three{};
  check_small(w.write_bytes(three), 7);
  check_small(w.fill(2), 6);
  auto reserved = w.reserve(2);
  CHECK(reserved.error().value == 6);
  CHECK(w.position() == 4);
  CHECK(out[4] == 0xa5);
  CHECK(w.write_u8(9).has_value());
  CHECK(w.write_u8(9).error().value == 6);
  CHECK(w.fill(0).has_value());
  CHECK(w.fill(SIZE_MAX).error().value == SIZE_MAX);
}

TEST_CASE("writer: reserve, back-patch and rewind") {
  std::array<std::uint8_t, 8> out{};
  writer w(out);
  auto len = w.reserve(2);
  REQUIRE(len);
  const std::array<std::uint8_t, 3> body{7, 8, 9};
  REQUIRE(w.write_bytes(body).has_value());
  store_be16(len->data(), static_cast<std::uint16_t>(w.position() - 2));
  CHECK(equal(w.written(), hex_array<"0003 070809">()));
  const std::size_t mark = w.position();
  REQUIRE(w.fill(2, 0xee).has_value());
  w.rewind(mark);
  CHECK(w.position() == 5);
  CHECK(w.remaining() == 3);
  CHECK(w.buffer().size() == 8);
  writer none;
  CHECK(none.write_u8(1).error().code == errc::buffer_too_small);
}
