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

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include "../config.hpp"
#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"

#if WIRESPAN_HAS_X86_KERNELS
#  include <immintrin.h>
#endif

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

// Gather the 7-bit groups of x (each in the low bits of its byte, high bits clear) into
// one 56-bit number: pairs of bytes, then pairs of pairs, then the two halves.
constexpr std::uint64_t gather7(std::uint64_t x) noexcept {
  x = (x & 0x007f007f007f007full) | ((x & 0x7f007f007f007f00ull) >> 1);
  x = (x & 0x00003fff00003fffull) | ((x & 0x3fff00003fff0000ull) >> 2);
  return (x & 0x000000000fffffffull) | ((x & 0x0fffffff00000000ull) >> 4);
}

// Fast path: at least 10 bytes are readable at p, so no byte needs a bounds check. One
// byte is one test; a longer varint is found in one 8-byte word without a branch per
// byte (its last byte is the first one below 0x80), which keeps varints of unpredictable
// length from costing a mispredicted branch each. A 9th and 10th byte are rare and
// taken one by one; of the 10th only the lowest bit counts (bits beyond 64 are dropped,
// as libprotobuf does). Returns nullptr for an 11-byte varint. `Tested` is how many
// bytes are tried one at a time first: 2 for values of any size; the schema decoder takes
// 3, since field values of up to 3 bytes (below 2^21) are the common ones in messages.
template <int Tested = 2>
WIRESPAN_ALWAYS_INLINE constexpr const std::uint8_t* varint_decode_unbounded(const std::uint8_t* p,
                                                                            std::uint64_t& out) noexcept {
  static_assert(Tested == 2 || Tested == 3);
  const std::uint64_t first = p[0];
  if (WIRESPAN_LIKELY(first < 0x80)) {
    out = first;
    return p + 1;
  }
  const std::uint64_t second = p[1];
  if (WIRESPAN_LIKELY(second < 0x80)) {
    out = (first & 0x7f) | (second << 7);
    return p + 2;
  }
  if constexpr (Tested == 3) {
    const std::uint64_t third = p[2];
    if (WIRESPAN_LIKELY(third < 0x80)) {
      out = (first & 0x7f) | ((second & 0x7f) << 7) | (third << 14);
      return p + 3;
    }
  }
  const std::uint64_t w = load_le64(p);
  const std::uint64_t stops = ~w & 0x8080808080808080ull;
  if (WIRESPAN_LIKELY(stops != 0)) {
    // stops ^ (stops - 1): every bit up to the first stop bit; that bit of w is clear.
    out = gather7(w & (stops ^ (stops - 1)) & 0x7f7f7f7f7f7f7f7full);
    return p + (std::countr_zero(stops) + 1) / 8;
  }
  std::uint64_t r = gather7(w & 0x7f7f7f7f7f7f7f7full);
  const std::uint64_t b8 = p[8];
  r |= (b8 & 0x7f) << 56;
  if (b8 < 0x80) {
    out = r;
    return p + 9;
  }
  const std::uint64_t b9 = p[9];
  if (b9 >= 0x80) return nullptr;
  out = r | (b9 << 63);
  return p + 10;
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

/// What `decode_varints` did: values written and bytes read.
struct varints_decoded {
  std::size_t count = 0;
  std::size_t size = 0;
};

namespace detail {

// Bulk decoding (a packed region, a column of numbers): the scalar loop is the
// reference and serves constant evaluation; at run time an SSSE3 kernel decodes eight
// bytes of one- and two-byte varints at a time. Both stop at the first bad varint and
// leave it to the caller to judge, so they agree on every input (fuzzed).

// The varint at p is bad: the data ends inside it, or it has no last byte in 10.
constexpr error varints_error(const std::uint8_t* p, const std::uint8_t* end, std::size_t offset) noexcept {
  if (end - p >= 10) return make_error(errc::malformed, offset, "protobuf: varint longer than {} bytes", 11, 10);
  return make_error(errc::truncated, offset, "protobuf: unterminated varint", 1);
}

// Decode from p while values fit in [out, out_end): returns where it stopped (at end,
// when out is full, or at a bad varint).
constexpr const std::uint8_t* decode_varints_scalar(const std::uint8_t* p, const std::uint8_t* end,
                                                    std::uint64_t*& out, std::uint64_t* out_end) noexcept {
  while (p != end && out != out_end) {
    std::uint64_t v = 0;
    bool truncated = false;
    const std::uint8_t* next = varint_decode(p, end, v, truncated);
    if (next == nullptr) break;
    *out++ = v;
    p = next;
  }
  return p;
}

inline namespace WIRESPAN_ISA_NAMESPACE {
#if WIRESPAN_HAS_X86_KERNELS

// For each pattern of continuation bits (bit i: byte i has its high bit set) in an
// 8-byte window that starts with a varint: how many one- and two-byte varints it holds
// from the start (up to the first longer or unfinished one), how many bytes they take,
// and the PSHUFB pattern that puts varint k in 16-bit lane k (its second byte, or zero,
// in the high half).
struct alignas(16) varint_window {
  std::uint8_t shuffle[16];
  std::uint8_t count;
  std::uint8_t size;
};

constexpr std::array<varint_window, 256> make_varint_windows() noexcept {
  std::array<varint_window, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    varint_window& w = t[c];
    for (auto& b : w.shuffle) b = 0x80;  // PSHUFB: a set high bit writes zero
    unsigned pos = 0, k = 0;
    while (pos < 8) {
      if (((c >> pos) & 1) == 0) {
        w.shuffle[2 * k] = static_cast<std::uint8_t>(pos);
        pos += 1;
      } else if (pos + 1 < 8 && ((c >> (pos + 1)) & 1) == 0) {
        w.shuffle[2 * k] = static_cast<std::uint8_t>(pos);
        w.shuffle[2 * k + 1] = static_cast<std::uint8_t>(pos + 1);
        pos += 2;
      } else {
        break;
      }
      ++k;
    }
    w.count = static_cast<std::uint8_t>(k);
    w.size = static_cast<std::uint8_t>(pos);
  }
  return t;
}

alignas(64) inline constexpr std::array<varint_window, 256> varint_windows = make_varint_windows();

// One varint of 1..10 bytes at p (16 bytes readable) whose length the continuation mask
// m (bit i: byte i continues) gives, without a branch on the length. 0 for 11+ bytes,
// else its length.
inline unsigned varint_by_mask(const std::uint8_t* p, std::uint64_t m, std::uint64_t& out) noexcept {
  const std::uint64_t stops = ~m & 0x3ff;
  if (stops == 0) return 0;
  const auto len = static_cast<unsigned>(std::countr_zero(stops)) + 1;
  const unsigned low = len < 8 ? len : 8;
  const std::uint64_t w = load_le64(p) & (~std::uint64_t{0} >> (64 - 8 * low));
  // Bytes 8 and 9 are loaded whatever the length (no branch) and masked off.
  const std::uint64_t b8 = std::uint64_t{p[8]} & (0 - std::uint64_t{len >= 9}) & 0x7f;
  const std::uint64_t b9 = std::uint64_t{p[9]} & std::uint64_t{len == 10};
  out = gather7(w & 0x7f7f7f7f7f7f7f7full) | (b8 << 56) | (b9 << 63);
  return len;
}

// Continuation bits of the 64 bytes at p (bit i: p[i] >= 0x80).
__attribute__((target("ssse3"))) inline std::uint64_t continuation_bits(const std::uint8_t* p) noexcept {
  const auto* v = reinterpret_cast<const __m128i*>(p);
  const auto m0 = static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_loadu_si128(v))));
  const auto m1 = static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_loadu_si128(v + 1))));
  const auto m2 = static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_loadu_si128(v + 2))));
  const auto m3 = static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_loadu_si128(v + 3))));
  return m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
}

