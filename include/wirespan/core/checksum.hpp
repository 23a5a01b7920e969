// wirespan/core/checksum.hpp — the Internet checksum (RFC 1071) and its incremental update (RFC 1624).
//
// The checksum of IPv4, ICMP, UDP and TCP is the one's complement of the one's
// complement sum of the data taken as 16-bit big-endian words (RFC 1071 §1). Values in
// this API are numbers whose big-endian bytes are what goes on the wire: for the RFC 1071
// §3 example words 0001 f203 f4f5 f6f7 the sum is 0xddf2 and the checksum 0x220d.
//
// - `internet_checksum(data)`: one shot. `checksum::verify(data)`: data that includes a
//   stored checksum sums to 0xffff.
// - `checksum::accumulator`: sums several pieces in order (pseudo-header, header,
//   payload), each of any length and alignment, then `finish()`.
// - `checksum::update16/update32`: RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), for a changed field.
//
// Implementation. The sum does not depend on byte order (RFC 1071 §2(B)): summing
// little-endian words gives the byte-swapped sum, so kernels add native 64-bit words with
// end-around carry and the result is swapped once at the end. A piece that starts at an
// odd offset contributes its own sum byte-swapped (a rotation by 8 bits of a one's
// complement value is multiplication by 2^8 modulo 0xffff). In constant evaluation the
// scalar kernel runs; at run time a SIMD kernel (SSE2 or AVX2) is picked once from the
// CPU's features, or forced by WIRESPAN_CHECKSUM_KERNEL=scalar|sse2|avx2. Kernels are
// compiled with target attributes, inside a namespace named after the translation unit's
// ISA flags (see config.hpp), so mixing translation units built with different -m flags
// never merges a kernel built for one ISA into another. (The short-input path is inlined
// into the public functions and compiled with each translation unit's own flags, like any
// inline code: a program that builds some translation units with -mavx2 must still run
// on AVX2 machines only, as with any C++ header.) No length overflows the sums (the SIMD kernels
// flush their 32-bit lanes into 64-bit sums every 512 KiB).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <type_traits>

#include "../config.hpp"
#include "bytes.hpp"
#include "endian.hpp"

#if WIRESPAN_HAS_X86_KERNELS
#  include <immintrin.h>
#endif

