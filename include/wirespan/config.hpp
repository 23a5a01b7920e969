// wirespan/config.hpp — compiler and platform configuration shared by every header.
//
// All macros are prefixed WIRESPAN_ and live here, so there is one place to read them.
#pragma once

#include <cstdio>
#include <cstdlib>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#  define WIRESPAN_X86 1
#else
#  define WIRESPAN_X86 0
#endif

// SIMD kernels are written with GCC/Clang target attributes and intrinsics.
#if WIRESPAN_X86 && (defined(__GNUC__) || defined(__clang__)) && !defined(WIRESPAN_NO_SIMD)
#  define WIRESPAN_HAS_X86_KERNELS 1
#else
#  define WIRESPAN_HAS_X86_KERNELS 0
#endif

// Code whose machine code depends on the ISA flags of the translation unit lives in an
// inline namespace named after those flags. Two translation units built with different
// -m flags then define different symbols, so the linker can never pick an AVX2-compiled
// copy of an inline function for a TU that was built for baseline x86-64 (an ODR
// violation that crashes with SIGILL on older CPUs).
#if defined(__AVX512F__)
#  define WIRESPAN_ISA_NAMESPACE isa_avx512
#elif defined(__AVX2__)
#  define WIRESPAN_ISA_NAMESPACE isa_avx2
#elif defined(__AVX__)
#  define WIRESPAN_ISA_NAMESPACE isa_avx
#elif defined(__SSE4_2__)
#  define WIRESPAN_ISA_NAMESPACE isa_sse42
#else
#  define WIRESPAN_ISA_NAMESPACE isa_base
#endif

#if defined(__GNUC__) || defined(__clang__)
#  define WIRESPAN_ALWAYS_INLINE inline __attribute__((always_inline))
#  define WIRESPAN_NOINLINE __attribute__((noinline))
#  define WIRESPAN_LIKELY(x) __builtin_expect(!!(x), 1)
#  define WIRESPAN_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#  define WIRESPAN_ALWAYS_INLINE inline
#  define WIRESPAN_NOINLINE
#  define WIRESPAN_LIKELY(x) (x)
#  define WIRESPAN_UNLIKELY(x) (x)
#endif

namespace wirespan::detail {

// Not constexpr on purpose: reaching it during constant evaluation is a compile error
// at the caller's line, and at run time it reports the broken precondition and aborts.
[[noreturn]] inline void assertion_failed(const char* condition, const char* file, int line) noexcept {
  std::fprintf(stderr, "wirespan: assertion failed: %s (%s:%d)\n", condition, file, line);
  std::abort();
}

}  // namespace wirespan::detail

// Misuse of the API (a programming error, not bad input) is an assertion. Define
// WIRESPAN_DISABLE_ASSERTIONS to compile them out.
#if defined(WIRESPAN_DISABLE_ASSERTIONS)
#  define WIRESPAN_ASSERT(cond) static_cast<void>(0)
#else
#  define WIRESPAN_ASSERT(cond) \
    ((cond) ? static_cast<void>(0) : ::wirespan::detail::assertion_failed(#cond, __FILE__, __LINE__))
#endif
