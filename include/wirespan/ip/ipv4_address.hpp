// wirespan/ip/ipv4_address.hpp — IPv4 addresses and prefixes: parse, format, classify.
//
// `ipv4::address::parse` accepts exactly what POSIX `inet_pton(AF_INET)` accepts: four
// decimal parts of 0..255 separated by dots, no leading zeros, nothing before or after
// ("1.2.3", "256.1.1.1", "01.2.3.4", " 1.2.3.4" and "1.2.3.4." are rejected). The tests
// compare it with the C library's inet_pton. `ipv4::prefix` is an address with a prefix
// length ("10.0.0.0/8"); host bits must be zero unless parsed with `prefix::parse_lax`.
//
// ```cpp
// constexpr auto a = wirespan::ipv4::address::parse("192.168.1.10").value();
// static_assert(a.is_private() && a.to_u32() == 0xc0a8010a);
// constexpr auto net = wirespan::ipv4::prefix::parse("192.168.0.0/16").value();
// static_assert(net.contains(a));
// ```
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../core/error.hpp"
#include "../core/result.hpp"

namespace wirespan::ipv4 {

/// An IPv4 address: four octets in network order.
struct address {
  std::array<std::uint8_t, 4> octets{};

  /// The longest text form: "255.255.255.255".
  static constexpr std::size_t max_text_size = 15;

  /// The address whose big-endian value is `value` (0xc0a80001 is 192.168.0.1).
  static constexpr address from_u32(std::uint32_t value) noexcept {
    return address{{static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
                    static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)}};
  }
  /// The big-endian value of the address.
  constexpr std::uint32_t to_u32() const noexcept {
    return (std::uint32_t{octets[0]} << 24) | (std::uint32_t{octets[1]} << 16) | (std::uint32_t{octets[2]} << 8) |
           std::uint32_t{octets[3]};
  }

  /// Parse dotted-quad text with the rules of inet_pton(AF_INET). Errors name the
  /// character (offset) where the text stopped being an address.
  static constexpr result<address> parse(std::string_view text) noexcept {
    address out{};
    std::size_t part = 0;        // index of the part being read
    std::uint32_t value = 0;     // its value so far
    bool saw_digit = false;      // the current part has a digit
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (c >= '0' && c <= '9') {
        if (saw_digit && value == 0) return make_error(errc::malformed, i, "ipv4 address: leading zero in a part");
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
        if (value > 255) return make_error(errc::bad_value, i, "ipv4 address: part greater than 255");
        saw_digit = true;
      } else if (c == '.' && saw_digit) {
        if (part == 3) return make_error(errc::malformed, i, "ipv4 address: more than four parts");
        out.octets[part++] = static_cast<std::uint8_t>(value);
        value = 0;
        saw_digit = false;
      } else if (c == '.') {
        return make_error(errc::malformed, i, "ipv4 address: empty part");
      } else {
        return make_error(errc::malformed, i, "ipv4 address: unexpected character");
      }
    }
    if (part != 3 || !saw_digit) {
      return make_error(errc::malformed, text.size(), "ipv4 address: fewer than four parts");
    }
    out.octets[3] = static_cast<std::uint8_t>(value);
    return out;
  }

  /// Write the dotted-quad text (no terminator) into `out`; returns its length (7..15).
  constexpr std::size_t to_chars(std::array<char, max_text_size>& out) const noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      if (i != 0) out[n++] = '.';
      const unsigned v = octets[i];
      if (v >= 100) out[n++] = static_cast<char>('0' + v / 100);
      if (v >= 10) out[n++] = static_cast<char>('0' + v / 10 % 10);
      out[n++] = static_cast<char>('0' + v % 10);
    }
    return n;
  }

  /// The dotted-quad text (allocates; for tools and logs).
  std::string to_string() const {
    std::array<char, max_text_size> buf{};
    return std::string(buf.data(), to_chars(buf));
  }

  /// 0.0.0.0 (RFC 1122 §3.2.1.3: "this host").
  constexpr bool is_unspecified() const noexcept { return to_u32() == 0; }
  /// 127.0.0.0/8 (RFC 1122 §3.2.1.3).
  constexpr bool is_loopback() const noexcept { return octets[0] == 127; }
  /// 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918 §3).
  constexpr bool is_private() const noexcept {
    return octets[0] == 10 || (octets[0] == 172 && (octets[1] & 0xf0) == 16) || (octets[0] == 192 && octets[1] == 168);
  }
  /// 169.254.0.0/16 (RFC 3927).
  constexpr bool is_link_local() const noexcept { return octets[0] == 169 && octets[1] == 254; }
  /// 224.0.0.0/4 (RFC 5771).
  constexpr bool is_multicast() const noexcept { return (octets[0] & 0xf0) == 224; }
  /// 255.255.255.255, the limited broadcast address (RFC 919 §7).
  constexpr bool is_broadcast() const noexcept { return to_u32() == 0xffffffffu; }

  friend constexpr bool operator==(const address&, const address&) noexcept = default;
  friend constexpr std::strong_ordering operator<=>(const address& a, const address& b) noexcept {
    return a.to_u32() <=> b.to_u32();
  }
};

