// wirespan/filter/text.hpp — classic BPF as text, in tcpdump's three forms.
//
// - `image(insn, n)`: one line of `tcpdump -d` (libpcap's `bpf_image`), e.g.
//   `(001) jeq      #0x800           jt 2	jf 5`; jump targets are absolute.
// - `dump(prog, text_format::...)`: the whole program as `tcpdump -d`, `-dd` (C
//   initialisers, `{ 0x28, 0, 0, 0x0000000c },`) or `-ddd` (the count, then one
//   decimal instruction a line), each line ending in a newline, byte for byte what
//   libpcap's `bpf_dump` prints.
//
// - `parse_program(text, format)`: any of the three back into instructions (tcpdump's
//   output, or a program written in its forms); `parse_program(text)` tells the form
//   from the first character. A line that is not one of the form's is an error naming
//   its byte offset. (`-d` prints no k for instructions without one, and `unimp` for
//   unknown opcodes: those come back with k = 0, and `unimp 0x..` with its opcode.)
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

namespace detail {

struct line_reader {
  std::string_view text;
  std::size_t pos = 0;    // start of the current line
  std::size_t at = 0;     // next character
  std::size_t end = 0;    // end of the current line
  constexpr bool next_line() {
    while (pos < text.size()) {
      end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      at = pos;
      std::string_view line = text.substr(pos, end - pos);
      const std::size_t here = pos;
      pos = end + 1;
      bool blank = true;
      for (char c : line) blank = blank && (c == ' ' || c == '\t' || c == '\r');
      if (!blank) {
        at = here;
        return true;
      }
    }
    return false;
  }
  constexpr bool done() const { return at >= end; }
  constexpr char peek() const { return at < end ? text[at] : '\0'; }
  constexpr void skip_space() {
    while (at < end && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r')) ++at;
  }
  constexpr bool literal(std::string_view s) {
    if (text.substr(at, s.size()) != s || at + s.size() > end) return false;
    at += s.size();
    return true;
  }
  // An unsigned number: decimal, or hex after 0x; at most `max`.
  constexpr bool number(std::uint64_t max, std::uint64_t& out, bool hex_only = false) {
    std::uint64_t v = 0;
    std::size_t digits = 0;
    const bool hex = hex_only || (at + 1 < end && text[at] == '0' && (text[at + 1] == 'x' || text[at + 1] == 'X'));
    if (hex && !hex_only) at += 2;
    while (at < end) {
      const char c = text[at];
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) break;
      v = v * (hex ? 16 : 10) + static_cast<std::uint64_t>(d);
      if (v > max) return false;
      ++digits;
      ++at;
    }
    out = v;
    return digits > 0;
  }
  // A decimal int32, as libpcap's %d prints k; the bits of k.
  constexpr bool signed32(std::uint32_t& out) {
    const bool minus = at < end && text[at] == '-';
    if (minus) ++at;
    std::uint64_t v = 0;
    if (!number(minus ? 0x80000000u : 0x7fffffffu, v)) return false;
    out = static_cast<std::uint32_t>(minus ? 0u - v : v);
    return true;
  }
};

// The operand text of `code` (as image() prints it) parsed into k, for line n.
constexpr bool parse_operand(line_reader r, std::uint16_t code, std::size_t n, std::uint32_t& kv) {
  const mnemonic m = mnemonic_of(code);
  const std::string_view pattern = m.operand;
  const bool absolute = code == (ld | w | abs_) || code == (ld | h | abs_) || code == (ld | b | abs_);
  if (absolute && r.literal("[")) {
    for (std::uint32_t a = 0; a < 16; ++a) {
      line_reader t = r;
      if (t.literal(ancillary_names[a]) && t.literal("]") && t.done()) {
        kv = ancillary_base + 4 * a;
        return true;
      }
    }
    r.at -= 1;
  }
  if (code == (jmp | ja)) {
    std::uint64_t target = 0;
    if (!r.number(0xffffffffull + n + 1, target) || !r.done() || target < n + 1) return false;
    kv = static_cast<std::uint32_t>(target - n - 1);
    return true;
  }
  const std::size_t hole = pattern.find('%');
  if (hole == std::string_view::npos) {
    kv = 0;
    return r.literal(pattern) && r.done();
  }
  if (!r.literal(pattern.substr(0, hole))) return false;
  if (pattern[hole + 1] == 'x') {
    std::uint64_t v = 0;
    if (!r.number(0xffffffffu, v, true)) return false;
    kv = static_cast<std::uint32_t>(v);
  } else if (!r.signed32(kv)) {
    return false;
  }
  return r.literal(pattern.substr(hole + 2)) && r.done();
}

}  // namespace detail

