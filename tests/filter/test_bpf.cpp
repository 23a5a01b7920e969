#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace f = wirespan::filter;
using f::instruction;

namespace {

// `tcpdump -ddd -y EN10MB 'tcp port 443'` (tcpdump 4.99.3, libpcap 1.10.3).
constexpr std::array<std::uint32_t, 80> tcp_port_443_ddd = {
    40, 0, 0,  12,    21, 0,  6,  34525, 48, 0, 0,  20,   21, 0,  15, 6,      40, 0, 0, 54,
    21, 12, 0, 443,   40, 0,  0,  56,    21, 10, 11, 443, 21, 0,  10, 2048,   48, 0, 0, 23,
    21, 0, 8,  6,     40, 0,  0,  20,    69, 6, 0,  8191, 177, 0, 0,  14,     72, 0, 0, 14,
    21, 2, 0,  443,   72, 0,  0,  16,    21, 0, 1,  443,  6,  0,  0,  262144, 6,  0, 0, 0};

constexpr std::array<instruction, 20> tcp_port_443() {
  std::array<instruction, 20> p{};
  for (std::size_t i = 0; i < 20; ++i) {
    p[i] = {static_cast<std::uint16_t>(tcp_port_443_ddd[4 * i]), static_cast<std::uint8_t>(tcp_port_443_ddd[4 * i + 1]),
            static_cast<std::uint8_t>(tcp_port_443_ddd[4 * i + 2]), tcp_port_443_ddd[4 * i + 3]};
  }
  return p;
}

// An IPv4 TCP segment from port 51000 to 443 in Ethernet (no payload).
constexpr std::array<std::uint8_t, 54> syn_to_443 = {
    0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,                               // Ethernet
    0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,                // IPv4
    0xc7, 0x38, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};  // TCP SYN

constexpr std::uint32_t verdict(std::span<const std::uint8_t> frame) {
  constexpr auto prog = tcp_port_443();
  return f::run(prog, frame);
}

// The interpreter and the validator at compile time.
static_assert(verdict(syn_to_443) == 262144);
static_assert(verdict(std::span(syn_to_443).first(37)) == 0);  // the destination port cut short
static_assert(f::validate(tcp_port_443()).has_value());
static_assert(f::validate(tcp_port_443(), f::validation::userland).has_value());

constexpr std::uint32_t run_one(std::initializer_list<instruction> code, std::initializer_list<std::uint8_t> bytes = {},
                                std::uint32_t wire = 0) {
  std::vector<instruction> prog(code);
  std::vector<std::uint8_t> pkt(bytes);
  return f::run(prog, pkt, wire == 0 ? static_cast<std::uint32_t>(pkt.size()) : wire);
}

using namespace wirespan::filter;

static_assert(run_one({stmt(ld | imm, 7), stmt(alu | mul | k, 6), stmt(ret | a, 0)}) == 42);
static_assert(run_one({stmt(ld | w | len, 0), stmt(ret | a, 0)}, {1, 2}, 1500) == 1500);
static_assert(run_one({stmt(ldx | imm, 0), stmt(ld | imm, 9), stmt(alu | div_ | x, 0), stmt(ret | k, 5)}) == 0);
static_assert(run_one({stmt(ldx | imm, 33), stmt(ld | imm, 9), stmt(alu | lsh | x, 0), stmt(ret | a, 0)}) == 0);
static_assert(run_one({stmt(ld | imm, 1), stmt(alu | neg, 0), stmt(ret | a, 0)}) == 0xffffffffu);
static_assert(run_one({stmt(ldx | b | msh, 0), stmt(misc | txa, 0), stmt(ret | a, 0)}, {0x46}) == 24);
static_assert(run_one({stmt(ld | imm, 5), stmt(st, 3), stmt(ldx | mem, 3), stmt(misc | txa, 0), stmt(ret | a, 0)}) == 5);
// Defensive on programs the validator rejects: 0, never a read outside.
static_assert(run_one({stmt(0x08, 0), stmt(ret | k, 1)}) == 0);          // unknown opcode
static_assert(run_one({stmt(ld | mem, 16), stmt(ret | k, 1)}) == 0);    // slot 16
static_assert(run_one({jump(jmp | jeq | k, 0, 200, 200)}) == 0);       // jump past the end
static_assert(run_one({stmt(ld | imm, 1)}) == 0);                       // no return
static_assert(run_one({stmt(ld | b | abs_, 0xffffffff), stmt(ret | k, 1)}, {1}) == 0);
static_assert(run_one({stmt(ldx | imm, 0xffffffff), stmt(ld | b | ind, 1), stmt(ret | k, 1)}, {1, 2}) == 0);

}  // namespace

