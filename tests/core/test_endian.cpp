#include <doctest/doctest.h>

#include <array>
#include <cstdint>

#include <wirespan/wirespan.hpp>

using namespace wirespan;

namespace {
constexpr std::array<std::uint8_t, 8> seq{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
}

static_assert(load_be16(seq.data()) == 0x0102);
static_assert(load_be24(seq.data()) == 0x010203);
static_assert(load_be32(seq.data()) == 0x01020304);
static_assert(load_be48(seq.data()) == 0x010203040506);
static_assert(load_be64(seq.data()) == 0x0102030405060708);
static_assert(load_le16(seq.data()) == 0x0201);
static_assert(load_le24(seq.data()) == 0x030201);
static_assert(load_le32(seq.data()) == 0x04030201);
static_assert(load_le48(seq.data()) == 0x060504030201);
static_assert(load_le64(seq.data()) == 0x0807060504030201);
static_assert(load_be16(std::span<const std::uint8_t, 2>(seq.data(), 2)) == 0x0102);
static_assert(load_le64(std::span<const std::uint8_t, 8>(seq)) == 0x0807060504030201);
static_assert(byteswap16(0x1234) == 0x3412);

namespace {
template <class Store, class Load, class V>
constexpr bool round_trips(Store store, Load load, V v, std::size_t width) {
  std::array<std::uint8_t, 10> b{};
  for (auto& x : b) x = 0xa5;
  store(b.data() + 1, v);
  // Exactly `width` bytes written; neighbours untouched.
  return load(b.data() + 1) == v && b[0] == 0xa5 && b[1 + width] == 0xa5;
}
}  // namespace

static_assert(round_trips(store_be16, [](const std::uint8_t* p) { return load_be16(p); }, std::uint16_t{0xbeef}, 2));
static_assert(round_trips(store_be24, [](const std::uint8_t* p) { return load_be24(p); }, std::uint32_t{0xabcdef}, 3));
static_assert(round_trips(store_be32, [](const std::uint8_t* p) { return load_be32(p); }, std::uint32_t{0xdeadbeef}, 4));
static_assert(round_trips(store_be48, [](const std::uint8_t* p) { return load_be48(p); }, std::uint64_t{0x123456789abc}, 6));
static_assert(round_trips(store_be64, [](const std::uint8_t* p) { return load_be64(p); }, std::uint64_t{0x0123456789abcdef}, 8));
static_assert(round_trips(store_le16, [](const std::uint8_t* p) { return load_le16(p); }, std::uint16_t{0xbeef}, 2));
static_assert(round_trips(store_le24, [](const std::uint8_t* p) { return load_le24(p); }, std::uint32_t{0xabcdef}, 3));
static_assert(round_trips(store_le32, [](const std::uint8_t* p) { return load_le32(p); }, std::uint32_t{0xdeadbeef}, 4));
static_assert(round_trips(store_le48, [](const std::uint8_t* p) { return load_le48(p); }, std::uint64_t{0x123456789abc}, 6));
static_assert(round_trips(store_le64, [](const std::uint8_t* p) { return load_le64(p); }, std::uint64_t{0x0123456789abcdef}, 8));

TEST_CASE("endian: stores write network byte order") {
  std::array<std::uint8_t, 8> b{};
  store_be32(b.data(), 0xc0a80001u);
  CHECK(b[0] == 0xc0);
  CHECK(b[1] == 0xa8);
  CHECK(b[2] == 0x00);
  CHECK(b[3] == 0x01);
  store_le32(b.data(), 0xc0a80001u);
  CHECK(b[0] == 0x01);
  CHECK(b[3] == 0xc0);
  store_u8(b.data() + 7, 0x7f);
  CHECK(load_u8(b.data() + 7) == 0x7f);
}

TEST_CASE("endian: unaligned loads at every offset") {
  std::array<std::uint8_t, 24> b{};
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 1);
  for (std::size_t off = 0; off + 8 <= b.size(); ++off) {
    std::uint64_t be = 0;
    std::uint64_t le = 0;
    for (std::size_t i = 0; i < 8; ++i) {
      be = (be << 8) | b[off + i];
      le |= std::uint64_t{b[off + i]} << (8 * i);
    }
    CHECK(load_be64(b.data() + off) == be);
    CHECK(load_le64(b.data() + off) == le);
  }
}
