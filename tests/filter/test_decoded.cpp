#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "frames.hpp"

namespace f = wirespan::filter;

namespace {

using wirespan_test::syn;  // an IPv4 TCP SYN from 10.0.0.1:51000 to 10.0.0.2:443

// Decoded at compile time, and run on the frame whole and cut.
constexpr std::uint32_t decoded_verdict(std::string_view expr, std::size_t cut) {
  const auto prog = f::compile(expr).value();
  const auto fast = f::decoded_program::make(prog).value();
  return fast.run(std::span(syn).first(cut), 54);
}
static_assert(decoded_verdict("tcp port 443", 54) == 262144);
static_assert(decoded_verdict("tcp port 443", 37) == 0);  // the destination port cut off
static_assert(decoded_verdict("udp port 53", 54) == 0);
static_assert(decoded_verdict("greater 54", 20) == 262144);  // the wire length, not the captured one

TEST_CASE("filter decoded_program: a long program runs to its end (threaded handlers)") {
  // 4,000 operations run one after the other, then the verdict: the handlers' calls
  // chain through every one of them (a jump each where the compiler makes one).
  std::vector<f::instruction> prog;
  for (int i = 0; i < 4000; ++i) prog.push_back(f::stmt(f::alu | f::add | f::k, 1));
  prog.push_back(f::stmt(f::ret | f::a, 0));
  const auto fast = f::decoded_program::make(prog).value();
  CHECK(fast.run(syn) == 4000);
  CHECK(fast.reference_run(syn, 54) == 4000);
  // All 16 slots of memory written (slot i holds 3i) and summed back: 3 * 120.
  std::vector<f::instruction> mem;
  for (std::uint32_t i = 0; i < 16; ++i) {
    mem.push_back(f::stmt(f::ld | f::imm, i * 3));
    mem.push_back(f::stmt(f::st, i));
  }
  mem.push_back(f::stmt(f::ld | f::imm, 0));
  for (std::uint32_t i = 0; i < 16; ++i) {
    mem.push_back(f::stmt(f::ldx | f::mem, i));
    mem.push_back(f::stmt(f::alu | f::add | f::x, 0));
  }
  mem.push_back(f::stmt(f::ret | f::a, 0));
  const auto summed = f::decoded_program::make(mem).value();
  CHECK(summed.run(syn) == 360);
  CHECK(summed.reference_run(syn, 54) == 360);
  CHECK(f::run(mem, syn) == 360);
}

std::uint64_t rng_state = 0x2545f4914f6cdd1dull;
std::uint32_t rnd(std::uint32_t n) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return static_cast<std::uint32_t>(rng_state % n);
}

// A random program biased to what a validator accepts: known opcodes, short forward
// jumps, small constants, loads near the packet's end, a return last.
std::vector<f::instruction> random_program() {
  static constexpr std::uint16_t codes[] = {
      f::ld | f::w | f::abs_, f::ld | f::h | f::abs_, f::ld | f::b | f::abs_, f::ld | f::w | f::ind,
      f::ld | f::h | f::ind, f::ld | f::b | f::ind, f::ldx | f::b | f::msh, f::ld | f::w | f::len,
      f::ldx | f::w | f::len, f::ld | f::imm, f::ldx | f::imm, f::ld | f::mem, f::ldx | f::mem, f::st, f::stx,
      f::jmp | f::ja, f::jmp | f::jgt | f::k, f::jmp | f::jge | f::k, f::jmp | f::jeq | f::k, f::jmp | f::jset | f::k,
      f::jmp | f::jgt | f::x, f::jmp | f::jge | f::x, f::jmp | f::jeq | f::x, f::jmp | f::jset | f::x,
      f::alu | f::add | f::x, f::alu | f::sub | f::x, f::alu | f::mul | f::x, f::alu | f::div_ | f::x,
      f::alu | f::mod | f::x, f::alu | f::and_ | f::x, f::alu | f::or_ | f::x, f::alu | f::xor_ | f::x,
      f::alu | f::lsh | f::x, f::alu | f::rsh | f::x, f::alu | f::add | f::k, f::alu | f::sub | f::k,
      f::alu | f::mul | f::k, f::alu | f::div_ | f::k, f::alu | f::mod | f::k, f::alu | f::and_ | f::k,
      f::alu | f::or_ | f::k, f::alu | f::xor_ | f::k, f::alu | f::lsh | f::k, f::alu | f::rsh | f::k,
      f::alu | f::neg, f::misc | f::tax, f::misc | f::txa, f::ret | f::k, f::ret | f::a};
  const std::size_t n = 2 + rnd(30);
  std::vector<f::instruction> p(n);
  for (std::size_t i = 0; i < n; ++i) {
    f::instruction& in = p[i];
    // Loads followed by jumps (the fused pairs), and an msh followed by a load at X + k
    // (fused with its jump too), more often than chance.
    const bool after_load = i > 0 && f::class_of(p[i - 1].code) == f::ld;
    const bool after_msh = i > 0 && p[i - 1].code == (f::ldx | f::b | f::msh);
    in.code = after_load && rnd(2) == 0  ? codes[16 + rnd(4)]
              : after_msh && rnd(2) == 0 ? codes[3 + rnd(3)]
              : rnd(8) == 0              ? codes[6]
                                         : codes[rnd(sizeof codes / sizeof codes[0])];
    in.k = rnd(4) == 0 ? rnd(0xffffffffu) : rnd(70);
    in.jt = static_cast<std::uint8_t>(rnd(4));
    in.jf = static_cast<std::uint8_t>(rnd(4));
    if (in.code == (f::jmp | f::ja)) in.k = rnd(4);
  }
  p[n - 1] = {static_cast<std::uint16_t>(f::ret | (rnd(2) == 0 ? f::k : f::a)), 0, 0, 262144};
  return p;
}

}  // namespace

