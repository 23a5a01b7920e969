#include <doctest/doctest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

using namespace wirespan;
namespace cs = wirespan::checksum;

namespace {

// RFC 1071 §3, "Numerical Example": the words 0001 f203 f4f5 f6f7 sum to ddf2.
constexpr auto rfc1071_words = hex_array<"0001 f203 f4f5 f6f7">();

// An IPv4 header with its checksum (b861) in place: the worked example of Wikipedia's
// "Internet checksum" article (192.168.0.1 -> 192.168.0.199, UDP, TTL 64).
constexpr auto ipv4_header = hex_array<"4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7">();

constexpr std::array<std::uint8_t, 20> without_checksum(std::array<std::uint8_t, 20> h) {
  h[10] = 0;
  h[11] = 0;
  return h;
}

// The textbook definition, one 16-bit word at a time with end-around carry (RFC 1071 §4.1).
std::uint16_t reference_sum(bytes data) {
  std::uint32_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    sum += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
    sum = (sum & 0xffff) + (sum >> 16);
  }
  if (i < data.size()) {
    sum += static_cast<std::uint32_t>(data[i] << 8);
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(sum);
}

std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

}  // namespace

// Everything is computed at compile time as well.
static_assert(cs::sum(rfc1071_words) == 0xddf2);
static_assert(internet_checksum(rfc1071_words) == 0x220d);
static_assert(internet_checksum(without_checksum(ipv4_header)) == 0xb861);
static_assert(cs::verify(ipv4_header));
static_assert(!cs::verify(without_checksum(ipv4_header)));
static_assert(cs::accumulator().add(std::span(rfc1071_words).first(3)).add(std::span(rfc1071_words).subspan(3)).finish() ==
              0x220d);
static_assert(cs::update16(0xdd2f, 0x5555, 0x3285) == 0x0000);
static_assert(internet_checksum(bytes{}) == 0xffff);
static_assert(internet_checksum(hex_array<"01">()) == 0xfeff);  // odd byte padded with zero

TEST_CASE("checksum: RFC 1071 §3 numerical example") {
  CHECK(cs::sum(rfc1071_words) == 0xddf2);
  CHECK(internet_checksum(rfc1071_words) == 0x220d);
  // Byte-order independence (RFC 1071 §2(B)): the swapped words give the swapped sum.
  const auto swapped = hex_array<"0100 03f2 f5f4 f7f6">();
  CHECK(cs::sum(swapped) == 0xf2dd);
  for (cs::kernel k : cs::all_kernels) {
    if (!cs::is_supported(k)) continue;
    CAPTURE(cs::to_string(k));
    CHECK(cs::sum(rfc1071_words, k) == 0xddf2);
  }
}

TEST_CASE("checksum: IPv4 header golden vector, verify and fill") {
  auto header = without_checksum(ipv4_header);
  const std::uint16_t c = internet_checksum(header);
  CHECK(c == 0xb861);
  store_be16(header.data() + 10, c);
  CHECK(header == ipv4_header);
  CHECK(cs::verify(header));
  header[8] ^= 1;
  CHECK(!cs::verify(header));
}

TEST_CASE("checksum: RFC 1624 §3, the -0 corner case of RFC 1141") {
  // The other header octets sum to 0xCD7A; a 16-bit field m = 0x5555 changes to 0x3285.
  auto before = hex_array<"cd7a 5555">();
  auto after = hex_array<"cd7a 3285">();
  const std::uint16_t hc = internet_checksum(before);
  CHECK(hc == 0xdd2f);
  CHECK(internet_checksum(after) == 0x0000);  // by recomputation
  // RFC 1141 (eqn. 2): HC' = HC - ~m - m' in one's complement gives -0, 0xffff.
  auto ones_sub = [](std::uint16_t a, std::uint16_t b) {
    std::uint32_t s = a + static_cast<std::uint16_t>(~b);
    s = (s & 0xffff) + (s >> 16);
    return static_cast<std::uint16_t>(s);
  };
  CHECK(ones_sub(ones_sub(hc, static_cast<std::uint16_t>(~0x5555)), 0x3285) == 0xffff);
  // RFC 1624 (eqn. 3) gives the right answer.
  CHECK(cs::update16(hc, 0x5555, 0x3285) == 0x0000);
}