TEST_CASE("filter: tcp port 443 from tcpdump, run and printed in its three forms") {
  const auto prog = tcp_port_443();
  CHECK(f::run(prog, syn_to_443) == 262144);
  auto other = syn_to_443;
  other[37] = 0xbc;  // destination port 444
  CHECK(f::run(prog, other) == 0);
  other[34] = 0x01, other[35] = 0xbb;  // source port 443
  CHECK(f::run(prog, other) == 262144);
  other[20] = 0x20, other[21] = 0x01;  // a non-first fragment (offset 8): no ports to look at
  CHECK(f::run(prog, other) == 0);
  // `tcpdump -d -y EN10MB 'tcp port 443'`
  CHECK(f::dump(prog) ==
        "(000) ldh      [12]\n"
        "(001) jeq      #0x86dd          jt 2\tjf 8\n"
        "(002) ldb      [20]\n"
        "(003) jeq      #0x6             jt 4\tjf 19\n"
        "(004) ldh      [54]\n"
        "(005) jeq      #0x1bb           jt 18\tjf 6\n"
        "(006) ldh      [56]\n"
        "(007) jeq      #0x1bb           jt 18\tjf 19\n"
        "(008) jeq      #0x800           jt 9\tjf 19\n"
        "(009) ldb      [23]\n"
        "(010) jeq      #0x6             jt 11\tjf 19\n"
        "(011) ldh      [20]\n"
        "(012) jset     #0x1fff          jt 19\tjf 13\n"
        "(013) ldxb     4*([14]&0xf)\n"
        "(014) ldh      [x + 14]\n"
        "(015) jeq      #0x1bb           jt 18\tjf 16\n"
        "(016) ldh      [x + 16]\n"
        "(017) jeq      #0x1bb           jt 18\tjf 19\n"
        "(018) ret      #262144\n"
        "(019) ret      #0\n");
  std::string ddd = "20\n";
  for (std::size_t i = 0; i < 20; ++i) {
    ddd += std::to_string(tcp_port_443_ddd[4 * i]) + " " + std::to_string(tcp_port_443_ddd[4 * i + 1]) + " " +
           std::to_string(tcp_port_443_ddd[4 * i + 2]) + " " + std::to_string(tcp_port_443_ddd[4 * i + 3]) + "\n";
  }
  CHECK(f::dump(prog, f::text_format::decimal) == ddd);
  CHECK(f::dump(std::span(prog).first(3), f::text_format::c_array) ==
        "{ 0x28, 0, 0, 0x0000000c },\n{ 0x15, 0, 6, 0x000086dd },\n{ 0x30, 0, 0, 0x00000014 },\n");
}

TEST_CASE("filter: mnemonics of every operation, as tcpdump -d prints them") {
  // Lines from `tcpdump -d` of an expression using each arithmetic operation.
  CHECK(f::image(stmt(alu | div_ | k, 3), 1) == "(001) div      #3");
  CHECK(f::image(stmt(ld | w | len, 0), 3) == "(003) ld       #pktlen");
  CHECK(f::image(jump(jmp | jge | k, 100, 28, 0), 5) == "(005) jge      #0x64            jt 34\tjf 6");
  CHECK(f::image(stmt(alu | lsh | k, 2), 9) == "(009) lsh      #2");
  CHECK(f::image(stmt(alu | mod | k, 5), 17) == "(017) mod      #5");
  CHECK(f::image(stmt(alu | xor_ | k, 1), 20) == "(020) xor      #0x1");
  CHECK(f::image(stmt(alu | and_ | k, 3), 21) == "(021) and      #0x3");
  CHECK(f::image(stmt(alu | or_ | k, 4), 22) == "(022) or       #0x4");
  CHECK(f::image(stmt(alu | neg, 0), 25) == "(025) neg      ");
  CHECK(f::image(stmt(alu | mul | k, 3), 28) == "(028) mul      #3");
  CHECK(f::image(stmt(alu | rsh | k, 1), 31) == "(031) rsh      #1");
  CHECK(f::image(stmt(ld | b | ind, 14), 16) == "(016) ldb      [x + 14]");
  // Signed where libpcap prints %d; an unknown opcode.
  CHECK(f::image(stmt(ret | k, 0xffffffff), 0) == "(000) ret      #-1");
  CHECK(f::image(stmt(ld | b | abs_, 0xfffff000 + 44), 0) == "(000) ldb      [vlan_tci]");  // libpcap names them
  CHECK(f::image(stmt(ld | b | abs_, 0xfffff000 + 46), 0) == "(000) ldb      [-4050]");
  CHECK(f::image(stmt(ld | w | ind, 0xfffff000), 0) == "(000) ld       [x + -4096]");
  CHECK(f::image(stmt(0x08, 0), 0) == "(000) unimp    0x8");
  CHECK(f::image(stmt(jmp | ja, 3), 10) == "(010) ja       14");
}

