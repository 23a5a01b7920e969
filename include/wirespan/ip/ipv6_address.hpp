// wirespan/ip/ipv6_address.hpp — IPv6 addresses: constexpr text parsing with the rules of
// POSIX `inet_pton(AF_INET6)` (glibc), and formatting in the RFC 5952 form `inet_ntop`
// and Wireshark print (lowercase, the longest run of two or more zero groups as "::",
// the first such run on a tie, IPv4-mapped and -compatible addresses with a dotted quad).
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../core/error.hpp"
#include "../core/hex.hpp"
#include "../core/result.hpp"
#include "ipv4_address.hpp"

namespace wirespan::ipv6 {

struct address {
  std::array<std::uint8_t, 16> octets{};

  /// The longest text `to_chars` writes ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255").
  static constexpr std::size_t max_text_size = 45;

  constexpr std::uint16_t group(std::size_t i) const noexcept {
    return static_cast<std::uint16_t>(octets[2 * i] << 8 | octets[2 * i + 1]);
  }

  static constexpr result<address> parse(std::string_view s) noexcept {
    std::array<std::uint16_t, 8> g{};
    std::size_t n = 0;           // groups written
    std::size_t gap = SIZE_MAX;  // index where "::" stands
    std::size_t i = 0;
    if (s.empty()) return bad(0);
    if (s[0] == ':') {
      if (s.size() < 2 || s[1] != ':') return bad(0);
      gap = 0;
      i = 2;
      if (i == s.size()) return address{};
    }
    while (i < s.size()) {
      // A group: up to 4 hex digits, or a dotted quad as the last 32 bits.
      std::size_t start = i;
      std::uint32_t v = 0;
      std::size_t digits = 0;
      while (i < s.size() && wirespan::detail::hex_digit(s[i]) >= 0 && digits < 5) {
        v = v * 16 + static_cast<std::uint32_t>(wirespan::detail::hex_digit(s[i]));
        ++i;
        ++digits;
      }
      if (i < s.size() && s[i] == '.') {
        if (n > 6) return bad(start);
        auto quad = ipv4::address::parse(s.substr(start));  // inet_pton(AF_INET)'s rules
        if (!quad) return bad(start);
        const auto& q = quad->octets;
        g[n++] = static_cast<std::uint16_t>(q[0] << 8 | q[1]);
        g[n++] = static_cast<std::uint16_t>(q[2] << 8 | q[3]);
        i = s.size();
        break;
      }
      if (digits == 0 || digits > 4) return bad(start);
      if (n == 8) return bad(start);
      g[n++] = static_cast<std::uint16_t>(v);
      if (i == s.size()) break;
      if (s[i] != ':') return bad(i);
      ++i;
      if (i < s.size() && s[i] == ':') {
        if (gap != SIZE_MAX) return bad(i);
        gap = n;
        ++i;
        if (i == s.size()) break;
      } else if (i == s.size()) {
        return bad(i - 1);  // a trailing single ':'
      }
    }
    address a;
    if (gap == SIZE_MAX) {
      if (n != 8) return bad(s.size());
      for (std::size_t k = 0; k < 8; ++k) a.set_group(k, g[k]);
      return a;
    }
    if (n > 7) return bad(s.size());  // "::" must stand for at least one group
    for (std::size_t k = 0; k < gap; ++k) a.set_group(k, g[k]);
    const std::size_t tail = n - gap;
    for (std::size_t k = 0; k < tail; ++k) a.set_group(8 - tail + k, g[gap + k]);
    return a;
  }

  constexpr std::size_t to_chars(std::array<char, max_text_size>& out) const noexcept {
    std::size_t best = 8, best_len = 0;
    for (std::size_t k = 0; k < 8;) {
      if (group(k) != 0) {
        ++k;
        continue;
      }
      std::size_t e = k;
      while (e < 8 && group(e) == 0) ++e;
      if (e - k > best_len) {
        best = k;
        best_len = e - k;
      }
      k = e;
    }
    if (best_len < 2) best = 8;
    std::size_t o = 0;
    const bool embedded_v4 = best == 0 && (best_len == 6 || (best_len == 5 && group(5) == 0xffff));
    for (std::size_t k = 0; k < 8; ++k) {
      if (k == best) {
        out[o++] = ':';
        if (k == 0) out[o++] = ':';
        k += best_len - 1;
        continue;
      }
      if (embedded_v4 && k == 6) {
        std::array<char, ipv4::address::max_text_size> quad{};
        const std::size_t len = ipv4::address{{octets[12], octets[13], octets[14], octets[15]}}.to_chars(quad);
        for (std::size_t c = 0; c < len; ++c) out[o++] = quad[c];
        break;
      }
      o = put_hex(out, o, group(k));
      if (k < 7) out[o++] = ':';
    }
    return o;
  }

  std::string to_string() const {
    std::array<char, max_text_size> buf{};
    return std::string(buf.data(), to_chars(buf));
  }

  constexpr bool is_unspecified() const noexcept { return *this == address{}; }
  constexpr bool is_loopback() const noexcept {
    address one{};
    one.octets[15] = 1;
    return *this == one;
  }
  constexpr bool is_multicast() const noexcept { return octets[0] == 0xff; }
  constexpr bool is_link_local() const noexcept { return octets[0] == 0xfe && (octets[1] & 0xc0) == 0x80; }
  constexpr bool is_unique_local() const noexcept { return (octets[0] & 0xfe) == 0xfc; }
  constexpr bool is_ipv4_mapped() const noexcept {
    for (std::size_t k = 0; k < 10; ++k) {
      if (octets[k] != 0) return false;
    }
    return octets[10] == 0xff && octets[11] == 0xff;
  }

  friend constexpr auto operator<=>(const address&, const address&) noexcept = default;

 private:
  constexpr void set_group(std::size_t i, std::uint16_t v) noexcept {
    octets[2 * i] = static_cast<std::uint8_t>(v >> 8);
    octets[2 * i + 1] = static_cast<std::uint8_t>(v);
  }
  static constexpr error bad(std::size_t at) noexcept {
    return make_error(errc::malformed, at, "ipv6: not an address (inet_pton rules)");
  }
  static constexpr std::size_t put_hex(std::array<char, max_text_size>& out, std::size_t o, std::uint16_t v) noexcept {
    constexpr const char* digits = "0123456789abcdef";
    bool started = false;
    for (unsigned shift = 16; shift != 0;) {
      shift -= 4;
      const unsigned d = (static_cast<unsigned>(v) >> shift) & 15u;
      if (d != 0 || started || shift == 0) {
        out[o++] = digits[d];
        started = true;
      }
    }
    return o;
  }
};

}  // namespace wirespan::ipv6
