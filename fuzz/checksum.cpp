// Fuzz target `checksum` — differential:
//  - every supported kernel equals the scalar one, and the scalar one equals the
//    textbook word-at-a-time sum of RFC 1071 §4.1, at an input-chosen alignment;
//  - the accumulator over input-chosen splits (odd lengths, odd offsets) equals the one-shot sum;
//  - RFC 1624 incremental updates (16 and 32 bit) equal a full recomputation.
//
// Input layout: byte 0 alignment, bytes 1-2 split points, bytes 3-4 the update position,
// bytes 5-8 the new value, the rest the data.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace cs = wirespan::checksum;

namespace {

std::uint16_t textbook_sum(wirespan::bytes data) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < data.size(); i += 2) {
    const std::uint32_t hi = data[i];
    const std::uint32_t lo = i + 1 < data.size() ? data[i + 1] : 0;
    sum += (hi << 8) | lo;
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(sum);
}

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* input, std::size_t size) {
  // The upper bound also tells GCC -O3 that `size - 9 + 64` cannot wrap (it warns otherwise).
  if (size < 9 || size > (std::size_t{1} << 24)) return 0;
  const std::size_t align = input[0] % 64;
  const std::size_t n = size - 9;
  std::vector<std::uint8_t> storage(n + 64);
  std::uint8_t* data = storage.data() + align;
  std::copy(input + 9, input + size, data);
  const wirespan::bytes all(data, n);

  const std::uint16_t expected = textbook_sum(all);
  for (cs::kernel k : cs::all_kernels) {
    if (cs::is_supported(k)) require(cs::sum(all, k) == expected);
  }
  require(cs::sum(all) == expected);
  require(wirespan::internet_checksum(all) == static_cast<std::uint16_t>(~expected));

  const std::size_t a = n == 0 ? 0 : input[1] % (n + 1);
  const std::size_t b = n == 0 ? 0 : input[2] % (n + 1);
  const std::size_t lo = std::min(a, b);
  const std::size_t hi = std::max(a, b);
  cs::accumulator acc;
  acc.add(all.first(lo)).add(all.subspan(lo, hi - lo)).add(all.subspan(hi));
  require(acc.sum() == expected);
  require(acc.length() == n);

  if (n >= 4) {
    // Replace a 16-bit word (and a 32-bit field) at an even offset; compare with recomputing.
    const std::size_t words = n / 2;
    const std::size_t at = 2 * (wirespan::load_be16(input + 3) % words);
    const std::uint16_t checksum = wirespan::internet_checksum(all);
    const std::uint16_t old16 = wirespan::load_be16(data + at);
    const std::uint16_t new16 = wirespan::load_be16(input + 5);
    wirespan::store_be16(data + at, new16);
    const std::uint16_t updated = cs::update16(checksum, old16, new16);
    const std::uint16_t recomputed = wirespan::internet_checksum(all);
    // Equal, except that all-zero data recomputes to 0xffff where the update gives 0x0000
    // (both stand for zero; RFC 1624 §3 discusses which one appears).
    require(updated == recomputed || (recomputed == 0xffff && updated == 0x0000));

    if (at + 4 <= n) {
      const std::uint16_t before = wirespan::internet_checksum(all);
      const std::uint32_t old32 = wirespan::load_be32(data + at);
      const std::uint32_t new32 = wirespan::load_be32(input + 5);
      wirespan::store_be32(data + at, new32);
      const std::uint16_t updated32 = cs::update32(before, old32, new32);
      const std::uint16_t recomputed32 = wirespan::internet_checksum(all);
      require(updated32 == recomputed32 || (recomputed32 == 0xffff && updated32 == 0x0000));
    }
  }
  return 0;
}
