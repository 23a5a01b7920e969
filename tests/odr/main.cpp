// ODR test: the umbrella header included in two translation units linked together, one
// of them compiled with -mavx2. Inline functions whose code depends on the ISA flags must
// not be merged across them (config.hpp: WIRESPAN_ISA_NAMESPACE); both must agree.
#include <cstdint>
#include <cstdio>

std::uint16_t checksum_from_unit_a(const std::uint8_t* data, std::size_t size);
std::uint16_t checksum_from_unit_b(const std::uint8_t* data, std::size_t size);
const char* kernel_from_unit_a();

int main() {
  std::uint8_t data[3000];
  for (std::size_t i = 0; i < sizeof data; ++i) data[i] = static_cast<std::uint8_t>(i * 31 + 7);
  const std::uint16_t a = checksum_from_unit_a(data, sizeof data);
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2")) {
    std::printf("unit a: %04x; this CPU has no AVX2, unit b not run\n", a);
    return a != 0 ? 0 : 1;
  }
  const std::uint16_t b = checksum_from_unit_b(data, sizeof data);
  std::printf("unit a: %04x (%s), unit b: %04x\n", a, kernel_from_unit_a(), b);
  return a == b && a != 0 ? 0 : 1;
}