namespace wirespan {
namespace checksum {

/// The implementations of the summing loop.
enum class kernel : std::uint8_t {
  scalar,  ///< portable, constexpr; 64-bit adds with end-around carry
  sse2,    ///< x86 SSE2, 16 bytes per vector
  avx2,    ///< x86 AVX2, 32 bytes per vector
};

/// Every kernel, in order of preference from slowest to fastest.
inline constexpr std::array<kernel, 3> all_kernels{kernel::scalar, kernel::sse2, kernel::avx2};

/// The kernel's name as used by WIRESPAN_CHECKSUM_KERNEL: "scalar", "sse2", "avx2".
constexpr const char* to_string(kernel k) noexcept {
  switch (k) {
    case kernel::scalar: return "scalar";
    case kernel::sse2: return "sse2";
    case kernel::avx2: return "avx2";
  }
  return "unknown";
}

namespace detail {

/// a + b with end-around carry (one's complement addition on 64 bits). The result is
/// zero only when both inputs are, so a sum of data that is not all zero never folds to +0.
constexpr std::uint64_t add_carry(std::uint64_t a, std::uint64_t b) noexcept {
  const std::uint64_t s = a + b;
  return s + static_cast<std::uint64_t>(s < b);
}

/// Fold a 64-bit one's complement sum to 16 bits (2^16 ≡ 1 modulo 0xffff). Adding a value
/// to itself rotated by half its width leaves the end-around-carry sum of its two halves in
/// the upper half: two such steps, no loop.
constexpr std::uint16_t fold(std::uint64_t x) noexcept {
  const std::uint64_t r64 = x + ((x >> 32) | (x << 32));
  const auto y = static_cast<std::uint32_t>(r64 >> 32);
  const std::uint32_t r32 = y + ((y >> 16) | (y << 16));
  return static_cast<std::uint16_t>(r32 >> 16);
}

/// Sum of fewer than 2^34 bytes as little-endian words: 32-bit loads added into plain
/// 64-bit sums, which cannot carry out at these lengths. Fewer operations per byte than
/// add-with-carry for short inputs, and no carry chain.
constexpr std::uint64_t sum_short_scalar(const std::uint8_t* p, std::size_t n) noexcept {
  std::uint64_t s = 0;
  std::uint64_t t = 0;
  for (; n >= 16; n -= 16, p += 16) {
    s += load_le32(p);
    t += load_le32(p + 4);
    s += load_le32(p + 8);
    t += load_le32(p + 12);
  }
  if ((n & 8) != 0) {
    s += load_le32(p);
    t += load_le32(p + 4);
    p += 8;
  }
  if ((n & 4) != 0) {
    s += load_le32(p);
    p += 4;
  }
  if ((n & 2) != 0) {
    t += load_le16(p);
    p += 2;
  }
  if ((n & 1) != 0) s += p[0];  // RFC 1071 §4.1: a last odd byte is padded with zero
  return s + t;
}

/// Sum of `n` bytes as little-endian 16-bit words, as an unfolded one's complement
/// 64-bit value. Constexpr; the reference the SIMD kernels are tested against.
constexpr std::uint64_t sum_scalar(const std::uint8_t* p, std::size_t n) noexcept {
  // Two chains of add-with-carry let the CPU retire two 8-byte adds per cycle.
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  for (; n >= 32; n -= 32, p += 32) {
    a = add_carry(a, load_le64(p));
    b = add_carry(b, load_le64(p + 8));
    a = add_carry(a, load_le64(p + 16));
    b = add_carry(b, load_le64(p + 24));
  }
  return add_carry(add_carry(a, b), sum_short_scalar(p, n));
}

using kernel_function = std::uint64_t (*)(const std::uint8_t*, std::size_t) noexcept;

inline namespace WIRESPAN_ISA_NAMESPACE {

inline std::uint64_t sum_scalar_runtime(const std::uint8_t* p, std::size_t n) noexcept { return sum_scalar(p, n); }

#if WIRESPAN_HAS_X86_KERNELS

// The vector kernels add 16-bit words with PMADDWD (pairs of signed words multiplied by 1
// and summed into 32-bit lanes). Words are unsigned, so each is first XORed with 0x8000,
// which as a signed value is exactly w - 32768. A lane then gains a value in
// [-65536, 65534] per vector; after at most `simd_block_vectors` vectors per accumulator
// the lanes are widened and summed exactly in 64 bits, and the bias is added back:
// Σw = Σ(w - 32768) + 32768 · words. Three cheap operations per load (XOR, PMADDWD,
// PADDD); measured faster than keeping 64-bit lane sums, which needs a shift as well.

// Vectors per accumulator per block. Four accumulators and the ≤ 3 tail vectors summed
// lane-wise stay within (4 · 4096 + 3) · 65536 < 2^31, so they are added before widening.
constexpr std::size_t simd_block_vectors = 4096;

// GCC vector types for the accumulators: with `a += x` GCC 12 keeps them in registers,
// while `a = _mm256_add_epi32(a, x)` made it copy each one every iteration (20% slower).
using v8si = int __attribute__((vector_size(32)));
using v4si = int __attribute__((vector_size(16)));

// One vector of words, biased and pair-summed into 32-bit lanes.
__attribute__((target("sse2"))) inline v4si biased_pairs_sse2(const std::uint8_t* p) noexcept {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return __builtin_bit_cast(v4si, _mm_madd_epi16(_mm_xor_si128(v, _mm_set1_epi16(static_cast<short>(0x8000))), _mm_set1_epi16(1)));
}
__attribute__((target("avx2"))) inline v8si biased_pairs_avx2(const std::uint8_t* p) noexcept {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  return __builtin_bit_cast(v8si,
      _mm256_madd_epi16(_mm256_xor_si256(v, _mm256_set1_epi16(static_cast<short>(0x8000))), _mm256_set1_epi16(1)));
}

__attribute__((target("sse2"))) inline std::int64_t horizontal_sum_sse2(__m128i lanes) noexcept {
  // Sign-extend the four 32-bit lanes to 64 bits and add them.
  const __m128i sign = _mm_srai_epi32(lanes, 31);
  const __m128i lo = _mm_unpacklo_epi32(lanes, sign);
  const __m128i hi = _mm_unpackhi_epi32(lanes, sign);
  const __m128i two = _mm_add_epi64(lo, hi);
  return static_cast<std::int64_t>(_mm_cvtsi128_si64(_mm_add_epi64(two, _mm_unpackhi_epi64(two, two))));
}

__attribute__((target("sse2"))) inline std::uint64_t sum_sse2(const std::uint8_t* p, std::size_t n) noexcept {
  std::uint64_t total = 0;
  while (n >= 16) {
    const std::size_t block = (n < simd_block_vectors * 64 ? n : simd_block_vectors * 64) & ~std::size_t{15};
    n -= block;
    std::size_t left = block;
    v4si a0{}, a1{}, a2{}, a3{};
    for (; left >= 64; left -= 64, p += 64) {
      a0 += biased_pairs_sse2(p);
      a1 += biased_pairs_sse2(p + 16);
      a2 += biased_pairs_sse2(p + 32);
      a3 += biased_pairs_sse2(p + 48);
    }
    for (; left >= 16; left -= 16, p += 16) a0 += biased_pairs_sse2(p);
    const std::int64_t biased = horizontal_sum_sse2(__builtin_bit_cast(__m128i, (a0 + a1) + (a2 + a3)));
    total = add_carry(total, static_cast<std::uint64_t>(biased + static_cast<std::int64_t>(block / 2) * 32768));
  }
  return add_carry(total, sum_short_scalar(p, n));
}

__attribute__((target("avx2"))) inline std::int64_t horizontal_sum_avx2(__m256i lanes) noexcept {
  const __m256i wide = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(lanes)),
                                        _mm256_cvtepi32_epi64(_mm256_extracti128_si256(lanes, 1)));
  const __m128i two = _mm_add_epi64(_mm256_castsi256_si128(wide), _mm256_extracti128_si256(wide, 1));
  return static_cast<std::int64_t>(_mm_cvtsi128_si64(_mm_add_epi64(two, _mm_unpackhi_epi64(two, two))));
}

// Sum of `iterations` × 128 bytes as 32-bit biased lanes (see above).
__attribute__((target("avx2"))) inline __m256i block_sum_avx2(const std::uint8_t* p, std::size_t iterations) noexcept {
  v8si a0{}, a1{}, a2{}, a3{};
  for (; iterations != 0; --iterations, p += 128) {
    a0 += biased_pairs_avx2(p);
    a1 += biased_pairs_avx2(p + 32);
    a2 += biased_pairs_avx2(p + 64);
    a3 += biased_pairs_avx2(p + 96);
  }
  return __builtin_bit_cast(__m256i, (a0 + a1) + (a2 + a3));
}

__attribute__((target("avx2"))) inline std::uint64_t sum_avx2(const std::uint8_t* p, std::size_t n) noexcept {
  std::uint64_t total = 0;
  while (n >= 32) {
    const std::size_t block = (n < simd_block_vectors * 128 ? n : simd_block_vectors * 128) & ~std::size_t{31};
    n -= block;
    v8si lanes = __builtin_bit_cast(v8si, block_sum_avx2(p, block / 128));
    p += block & ~std::size_t{127};
    for (std::size_t left = block & 127; left != 0; left -= 32, p += 32) lanes += biased_pairs_avx2(p);
    const std::int64_t biased = horizontal_sum_avx2(__builtin_bit_cast(__m256i, lanes));
    total = add_carry(total, static_cast<std::uint64_t>(biased + static_cast<std::int64_t>(block / 2) * 32768));
  }
  return add_carry(total, sum_short_scalar(p, n));
}

#endif  // WIRESPAN_HAS_X86_KERNELS

/// True when this CPU (and its OS) can run kernel `k`.
inline bool kernel_supported(kernel k) noexcept {
  switch (k) {
    case kernel::scalar: return true;
#if WIRESPAN_HAS_X86_KERNELS
    case kernel::sse2: __builtin_cpu_init(); return __builtin_cpu_supports("sse2");
    case kernel::avx2: __builtin_cpu_init(); return __builtin_cpu_supports("avx2");
#else
    case kernel::sse2:
    case kernel::avx2: return false;
#endif
  }
  return false;
}

inline kernel_function function_of(kernel k) noexcept {
#if WIRESPAN_HAS_X86_KERNELS
  if (k == kernel::avx2) return &sum_avx2;
  if (k == kernel::sse2) return &sum_sse2;
#endif
  (void)k;
  return &sum_scalar_runtime;
}

/// The kernel named by WIRESPAN_CHECKSUM_KERNEL if it is valid and supported, else the
/// fastest supported one.
inline kernel select_kernel() noexcept {
  if (const char* forced = std::getenv("WIRESPAN_CHECKSUM_KERNEL"); forced != nullptr) {
    for (kernel k : all_kernels) {
      if (std::strcmp(forced, to_string(k)) == 0 && kernel_supported(k)) return k;
    }
  }
  kernel best = kernel::scalar;
  for (kernel k : all_kernels) {
    if (kernel_supported(k)) best = k;
  }
  return best;
}

inline kernel active_kernel() noexcept {
  static const kernel chosen = select_kernel();
  return chosen;
}

/// Inputs shorter than 128 bytes, inlined into the caller: SSE2 is part of x86-64, so no
/// dispatch is needed, and an indirect call into a long-vector loop costs more than it
/// saves at these sizes.
WIRESPAN_ALWAYS_INLINE std::uint64_t sum_short_runtime(const std::uint8_t* p, std::size_t n) noexcept {
#if WIRESPAN_HAS_X86_KERNELS && defined(__SSE2__)
  if (n >= 32) {  // below that, the scalar loop is faster (measured)
    const auto words = static_cast<std::int64_t>((n & ~std::size_t{15}) / 2);
    v4si a{};
    v4si b{};
    for (; n >= 32; n -= 32, p += 32) {
      a += biased_pairs_sse2(p);
      b += biased_pairs_sse2(p + 16);
    }
    if (n >= 16) {
      a += biased_pairs_sse2(p);
      p += 16;
      n -= 16;
    }
    // At most 8 vectors: every lane stays within ±2^20, so 32-bit horizontal adds are exact.
    const v4si lanes = a + b;
    const std::int64_t biased = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    return static_cast<std::uint64_t>(biased + 32768 * words) + sum_short_scalar(p, n);
  }
#endif
  return sum_short_scalar(p, n);
}

/// Inputs of 128 bytes or more: the kernel chosen once per process.
inline std::uint64_t sum_long_runtime(const std::uint8_t* p, std::size_t n) noexcept {
  static const kernel_function f = function_of(active_kernel());
  return f(p, n);
}

WIRESPAN_ALWAYS_INLINE std::uint64_t sum_runtime(const std::uint8_t* p, std::size_t n) noexcept {
  return n < 128 ? sum_short_runtime(p, n) : sum_long_runtime(p, n);
}

/// Unfolded sum of `data` as little-endian words, with the best kernel.
constexpr std::uint64_t sum_le(bytes data) noexcept {
  if (std::is_constant_evaluated()) return sum_scalar(data.data(), data.size());
  return sum_runtime(data.data(), data.size());
}

}  // inline namespace WIRESPAN_ISA_NAMESPACE

}  // namespace detail