/// A program from its text in one of tcpdump's forms.
constexpr result<std::vector<instruction>> parse_program(std::string_view text, text_format format) {
  detail::line_reader r{text};
  std::vector<instruction> out;
  std::uint64_t declared = 0;
  bool counted = false;
  while (r.next_line()) {
    r.skip_space();
    const std::size_t where = r.at;
    auto bad = [&](const char* what) { return make_error(errc::malformed, where, what); };
    std::uint64_t v[4] = {};
    if (format == text_format::decimal) {
      if (!counted) {
        if (!r.number(max_instructions, declared) || (r.skip_space(), !r.done())) {
          return bad("filter: -ddd text starts with the number of instructions (at most 4096)");
        }
        counted = true;
        continue;
      }
      const std::uint64_t limits[4] = {0xffff, 0xff, 0xff, 0xffffffffu};
      for (int f = 0; f < 4; ++f) {
        r.skip_space();
        if (!r.number(limits[f], v[f])) return bad("filter: expected 'code jt jf k' (decimal numbers in range)");
      }
      r.skip_space();
      if (!r.done()) return bad("filter: expected 'code jt jf k' (decimal numbers in range)");
    } else if (format == text_format::c_array) {
      const std::uint64_t limits[4] = {0xffff, 0xff, 0xff, 0xffffffffu};
      if (!r.literal("{")) return bad("filter: expected '{ code, jt, jf, k },'");
      for (int f = 0; f < 4; ++f) {
        r.skip_space();
        if (!r.number(limits[f], v[f])) return bad("filter: expected '{ code, jt, jf, k },' (numbers in range)");
        r.skip_space();
        if (f < 3 && !r.literal(",")) return bad("filter: expected '{ code, jt, jf, k },'");
      }
      if (!r.literal("}")) return bad("filter: expected '{ code, jt, jf, k },'");
      r.skip_space();
      (void)r.literal(",");
      r.skip_space();
      if (!r.done()) return bad("filter: expected '{ code, jt, jf, k },'");
    } else {
      // (NNN) op operand [jt A jf B]
      std::uint64_t line_no = 0;
      if (!r.literal("(") || !r.number(max_instructions, line_no) || !r.literal(")") || line_no != out.size()) {
        return bad("filter: expected '(NNN)' numbering the instructions from (000)");
      }
      r.skip_space();
      const std::size_t op_start = r.at;
      while (r.at < r.end && r.text[r.at] != ' ' && r.text[r.at] != '\t') ++r.at;
      const std::string_view op = r.text.substr(op_start, r.at - op_start);
      r.skip_space();
      // The operand runs to " jt " on jumps, else to the end of the line (spaces trimmed).
      std::size_t operand_end = r.end;
      while (operand_end > r.at && (r.text[operand_end - 1] == ' ' || r.text[operand_end - 1] == '\r')) --operand_end;
      std::size_t jumps = r.text.substr(r.at, operand_end - r.at).find(" jt ");
      std::size_t op_end = jumps == std::string_view::npos ? operand_end : r.at + jumps;
      while (op_end > r.at && r.text[op_end - 1] == ' ') --op_end;
      detail::line_reader operand = r;
      operand.end = op_end;
      bool found = false;
      if (op == "unimp") {
        std::uint64_t c = 0;
        if (operand.literal("0x") && operand.number(0xffff, c, true) && operand.done()) {
          v[0] = c;
          found = true;
        }
      }
      for (std::uint16_t c = 0; c < 256 && !found; ++c) {
        const detail::mnemonic m = detail::mnemonic_of(c);
        if (m.operand == nullptr || op != m.op) continue;
        std::uint32_t kv = 0;
        if (!detail::parse_operand(operand, c, out.size(), kv)) continue;
        if ((jumps != std::string_view::npos) != (class_of(c) == jmp && c != (jmp | ja))) continue;
        v[0] = c;
        v[3] = kv;
        found = true;
      }
      if (!found) return bad("filter: not an instruction as tcpdump -d prints it");
      if (jumps != std::string_view::npos) {
        detail::line_reader j = r;
        j.at = r.at + jumps;
        j.end = operand_end;
        std::uint64_t t = 0, f = 0;
        const std::size_t self = out.size();
        j.skip_space();
        if (!j.literal("jt") || (j.skip_space(), !j.number(self + 256, t)) || (j.skip_space(), !j.literal("jf")) ||
            (j.skip_space(), !j.number(self + 256, f)) || (j.skip_space(), !j.done()) || t <= self || f <= self) {
          return bad("filter: expected 'jt N jf M' (absolute targets after the jump, at most 256 on)");
        }
        v[1] = t - self - 1;
        v[2] = f - self - 1;
      }
    }
    if (out.size() == max_instructions) return bad("filter: more than 4096 instructions");
    out.push_back(instruction{static_cast<std::uint16_t>(v[0]), static_cast<std::uint8_t>(v[1]),
                              static_cast<std::uint8_t>(v[2]), static_cast<std::uint32_t>(v[3])});
  }
  if (format == text_format::decimal && (!counted || declared != out.size())) {
    return make_error(errc::bad_length, text.size(), "filter: -ddd text: the count is {}, the instructions {}",
                      declared, out.size());
  }
  if (out.empty()) return make_error(errc::truncated, text.size(), "filter: no instructions");
  return out;
}

/// A program from tcpdump's text, the form told by its first character: '(' -d, '{' -dd,
/// a digit -ddd.
constexpr result<std::vector<instruction>> parse_program(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '(') return parse_program(text, text_format::mnemonics);
    if (c == '{') return parse_program(text, text_format::c_array);
    if (c >= '0' && c <= '9') return parse_program(text, text_format::decimal);
    break;
  }
  return make_error(errc::malformed, 0, "filter: not a program in any of tcpdump's -d, -dd, -ddd forms");
}

}  // namespace wirespan::filter
