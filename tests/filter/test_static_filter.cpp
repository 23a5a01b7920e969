#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "static_expressions.hpp"

namespace f = wirespan::filter;

namespace {

constexpr std::uint8_t syn[] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 40, 0, 1, 0x40, 0,
                                64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0xc7, 0x38, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0,
                                0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};
constexpr wirespan::bytes frame(syn, sizeof syn);

// The same program as the run-time compiler's.
template <class S>
constexpr bool same_program() {
  const auto text = S::text_storage;  // (a local copy: see static_filter::text)
  auto p = f::compile(text.view());
  if (!p || p->size() != S::program.size()) return false;
  for (std::size_t i = 0; i < p->size(); ++i) {
    if (!((*p)[i] == S::program[i])) return false;
  }
  return true;
}

}  // namespace

// The tutorials' expressions, at compile time.
static_assert(f::static_filter<"tcp port 443">::match(frame) == 262144);
static_assert(f::static_filter<"src host 10.0.0.1 and dst port 443">::match(frame) == 262144);
static_assert(f::static_filter<"tcp[tcpflags] & tcp-syn != 0">::match(frame) == 262144);
static_assert(f::static_filter<"host 192.168.1.10">::match(frame) == 0);
static_assert(f::static_filter<"udp port 53">::match(frame) == 0);
static_assert(f::static_filter<"icmp">::match(frame) == 0);
static_assert(f::static_filter<"not port 22">::match(frame) == 262144);
static_assert(f::static_filter<"greater 1400">::match(frame) == 0);
static_assert(f::static_filter<"greater 1400">::match(frame, 1500) == 262144);  // (the wire length)
static_assert(f::static_filter<"net 10.0.0.0/8">::match(frame) == 262144);
static_assert(f::static_filter<"tcp port 443">::match(frame.first(37)) == 0);  // cut inside the port
static_assert(f::static_filter<"">::match(frame) == 262144);
static_assert(f::static_filter<"tcp port 443">::program.size() == 20);
static_assert(f::static_filter<"tcp port 443">::program[0] == f::stmt(f::ld | f::h | f::abs_, 12));
static_assert(same_program<f::static_filter<"tcp port 443">>());
static_assert(same_program<f::static_filter<"ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 0">>());
static_assert(same_program<f::static_filter<"vlan 100 and tcp">>());

// Longer lists, within the compilers' default limits on a constant evaluation (clang 14:
// 1,048,576 steps; gcc 12: 33,554,432 operations): eight ports, 454 instructions before
// optimizing and 80 after (clang: about 740,000 steps; it was over the limit from seven
// ports while the optimizer's tables were spans), and sixteen hosts (300 and 134).
using eight_ports = f::static_filter<"port 1000 or port 1001 or port 1002 or port 1003 or port 1004 or "
                                     "port 1005 or port 1006 or port 443">;
static_assert(same_program<eight_ports>());
static_assert(eight_ports::program.size() == 80);
static_assert(eight_ports::match(frame) == 262144);
using sixteen_hosts =
    f::static_filter<"host 10.0.1.1 or host 10.0.1.2 or host 10.0.1.3 or host 10.0.1.4 or host 10.0.1.5 or "
                     "host 10.0.1.6 or host 10.0.1.7 or host 10.0.1.8 or host 10.0.1.9 or host 10.0.1.10 or "
                     "host 10.0.1.11 or host 10.0.1.12 or host 10.0.1.13 or host 10.0.1.14 or host 10.0.1.15 or "
                     "host 10.0.0.2">;
static_assert(same_program<sixteen_hosts>());
static_assert(sixteen_hosts::program.size() == 134);
static_assert(sixteen_hosts::match(frame) == 262144);
static_assert(f::static_filter<"host 10.0.1.1 or host 10.0.1.2">::match(frame) == 0);

TEST_CASE("static filters: the program of compile() and the verdicts of run(), on every cut of random frames") {
  std::mt19937 rng(7);
  std::vector<std::vector<std::uint8_t>> frames;
  for (int n = 0; n < 300; ++n) {
    std::vector<std::uint8_t> fr(syn, syn + sizeof syn);
    for (int i = 0; i < 40; ++i) fr.push_back(static_cast<std::uint8_t>(rng()));
    // Vary the headers the expressions look at.
    const std::uint16_t types[] = {0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8};
    const std::uint16_t type = types[rng() % 5];
    fr[12] = static_cast<std::uint8_t>(type >> 8), fr[13] = static_cast<std::uint8_t>(type);
    const std::uint8_t protos[] = {6, 17, 1, 2, 132, 58, 44};
    fr[23] = protos[rng() % 7];
    fr[20] = protos[rng() % 7];
    fr[14] = static_cast<std::uint8_t>(0x45 + rng() % 3);
    fr[0] = static_cast<std::uint8_t>(rng() % 2 ? 0xff : 0x02);
    fr.resize(rng() % fr.size() + 1);
    frames.push_back(fr);
  }
  long checked = 0;
#define WIRESPAN_CHECK_STATIC(text)                                                                    \
  {                                                                                                    \
    using S = f::static_filter<text>;                                                                  \
    static_assert(same_program<S>());                                                                  \
    const auto prog = f::compile(text).value();                                                        \
    for (const auto& fr : frames) {                                                                    \
      for (std::uint32_t wire : {static_cast<std::uint32_t>(fr.size()), std::uint32_t{1500}}) {       \
        const auto verdict = f::run(prog, fr, wire);                                                   \
        if (S::match(fr, wire) != verdict) {                                                           \
          CAPTURE(text);                                                                               \
          CHECK(S::match(fr, wire) == verdict);                                                        \
        }                                                                                              \
        ++checked;                                                                                     \
      }                                                                                                \
    }                                                                                                  \
  }
  WIRESPAN_STATIC_EXPRESSIONS(WIRESPAN_CHECK_STATIC)
#undef WIRESPAN_CHECK_STATIC
  CHECK(checked > 20000);
}

TEST_CASE("static filters: a function object") {
  constexpr f::static_filter<"udp or tcp"> keep;
  CHECK(keep(frame) == 262144);
  CHECK(keep(frame, 60) == 262144);
  CHECK(f::static_filter<"udp or tcp">::text == "udp or tcp");
}