TEST_CASE("checksum: incremental updates equal recomputation") {
  auto header = ipv4_header;
  // TTL 64 -> 63 (the TTL/protocol word 4011 -> 3f11), as a router does.
  std::uint16_t c = cs::update16(load_be16(header.data() + 10), 0x4011, 0x3f11);
  header[8] = 0x3f;
  store_be16(header.data() + 10, c);
  CHECK(cs::verify(header));
  CHECK(c == internet_checksum(without_checksum(header)));
  // Source address 192.168.0.1 -> 10.1.2.3 (NAT).
  c = cs::update32(c, load_be32(header.data() + 12), 0x0a010203u);
  store_be32(header.data() + 12, 0x0a010203u);
  store_be16(header.data() + 10, c);
  CHECK(cs::verify(header));
  CHECK(c == internet_checksum(without_checksum(header)));

  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    auto data = random_bytes(2 + 2 * (rng() % 40), static_cast<std::uint32_t>(rng()));
    const std::uint16_t full = internet_checksum(data);
    const std::size_t at = 2 * (rng() % (data.size() / 2));
    const std::uint16_t old_word = load_be16(data.data() + at);
    const auto new_word = static_cast<std::uint16_t>(rng());
    store_be16(data.data() + at, new_word);
    CHECK(cs::update16(full, old_word, new_word) == internet_checksum(data));
  }
}

TEST_CASE("checksum: the accumulator over odd-length and odd-offset splits equals the one-shot sum") {
  for (std::size_t n : {0u, 1u, 2u, 3u, 7u, 8u, 33u, 64u, 65u, 131u, 300u}) {
    const auto data = random_bytes(n, static_cast<std::uint32_t>(n) + 1);
    const std::uint16_t expected = reference_sum(data);
    REQUIRE(cs::sum(data) == expected);
    for (std::size_t i = 0; i <= n; ++i) {
      for (std::size_t j = i; j <= n; j += (n > 64 ? 7 : 1)) {
        cs::accumulator acc;
        acc.add(bytes(data).first(i)).add(bytes(data).subspan(i, j - i)).add(bytes(data).subspan(j));
        CHECK(acc.sum() == expected);
        CHECK(acc.length() == n);
        CHECK(acc.finish() == static_cast<std::uint16_t>(~expected));
      }
    }
  }
  // One byte at a time.
  const auto data = random_bytes(101, 99);
  cs::accumulator acc;
  for (std::uint8_t b : data) acc.add(bytes(&b, 1));
  CHECK(acc.sum() == reference_sum(data));
}

TEST_CASE("checksum: 16- and 32-bit values at odd and even positions") {
  const auto data = hex_array<"11 2233 44556677 88">();
  cs::accumulator acc;
  acc.add(std::span(data).first(1)).add_be16(0x2233).add_be32(0x44556677).add(std::span(data).subspan(7));
  CHECK(acc.sum() == reference_sum(data));
  cs::accumulator verify;
  verify.add(ipv4_header);
  CHECK(verify.verify());
  cs::accumulator bad;
  bad.add(without_checksum(ipv4_header));
  CHECK(!bad.verify());
}

TEST_CASE("checksum: a UDP checksum with the IPv4 pseudo-header (RFC 768)") {
  // 10.0.0.1:5000 -> 10.0.0.2:53, payload "abc" (odd length): pieces of mixed parity
  // summed in order must equal the sum of the bytes laid out contiguously.
  const auto udp = hex_array<"1388 0035 000b 0000 616263">();
  cs::accumulator acc;
  acc.add_be32(0x0a000001).add_be32(0x0a000002).add_be16(17).add_be16(11).add(udp);
  const std::uint16_t c = acc.finish();
  std::array<std::uint8_t, 23> all{};  // pseudo-header + datagram, summed in one go
  store_be32(all.data(), 0x0a000001);
  store_be32(all.data() + 4, 0x0a000002);
  store_be16(all.data() + 8, 17);
  store_be16(all.data() + 10, 11);
  std::copy(udp.begin(), udp.end(), all.begin() + 12);
  CHECK(c == internet_checksum(all));
  CHECK(c == static_cast<std::uint16_t>(~reference_sum(all)));
}

TEST_CASE("checksum: every kernel equals the scalar one at every length 0..4096 and alignment 0..63") {
  const auto data = random_bytes(4096 + 64, 1234);
  const auto ones = std::vector<std::uint8_t>(4096 + 64, 0xff);
  for (cs::kernel k : cs::all_kernels) {
    if (!cs::is_supported(k)) {
      MESSAGE("kernel " << cs::to_string(k) << " not supported on this CPU; not tested");
      continue;
    }
    CAPTURE(cs::to_string(k));
    std::size_t mismatches = 0;
    for (std::size_t align = 0; align < 64; ++align) {
      for (std::size_t n = 0; n <= 4096; ++n) {
        const bytes piece(data.data() + align, n);
        if (cs::sum(piece, k) != cs::sum(piece, cs::kernel::scalar)) ++mismatches;
      }
      // All-ones words stress the carries.
      for (std::size_t n = 0; n <= 4096; n += 1 + align) {
        const bytes piece(ones.data() + align, n);
        if (cs::sum(piece, k) != cs::sum(piece, cs::kernel::scalar)) ++mismatches;
      }
    }
    CHECK(mismatches == 0);
  }
  CHECK(cs::sum(bytes(data).first(999), cs::kernel::scalar) == reference_sum(bytes(data).first(999)));
}

