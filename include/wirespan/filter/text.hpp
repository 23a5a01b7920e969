// wirespan/filter/text.hpp — classic BPF as text, in tcpdump's three forms.
//
// - `image(insn, n)`: one line of `tcpdump -d` (libpcap's `bpf_image`), e.g.
//   `(001) jeq      #0x800           jt 2	jf 5`; jump targets are absolute.
// - `dump(prog, text_format::...)`: the whole program as `tcpdump -d`, `-dd` (C
//   initialisers, `{ 0x28, 0, 0, 0x0000000c },`) or `-ddd` (the count, then one
//   decimal instruction a line), each line ending in a newline, byte for byte what
//   libpcap's `bpf_dump` prints.
//
// Text is for tools, logs and tests: these functions allocate (std::string, std::vector).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "../core/result.hpp"
#include "bpf.hpp"

namespace wirespan::filter {

/// tcpdump's program listings: `-d`, `-dd`, `-ddd`.
enum class text_format : std::uint8_t { mnemonics, c_array, decimal };

namespace detail {

struct mnemonic {
  const char* op;
  const char* operand;  // printf format of k (a %d reads k as signed, as libpcap does), or text
  bool uses_k;
};

// bpf_image's table.
constexpr mnemonic mnemonic_of(std::uint16_t code) noexcept {
  switch (code) {
    case ret | k: return {"ret", "#%d", true};
    case ret | a: return {"ret", "", false};
    case ld | w | abs_: return {"ld", "[%d]", true};
    case ld | h | abs_: return {"ldh", "[%d]", true};
    case ld | b | abs_: return {"ldb", "[%d]", true};
    case ld | w | len: return {"ld", "#pktlen", false};
    case ld | w | ind: return {"ld", "[x + %d]", true};
    case ld | h | ind: return {"ldh", "[x + %d]", true};
    case ld | b | ind: return {"ldb", "[x + %d]", true};
    case ld | imm: return {"ld", "#0x%x", true};
    case ldx | imm: return {"ldx", "#0x%x", true};
    case ldx | b | msh: return {"ldxb", "4*([%d]&0xf)", true};
    case ld | mem: return {"ld", "M[%d]", true};
    case ldx | mem: return {"ldx", "M[%d]", true};
    case st: return {"st", "M[%d]", true};
    case stx: return {"stx", "M[%d]", true};
    case jmp | ja: return {"ja", "%d", true};  // (the target, not k)
    case jmp | jgt | k: return {"jgt", "#0x%x", true};
    case jmp | jge | k: return {"jge", "#0x%x", true};
    case jmp | jeq | k: return {"jeq", "#0x%x", true};
    case jmp | jset | k: return {"jset", "#0x%x", true};
    case jmp | jgt | x: return {"jgt", "x", false};
    case jmp | jge | x: return {"jge", "x", false};
    case jmp | jeq | x: return {"jeq", "x", false};
    case jmp | jset | x: return {"jset", "x", false};
    case alu | add | x: return {"add", "x", false};
    case alu | sub | x: return {"sub", "x", false};
    case alu | mul | x: return {"mul", "x", false};
    case alu | div_ | x: return {"div", "x", false};
    case alu | mod | x: return {"mod", "x", false};
    case alu | and_ | x: return {"and", "x", false};
    case alu | or_ | x: return {"or", "x", false};
    case alu | xor_ | x: return {"xor", "x", false};
    case alu | lsh | x: return {"lsh", "x", false};
    case alu | rsh | x: return {"rsh", "x", false};
    case alu | add | k: return {"add", "#%d", true};
    case alu | sub | k: return {"sub", "#%d", true};
    case alu | mul | k: return {"mul", "#%d", true};
    case alu | div_ | k: return {"div", "#%d", true};
    case alu | mod | k: return {"mod", "#%d", true};
    case alu | and_ | k: return {"and", "#0x%x", true};
    case alu | or_ | k: return {"or", "#0x%x", true};
    case alu | xor_ | k: return {"xor", "#0x%x", true};
    case alu | lsh | k: return {"lsh", "#%d", true};
    case alu | rsh | k: return {"rsh", "#%d", true};
    case alu | neg: return {"neg", "", false};
    case misc | tax: return {"tax", "", false};
    case misc | txa: return {"txa", "", false};
    default: return {"unimp", nullptr, false};
  }
}

}  // namespace detail

namespace detail {
// libpcap's names of the Linux ancillary loads, by offset / 4.
constexpr const char* ancillary_names[16] = {"proto",  "type",  "ifidx", "nla",     "nlan",     "mark",
                                             "queue",  "hatype", "rxhash", "cpu",   "xor_x",    "vlan_tci",
                                             "vlanp",  "poff",  "random", "vlan_tpid"};
}  // namespace detail

/// Instruction `n` of a program as one `tcpdump -d` line (no newline).
inline std::string image(const instruction& i, std::size_t n) {
  const detail::mnemonic m = detail::mnemonic_of(i.code);
  char operand[64];
  const bool absolute = i.code == (ld | w | abs_) || i.code == (ld | h | abs_) || i.code == (ld | b | abs_);
  if (absolute && i.k >= ancillary_base && i.k - ancillary_base < ancillary_end && i.k % 4 == 0) {
    std::snprintf(operand, sizeof operand, "[%s]", detail::ancillary_names[(i.k - ancillary_base) / 4]);
  } else if (m.operand == nullptr) {
    std::snprintf(operand, sizeof operand, "0x%x", static_cast<unsigned>(i.code));
  } else if (i.code == (jmp | ja)) {
    std::snprintf(operand, sizeof operand, "%d", static_cast<int>(static_cast<std::uint32_t>(n) + 1 + i.k));
  } else if (m.uses_k) {
#if defined(__GNUC__)
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    if (std::string_view(m.operand).find("%x") != std::string_view::npos) {
      std::snprintf(operand, sizeof operand, m.operand, static_cast<unsigned>(i.k));
    } else {
      std::snprintf(operand, sizeof operand, m.operand, static_cast<int>(i.k));
    }
#if defined(__GNUC__)
#  pragma GCC diagnostic pop
#endif
  } else {
    std::snprintf(operand, sizeof operand, "%s", m.operand);
  }
  char line[160];
  if (class_of(i.code) == jmp && op_of(i.code) != ja) {
    std::snprintf(line, sizeof line, "(%03d) %-8s %-16s jt %d\tjf %d", static_cast<int>(n), m.op, operand,
                  static_cast<int>(n + 1 + i.jt), static_cast<int>(n + 1 + i.jf));
  } else {
    std::snprintf(line, sizeof line, "(%03d) %-8s %s", static_cast<int>(n), m.op, operand);
  }
  return line;
}

/// The whole program in one of tcpdump's forms (each line ends in a newline).
inline std::string dump(program prog, text_format format = text_format::mnemonics) {
  std::string out;
  char line[96];
  if (format == text_format::decimal) {
    std::snprintf(line, sizeof line, "%d\n", static_cast<int>(prog.size()));
    out += line;
  }
  for (std::size_t n = 0; n < prog.size(); ++n) {
    const instruction& i = prog[n];
    switch (format) {
      case text_format::mnemonics:
        out += image(i, n);
        out += '\n';
        break;
      case text_format::c_array:
        std::snprintf(line, sizeof line, "{ 0x%x, %d, %d, 0x%08x },\n", static_cast<unsigned>(i.code), i.jt, i.jf,
                      static_cast<unsigned>(i.k));
        out += line;
        break;
      case text_format::decimal:
        std::snprintf(line, sizeof line, "%u %u %u %u\n", static_cast<unsigned>(i.code), static_cast<unsigned>(i.jt),
                      static_cast<unsigned>(i.jf), static_cast<unsigned>(i.k));
        out += line;
        break;
    }
  }
  return out;
}

}  // namespace wirespan::filter