/// True when this CPU can run kernel `k` (scalar always can).
inline bool is_supported(kernel k) noexcept { return detail::kernel_supported(k); }

/// The kernel the library uses at run time: WIRESPAN_CHECKSUM_KERNEL when it names a
/// supported kernel, else the fastest supported one. Chosen once per process.
inline kernel active_kernel() noexcept { return detail::active_kernel(); }

/// The 16-bit one's complement sum of `data` (not complemented), computed with the given
/// kernel, which must be supported. For tests and benchmarks; `sum(data)` picks one itself.
inline std::uint16_t sum(bytes data, kernel k) noexcept {
  WIRESPAN_ASSERT(is_supported(k));
  return byteswap16(detail::fold(detail::function_of(k)(data.data(), data.size())));
}

/// The 16-bit one's complement sum of `data` (RFC 1071), not complemented.
constexpr std::uint16_t sum(bytes data) noexcept { return byteswap16(detail::fold(detail::sum_le(data))); }

/// Sums pieces of a checksummed region in order, each of any length and alignment.
///
/// ```cpp
/// wirespan::checksum::accumulator acc;
/// acc.add(pseudo_header).add(udp_header).add(payload);
/// std::uint16_t checksum = acc.finish();
/// ```
class accumulator {
 public:
  constexpr accumulator() noexcept = default;