TEST_CASE("checksum: the dispatched sum (inlined short paths, then the kernel) at every length 0..512") {
  // Covers the thresholds of the inlined paths (32 and 128 bytes) at every alignment.
  const auto data = random_bytes(512 + 64, 4321);
  std::size_t mismatches = 0;
  for (std::size_t align = 0; align < 64; ++align) {
    for (std::size_t n = 0; n <= 512; ++n) {
      const bytes piece(data.data() + align, n);
      if (cs::sum(piece) != reference_sum(piece)) ++mismatches;
    }
  }
  CHECK(mismatches == 0);
  const std::vector<std::uint8_t> zeros(300, 0);
  CHECK(cs::sum(zeros) == 0);
  CHECK(internet_checksum(zeros) == 0xffff);
  const std::vector<std::uint8_t> ones(300, 0xff);
  CHECK(cs::sum(ones) == 0xffff);
}

TEST_CASE("checksum: the active kernel honours WIRESPAN_CHECKSUM_KERNEL") {
  const char* forced = std::getenv("WIRESPAN_CHECKSUM_KERNEL");
  const cs::kernel active = cs::active_kernel();
  CHECK(cs::is_supported(active));
  if (forced != nullptr) {
    bool known = false;
    for (cs::kernel k : cs::all_kernels) {
      if (std::string(forced) == cs::to_string(k) && cs::is_supported(k)) {
        CHECK(active == k);
        known = true;
      }
    }
    if (!known) CHECK((active != cs::kernel::scalar || !cs::is_supported(cs::kernel::sse2)));
  } else {
    for (cs::kernel k : cs::all_kernels) {
      if (cs::is_supported(k)) CHECK(static_cast<int>(active) >= static_cast<int>(k));
    }
  }
  MESSAGE("active checksum kernel: " << cs::to_string(active));
  const auto data = random_bytes(5000, 5);
  CHECK(cs::sum(data) == reference_sum(data));
}

TEST_CASE("checksum: no overflow beyond 4 GiB") {
  // 4 GiB + 2 KiB + 1 of data backed by one 2 MiB page-cache block mapped again and again,
  // so the test needs 2 MiB of memory. Filled so that every 16-bit word is 0xfffe
  // except one: the partial sums grow as fast as they can.
  constexpr std::size_t block = std::size_t{2} << 20;
  constexpr std::size_t blocks = 2049;  // > 4 GiB
  const int fd = memfd_create("wirespan-checksum-test", 0);
  REQUIRE(fd >= 0);
  REQUIRE(ftruncate(fd, static_cast<off_t>(block)) == 0);
  std::vector<std::uint8_t> pattern(block, 0xff);
  for (std::size_t i = 1; i < block; i += 2) pattern[i] = 0xfe;
  pattern[0] = 0x12;
  REQUIRE(pwrite(fd, pattern.data(), block, 0) == static_cast<ssize_t>(block));
  void* base = mmap(nullptr, block * blocks, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  REQUIRE(base != MAP_FAILED);
  auto* p = static_cast<std::uint8_t*>(base);
  bool mapped = true;
  for (std::size_t i = 0; i < blocks && mapped; ++i) {
    mapped = mmap(p + i * block, block, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) != MAP_FAILED;
  }
  REQUIRE(mapped);
  const std::size_t n = (std::size_t{4} << 30) + 2048 + 1;
  // Expected: each whole block sums to S; blocks are an even number of bytes, so the sum is
  // S * full blocks + the sum of the first `rest` bytes of the pattern, all folded.
  const std::uint64_t full = n / block;
  const std::size_t rest = n % block;
  std::uint64_t expected = std::uint64_t{reference_sum(pattern)} * full + reference_sum(bytes(pattern).first(rest));
  while (expected >> 16) expected = (expected & 0xffff) + (expected >> 16);
  const bytes all(p, n);
  for (cs::kernel k : cs::all_kernels) {
    if (!cs::is_supported(k)) continue;
    CAPTURE(cs::to_string(k));
    CHECK(cs::sum(all, k) == expected);
  }
  cs::accumulator acc;
  acc.add(all.first(3)).add(all.subspan(3));
  CHECK(acc.sum() == expected);
  munmap(base, block * blocks);
  close(fd);
}