TEST_CASE("filter decoded_program: run()'s verdicts on compiled programs, frames whole and cut") {
  for (const char* e : {"tcp port 443", "udp port 53", "host 10.0.0.1", "net 10.0.0.0/8 and not port 22",
                        "tcp[tcpflags] & tcp-syn != 0", "greater 40", "ip6 or arp", "vlan and tcp",
                        "tcp[((tcp[12] & 0xf0) >> 2):1] & 0x40 = 0", "ip[2:2] - ((ip[0] & 0xf) << 2) > 10"}) {
    CAPTURE(e);
    for (bool optimize : {true, false}) {
      f::compile_options o;
      o.optimize = optimize;
      const auto prog = f::compile(e, o).value();
      const auto fast = f::decoded_program::make(prog).value();
      CHECK(fast.size() == prog.size());
      for (std::size_t cut = 0; cut <= syn.size(); ++cut) {
        CAPTURE(cut);
        const std::uint32_t want = f::run(prog, std::span(syn).first(cut), 54);
        CHECK(fast.run(std::span(syn).first(cut), 54) == want);
        CHECK(fast.reference_run(std::span(syn).first(cut), 54) == want);
      }
    }
  }
  // The deepest fixed-offset load of `tcp port 443` (IPv6's destination port at 56); its
  // fused operations: the four fixed loads and their jumps (ldh [12], ldb [20], ldh [54],
  // ldh [56]; and ldb [23], ldh [20] for IPv4), the two loads at X + 14 and X + 16 with
  // theirs, and the msh with the first of those.
  const auto https = f::decoded_program::make(f::compile("tcp port 443").value()).value();
  CHECK(https.fixed_extent() == 58);
  CHECK(https.fused() == 9);
}

TEST_CASE("filter decoded_program: only validated programs, with validate's error") {
  const std::vector<f::instruction> no_return = {f::stmt(f::ld | f::imm, 1)};
  const auto r = f::decoded_program::make(no_return);
  REQUIRE(!r);
  CHECK(std::string_view(r.error().what) == "filter: the last instruction is not a return");
  const std::vector<f::instruction> reads_slot = {f::stmt(f::ld | f::mem, 3), f::stmt(f::ret | f::a, 0)};
  CHECK(!f::decoded_program::make(reads_slot));  // the kernel's rule: read before written
  CHECK(f::decoded_program::make(reads_slot, f::validation::userland));
  CHECK(f::decoded_program::make(reads_slot, f::validation::userland)->run(syn) == 0);  // memory starts at 0
}

TEST_CASE("filter decoded_program: run()'s verdicts on random valid programs and packets") {
  long programs = 0, runs = 0, matches = 0;
  std::size_t fused = 0;
  std::vector<std::uint8_t> packet(80);
  for (int t = 0; t < 20000; ++t) {
    const auto prog = random_program();
    const auto fast = f::decoded_program::make(prog, f::validation::userland);
    if (!fast) continue;
    ++programs;
    fused += fast->fused();
    for (int r = 0; r < 4; ++r) {
      for (auto& byte : packet) byte = static_cast<std::uint8_t>(rnd(4) == 0 ? rnd(256) : rnd(8));
      for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{13}, std::size_t{20}, std::size_t{34},
                              std::size_t{60}, std::size_t{80}, static_cast<std::size_t>(rnd(81))}) {
        const auto pkt = std::span(packet).first(cut);
        const std::uint32_t wire = rnd(2) == 0 ? static_cast<std::uint32_t>(cut) : rnd(100000);
        const std::uint32_t want = f::run(prog, pkt, wire);
        const std::uint32_t got = fast->run(pkt, wire);             // threaded
        const std::uint32_t twin = fast->reference_run(pkt, wire);  // the constexpr switch
        if (got != want || twin != want) {
          CAPTURE(f::dump(prog));
          CAPTURE(cut);
          REQUIRE(got == want);
          REQUIRE(twin == want);
        }
        ++runs;
        matches += want != 0 ? 1 : 0;
      }
    }
  }
  MESSAGE(programs << " valid programs (" << fused << " fused operations), " << runs << " runs, " << matches
                   << " non-zero verdicts");
  CHECK(fused > programs / 2);
  CHECK(programs > 2000);
  CHECK(matches > runs / 20);
}
