// Fuzz target `filter_compile` — the pcap-filter parser and compiler on any text: no
// crash, no hang; a compiled program passes the kernel's checks, has at most 4096
// instructions, and runs on a few frames (a TCP SYN, an ARP request, cut versions) and
// the input itself as a frame, with the verdicts of the unoptimized program (where that
// one fits in 4096 instructions: the optimizer may bring a longer one under the limit);
// the optimizer's output optimized again is not longer.
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

constexpr std::uint8_t syn[] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 40, 0, 1, 0x40, 0,
                                64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0xc7, 0x38, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0,
                                0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};
constexpr std::uint8_t arp[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1, 8, 0, 6,
                                4, 0, 1, 0x02, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  f::compile_options options;
  options.netmask = 0xffffff00;
  auto prog = f::compile(text, options);
  options.optimize = false;
  const auto plain = f::compile(text, options);
  if (!prog) {
    require(prog.error().what != nullptr);
    // Where the unoptimized compile does not fail, the optimized one fails only for what
    // libpcap's optimizer refuses too: a division or shift it finds constant (zero, or
    // more than 31), or a program that rejects all packets.
    if (plain && std::string_view(prog.error().what).find("the optimizer finds constant") == std::string_view::npos) {
      require(f::run(*plain, wirespan::bytes(syn, sizeof syn)) == 0 && f::run(*plain, wirespan::bytes(arp, sizeof arp)) == 0);
    }
    return 0;
  }
  // (the unoptimized code can be over the limit where the optimized program is not:
  // `ip or ip or ...`; then there is no unoptimized program to compare with)
  if (!plain) require(plain.error().code == wirespan::errc::limit_exceeded);
  require(!plain || f::validate(*plain).has_value());
  require(f::optimize(*prog).size() <= prog->size());
  require(!prog->empty() && prog->size() <= f::max_instructions);
  require(f::validate(*prog).has_value());
  (void)f::dump(*prog);
  if (!plain) return 0;
  for (std::size_t cut : {std::size_t{0}, std::size_t{13}, std::size_t{30}, sizeof syn}) {
    require(f::run(*prog, wirespan::bytes(syn, cut)) == f::run(*plain, wirespan::bytes(syn, cut)));
  }
  require(f::run(*prog, wirespan::bytes(arp, sizeof arp)) == f::run(*plain, wirespan::bytes(arp, sizeof arp)));
  require(f::run(*prog, wirespan::bytes(data, size), 1500) == f::run(*plain, wirespan::bytes(data, size), 1500));
  return 0;
}
