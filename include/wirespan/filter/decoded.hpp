// wirespan/filter/decoded.hpp — a validated cBPF program decoded once for fast verdicts.
//
// `run()` (interpret.hpp) takes any program and checks, on every step, what a validated
// program cannot do. A `decoded_program` is made once from a program that passes
// `validate()`, and then gives the same verdicts as `run()` (libpcap's `bpf_filter`
// semantics) with less work per packet:
// - the instructions are renumbered into a dense set of operations with absolute jump
//   targets, so each step is one table dispatch and no end-of-program check;
// - a packet load followed by a conditional jump on a constant (`ldh [12]; jeq #0x800`,
//   the shape of most of a compiled filter) is one fused operation; the jump stays
//   where it was too, for paths that jump to it directly;
// - the deepest fixed-offset load is known, so on a packet at least that long the fixed
//   loads run without bound checks (loads at X + k are always checked).
//
// ```cpp
// auto prog = wirespan::filter::compile("tcp port 443").value();
// auto fast = wirespan::filter::decoded_program::make(prog).value();   // validates
// std::uint32_t verdict = fast.run(frame, wire_length);                 // == run(prog, frame, wire_length)
// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/result.hpp"
#include "bpf.hpp"
#include "validate.hpp"

namespace wirespan::filter {

class decoded_program {
 public:
  /// Decode `prog`, which must pass `validate(prog, rules)` (the error is validate's).
  static constexpr result<decoded_program> make(program prog, validation rules = validation::kernel) {
    if (auto ok = validate(prog, rules); !ok) return ok.error();
    decoded_program d;
    d.decode(prog);
    return d;
  }

  /// The verdict of the program on `packet` (the captured bytes), `wire_length` bytes on
  /// the wire: that of `run(prog, packet, wire_length)`.
  constexpr std::uint32_t run(bytes packet, std::uint32_t wire_length) const noexcept {
    if (packet.size() >= fixed_extent_) return execute<false>(packet, wire_length);
    return execute<true>(packet, wire_length);
  }
  /// The verdict on a packet captured whole.
  constexpr std::uint32_t run(bytes packet) const noexcept {
    return run(packet, static_cast<std::uint32_t>(packet.size() > 0xffffffffu ? 0xffffffffu : packet.size()));
  }

  /// How many operations the program became (fused pairs count as one, and their jump
  /// stays too).
  constexpr std::size_t size() const noexcept { return ops_.size(); }
  /// Packets at least this long need no bound check on the fixed-offset loads.
  constexpr std::uint64_t fixed_extent() const noexcept { return fixed_extent_; }

 private:
  // The operations. Fused ones: load (word, half, byte; at k or X + k), then compare
  // A with `value` and go to jt or jf.
  enum class opcode : std::uint8_t {
    ret_k, ret_a,
    ld_w_abs, ld_h_abs, ld_b_abs, ld_w_ind, ld_h_ind, ld_b_ind, ldx_msh, ld_len, ldx_len, ld_imm, ldx_imm,
    ld_mem, ldx_mem, st_a, st_x,
    jump, jgt_k, jge_k, jeq_k, jset_k, jgt_x, jge_x, jeq_x, jset_x,
    add_x, sub_x, mul_x, div_x, mod_x, and_x, or_x, xor_x, lsh_x, rsh_x,
    add_k, sub_k, mul_k, div_k, mod_k, and_k, or_k, xor_k, lsh_k, rsh_k, neg_a, tax_, txa_,
    // fused: <load>_<jump>
    w_abs_jgt, w_abs_jge, w_abs_jeq, w_abs_jset,
    h_abs_jgt, h_abs_jge, h_abs_jeq, h_abs_jset,
    b_abs_jgt, b_abs_jge, b_abs_jeq, b_abs_jset,
    w_ind_jgt, w_ind_jge, w_ind_jeq, w_ind_jset,
    h_ind_jgt, h_ind_jge, h_ind_jeq, h_ind_jset,
    b_ind_jgt, b_ind_jge, b_ind_jeq, b_ind_jset,
    fail,  // (not reached in a validated program)
  };
  struct op {
    std::uint32_t k = 0;      // the constant, offset or slot
    std::uint32_t value = 0;  // fused: the constant compared with
    std::uint32_t jt = 0;     // absolute targets (ja: jt)
    std::uint32_t jf = 0;
    opcode code = opcode::fail;
  };

  std::vector<op> ops_;
  std::uint64_t fixed_extent_ = 0;