// The one- and two-byte varints of the window at q (pattern w) as eight 64-bit values
// at o (those past w.count are junk, overwritten later).
__attribute__((target("ssse3"))) WIRESPAN_ALWAYS_INLINE void small_varints(const std::uint8_t* q,
                                                                          const varint_window& w,
                                                                          std::uint64_t* o) noexcept {
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
  const __m128i lanes = _mm_shuffle_epi8(x, _mm_load_si128(reinterpret_cast<const __m128i*>(w.shuffle)));
  const __m128i v = _mm_or_si128(_mm_and_si128(lanes, _mm_set1_epi16(0x7f)),
                                 _mm_and_si128(_mm_srli_epi16(lanes, 1), _mm_set1_epi16(0x3f80)));
  const __m128i zero = _mm_setzero_si128();
  const __m128i lo = _mm_unpacklo_epi16(v, zero);
  const __m128i hi = _mm_unpackhi_epi16(v, zero);
  auto* out = reinterpret_cast<__m128i*>(o);
  _mm_storeu_si128(out, _mm_unpacklo_epi32(lo, zero));
  _mm_storeu_si128(out + 1, _mm_unpackhi_epi32(lo, zero));
  _mm_storeu_si128(out + 2, _mm_unpacklo_epi32(hi, zero));
  _mm_storeu_si128(out + 3, _mm_unpackhi_epi32(hi, zero));
}

