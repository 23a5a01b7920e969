// Fuzz target `filter_differential` — wirespan's compiler against libpcap's on the same
// expression and packet. The input is an expression, a NUL, and a packet. Only
// expressions wirespan parses are given to pcap_compile (so libpcap is never asked to
// resolve a host name); then:
// - where libpcap compiles and wirespan does not, wirespan's reason is that the program
//   rejects every packet (its optimizer and libpcap's find that in slightly different
//   cases), and libpcap's program rejects this packet; or that the code is over its
//   limits (4096 instructions optimized, 16384 before: libpcap has none), and libpcap's
//   unoptimized program is over 4096 too;
// - where both compile, wirespan's verdict is that of libpcap's optimized program or of
//   its unoptimized one (libpcap's optimizer reorders tests and drops loads, which can
//   change the verdict on a packet cut inside a header; wirespan's never does);
// - and the same in wirespan's interpreter and libpcap's for wirespan's program.
#include <arpa/inet.h>
#include <pcap/pcap.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <wirespan/wirespan.hpp>

namespace {
namespace f = wirespan::filter;
// The netmask for `ip broadcast`: libpcap's gencode uses pcap_compile's netmask as a host
// order number (~netmask is the host part it tests), so /24 is 0xffffff00 for it as for
// compile_options::netmask. (pcap_lookupnet gives network byte order, which tcpdump passes
// on as it is.)
constexpr bpf_u_int32 libpcap_netmask = 0xffffff00;
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
  const void* nul = std::memchr(data, 0, size);
  if (nul == nullptr || size > 8192) return 0;
  const auto text_size = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - data);
  const std::string text(reinterpret_cast<const char*>(data), text_size);
  const wirespan::bytes packet(data + text_size + 1, size - text_size - 1);
  const auto parsed = f::parse(text);
  if (!parsed) return 0;
  for (const auto& p : parsed->primitives) {
    // A host name: without a resolver wirespan refuses it (or an error in a primitive
    // before it comes first); libpcap would ask the name service.
    if (p.value == f::primitive::value_kind::name) {
      const auto refused = f::compile(*parsed);
      require(!refused && (refused.error().code == wirespan::errc::invalid_argument || refused.error().offset < p.column));
      return 0;
    }
  }
  f::compile_options options;
  options.netmask = 0xffffff00;
  const auto mine = f::compile(text, options);
  if (!mine && mine.error().code == wirespan::errc::unsupported) return 0;
  bpf_program opt{}, plain{};
  const bool theirs = pcap_compile(dead, &opt, text.c_str(), 1, libpcap_netmask) == 0;
  const std::string why = theirs ? "" : pcap_geterr(dead);
  const bool theirs_plain = pcap_compile(dead, &plain, text.c_str(), 0, libpcap_netmask) == 0;
  const auto wire = static_cast<std::uint32_t>(packet.size());
  if (theirs_plain) {
    const std::uint32_t u = bpf_filter(plain.bf_insns, packet.data(), wire, wire);
    if (!mine) {
      // wirespan rejects: every packet is rejected (libpcap found it too, or its program
      // rejects this one); or libpcap rejects it too, for the same kind of reason. A
      // division by a value libpcap's optimizer finds constant 0 (or such a shift by more
      // than 31) is an error there only in code it has not found dead by then; wirespan
      // refuses it anywhere (and says so in the message).
      const std::string_view what = mine.error().what;
      const bool optimizer_arithmetic = what.find("the optimizer finds constant") != std::string_view::npos;
      const bool too_long = mine.error().code == wirespan::errc::limit_exceeded && plain.bf_len > f::max_instructions;
      require(what == "filter: expression rejects all packets" || optimizer_arithmetic || too_long ||
              (!theirs && why.find("rejects all packets") == std::string::npos));
      if (std::string_view(mine.error().what) == "filter: expression rejects all packets") require(u == 0);
    } else if (theirs) {
      const std::uint32_t o = bpf_filter(opt.bf_insns, packet.data(), wire, wire);
      const std::uint32_t w = f::run(*mine, packet, wire);
      require(w == o || w == u);
      require(w == bpf_filter(reinterpret_cast<const bpf_insn*>(mine->data()), packet.data(), wire, wire));
    } else {
      // libpcap found that it rejects every packet; wirespan's program rejects this one.
      require(why.find("rejects all packets") != std::string::npos);
      require(f::run(*mine, packet, wire) == 0);
    }
    pcap_freecode(&plain);
  } else {
    // What libpcap cannot compile at all, wirespan does not compile either.
    require(!mine);
  }
  if (theirs) pcap_freecode(&opt);
  return 0;
}
