#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <wirespan/wirespan.hpp>

using namespace wirespan;

static_assert(byte_range<std::vector<char>>);
static_assert(byte_range<std::array<std::byte, 4>>);
static_assert(byte_range<std::string_view>);
static_assert(byte_range<const std::uint8_t (&)[3]>);
static_assert(!byte_range<std::vector<int>>);
static_assert(mutable_byte_range<std::vector<unsigned char>&>);
static_assert(!mutable_byte_range<std::string_view>);
static_assert(!mutable_byte_range<const std::vector<char>&>);

namespace {
constexpr std::array<std::uint8_t, 3> abc{'a', 'b', 'c'};
}
static_assert(as_bytes(abc).size() == 3);
static_assert(equal(as_bytes(abc), literal_bytes("abc")));
static_assert(!equal(as_bytes(abc), literal_bytes("abd")));
static_assert(!equal(as_bytes(abc), literal_bytes("ab")));

TEST_CASE("bytes: adaptors view without copying") {
  std::string s = "hello";
  bytes b = as_bytes(s);
  CHECK(b.size() == 5);
  CHECK(static_cast<const void*>(b.data()) == static_cast<const void*>(s.data()));

  std::vector<std::byte> v{std::byte{1}, std::byte{2}};
  mutable_bytes m = as_mutable_bytes(v);
  m[1] = 9;
  CHECK(v[1] == std::byte{9});

  std::array<char, 2> a{'x', 'y'};
  CHECK(as_bytes(a)[1] == 'y');
  unsigned char raw[4] = {1, 2, 3, 4};
  CHECK(as_mutable_bytes(raw).size() == 4);
  CHECK(equal(as_bytes(std::string_view("abc")), literal_bytes("abc")));
  CHECK(literal_bytes("").empty());
}
