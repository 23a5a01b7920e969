// Fuzz target `filter_interpret` — the cBPF validator and interpreter on any program and
// packet: the first byte splits the input into a program (whole 8-byte instructions) and a
// packet. The interpreter runs every program, validated or not, without reading outside
// either and always ends; a program the kernel's rules accept also passes libpcap's, and
// printing it never fails; a valid program's decoded_program gives run()'s verdicts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace {
namespace f = wirespan::filter;
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t count = std::min<std::size_t>(data[0], (size - 1) / 8);
  std::vector<f::instruction> prog(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* p = data + 1 + 8 * i;
    prog[i].code = static_cast<std::uint16_t>(p[0] | (p[1] << 8));
    prog[i].jt = p[2];
    prog[i].jf = p[3];
    prog[i].k = wirespan::load_le32(p + 4);
  }
  const wirespan::bytes packet(data + 1 + 8 * count, size - 1 - 8 * count);
  const bool kernel = f::validate(prog).has_value();
  const bool userland = f::validate(prog, f::validation::userland).has_value();
  require(!kernel || userland);
  const std::uint32_t whole = f::run(prog, packet);
  const std::uint32_t long_wire = f::run(prog, packet, 0xffffffffu);
  if (userland) {
    // The decoded form gives run()'s verdicts, on the packet and on every shorter cut.
    const auto fast = f::decoded_program::make(prog, f::validation::userland);
    require(fast.has_value() && (!kernel || f::decoded_program::make(prog).has_value()));
    // Both its interpreters: the threaded handlers (run) and the switch (reference_run).
    require(fast->run(packet) == whole && fast->run(packet, 0xffffffffu) == long_wire);
    require(fast->reference_run(packet, static_cast<std::uint32_t>(packet.size())) == whole);
    require(fast->reference_run(packet, 0xffffffffu) == long_wire);
    for (std::size_t cut = 0; cut < packet.size() && cut < 80; ++cut) {
      const std::uint32_t want = f::run(prog, packet.first(cut), 9000);
      require(fast->run(packet.first(cut), 9000) == want && fast->reference_run(packet.first(cut), 9000) == want);
    }
  } else {
    require(!f::decoded_program::make(prog, f::validation::userland).has_value());
  }
  (void)f::dump(prog, f::text_format::mnemonics);
  (void)f::dump(prog, f::text_format::c_array);
  return 0;
}