  static constexpr opcode plain(std::uint16_t c) noexcept {
    switch (c) {
      case ret | k: return opcode::ret_k;
      case ret | a: return opcode::ret_a;
      case ld | w | abs_: return opcode::ld_w_abs;
      case ld | h | abs_: return opcode::ld_h_abs;
      case ld | b | abs_: return opcode::ld_b_abs;
      case ld | w | ind: return opcode::ld_w_ind;
      case ld | h | ind: return opcode::ld_h_ind;
      case ld | b | ind: return opcode::ld_b_ind;
      case ldx | b | msh: return opcode::ldx_msh;
      case ld | w | len: return opcode::ld_len;
      case ldx | w | len: return opcode::ldx_len;
      case ld | imm: return opcode::ld_imm;
      case ldx | imm: return opcode::ldx_imm;
      case ld | mem: return opcode::ld_mem;
      case ldx | mem: return opcode::ldx_mem;
      case st: return opcode::st_a;
      case stx: return opcode::st_x;
      case jmp | ja: return opcode::jump;
      case jmp | jgt | k: return opcode::jgt_k;
      case jmp | jge | k: return opcode::jge_k;
      case jmp | jeq | k: return opcode::jeq_k;
      case jmp | jset | k: return opcode::jset_k;
      case jmp | jgt | x: return opcode::jgt_x;
      case jmp | jge | x: return opcode::jge_x;
      case jmp | jeq | x: return opcode::jeq_x;
      case jmp | jset | x: return opcode::jset_x;
      case alu | add | x: return opcode::add_x;
      case alu | sub | x: return opcode::sub_x;
      case alu | mul | x: return opcode::mul_x;
      case alu | div_ | x: return opcode::div_x;
      case alu | mod | x: return opcode::mod_x;
      case alu | and_ | x: return opcode::and_x;
      case alu | or_ | x: return opcode::or_x;
      case alu | xor_ | x: return opcode::xor_x;
      case alu | lsh | x: return opcode::lsh_x;
      case alu | rsh | x: return opcode::rsh_x;
      case alu | add | k: return opcode::add_k;
      case alu | sub | k: return opcode::sub_k;
      case alu | mul | k: return opcode::mul_k;
      case alu | div_ | k: return opcode::div_k;
      case alu | mod | k: return opcode::mod_k;
      case alu | and_ | k: return opcode::and_k;
      case alu | or_ | k: return opcode::or_k;
      case alu | xor_ | k: return opcode::xor_k;
      case alu | lsh | k: return opcode::lsh_k;
      case alu | rsh | k: return opcode::rsh_k;
      case alu | neg: return opcode::neg_a;
      case misc | tax: return opcode::tax_;
      case misc | txa: return opcode::txa_;
      default: return opcode::fail;
    }
  }

  // The fused operation for a load `l` followed by a conditional jump `j` on a constant,
  // or fail when the pair has none.
  static constexpr opcode fused(std::uint16_t l, std::uint16_t j) noexcept {
    int load = -1;
    switch (l) {
      case ld | w | abs_: load = 0; break;
      case ld | h | abs_: load = 1; break;
      case ld | b | abs_: load = 2; break;
      case ld | w | ind: load = 3; break;
      case ld | h | ind: load = 4; break;
      case ld | b | ind: load = 5; break;
      default: return opcode::fail;
    }
    int jump = -1;
    switch (j) {
      case jmp | jgt | k: jump = 0; break;
      case jmp | jge | k: jump = 1; break;
      case jmp | jeq | k: jump = 2; break;
      case jmp | jset | k: jump = 3; break;
      default: return opcode::fail;
    }
    return static_cast<opcode>(static_cast<int>(opcode::w_abs_jgt) + load * 4 + jump);
  }

  constexpr void decode(program prog) {
    const std::size_t n = prog.size();
    ops_.resize(n);
    for (std::size_t pc = 0; pc < n; ++pc) {
      const instruction& i = prog[pc];
      op& o = ops_[pc];
      o.k = i.k;
      o.code = plain(i.code);
      const auto next = static_cast<std::uint32_t>(pc + 1);
      if (i.code == (jmp | ja)) {
        o.jt = next + i.k;
      } else if (is_conditional_jump(i.code)) {
        o.jt = next + i.jt;
        o.jf = next + i.jf;
      }
      // Fixed-offset loads: the bytes a packet needs for none of them to fail. (An
      // ancillary offset, 0xfffff000 and up, always fails, as in run(): a packet is never
      // that long.)
      std::uint64_t width = 0;
      if (i.code == (ld | w | abs_)) width = 4;
      if (i.code == (ld | h | abs_)) width = 2;
      if (i.code == (ld | b | abs_) || i.code == (ldx | b | msh)) width = 1;
      if (width != 0 && std::uint64_t{i.k} + width > fixed_extent_) fixed_extent_ = std::uint64_t{i.k} + width;
    }
    for (std::size_t pc = 0; pc + 1 < n; ++pc) {
      const instruction& j = prog[pc + 1];
      const opcode f = fused(prog[pc].code, j.code);
      if (f == opcode::fail) continue;
      op& o = ops_[pc];
      o.code = f;
      o.value = j.k;
      o.jt = static_cast<std::uint32_t>(pc + 2 + j.jt);
      o.jf = static_cast<std::uint32_t>(pc + 2 + j.jf);
    }
  }

