// wirespan/core/hex.hpp — hexadecimal text to bytes and back, usable at compile time.
//
// For test vectors, tools and logs: `parse_hex("45 00 00 1c")` fills a caller span;
// `hex_array<"0001f203">()` makes a `std::array` at compile time; `format_hex` writes
// lowercase digits. Spaces, tabs, newlines and ':' between byte pairs are ignored.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bytes.hpp"
#include "error.hpp"
#include "result.hpp"

namespace wirespan {

namespace detail {

constexpr int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr bool hex_separator(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':'; }

/// A string literal usable as a template argument.
template <std::size_t N>
struct fixed_string {
  char chars[N]{};
  constexpr fixed_string(const char (&s)[N]) noexcept {  // NOLINT: implicit on purpose
    for (std::size_t i = 0; i < N; ++i) chars[i] = s[i];
  }
  constexpr std::string_view view() const noexcept { return {chars, N - 1}; }
};

}  // namespace detail

/// The number of bytes `text` decodes to, or an error (offset: the character) for a
/// character that is not a hex digit or separator, or an odd number of digits.
constexpr result<std::size_t> hex_size(std::string_view text) noexcept {
  std::size_t digits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (detail::hex_digit(c) >= 0) {
      ++digits;
    } else if (!detail::hex_separator(c) || digits % 2 != 0) {
      return make_error(errc::malformed, i, "hex: unexpected character");
    }
  }
  if (digits % 2 != 0) return make_error(errc::malformed, text.size(), "hex: odd number of digits");
  return digits / 2;
}

/// Decode `text` into `out`; returns the number of bytes written.
constexpr result<std::size_t> parse_hex(std::string_view text, mutable_bytes out) noexcept {
  auto size = hex_size(text);
  if (!size) return size.error();
  if (*size > out.size()) return make_error(errc::buffer_too_small, 0, "hex: output too small", *size, out.size());
  std::size_t n = 0;
  int high = -1;
  for (char c : text) {
    const int d = detail::hex_digit(c);
    if (d < 0) continue;
    if (high < 0) {
      high = d;
    } else {
      out[n++] = static_cast<std::uint8_t>((high << 4) | d);
      high = -1;
    }
  }
  return n;
}

/// The bytes of a hex literal, decoded at compile time; a bad literal does not compile.
///
/// ```cpp
/// constexpr auto words = wirespan::hex_array<"0001 f203 f4f5 f6f7">();
/// static_assert(words.size() == 8);
/// ```
template <detail::fixed_string Text>
consteval auto hex_array() {
  constexpr auto size = hex_size(Text.view());
  static_assert(size.has_value(), "hex_array: the literal is not valid hex");
  std::array<std::uint8_t, size.value()> out{};
  (void)parse_hex(Text.view(), out);
  return out;
}

/// Write `data` as lowercase hex digits (two per byte, no separators) into `out`, which
/// must hold 2 * data.size() characters; returns the number of characters written.
constexpr result<std::size_t> format_hex(bytes data, std::span<char> out) noexcept {
  if (out.size() / 2 < data.size()) {
    return make_error(errc::buffer_too_small, 0, "hex: output too small", 2 * data.size(), out.size());
  }
  constexpr const char* digits = "0123456789abcdef";
  for (std::size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xf];
  }
  return 2 * data.size();
}

/// `data` as a string of lowercase hex digits (a convenience for tools and tests; it
/// allocates).
inline std::string to_hex(bytes data) {
  std::string s(2 * data.size(), '\0');
  (void)format_hex(data, std::span<char>(s.data(), s.size()));
  return s;
}

}  // namespace wirespan