// The continuation bits of 128 bytes are taken ahead (two 64-byte blocks, the next
// one loaded as soon as the cursor enters it), so the position of the next window is
// a few bit operations on them rather than a chain of loads: a window of only one-
// and two-byte varints ends after byte 7, or after byte 6 when byte 7 starts one.
__attribute__((target("ssse3"))) inline const std::uint8_t* decode_varints_ssse3(const std::uint8_t* p,
                                                                                const std::uint8_t* end,
                                                                                std::uint64_t*& out,
                                                                                std::uint64_t* out_end) noexcept {
  std::uint64_t* o = out;
  if (end - p >= 128) {
    const std::uint8_t* b = p;  // block start; the cursor is b + s
    unsigned s = 0;
    std::uint64_t now = continuation_bits(b);
    std::uint64_t next = continuation_bits(b + 64);
    // A block without two continuation bytes in a row holds only one- and two-byte
    // varints: windows of eight bytes. Other blocks go one varint at a time, without a
    // branch on its length. (Choosing per block keeps the branch predictable.)
    bool small = (now & (now >> 1)) == 0;
    for (;;) {
      if (s >= 64) {
        b += 64;
        s -= 64;
        if (end - b < 128) break;
        now = next;
        next = continuation_bits(b + 64);
        small = (now & (now >> 1)) == 0;
      }
      if (out_end - o < 8) break;
      const std::uint64_t bits = (now >> s) | ((next << 1) << (63 - s));  // bits s .. s + 63
      const auto c = static_cast<unsigned>(bits & 0xff);
      const varint_window& w = varint_windows[c];
      const std::uint8_t* q = b + s;
      if (small && (c & (c >> 1) & 0x7f) == 0) {  // no varint in the window is longer than 2 bytes
        small_varints(q, w, o);
        o += w.count;
        s += 8 - (c >> 7);
      } else {
        const unsigned len = varint_by_mask(q, bits, *o);
        if (len == 0) break;
        ++o;
        s += len;
      }
    }
    p = b + s;
  }
  out = o;
  return decode_varints_scalar(p, end, out, out_end);
}

#endif  // WIRESPAN_HAS_X86_KERNELS

using varints_kernel = const std::uint8_t* (*)(const std::uint8_t*, const std::uint8_t*, std::uint64_t*&,
                                               std::uint64_t*) noexcept;

inline const std::uint8_t* decode_varints_scalar_runtime(const std::uint8_t* p, const std::uint8_t* end,
                                                         std::uint64_t*& out, std::uint64_t* out_end) noexcept {
  return decode_varints_scalar(p, end, out, out_end);
}

/// The SSSE3 kernel when this CPU has SSSE3, else the scalar loop; chosen once.
inline varints_kernel active_varints_kernel() noexcept {
#if WIRESPAN_HAS_X86_KERNELS
  static const varints_kernel k = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("ssse3") ? varints_kernel{&decode_varints_ssse3}
                                           : varints_kernel{&decode_varints_scalar_runtime};
  }();
  return k;
#else
  return &decode_varints_scalar_runtime;
#endif
}

}  // inline namespace WIRESPAN_ISA_NAMESPACE
}  // namespace detail

/// Decode consecutive varints from `data` into `out`, until `data` ends or `out` is
/// full: how many values were written and how many bytes they took. The bulk path of
/// packed fields and columns of numbers (at run time eight bytes of small varints at a
/// time with SSSE3). Errors, with the offset of the varint: `truncated` when `data`
/// ends inside one, `malformed` for one longer than 10 bytes.
///
/// ```cpp
/// std::uint64_t values[256];
/// for (auto rest = data; !rest.empty();) {
///   auto r = wirespan::protobuf::decode_varints(rest, values);
///   if (!r) return r.error();
///   use(std::span(values, r->count));
///   rest = rest.subspan(r->size);
/// }
/// ```
constexpr result<varints_decoded> decode_varints(bytes data, std::span<std::uint64_t> out) noexcept {
  const std::uint8_t* const begin = data.data();
  const std::uint8_t* const end = begin + data.size();
  std::uint64_t* o = out.data();
  const std::uint8_t* p = std::is_constant_evaluated()
                              ? detail::decode_varints_scalar(begin, end, o, o + out.size())
                              : detail::active_varints_kernel()(begin, end, o, o + out.size());
  const auto count = static_cast<std::size_t>(o - out.data());
  if (p != end && count != out.size()) {
    return detail::varints_error(p, end, static_cast<std::size_t>(p - begin));
  }
  return varints_decoded{count, static_cast<std::size_t>(p - begin)};
}

/// True when the `size` bytes of a decoded varint are the minimal encoding of `value`
/// (so the 10th byte, if any, is 1).
constexpr bool canonical_varint(std::uint64_t value, std::size_t size) noexcept {
  return size == varint_size(value);
}

}  // namespace wirespan::protobuf
