// A user's program: one include, a checksum computed at compile time and at run time.
#include <wirespan/wirespan.hpp>

#include <array>
#include <cstdio>

int main() {
  constexpr auto words = wirespan::hex_array<"0001 f203 f4f5 f6f7">();
  static_assert(wirespan::internet_checksum(words) == 0x220d);  // RFC 1071 §3
  std::array<std::uint8_t, 8> runtime = words;
  const std::uint16_t c = wirespan::internet_checksum(runtime);
  std::printf("wirespan %s: checksum %04x\n", wirespan::version.string, c);
  return c == 0x220d ? 0 : 1;
}
