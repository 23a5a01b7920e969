#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

using wirespan::errc;
using wirespan::ipv4::address;
using wirespan::ipv4::prefix;

static_assert(address::parse("192.168.0.1").value().to_u32() == 0xc0a80001);
static_assert(address::parse("0.0.0.0").value().is_unspecified());
static_assert(address::parse("255.255.255.255").value().is_broadcast());
static_assert(!address::parse("1.2.3"));
static_assert(!address::parse("256.1.1.1"));
static_assert(!address::parse("01.2.3.4"));
static_assert(!address::parse(" 1.2.3.4"));
static_assert(address::from_u32(0x7f000001) == address{{127, 0, 0, 1}});
static_assert(address::parse("10.0.0.1").value() < address::parse("10.0.0.2").value());
static_assert(prefix::parse("10.0.0.0/8").value().contains(address{{10, 200, 3, 4}}));
static_assert(!prefix::parse("10.0.0.1/8"));
static_assert(prefix::parse_lax("10.0.0.1/8").value() == prefix{{{10, 0, 0, 0}}, 8});
static_assert(prefix::parse("0.0.0.0/0").value().contains(address{{1, 2, 3, 4}}));
static_assert(prefix::parse("192.168.1.0/24").value().last() == address{{192, 168, 1, 255}});

namespace {

constexpr std::string_view round_trip(std::string_view text, std::array<char, address::max_text_size>& buf) {
  return std::string_view(buf.data(), address::parse(text).value().to_chars(buf));
}
constexpr bool formats_at_compile_time() {
  std::array<char, address::max_text_size> buf{};
  return round_trip("255.255.255.255", buf) == "255.255.255.255" && round_trip("0.10.100.9", buf) == "0.10.100.9";
}
static_assert(formats_at_compile_time());

// The oracle: the C library's inet_pton(AF_INET). It stops at a NUL, so inputs have none.
bool libc_parses(const std::string& text, std::uint32_t& value) {
  unsigned char buf[4];
  if (inet_pton(AF_INET, text.c_str(), buf) != 1) return false;
  value = (std::uint32_t{buf[0]} << 24) | (std::uint32_t{buf[1]} << 16) | (std::uint32_t{buf[2]} << 8) | buf[3];
  return true;
}

}  // namespace

TEST_CASE("ipv4 address: accepts and rejects exactly what inet_pton accepts") {
  const std::vector<std::string> cases = {
      "0.0.0.0", "1.2.3.4", "255.255.255.255", "192.168.0.1", "10.0.0.255", "1.2.3", "1.2.3.4.5", "256.1.1.1",
      "1.2.3.256", "01.2.3.4", "1.02.3.4", "1.2.3.04", "00.0.0.0", "0.0.0.00", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4.",
      ".1.2.3.4", "1..2.3", "1.2..3.4", "", ".", "...", "1.2.3.-4", "+1.2.3.4", "0x1.2.3.4", "1.2.3.4/8", "1e2.2.3.4",
      "4294967295", "127.1", "1.2.3.4\n", "999.1.1.1", "1.2.3.1000", "0000.1.2.3", "1.2.3.4a", "a.b.c.d", "１.2.3.4"};
  for (const std::string& text : cases) {
    CAPTURE(text);
    std::uint32_t expected = 0;
    const bool libc = libc_parses(text, expected);
    const auto ours = address::parse(text);
    CHECK(ours.has_value() == libc);
    if (ours && libc) CHECK(ours->to_u32() == expected);
  }
}

TEST_CASE("ipv4 address: random strings agree with inet_pton") {
  std::mt19937 rng(2024);
  const char alphabet[] = "0123456789. x";
  std::size_t accepted = 0;
  for (int i = 0; i < 200000; ++i) {
    // Dotted structures (half of them four parts) of mostly 1..3 digits, then sometimes a
    // mutation: most are near misses of a valid address, and many are valid.
    std::string text;
    const std::size_t parts = rng() % 2 == 0 ? 4 : 1 + rng() % 5;
    for (std::size_t p = 0; p < parts; ++p) {
      if (p != 0) text += '.';
      const std::size_t digits = rng() % 8 == 0 ? rng() % 5 : 1 + rng() % 3;
      for (std::size_t d = 0; d < digits; ++d) text += static_cast<char>('0' + rng() % (d == 0 ? 3 : 10));
    }
    if (rng() % 4 == 0 && !text.empty()) text[rng() % text.size()] = alphabet[rng() % (sizeof alphabet - 1)];
    if (rng() % 8 == 0) text.insert(rng() % (text.size() + 1), 1, alphabet[rng() % (sizeof alphabet - 1)]);
    std::uint32_t expected = 0;
    const bool libc = libc_parses(text, expected);
    const auto ours = address::parse(text);
    if (ours.has_value() != libc || (libc && ours->to_u32() != expected)) {
      FAIL_CHECK("disagrees with inet_pton on '" << text << "'");
    }
    accepted += libc ? 1 : 0;
  }
  MESSAGE(accepted << " of 200000 random strings were valid addresses");
  CHECK(accepted > 5000);  // the generator does reach valid addresses
}