  template <bool checked>
  constexpr std::uint32_t execute(bytes packet, std::uint32_t wire_length) const noexcept {
    const std::uint8_t* const p = packet.data();
    const std::uint64_t size = packet.size();
    const op* const code = ops_.data();
    std::uint32_t A = 0;
    std::uint32_t X = 0;
    std::uint32_t M[memory_words] = {};
    const auto fits = [size](std::uint64_t offset, std::uint64_t width) { return offset + width <= size; };
    std::uint32_t pc = 0;
    // Loads; each returns false where the program ends with 0.
    const auto abs_w = [&](std::uint32_t off) {
      if (checked && !fits(off, 4)) return false;
      A = load_be32(p + off);
      return true;
    };
    const auto abs_h = [&](std::uint32_t off) {
      if (checked && !fits(off, 2)) return false;
      A = load_be16(p + off);
      return true;
    };
    const auto abs_b = [&](std::uint32_t off) {
      if (checked && !fits(off, 1)) return false;
      A = p[off];
      return true;
    };
    const auto ind_w = [&](std::uint32_t off) {
      const std::uint64_t at = std::uint64_t{X} + off;
      if (!fits(at, 4)) return false;
      A = load_be32(p + at);
      return true;
    };
    const auto ind_h = [&](std::uint32_t off) {
      const std::uint64_t at = std::uint64_t{X} + off;
      if (!fits(at, 2)) return false;
      A = load_be16(p + at);
      return true;
    };
    const auto ind_b = [&](std::uint32_t off) {
      const std::uint64_t at = std::uint64_t{X} + off;
      if (!fits(at, 1)) return false;
      A = p[at];
      return true;
    };
#define WIRESPAN_FUSED(name, load, test) \
  case opcode::name:                     \
    if (!load(o.k)) return 0;            \
    pc = (test) ? o.jt : o.jf;           \
    break;
    for (;;) {
      const op& o = code[pc];
      switch (o.code) {
        case opcode::ret_k: return o.k;
        case opcode::ret_a: return A;
        case opcode::ld_w_abs:
          if (!abs_w(o.k)) return 0;
          ++pc;
          break;
        case opcode::ld_h_abs:
          if (!abs_h(o.k)) return 0;
          ++pc;
          break;
        case opcode::ld_b_abs:
          if (!abs_b(o.k)) return 0;
          ++pc;
          break;
        case opcode::ld_w_ind:
          if (!ind_w(o.k)) return 0;
          ++pc;
          break;
        case opcode::ld_h_ind:
          if (!ind_h(o.k)) return 0;
          ++pc;
          break;
        case opcode::ld_b_ind:
          if (!ind_b(o.k)) return 0;
          ++pc;
          break;
        case opcode::ldx_msh:
          if (checked && !fits(o.k, 1)) return 0;
          X = static_cast<std::uint32_t>(p[o.k] & 0xf) << 2;
          ++pc;
          break;
        case opcode::ld_len: A = wire_length, ++pc; break;
        case opcode::ldx_len: X = wire_length, ++pc; break;
        case opcode::ld_imm: A = o.k, ++pc; break;
        case opcode::ldx_imm: X = o.k, ++pc; break;
        case opcode::ld_mem: A = M[o.k & (memory_words - 1)], ++pc; break;
        case opcode::ldx_mem: X = M[o.k & (memory_words - 1)], ++pc; break;
        case opcode::st_a: M[o.k & (memory_words - 1)] = A, ++pc; break;
        case opcode::st_x: M[o.k & (memory_words - 1)] = X, ++pc; break;
        case opcode::jump: pc = o.jt; break;
        case opcode::jgt_k: pc = A > o.k ? o.jt : o.jf; break;
        case opcode::jge_k: pc = A >= o.k ? o.jt : o.jf; break;
        case opcode::jeq_k: pc = A == o.k ? o.jt : o.jf; break;
        case opcode::jset_k: pc = (A & o.k) != 0 ? o.jt : o.jf; break;
        case opcode::jgt_x: pc = A > X ? o.jt : o.jf; break;
        case opcode::jge_x: pc = A >= X ? o.jt : o.jf; break;
        case opcode::jeq_x: pc = A == X ? o.jt : o.jf; break;
        case opcode::jset_x: pc = (A & X) != 0 ? o.jt : o.jf; break;
        case opcode::add_x: A += X, ++pc; break;
        case opcode::sub_x: A -= X, ++pc; break;
        case opcode::mul_x: A *= X, ++pc; break;
        case opcode::div_x:
          if (X == 0) return 0;
          A /= X, ++pc;
          break;
        case opcode::mod_x:
          if (X == 0) return 0;
          A %= X, ++pc;
          break;
        case opcode::and_x: A &= X, ++pc; break;
        case opcode::or_x: A |= X, ++pc; break;
        case opcode::xor_x: A ^= X, ++pc; break;
        case opcode::lsh_x: A = X < 32 ? A << X : 0, ++pc; break;
        case opcode::rsh_x: A = X < 32 ? A >> X : 0, ++pc; break;
        case opcode::add_k: A += o.k, ++pc; break;
        case opcode::sub_k: A -= o.k, ++pc; break;
        case opcode::mul_k: A *= o.k, ++pc; break;
        case opcode::div_k: A /= o.k, ++pc; break;  // (validated: k != 0)
        case opcode::mod_k: A %= o.k, ++pc; break;
        case opcode::and_k: A &= o.k, ++pc; break;
        case opcode::or_k: A |= o.k, ++pc; break;
        case opcode::xor_k: A ^= o.k, ++pc; break;
        case opcode::lsh_k: A <<= (o.k & 31), ++pc; break;  // (validated: k < 32)
        case opcode::rsh_k: A >>= (o.k & 31), ++pc; break;
        case opcode::neg_a: A = 0u - A, ++pc; break;
        case opcode::tax_: X = A, ++pc; break;
        case opcode::txa_: A = X, ++pc; break;
        WIRESPAN_FUSED(w_abs_jgt, abs_w, A > o.value)
        WIRESPAN_FUSED(w_abs_jge, abs_w, A >= o.value)
        WIRESPAN_FUSED(w_abs_jeq, abs_w, A == o.value)
        WIRESPAN_FUSED(w_abs_jset, abs_w, (A & o.value) != 0)
        WIRESPAN_FUSED(h_abs_jgt, abs_h, A > o.value)
        WIRESPAN_FUSED(h_abs_jge, abs_h, A >= o.value)
        WIRESPAN_FUSED(h_abs_jeq, abs_h, A == o.value)
        WIRESPAN_FUSED(h_abs_jset, abs_h, (A & o.value) != 0)
        WIRESPAN_FUSED(b_abs_jgt, abs_b, A > o.value)
        WIRESPAN_FUSED(b_abs_jge, abs_b, A >= o.value)
        WIRESPAN_FUSED(b_abs_jeq, abs_b, A == o.value)
        WIRESPAN_FUSED(b_abs_jset, abs_b, (A & o.value) != 0)
        WIRESPAN_FUSED(w_ind_jgt, ind_w, A > o.value)
        WIRESPAN_FUSED(w_ind_jge, ind_w, A >= o.value)
        WIRESPAN_FUSED(w_ind_jeq, ind_w, A == o.value)
        WIRESPAN_FUSED(w_ind_jset, ind_w, (A & o.value) != 0)
        WIRESPAN_FUSED(h_ind_jgt, ind_h, A > o.value)
        WIRESPAN_FUSED(h_ind_jge, ind_h, A >= o.value)
        WIRESPAN_FUSED(h_ind_jeq, ind_h, A == o.value)
        WIRESPAN_FUSED(h_ind_jset, ind_h, (A & o.value) != 0)
        WIRESPAN_FUSED(b_ind_jgt, ind_b, A > o.value)
        WIRESPAN_FUSED(b_ind_jge, ind_b, A >= o.value)
        WIRESPAN_FUSED(b_ind_jeq, ind_b, A == o.value)
        WIRESPAN_FUSED(b_ind_jset, ind_b, (A & o.value) != 0)
        case opcode::fail: return 0;
      }
    }
#undef WIRESPAN_FUSED
  }
};

}  // namespace wirespan::filter
