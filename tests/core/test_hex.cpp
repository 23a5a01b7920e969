#include <doctest/doctest.h>

#include <array>
#include <string>

#include <wirespan/wirespan.hpp>

using namespace wirespan;

static_assert(hex_array<"">().empty());
static_assert(hex_array<"00ff">()[1] == 0xff);
static_assert(hex_array<"AB:cd ef\n01">().size() == 4);
static_assert(*hex_size("0a0b") == 2);
static_assert(hex_size("0a0").error().offset == 3);
static_assert(hex_size("0a 0").error().code == errc::malformed);
static_assert(hex_size("0 a").error().offset == 1);  // a separator may not split a byte
static_assert(hex_size("0g").error().offset == 1);

TEST_CASE("hex: parse and format round trip") {
  std::array<std::uint8_t, 4> out{};
  auto n = parse_hex("de ad be ef", out);
  REQUIRE(n);
  CHECK(*n == 4);
  std::array<char, 8> text{};
  auto m = format_hex(out, text);
  REQUIRE(m);
  CHECK(std::string(text.data(), *m) == "deadbeef");
}

TEST_CASE("hex: errors") {
  std::array<std::uint8_t, 1> one{};
  auto small = parse_hex("0102", one);
  CHECK(small.error().code == errc::buffer_too_small);
  CHECK(small.error().value == 2);
  CHECK(parse_hex("zz", one).error().code == errc::malformed);
  std::array<char, 3> text{};
  CHECK(format_hex(hex_array<"0102">(), text).error().value == 4);
}
