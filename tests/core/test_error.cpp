#include <doctest/doctest.h>

#include <array>
#include <string>
#include <system_error>

#include <wirespan/wirespan.hpp>

using namespace wirespan;

namespace {
constexpr bool formats_at_compile_time() {
  std::array<char, 64> out{};
  const error e = make_error(errc::bad_length, 0, "ipv4: header length {} < {}", 16, 20);
  const std::size_t n = format_to(e, out.data(), out.size());
  const std::string_view expected = "ipv4: header length 16 < 20 at byte 0 (bad length)";
  return n == expected.size() && std::string_view(out.data(), n) == expected;
}
}  // namespace
static_assert(formats_at_compile_time());
static_assert(to_string(errc::truncated) == std::string_view("truncated"));

TEST_CASE("error: every code has a name") {
  for (int c = static_cast<int>(errc::truncated); c <= static_cast<int>(errc::invalid_argument); ++c) {
    const std::string name = to_string(static_cast<errc>(c));
    CHECK(name != "unknown error");
    CHECK(!name.empty());
  }
  CHECK(std::string(to_string(static_cast<errc>(200))) == "unknown error");
}

TEST_CASE("error: messages name the field, the values and the offset") {
  CHECK(to_string(make_error(errc::bad_length, 0, "ipv4: header length {} < {}", 16, 20)) ==
        "ipv4: header length 16 < 20 at byte 0 (bad length)");
  CHECK(to_string(make_error(errc::truncated, 7)) == "truncated at byte 7");
  CHECK(to_string(make_error(errc::malformed, 3, "")) == "malformed at byte 3");
  CHECK(to_string(make_error(errc::bad_value, 1, "x {} {} {}", 1, 2)) == "x 1 2 2 at byte 1 (bad value)");
  CHECK(to_string(make_error(errc::bad_value, 0, "v={}", 18446744073709551615ull)) ==
        "v=18446744073709551615 at byte 0 (bad value)");
}

TEST_CASE("error: format_to truncates to the buffer and reports the full length") {
  const error e = make_error(errc::bad_checksum, 10, "icmp: checksum");
  char small[8];
  const std::size_t n = format_to(e, small, sizeof small);
  CHECK(n == std::string("icmp: checksum at byte 10 (bad checksum)").size());
  CHECK(std::string(small) == "icmp: c");
  CHECK(format_to(e, nullptr, 0) == n);
}

TEST_CASE("error: offsets beyond 32 bits saturate") {
  CHECK(make_error(errc::truncated, std::size_t{1} << 40).offset == 0xffffffffu);
  CHECK(make_error(errc::truncated, 5).offset == 5);
}

TEST_CASE("error: std::error_code interoperates") {
  std::error_code ec = errc::bad_checksum;
  CHECK(ec.value() == static_cast<int>(errc::bad_checksum));
  CHECK(std::string(ec.category().name()) == "wirespan");
  CHECK(ec.message() == "bad checksum");
  CHECK(ec == errc::bad_checksum);
  CHECK(ec != errc::truncated);
  CHECK(make_error_code(make_error(errc::incomplete, 2)) == errc::incomplete);
  CHECK(&make_error_code(errc::malformed).category() == &error_category());
}

TEST_CASE("error: comparison ignores the message") {
  CHECK(make_error(errc::truncated, 4, "a") == make_error(errc::truncated, 4, "b"));
  CHECK(!(make_error(errc::truncated, 4) == make_error(errc::truncated, 5)));
  CHECK(make_error(errc::truncated, 4) == errc::truncated);
}