/// An address block: a network address and a prefix length 0..32 ("10.0.0.0/8").
struct prefix {
  address network{};
  std::uint8_t length = 0;

  /// The netmask of a prefix length: 8 gives 255.0.0.0.
  static constexpr std::uint32_t mask_of(std::uint8_t length) noexcept {
    return length == 0 ? 0u : ~std::uint32_t{0} << (32 - (length > 32 ? 32 : length));
  }

  /// Parse "a.b.c.d/len". The address follows address::parse; len is 0..32 in decimal
  /// without leading zeros; the address must have no bits set beyond the prefix.
  static constexpr result<prefix> parse(std::string_view text) noexcept { return parse_impl(text, true); }
  /// As parse, but host bits are allowed and cleared ("10.1.2.3/8" gives 10.0.0.0/8).
  static constexpr result<prefix> parse_lax(std::string_view text) noexcept { return parse_impl(text, false); }

  constexpr std::uint32_t mask() const noexcept { return mask_of(length); }
  /// True when `a` lies in this block.
  constexpr bool contains(address a) const noexcept { return (a.to_u32() & mask()) == network.to_u32(); }
  /// The highest address of the block (its directed broadcast address for length < 31).
  constexpr address last() const noexcept { return address::from_u32(network.to_u32() | ~mask()); }

  /// "a.b.c.d/len" (allocates).
  std::string to_string() const { return network.to_string() + "/" + std::to_string(length); }

  friend constexpr bool operator==(const prefix&, const prefix&) noexcept = default;

 private:
  static constexpr result<prefix> parse_impl(std::string_view text, bool strict) noexcept {
    const std::size_t slash = text.find('/');
    if (slash == std::string_view::npos) return make_error(errc::malformed, text.size(), "ipv4 prefix: no '/'");
    auto addr = address::parse(text.substr(0, slash));
    if (!addr) return addr.error();
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 2) {
      return make_error(errc::malformed, slash + 1, "ipv4 prefix: length must be 0..32");
    }
    if (digits.size() == 2 && digits[0] == '0') return make_error(errc::malformed, slash + 1, "ipv4 prefix: leading zero in length");
    std::uint32_t len = 0;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (digits[i] < '0' || digits[i] > '9') return make_error(errc::malformed, slash + 1 + i, "ipv4 prefix: length must be 0..32");
      len = len * 10 + static_cast<std::uint32_t>(digits[i] - '0');
    }
    if (len > 32) return make_error(errc::bad_value, slash + 1, "ipv4 prefix: length {} > {}", len, 32);
    const auto length = static_cast<std::uint8_t>(len);
    const std::uint32_t value = addr->to_u32();
    if (strict && (value & ~mask_of(length)) != 0) {
      return make_error(errc::bad_value, 0, "ipv4 prefix: host bits set beyond the prefix length");
    }
    return prefix{address::from_u32(value & mask_of(length)), length};
  }
};

}  // namespace wirespan::ipv4