TEST_CASE("ipv4 address: formatting agrees with inet_ntop and round-trips") {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const auto value = static_cast<std::uint32_t>(rng());
    const address a = address::from_u32(value);
    unsigned char raw[4] = {a.octets[0], a.octets[1], a.octets[2], a.octets[3]};
    char text[INET_ADDRSTRLEN];
    REQUIRE(inet_ntop(AF_INET, raw, text, sizeof text) != nullptr);
    CHECK(a.to_string() == text);
    CHECK(address::parse(a.to_string()).value() == a);
  }
}

TEST_CASE("ipv4 address: errors name the rule and the character") {
  auto error_of = [](std::string_view text) { return address::parse(text).error(); };
  CHECK(error_of("01.2.3.4").offset == 1);
  CHECK(error_of("256.1.1.1").code == errc::bad_value);
  CHECK(error_of("256.1.1.1").offset == 2);
  CHECK(error_of("1.2.3").offset == 5);
  CHECK(error_of("1.2.3.4.5").offset == 7);
  CHECK(error_of("1..2.3").offset == 2);
  CHECK(wirespan::to_string(error_of(" 1.2.3.4")) == "ipv4 address: unexpected character at byte 0 (malformed)");
}

TEST_CASE("ipv4 address: classification (RFC 1122, 1918, 3927, 5771, 919)") {
  auto a = [](const char* text) { return address::parse(text).value(); };
  CHECK(a("127.0.0.1").is_loopback());
  CHECK(a("127.255.255.254").is_loopback());
  CHECK(!a("128.0.0.1").is_loopback());
  CHECK(a("10.1.2.3").is_private());
  CHECK(a("172.16.0.1").is_private());
  CHECK(a("172.31.255.255").is_private());
  CHECK(!a("172.32.0.1").is_private());
  CHECK(!a("172.15.255.255").is_private());
  CHECK(a("192.168.255.1").is_private());
  CHECK(!a("192.169.0.1").is_private());
  CHECK(a("169.254.1.1").is_link_local());
  CHECK(!a("169.253.1.1").is_link_local());
  CHECK(a("224.0.0.1").is_multicast());
  CHECK(a("239.255.255.255").is_multicast());
  CHECK(!a("240.0.0.1").is_multicast());
  CHECK(a("255.255.255.255").is_broadcast());
  CHECK(!a("255.255.255.254").is_broadcast());
  CHECK(a("0.0.0.0").is_unspecified());
}

TEST_CASE("ipv4 prefix: parse, contain, and reject what is not a prefix") {
  const prefix p = prefix::parse("172.16.0.0/12").value();
  CHECK(p.mask() == 0xfff00000u);
  CHECK(p.contains(address::parse("172.31.1.1").value()));
  CHECK(!p.contains(address::parse("172.32.0.0").value()));
  CHECK(p.last().to_string() == "172.31.255.255");
  CHECK(p.to_string() == "172.16.0.0/12");
  CHECK(prefix::parse("1.2.3.4/32").value().contains(address{{1, 2, 3, 4}}));
  CHECK(prefix::mask_of(0) == 0);
  CHECK(prefix::mask_of(32) == 0xffffffffu);
  CHECK(prefix::parse("10.0.0.1/8").error().code == errc::bad_value);
  CHECK(prefix::parse("10.0.0.0").error().code == errc::malformed);
  CHECK(prefix::parse("10.0.0.0/").error().offset == 9);
  CHECK(prefix::parse("10.0.0.0/33").error().code == errc::bad_value);
  CHECK(prefix::parse("10.0.0.0/08").error().code == errc::malformed);
  CHECK(prefix::parse("10.0.0.0/123").error().code == errc::malformed);
  CHECK(prefix::parse("10.0.0.0/x").error().code == errc::malformed);
  CHECK(prefix::parse("10.0.0/8").error().code == errc::malformed);
  CHECK(prefix::parse_lax("192.168.1.77/24").value().to_string() == "192.168.1.0/24");
}
