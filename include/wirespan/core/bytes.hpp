// wirespan/core/bytes.hpp — the byte spans every codec reads and writes.
//
// Codecs take `wirespan::bytes` (read-only) or `wirespan::mutable_bytes`. Callers holding
// `std::byte`, `char` or `unsigned char` buffers, arrays, vectors, strings or string
// views convert with `as_bytes(x)` / `as_mutable_bytes(x)`; no copy is made.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <ranges>
#include <span>
#include <string_view>
#include <type_traits>

namespace wirespan {

/// A read-only view of bytes.
using bytes = std::span<const std::uint8_t>;
/// A writable view of bytes.
using mutable_bytes = std::span<std::uint8_t>;

namespace detail {
template <class T>
inline constexpr bool is_byte_like_v =
    std::is_same_v<T, std::uint8_t> || std::is_same_v<T, std::byte> || std::is_same_v<T, char> ||
    std::is_same_v<T, unsigned char> || std::is_same_v<T, signed char> || std::is_same_v<T, char8_t>;
}  // namespace detail

/// A contiguous range of one-byte elements: `std::vector<char>`, `std::array<std::byte, N>`,
/// `std::string`, `std::string_view`, `std::span<const unsigned char>`, C arrays, ...
template <class R>
concept byte_range = std::ranges::contiguous_range<R> && std::ranges::sized_range<R> &&
                     detail::is_byte_like_v<std::remove_cv_t<std::ranges::range_value_t<R>>>;

/// A byte range whose elements can be written.
template <class R>
concept mutable_byte_range =
    byte_range<R> && !std::is_const_v<std::remove_reference_t<std::ranges::range_reference_t<R>>>;

/// The two span types a codec view is built on: `view<bytes>` reads, `view<mutable_bytes>`
/// also has setters.
template <class B>
concept byte_view = std::same_as<B, bytes> || std::same_as<B, mutable_bytes>;

/// View any byte range as `wirespan::bytes`.
///
/// ```cpp
/// std::string_view s = "\x45\x00";
/// wirespan::bytes b = wirespan::as_bytes(s);
/// ```
/// Ranges of `std::uint8_t` convert in constant expressions; other element types need
/// a pointer conversion and work at run time only.
template <byte_range R>
constexpr bytes as_bytes(R&& r) noexcept {
  using value = std::remove_cv_t<std::ranges::range_value_t<R>>;
  if constexpr (std::is_same_v<value, std::uint8_t>) {
    return bytes(std::ranges::data(r), std::ranges::size(r));
  } else {
    return bytes(reinterpret_cast<const std::uint8_t*>(std::ranges::data(r)), std::ranges::size(r));
  }
}

/// View a writable byte range as `wirespan::mutable_bytes`.
template <mutable_byte_range R>
constexpr mutable_bytes as_mutable_bytes(R&& r) noexcept {
  using value = std::remove_cv_t<std::ranges::range_value_t<R>>;
  if constexpr (std::is_same_v<value, std::uint8_t>) {
    return mutable_bytes(std::ranges::data(r), std::ranges::size(r));
  } else {
    return mutable_bytes(reinterpret_cast<std::uint8_t*>(std::ranges::data(r)), std::ranges::size(r));
  }
}

/// The bytes of a string literal, without its terminator, as a `std::array` (a copy, so
/// that it works in constant expressions too): `literal_bytes("MQTT")`.
template <std::size_t N>
constexpr std::array<std::uint8_t, N - 1> literal_bytes(const char (&s)[N]) noexcept {
  std::array<std::uint8_t, N - 1> out{};
  for (std::size_t i = 0; i + 1 < N; ++i) out[i] = static_cast<std::uint8_t>(s[i]);
  return out;
}

/// True when two byte views hold the same bytes.
constexpr bool equal(bytes a, bytes b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace wirespan