TEST_CASE("filter: is_conditional_jump, every code against the rule written out") {
  // (it tests the operation as a range: here it is compared with each one)
  for (unsigned c = 0; c <= 0xffff; ++c) {
    const auto code = static_cast<std::uint16_t>(c);
    const std::uint16_t op = code & 0xf0;
    const bool rule = (code & 0x07) == f::jmp && (code & 0xff00) == 0 &&
                      (op == f::jeq || op == f::jgt || op == f::jge || op == f::jset);
    if (f::is_conditional_jump(code) != rule) FAIL_CHECK("code " << c);
  }
  CHECK(f::is_conditional_jump(f::jmp | f::jeq | f::k));
  CHECK(f::is_conditional_jump(f::jmp | f::jset | f::x));
  CHECK(!f::is_conditional_jump(f::jmp | f::ja));
  CHECK(!f::is_conditional_jump(0x0100 | f::jmp | f::jeq));
}

TEST_CASE("filter: the kernel's checks, one by one") {
  using V = std::vector<instruction>;
  auto kernel = [](const V& p) { return f::validate(p).has_value(); };
  auto userland = [](const V& p) { return f::validate(p, f::validation::userland).has_value(); };
  CHECK_FALSE(kernel({}));
  CHECK(kernel({stmt(ret | k, 0)}));
  CHECK(kernel({stmt(ret | a, 0)}));
  CHECK_FALSE(kernel({stmt(ld | imm, 0)}));  // the last is not a return
  CHECK_FALSE(kernel({stmt(0x08, 0), stmt(ret | k, 0)}));
  CHECK_FALSE(kernel({stmt(ret | x, 0)}));  // (ret x is no opcode)
  CHECK_FALSE(kernel({stmt(alu | div_ | k, 0), stmt(ret | a, 0)}));
  CHECK_FALSE(kernel({stmt(alu | mod | k, 0), stmt(ret | a, 0)}));
  CHECK(kernel({stmt(alu | div_ | x, 0), stmt(ret | a, 0)}));  // X = 0 is a run-time 0
  CHECK_FALSE(kernel({stmt(alu | lsh | k, 32), stmt(ret | a, 0)}));
  CHECK(kernel({stmt(alu | rsh | k, 31), stmt(ret | a, 0)}));
  CHECK_FALSE(kernel({stmt(st, 16), stmt(ret | a, 0)}));
  CHECK_FALSE(kernel({stmt(ld | mem, 0), stmt(ret | a, 0)}));  // read before written
  CHECK(kernel({stmt(st, 0), stmt(ld | mem, 0), stmt(ret | a, 0)}));
  // Written on one path only.
  CHECK_FALSE(kernel({jump(jmp | jeq | k, 0, 0, 1), stmt(st, 2), stmt(ldx | mem, 2), stmt(ret | a, 0)}));
  CHECK(kernel({stmt(stx, 2), jump(jmp | jeq | k, 0, 0, 1), stmt(st, 2), stmt(ldx | mem, 2), stmt(ret | a, 0)}));
  // Jumps: in range, forward.
  CHECK(kernel({stmt(jmp | ja, 0), stmt(ret | a, 0)}));
  CHECK_FALSE(kernel({stmt(jmp | ja, 1), stmt(ret | a, 0)}));
  CHECK_FALSE(kernel({stmt(jmp | ja, 0xffffffff), stmt(ret | a, 0)}));
  CHECK_FALSE(kernel({jump(jmp | jgt | x, 0, 0, 1), stmt(ret | a, 0)}));
  CHECK(kernel({jump(jmp | jset | k, 1, 1, 0), stmt(ret | k, 0), stmt(ret | a, 0)}));
  // Ancillary loads: the kernel's, and no other.
  CHECK(kernel({stmt(ld | w | abs_, f::ancillary_base + 44), stmt(ret | a, 0)}));
  CHECK(kernel({stmt(ld | b | abs_, f::ancillary_base + 60), stmt(ret | a, 0)}));
  CHECK_FALSE(kernel({stmt(ld | h | abs_, f::ancillary_base + 64), stmt(ret | a, 0)}));
  CHECK_FALSE(kernel({stmt(ld | h | abs_, f::ancillary_base + 2), stmt(ret | a, 0)}));
  CHECK(kernel({stmt(ld | h | abs_, 0xffe00000), stmt(ret | a, 0)}));  // SKF_LL_OFF: below the ancillary range
  CHECK(userland({stmt(ld | h | abs_, f::ancillary_base + 64), stmt(ret | a, 0)}));
  // Length: 4096 at most for the kernel; libpcap has no limit.
  V many(4097, stmt(ld | imm, 0));
  many.back() = stmt(ret | a, 0);
  CHECK_FALSE(kernel(many));
  CHECK(f::validate(many).error().code == wirespan::errc::limit_exceeded);
  CHECK(userland(many));
  many.erase(many.begin());
  CHECK(kernel(many));
  // libpcap does not track memory initialisation.
  CHECK(userland({stmt(ld | mem, 0), stmt(ret | a, 0)}));
  auto e = f::validate(V{stmt(alu | div_ | k, 0), stmt(ret | a, 0)});
  CHECK(e.error().offset == 0);
  CHECK(wirespan::to_string(e.error()).find("division") != std::string::npos);
}

