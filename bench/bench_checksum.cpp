// Internet checksum throughput: wirespan's kernels against DPDK's rte_raw_cksum, the plain
// RFC 1071 §4.1 loop, and a pure memory-read loop (the physical limit), in one binary.
//
// Every benchmark checks its result against the scalar reference before timing. The
// buffer is 64-byte aligned. Run through bench/run_checksum.sh to get the ratio table.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <wirespan/wirespan.hpp>

#if WIRESPAN_BENCH_HAVE_DPDK
#  include <rte_ip.h>
#endif

namespace {

namespace cs = wirespan::checksum;

constexpr std::int64_t sizes[] = {20, 64, 576, 1500, 9000, 65536, 16 << 20};

struct buffer {
  std::uint8_t* data;
  std::size_t size;
};

buffer test_buffer(std::size_t size) {
  static std::uint8_t* storage = [] {
    auto* p = static_cast<std::uint8_t*>(std::aligned_alloc(64, std::size_t{16} << 20));
    std::uint32_t x = 12345;
    for (std::size_t i = 0; i < (std::size_t{16} << 20); ++i) {
      x = x * 1664525u + 1013904223u;
      p[i] = static_cast<std::uint8_t>(x >> 24);
    }
    return p;
  }();
  return {storage, size};
}

// The compiler must assume the buffer changed, so it cannot hoist the work out of the loop.
inline void clobber(const void* p) { asm volatile("" : : "r"(p) : "memory"); }
// Keep a result alive without the DoNotOptimize(T&) form (see DESIGN.md: miscompiled by
// g++ 12 with Debian's Google Benchmark 1.7.1).
inline void keep(std::uint64_t v) { asm volatile("" : : "r"(v) : "memory"); }

template <class F>
void run(benchmark::State& state, F&& f, std::uint16_t expected_be, bool check = true) {
  const buffer b = test_buffer(static_cast<std::size_t>(state.range(0)));
  if (check && f(b.data, b.size) != expected_be) {
    state.SkipWithError("wrong result");
    return;
  }
  for (auto _ : state) {
    clobber(b.data);
    keep(f(b.data, b.size));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

std::uint16_t reference(std::size_t size) {
  const buffer b = test_buffer(size);
  return cs::sum(wirespan::bytes(b.data, b.size), cs::kernel::scalar);
}

void wirespan_internet_checksum(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  run(state, [](const std::uint8_t* p, std::size_t len) { return cs::sum(wirespan::bytes(p, len)); }, reference(n));
  state.SetLabel(cs::to_string(cs::active_kernel()));
}

template <cs::kernel K>
void wirespan_kernel(benchmark::State& state) {
  if (!cs::is_supported(K)) {
    state.SkipWithError("kernel not supported by this CPU");
    return;
  }
  const auto n = static_cast<std::size_t>(state.range(0));
  run(state, [](const std::uint8_t* p, std::size_t len) { return cs::sum(wirespan::bytes(p, len), K); }, reference(n));
}

#if WIRESPAN_BENCH_HAVE_DPDK
void dpdk_rte_raw_cksum(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  // rte_raw_cksum sums native (little-endian) words: its result is our sum byte-swapped.
  // It accumulates in 32 bits, so beyond ~128 KiB of data its result is wrong; timed anyway.
  const bool correct = n <= 65536;
  run(state, [](const std::uint8_t* p, std::size_t len) { return wirespan::byteswap16(rte_raw_cksum(p, len)); },
      reference(n), correct);
  if (!correct) {
    const buffer b = test_buffer(n);
    if (wirespan::byteswap16(rte_raw_cksum(b.data, b.size)) != reference(n)) state.SetLabel("result wrong: 32-bit overflow");
  }
}
#endif

// RFC 1071 §4.1 "C" loop: 16-bit words into a 32-bit sum, folded at the end (and, so that
// it stays correct for large buffers, every 32 K words).
std::uint16_t rfc1071_plain(const std::uint8_t* p, std::size_t n) {
  std::uint64_t sum = 0;
  for (; n > 1; n -= 2, p += 2) sum += static_cast<std::uint32_t>((p[0] << 8) | p[1]);
  if (n > 0) sum += static_cast<std::uint32_t>(p[0] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

void plain_rfc1071_loop(benchmark::State& state) {
  run(state, rfc1071_plain, reference(static_cast<std::size_t>(state.range(0))));
}

// The physical limit: read every byte once with the widest loads and the cheapest
// operation (OR into four accumulators), no arithmetic to speak of.
#if WIRESPAN_HAS_X86_KERNELS
__attribute__((target("avx2"))) std::uint64_t read_all(const std::uint8_t* p, std::size_t n) {
  __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
  std::size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    a = _mm256_or_si256(a, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i)));
    b = _mm256_or_si256(b, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    c = _mm256_or_si256(c, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    d = _mm256_or_si256(d, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  for (; i + 32 <= n; i += 32) a = _mm256_or_si256(a, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)));
  std::uint64_t tail = 0;
  for (; i < n; ++i) tail |= p[i];
  const __m256i all = _mm256_or_si256(_mm256_or_si256(a, b), _mm256_or_si256(c, d));
  return static_cast<std::uint64_t>(_mm256_extract_epi64(all, 0) | _mm256_extract_epi64(all, 3)) | tail;
}

void memory_read_limit(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx2")) {
    state.SkipWithError("needs AVX2");
    return;
  }
  const buffer b = test_buffer(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    clobber(b.data);
    keep(read_all(b.data, b.size));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
#endif

void apply_sizes(benchmark::internal::Benchmark* b) {
  for (std::int64_t s : sizes) b->Arg(s);
}

}  // namespace

BENCHMARK(wirespan_internet_checksum)->Apply(apply_sizes);
BENCHMARK(wirespan_kernel<cs::kernel::scalar>)->Name("wirespan_kernel/scalar")->Apply(apply_sizes);
BENCHMARK(wirespan_kernel<cs::kernel::sse2>)->Name("wirespan_kernel/sse2")->Apply(apply_sizes);
BENCHMARK(wirespan_kernel<cs::kernel::avx2>)->Name("wirespan_kernel/avx2")->Apply(apply_sizes);
#if WIRESPAN_BENCH_HAVE_DPDK
BENCHMARK(dpdk_rte_raw_cksum)->Apply(apply_sizes);
#endif
BENCHMARK(plain_rfc1071_loop)->Apply(apply_sizes);
#if WIRESPAN_HAS_X86_KERNELS
BENCHMARK(memory_read_limit)->Apply(apply_sizes);
#endif

BENCHMARK_MAIN();
