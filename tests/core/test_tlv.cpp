#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include <wirespan/wirespan.hpp>

using namespace wirespan;

namespace {

struct opt {
  std::uint8_t kind;
  std::size_t offset;
  bytes raw;
};

// A protocol whose kind 9 must be 3 bytes long.
constexpr result<std::size_t> check(bytes area, std::size_t pos, std::size_t base) noexcept {
  constexpr detail::tlv_messages m{"t: {} no length", "t: length {} < 2", "t: length {} past the end ({} left)"};
  auto len = detail::tlv_length(area, pos, base, m);
  if (len && area[pos] == 9 && *len != 3) return make_error(errc::bad_length, base + pos + 1, "t: kind 9 length {}", *len);
  return len;
}
using range = detail::tlv_range<opt, check>;

constexpr std::array<std::uint8_t, 8> good{1, 9, 3, 7, 4, 2, 0, 0xee};  // NOP, kind 9, kind 4 (empty), EOL, padding

constexpr std::size_t count(bytes area) {
  std::size_t n = 0;
  for (auto o : range(area)) if (!o.raw.empty()) ++n;
  return n;
}
static_assert(count(good) == 4);
static_assert(detail::validate_tlv<check>(good, 0).has_value());

}  // namespace

TEST_CASE("tlv: kinds, offsets and padding after End of Option List") {
  std::vector<std::uint8_t> kinds, offsets;
  for (auto o : range(good)) {
    kinds.push_back(o.kind);
    offsets.push_back(static_cast<std::uint8_t>(o.offset));
  }
  CHECK(kinds == std::vector<std::uint8_t>{1, 9, 4, 0});
  CHECK(offsets == std::vector<std::uint8_t>{0, 1, 4, 6});
}

TEST_CASE("tlv: the generic rules and the protocol's own, with offsets from base") {
  struct bad {
    std::vector<std::uint8_t> area;
    errc code;
    std::uint32_t offset;
  };
  const bad cases[] = {
      {{1, 5}, errc::malformed, 21},         // no length octet
      {{5, 0}, errc::bad_length, 21},        // length 0
      {{5, 1}, errc::bad_length, 21},        // length 1
      {{5, 4, 0}, errc::bad_length, 21},     // past the end
      {{9, 4, 0, 0}, errc::bad_length, 21},  // the protocol's rule
  };
  for (const auto& c : cases) {
    CAPTURE(c.area);
    auto r = detail::validate_tlv<check>(c.area, 20);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == c.code);
    CHECK(r.error().offset == c.offset);
    // The iterator stops before the bad option.
    std::size_t n = 0;
    for (auto o : range(c.area)) n += o.kind == 1 ? 1u : 10u;
    CHECK(n == (c.area[0] == 1 ? 1u : 0u));
  }
  CHECK(detail::validate_tlv<check>(bytes{}, 0));
}
