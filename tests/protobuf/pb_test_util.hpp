// Helpers shared by the protobuf tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace pbtest {

// Bytes from hex text ("08 96 01"); the test fails loudly on bad text.
inline std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> out(text.size());
  auto n = wirespan::parse_hex(text, out);
  if (!n) return {0xde, 0xad};
  out.resize(*n);
  return out;
}

inline std::string hex_of(wirespan::bytes b) { return wirespan::to_hex(b); }

}  // namespace pbtest