TEST_CASE("filter: tcpdump's -d, -dd and -ddd text read back") {
  const auto prog = tcp_port_443();
  const std::vector<instruction> want(prog.begin(), prog.end());
  for (auto format : {f::text_format::mnemonics, f::text_format::c_array, f::text_format::decimal}) {
    auto back = f::parse_program(f::dump(prog, format), format);
    REQUIRE(back);
    CHECK(*back == want);
    CHECK(f::parse_program(f::dump(prog, format)).value() == want);  // the form told by the first character
  }
  // Hand-written, with blank lines, other spacing and ancillary names.
  auto hand = f::parse_program("\n(000) ld [proto]\n  (001)  jeq  #0x800  jt 2 jf 3\n(002) ret #-1\n(003) ret #0\n");
  REQUIRE(hand);
  CHECK(*hand == std::vector<instruction>{f::stmt(f::ld | f::w | f::abs_, f::ancillary_base), f::jump(f::jmp | f::jeq | f::k, 0x800, 0, 1),
                                          f::stmt(f::ret | f::k, 0xffffffffu), f::stmt(f::ret | f::k, 0)});
  CHECK(f::parse_program("{ 0x6, 0, 0, 0x00040000 }").value() == std::vector<instruction>{f::stmt(f::ret | f::k, 262144)});
  CHECK(f::parse_program("(000) unimp    0xff\n").value() == std::vector<instruction>{f::stmt(0xff, 0)});
  // Errors name the line's offset.
  auto err = [](std::string_view text) {
    auto r = f::parse_program(text);
    REQUIRE_FALSE_MESSAGE(r, text);
    return r.error();
  };
  CHECK(err("(000) ret #0\n(002) ret #0\n").offset == 13);           // numbering
  CHECK(err("(000) jeq #0x1 jt 0 jf 1\n").offset == 0);              // a jump backwards
  CHECK(err("(000) ldh [x + ]\n").offset == 0);
  CHECK(err("(000) frob #1\n").offset == 0);
  CHECK(err("(000) ret #0 jt 1 jf 1\n").offset == 0);                // not a conditional jump
  CHECK(err("2\n6 0 0 1\n").code == wirespan::errc::bad_length);     // the count
  CHECK(err("1\n6 0 256 1\n").offset == 2);                          // jf in range
  CHECK(err("{ 0x6, 0, 0 },").offset == 0);
  CHECK(err("").code == wirespan::errc::malformed);
  CHECK(err("\n\n").code == wirespan::errc::malformed);
  CHECK(err("(000) ret #2147483648\n").offset == 0);                 // libpcap prints k as an int
}