  /// Add the next `data.size()` bytes of the region.
  constexpr accumulator& add(bytes data) noexcept {
    std::uint64_t piece = detail::sum_le(data);
    // A piece that starts at an odd offset pairs its bytes the other way round.
    if (odd_) piece = byteswap16(detail::fold(piece));
    sum_ = detail::add_carry(sum_, piece);
    odd_ ^= (data.size() & 1u) != 0;
    length_ += data.size();
    return *this;
  }

  /// Add a 16-bit value as its two big-endian bytes.
  constexpr accumulator& add_be16(std::uint16_t value) noexcept {
    const std::array<std::uint8_t, 2> b{static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
    return add(b);
  }

  /// Add a 32-bit value as its four big-endian bytes.
  constexpr accumulator& add_be32(std::uint32_t value) noexcept {
    const std::array<std::uint8_t, 4> b{static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
                                        static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
    return add(b);
  }

  /// The one's complement sum so far, folded to 16 bits (not complemented).
  constexpr std::uint16_t sum() const noexcept { return byteswap16(detail::fold(sum_)); }
  /// The checksum: the one's complement of `sum()`.
  constexpr std::uint16_t finish() const noexcept { return static_cast<std::uint16_t>(~sum()); }
  /// True when the region added includes a correct checksum (it sums to 0xffff).
  constexpr bool verify() const noexcept { return sum() == 0xffff; }
  /// How many bytes were added.
  constexpr std::uint64_t length() const noexcept { return length_; }

 private:
  std::uint64_t sum_ = 0;  // little-endian word domain, end-around carry
  std::uint64_t length_ = 0;
  bool odd_ = false;
};

/// True when `data`, which includes its stored checksum field, sums to 0xffff.
constexpr bool verify(bytes data) noexcept { return sum(data) == 0xffff; }

/// RFC 1624 eqn. 3: the new checksum after a 16-bit word of the covered data changes from
/// `old_value` to `new_value`: HC' = ~(~HC + ~m + m'). Unlike RFC 1141's HC - ~m - m',
/// it never yields the -0 (0xffff) a full recomputation cannot give (RFC 1624 §3).
constexpr std::uint16_t update16(std::uint16_t checksum, std::uint16_t old_value, std::uint16_t new_value) noexcept {
  std::uint32_t s = static_cast<std::uint16_t>(~checksum);
  s += static_cast<std::uint16_t>(~old_value);
  s += new_value;
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16);
  return static_cast<std::uint16_t>(~s);
}

/// RFC 1624 for a changed 32-bit field (two 16-bit words), e.g. an IPv4 address.
constexpr std::uint16_t update32(std::uint16_t checksum, std::uint32_t old_value, std::uint32_t new_value) noexcept {
  checksum = update16(checksum, static_cast<std::uint16_t>(old_value >> 16), static_cast<std::uint16_t>(new_value >> 16));
  return update16(checksum, static_cast<std::uint16_t>(old_value), static_cast<std::uint16_t>(new_value));
}

}  // namespace checksum

/// The Internet checksum of `data` (RFC 1071): the one's complement of the one's
/// complement sum of its 16-bit big-endian words, a last odd byte padded with zero.
/// Store it big-endian (`store_be16`). Computed at compile time when called there:
///
/// ```cpp
/// constexpr std::array<std::uint8_t, 8> words{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
/// static_assert(wirespan::internet_checksum(words) == 0x220d);  // RFC 1071 §3
/// ```
constexpr std::uint16_t internet_checksum(bytes data) noexcept {
  return static_cast<std::uint16_t>(~checksum::sum(data));
}

}  // namespace wirespan
