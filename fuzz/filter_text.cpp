// Fuzz target `filter_text` — parse_program on any text (tcpdump's -d, -dd, -ddd forms):
// no crash, no hang; a program it reads prints in -dd and -ddd and reads back the same,
// and in -d reads back the same once the fields -d does not show are cleared.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <wirespan/wirespan.hpp>

namespace {
namespace f = wirespan::filter;
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 65536) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto prog = f::parse_program(text);
  if (!prog) {
    require(prog.error().what != nullptr);
    return 0;
  }
  require(!prog->empty() && prog->size() <= f::max_instructions);
  for (auto format : {f::text_format::c_array, f::text_format::decimal}) {
    auto back = f::parse_program(f::dump(*prog, format), format);
    require(back.has_value() && *back == *prog);
  }
  // -d: what it prints reads back to a program that prints the same.
  const std::string d = f::dump(*prog);
  auto again = f::parse_program(d, f::text_format::mnemonics);
  if (again) require(f::dump(*again) == d);
  return 0;
}
