// wirespan/core/endian.hpp — constexpr big- and little-endian loads and stores.
//
// Loads and stores are written as shifts on individual bytes: valid in constant
// expressions, free of aliasing and alignment rules, and folded by GCC and Clang into a
// single (byte-swapping) load or store. The pointer forms do no bounds checking; callers
// check lengths first (views validate once in parse()). The span forms take fixed-size
// spans so the size is checked by the type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace wirespan {

// ---- big-endian (network byte order) ----

constexpr std::uint8_t load_u8(const std::uint8_t* p) noexcept { return p[0]; }

constexpr std::uint16_t load_be16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
constexpr std::uint32_t load_be24(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | std::uint32_t{p[2]};
}
constexpr std::uint32_t load_be32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
constexpr std::uint64_t load_be48(const std::uint8_t* p) noexcept {
  return (std::uint64_t{load_be16(p)} << 32) | load_be32(p + 2);
}
constexpr std::uint64_t load_be64(const std::uint8_t* p) noexcept {
  return (std::uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
}

constexpr void store_u8(std::uint8_t* p, std::uint8_t v) noexcept { p[0] = v; }

constexpr void store_be16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
constexpr void store_be24(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 16);
  p[1] = static_cast<std::uint8_t>(v >> 8);
  p[2] = static_cast<std::uint8_t>(v);
}
constexpr void store_be32(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}
constexpr void store_be48(std::uint8_t* p, std::uint64_t v) noexcept {
  store_be16(p, static_cast<std::uint16_t>(v >> 32));
  store_be32(p + 2, static_cast<std::uint32_t>(v));
}
constexpr void store_be64(std::uint8_t* p, std::uint64_t v) noexcept {
  store_be32(p, static_cast<std::uint32_t>(v >> 32));
  store_be32(p + 4, static_cast<std::uint32_t>(v));
}

// ---- little-endian ----

constexpr std::uint16_t load_le16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
constexpr std::uint32_t load_le24(const std::uint8_t* p) noexcept {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16);
}
constexpr std::uint32_t load_le32(const std::uint8_t* p) noexcept {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
         (std::uint32_t{p[3]} << 24);
}
constexpr std::uint64_t load_le48(const std::uint8_t* p) noexcept {
  return std::uint64_t{load_le32(p)} | (std::uint64_t{load_le16(p + 4)} << 32);
}
constexpr std::uint64_t load_le64(const std::uint8_t* p) noexcept {
  return std::uint64_t{load_le32(p)} | (std::uint64_t{load_le32(p + 4)} << 32);
}

constexpr void store_le16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
constexpr void store_le24(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
  p[2] = static_cast<std::uint8_t>(v >> 16);
}
constexpr void store_le32(std::uint8_t* p, std::uint32_t v) noexcept {
  store_le16(p, static_cast<std::uint16_t>(v));
  store_le16(p + 2, static_cast<std::uint16_t>(v >> 16));
}
constexpr void store_le48(std::uint8_t* p, std::uint64_t v) noexcept {
  store_le32(p, static_cast<std::uint32_t>(v));
  store_le16(p + 4, static_cast<std::uint16_t>(v >> 32));
}
constexpr void store_le64(std::uint8_t* p, std::uint64_t v) noexcept {
  store_le32(p, static_cast<std::uint32_t>(v));
  store_le32(p + 4, static_cast<std::uint32_t>(v >> 32));
}

// ---- fixed-size span forms: the span's extent is the bounds check ----

constexpr std::uint16_t load_be16(std::span<const std::uint8_t, 2> s) noexcept { return load_be16(s.data()); }
constexpr std::uint32_t load_be24(std::span<const std::uint8_t, 3> s) noexcept { return load_be24(s.data()); }
constexpr std::uint32_t load_be32(std::span<const std::uint8_t, 4> s) noexcept { return load_be32(s.data()); }
constexpr std::uint64_t load_be48(std::span<const std::uint8_t, 6> s) noexcept { return load_be48(s.data()); }
constexpr std::uint64_t load_be64(std::span<const std::uint8_t, 8> s) noexcept { return load_be64(s.data()); }
constexpr std::uint16_t load_le16(std::span<const std::uint8_t, 2> s) noexcept { return load_le16(s.data()); }
constexpr std::uint32_t load_le24(std::span<const std::uint8_t, 3> s) noexcept { return load_le24(s.data()); }
constexpr std::uint32_t load_le32(std::span<const std::uint8_t, 4> s) noexcept { return load_le32(s.data()); }
constexpr std::uint64_t load_le48(std::span<const std::uint8_t, 6> s) noexcept { return load_le48(s.data()); }
constexpr std::uint64_t load_le64(std::span<const std::uint8_t, 8> s) noexcept { return load_le64(s.data()); }

/// Swap the two bytes of a 16-bit value.
constexpr std::uint16_t byteswap16(std::uint16_t v) noexcept {
  return static_cast<std::uint16_t>((v << 8) | (v >> 8));
}

}  // namespace wirespan
