// Fuzz target `ipv4_address` — differential against the C library:
//  - ipv4::address::parse accepts exactly what inet_pton(AF_INET) accepts, with the same value;
//  - every accepted address formats back to the same text (inet_pton's text is canonical);
//  - ipv4::prefix::parse and parse_lax never crash, and agree with each other when strict succeeds.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <wirespan/wirespan.hpp>

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto ours = wirespan::ipv4::address::parse(text);

  // inet_pton reads up to a NUL; compare only inputs without one.
  if (text.find('\0') == std::string_view::npos) {
    const std::string terminated(text);
    unsigned char raw[4];
    const bool libc = inet_pton(AF_INET, terminated.c_str(), raw) == 1;
    require(ours.has_value() == libc);
    if (libc) {
      require(ours->octets[0] == raw[0] && ours->octets[1] == raw[1] && ours->octets[2] == raw[2] &&
              ours->octets[3] == raw[3]);
      require(ours->to_string() == terminated);
    }
  } else {
    require(!ours);
  }

  const auto strict = wirespan::ipv4::prefix::parse(text);
  const auto lax = wirespan::ipv4::prefix::parse_lax(text);
  if (strict) require(lax && *lax == *strict && strict->contains(strict->network));
  return 0;
}
