// wirespan/protobuf/varint.hpp — base-128 varints, zigzag, and the fixed-width scalars
// of the protobuf wire format (protobuf.dev, "Encoding").
//
// A varint is 1 to 10 bytes, least significant group first, the high bit of each byte
// meaning "more follows". Decoding follows libprotobuf: non-minimal (overlong) encodings
// are accepted, bits beyond 64 in a 10th byte are dropped, and an 11th byte is an error.
// `canonical_varint` tells whether an encoding is the minimal one (the extra-strict
// option of the reader).
//
// ```cpp
// std::uint8_t buf[10];
// auto n = wirespan::protobuf::encode_varint(buf, 150);   // 96 01, n == 2
// ```
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "../core/bytes.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"

namespace wirespan::protobuf {

/// The longest varint: 10 bytes carry 64 bits.
inline constexpr std::size_t max_varint_size = 10;

/// How many bytes the minimal varint encoding of `v` takes (1..10).
constexpr std::size_t varint_size(std::uint64_t v) noexcept {
  // The significant bits (1..64), then ceil(bits / 7) without a division.
  const int bits = 64 - std::countl_zero(v | 1);
  return static_cast<std::size_t>(bits * 9 + 64) / 64;
}

/// Write the minimal varint of `v` at `out` (which must have room for `varint_size(v)`
/// bytes) and return the number of bytes written.
constexpr std::size_t encode_varint(std::uint8_t* out, std::uint64_t v) noexcept {
  std::size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<std::uint8_t>(v);
  return n;
}

/// ZigZag (sint32): small magnitudes, positive or negative, become small varints.
constexpr std::uint32_t zigzag_encode32(std::int32_t v) noexcept {
  return (static_cast<std::uint32_t>(v) << 1) ^ (v < 0 ? 0xffffffffu : 0u);
}
constexpr std::int32_t zigzag_decode32(std::uint32_t v) noexcept {
  return static_cast<std::int32_t>((v >> 1) ^ (0u - (v & 1u)));
}
/// ZigZag (sint64).
constexpr std::uint64_t zigzag_encode64(std::int64_t v) noexcept {
  return (static_cast<std::uint64_t>(v) << 1) ^ (v < 0 ? ~std::uint64_t{0} : std::uint64_t{0});
}
constexpr std::int64_t zigzag_decode64(std::uint64_t v) noexcept {
  return static_cast<std::int64_t>((v >> 1) ^ (std::uint64_t{0} - (v & 1u)));
}

namespace detail {

// Fast path: at least 10 bytes are readable at p, so no byte needs a bounds check.
// Each byte is added with its continuation bit and the bit is subtracted back when the
// next byte says more follows (the libprotobuf trick); the loop is fully unrolled.
// Returns nullptr for an 11-byte varint.
WIRESPAN_ALWAYS_INLINE constexpr const std::uint8_t* varint_decode_unbounded(const std::uint8_t* p,
                                                                            std::uint64_t& out) noexcept {
  std::uint64_t r = p[0];
  if (r < 0x80) {
    out = r;
    return p + 1;
  }
  std::uint64_t b = p[1];
  r += (b - 1) << 7;
  if (b < 0x80) {
    out = r;
    return p + 2;
  }
  b = p[2];
  r += (b - 1) << 14;
  if (b < 0x80) {
    out = r;
    return p + 3;
  }
  b = p[3];
  r += (b - 1) << 21;
  if (b < 0x80) {
    out = r;
    return p + 4;
  }
  b = p[4];
  r += (b - 1) << 28;
  if (b < 0x80) {
    out = r;
    return p + 5;
  }
  b = p[5];
  r += (b - 1) << 35;
  if (b < 0x80) {
    out = r;
    return p + 6;
  }
  b = p[6];
  r += (b - 1) << 42;
  if (b < 0x80) {
    out = r;
    return p + 7;
  }
  b = p[7];
  r += (b - 1) << 49;
  if (b < 0x80) {
    out = r;
    return p + 8;
  }
  b = p[8];
  r += (b - 1) << 56;
  if (b < 0x80) {
    out = r;
    return p + 9;
  }
  b = p[9];
  r += (b - 1) << 63;
  if (b < 0x80) {
    out = r;
    return p + 10;
  }
  return nullptr;
}

// Slow path near the end of the buffer: one bounds check per byte. Returns nullptr for
// an unterminated varint (sets `truncated`) or an 11-byte one.
constexpr const std::uint8_t* varint_decode_bounded(const std::uint8_t* p, const std::uint8_t* end,
                                                    std::uint64_t& out, bool& truncated) noexcept {
  std::uint64_t r = 0;
  for (unsigned shift = 0; shift < 70; shift += 7) {
    if (p == end) {
      truncated = true;
      return nullptr;
    }
    std::uint64_t b = *p++;
    r |= (b & 0x7f) << shift;  // at shift 63 only the lowest bit survives, as in libprotobuf
    if (b < 0x80) {
      out = r;
      return p;
    }
  }
  return nullptr;
}

// Decode a varint in [p, end): nullptr on error, `truncated` telling which one.
WIRESPAN_ALWAYS_INLINE constexpr const std::uint8_t* varint_decode(const std::uint8_t* p, const std::uint8_t* end,
                                                                  std::uint64_t& out, bool& truncated) noexcept {
  if (WIRESPAN_LIKELY(end - p >= 10)) return varint_decode_unbounded(p, out);
  return varint_decode_bounded(p, end, out, truncated);
}

}  // namespace detail

/// A decoded varint: its value and how many bytes it took.
struct varint_value {
  std::uint64_t value = 0;
  std::size_t size = 0;
};

/// Decode the varint at the start of `data`. Errors: `truncated` (the input ends inside
/// it; offset 0) and `malformed` (more than 10 bytes).
constexpr result<varint_value> decode_varint(bytes data) noexcept {
  std::uint64_t v = 0;
  bool truncated = false;
  const std::uint8_t* begin = data.data();
  const std::uint8_t* p = detail::varint_decode(begin, begin + data.size(), v, truncated);
  if (p == nullptr) {
    if (truncated) return make_error(errc::truncated, 0, "protobuf: unterminated varint", 1);
    return make_error(errc::malformed, 0, "protobuf: varint longer than {} bytes", 11, 10);
  }
  return varint_value{v, static_cast<std::size_t>(p - begin)};
}

/// True when the `size` bytes of a decoded varint are the minimal encoding of `value`
/// (so the 10th byte, if any, is 1).
constexpr bool canonical_varint(std::uint64_t value, std::size_t size) noexcept {
  return size == varint_size(value);
}

}  // namespace wirespan::protobuf
