// wirespan/filter/decoded.hpp — a validated cBPF program decoded once for fast verdicts.
//
// `run()` (interpret.hpp) takes any program and checks, on every step, what a validated
// program cannot do. A `decoded_program` is made once from a program that passes
// `validate()`, and then gives the same verdicts as `run()` (libpcap's `bpf_filter`
// semantics) with less work per packet:
// - the instructions are renumbered into a dense set of operations with relative jump
//   targets and no end-of-program check (a validated program always reaches a return);
// - a packet load followed by a conditional jump on a constant (`ldh [12]; jeq #0x800`,
//   the shape of most of a compiled filter) is one fused operation, and so is an IPv4
//   header length (`ldxb 4*([14]&0xf)`) followed by such a load at X + k and its jump;
//   the instructions fused stay where they were too, for paths that jump to them;
// - at run time the operations are call-threaded: each one's handler ends with a call
//   of the next one's, which gcc and clang make a jump from -O1 on (sibling calls), so
//   every handler has an indirect jump of its own, which the branch predictor learns per
//   handler (one switch shares a single jump among all operations: 0.85x to 0.92x
//   `bpf_filter` on one CPU, against 2.2x to 2.4x threaded; bench/README.md).
//   Unoptimized builds (-O0) make real calls: one small stack frame per operation run,
//   at most the program's length (4,096).
// - During constant evaluation the same operations run through a switch
//   (`reference_run()`, which is also how tests compare the two at run time).
// - The deepest fixed-offset load is known, so on a packet at least that long the fixed
//   loads run without bound checks (a second set of handlers; the switch is a template).
//
// ```cpp
// auto prog = wirespan::filter::compile("tcp port 443").value();
// auto fast = wirespan::filter::decoded_program::make(prog).value();   // validates
// std::uint32_t verdict = fast.run(frame, wire_length);                 // == run(prog, frame, wire_length)
// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
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
    // fused: X = 4 * (packet[k] & 0xf), then a load at X + offset and a jump: the shape
    // of every port test behind an IPv4 header
    msh_w_jgt, msh_w_jge, msh_w_jeq, msh_w_jset,
    msh_h_jgt, msh_h_jge, msh_h_jeq, msh_h_jset,
    msh_b_jgt, msh_b_jge, msh_b_jeq, msh_b_jset,
    fail,  // (not reached in a validated program)
  };
  struct op;
  // What a run keeps beside A and X, which the handlers pass in registers.
  struct context {
    std::uint32_t wire_length;
    std::uint32_t M[memory_words];
  };
  // A handler runs one operation and tail-calls the next one's (run time only).
  using handler = std::uint32_t (*)(const op* o, const std::uint8_t* p, std::uint64_t size, std::uint32_t A,
                                    std::uint32_t X, context* c) noexcept;
  struct op {
    handler fn = nullptr;     // run time: this operation's handler
    std::uint32_t k = 0;      // the constant, offset or slot
    std::uint32_t value = 0;  // fused: the constant compared with
    std::uint32_t jt = 0;     // targets, relative to this operation (ja: jt)
    std::uint32_t jf = 0;
    std::uint32_t offset = 0;  // fused with msh: the offset of the load at X + offset
    opcode code = opcode::fail;
  };

  std::vector<op> ops_;
  std::vector<op> long_ops_;  // the same, with handlers for packets of at least fixed_extent_ bytes
  std::uint64_t fixed_extent_ = 0;
  bool uses_memory_ = false;

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

  // Call-threaded code, used at run time: each operation's handler ends by calling the
  // next one's, as its last act, so compilers turn the call into a jump, and each handler
  // has its own indirect jump (the branch predictor learns "after a port test comes ..."
  // per handler, where one switch shares one jump among all). The switch in execute() is
  // the constexpr twin, and both are tested against run().
  enum class test_kind : std::uint8_t { gt, ge, eq, set };
  template <test_kind T>
  static constexpr bool holds(std::uint32_t lhs, std::uint32_t rhs) noexcept {
    if constexpr (T == test_kind::gt) return lhs > rhs;
    else if constexpr (T == test_kind::ge) return lhs >= rhs;
    else if constexpr (T == test_kind::eq) return lhs == rhs;
    else return (lhs & rhs) != 0;
  }
  template <int W>
  static std::uint32_t load_at(const std::uint8_t* p, std::uint64_t at) noexcept {
    if constexpr (W == 4) return load_be32(p + at);
    else if constexpr (W == 2) return load_be16(p + at);
    else return p[at];
  }
#define WIRESPAN_HANDLER(name) \
  static std::uint32_t name([[maybe_unused]] const op* o, [[maybe_unused]] const std::uint8_t* p,                 \
                            [[maybe_unused]] std::uint64_t size, [[maybe_unused]] std::uint32_t A,            \
                            [[maybe_unused]] std::uint32_t X, [[maybe_unused]] context* c) noexcept
// (Not [[clang::musttail]]: clang 14 refuses it on some of these calls, "cannot compile
// this tail call skipping over cleanups yet", where there are none.)
#define WIRESPAN_NEXT(target)       \
  const op* const next_ = (target); \
  return next_->fn(next_, p, size, A, X, c);
  WIRESPAN_HANDLER(h_ret_k) { return o->k; }
  WIRESPAN_HANDLER(h_ret_a) { return A; }
  WIRESPAN_HANDLER(h_fail) { return 0; }
  // Checked: false in the handlers for packets long enough for every fixed-offset load
  // (loads at X + k are always checked).
  template <int W, bool Ind, bool Checked>
  WIRESPAN_HANDLER(h_ld) {
    const std::uint64_t at = Ind ? std::uint64_t{X} + o->k : std::uint64_t{o->k};
    if ((Ind || Checked) && at + W > size) return 0;
    A = load_at<W>(p, at);
    WIRESPAN_NEXT(o + 1)
  }
  template <bool Checked>
  WIRESPAN_HANDLER(h_ldx_msh) {
    if (Checked && std::uint64_t{o->k} + 1 > size) return 0;
    X = static_cast<std::uint32_t>(p[o->k] & 0xf) << 2;
    WIRESPAN_NEXT(o + 1)
  }
  WIRESPAN_HANDLER(h_ld_len) { A = c->wire_length; WIRESPAN_NEXT(o + 1) }
  WIRESPAN_HANDLER(h_ldx_len) { X = c->wire_length; WIRESPAN_NEXT(o + 1) }
  WIRESPAN_HANDLER(h_ld_imm) { A = o->k; WIRESPAN_NEXT(o + 1) }
  WIRESPAN_HANDLER(h_ldx_imm) { X = o->k; WIRESPAN_NEXT(o + 1) }
  WIRESPAN_HANDLER(h_ld_mem) { A = c->M[o->k & (memory_words - 1)]; WIRESPAN_NEXT(o + 1) }
  WIRESPAN_HANDLER(h_ldx_mem) { X = c->M[o->k & (memory_words - 1)]; WIRESPAN_NEXT(o + 1) }
  WIRESPAN_HANDLER(h_st_a) { c->M[o->k & (memory_words - 1)] = A; WIRESPAN_NEXT(o + 1) }
  WIRESPAN_HANDLER(h_st_x) { c->M[o->k & (memory_words - 1)] = X; WIRESPAN_NEXT(o + 1) }
  WIRESPAN_HANDLER(h_jump) { WIRESPAN_NEXT(o + o->jt) }
  template <test_kind T, bool UseX>
  WIRESPAN_HANDLER(h_jump_if) { WIRESPAN_NEXT(o + (holds<T>(A, UseX ? X : o->k) ? o->jt : o->jf)) }
  template <opcode Op>
  WIRESPAN_HANDLER(h_alu) {
    const bool use_x = Op <= opcode::rsh_x;
    const std::uint32_t v = use_x ? X : o->k;
    if constexpr (Op == opcode::add_x || Op == opcode::add_k) A += v;
    else if constexpr (Op == opcode::sub_x || Op == opcode::sub_k) A -= v;
    else if constexpr (Op == opcode::mul_x || Op == opcode::mul_k) A *= v;
    else if constexpr (Op == opcode::div_x || Op == opcode::div_k) {
      if (v == 0) return 0;  // (validated: only X can be 0)
      A /= v;
    } else if constexpr (Op == opcode::mod_x || Op == opcode::mod_k) {
      if (v == 0) return 0;
      A %= v;
    } else if constexpr (Op == opcode::and_x || Op == opcode::and_k) A &= v;
    else if constexpr (Op == opcode::or_x || Op == opcode::or_k) A |= v;
    else if constexpr (Op == opcode::xor_x || Op == opcode::xor_k) A ^= v;
    else if constexpr (Op == opcode::lsh_x || Op == opcode::lsh_k) A = v < 32 ? A << v : 0;
    else if constexpr (Op == opcode::rsh_x || Op == opcode::rsh_k) A = v < 32 ? A >> v : 0;
    else if constexpr (Op == opcode::neg_a) A = 0u - A;
    else if constexpr (Op == opcode::tax_) X = A;
    else A = X;  // txa
    WIRESPAN_NEXT(o + 1)
  }
  template <int W, bool Ind, test_kind T, bool Checked>
  WIRESPAN_HANDLER(h_fused) {
    const std::uint64_t at = Ind ? std::uint64_t{X} + o->k : std::uint64_t{o->k};
    if ((Ind || Checked) && at + W > size) return 0;
    A = load_at<W>(p, at);
    WIRESPAN_NEXT(o + (holds<T>(A, o->value) ? o->jt : o->jf))
  }
  template <int W, test_kind T, bool Checked>
  WIRESPAN_HANDLER(h_msh) {
    if (Checked && std::uint64_t{o->k} + 1 > size) return 0;
    X = static_cast<std::uint32_t>(p[o->k] & 0xf) << 2;
    const std::uint64_t at = std::uint64_t{X} + o->offset;
    if (at + W > size) return 0;
    A = load_at<W>(p, at);
    WIRESPAN_NEXT(o + (holds<T>(A, o->value) ? o->jt : o->jf))
  }
#undef WIRESPAN_NEXT
#undef WIRESPAN_HANDLER

  // The fused opcodes come in blocks of four tests (gt, ge, eq, set).
  template <int W, bool Ind, bool Checked>
  static constexpr handler fused_handler(int test) noexcept {
    switch (test) {
      case 0: return &h_fused<W, Ind, test_kind::gt, Checked>;
      case 1: return &h_fused<W, Ind, test_kind::ge, Checked>;
      case 2: return &h_fused<W, Ind, test_kind::eq, Checked>;
      default: return &h_fused<W, Ind, test_kind::set, Checked>;
    }
  }
  template <int W, bool Checked>
  static constexpr handler msh_handler(int test) noexcept {
    switch (test) {
      case 0: return &h_msh<W, test_kind::gt, Checked>;
      case 1: return &h_msh<W, test_kind::ge, Checked>;
      case 2: return &h_msh<W, test_kind::eq, Checked>;
      default: return &h_msh<W, test_kind::set, Checked>;
    }
  }
  template <bool Checked>
  static constexpr handler handler_for(opcode c) noexcept {
    if (c >= opcode::w_abs_jgt && c < opcode::msh_w_jgt) {
      const int i = static_cast<int>(c) - static_cast<int>(opcode::w_abs_jgt);
      switch (i / 4) {
        case 0: return fused_handler<4, false, Checked>(i % 4);
        case 1: return fused_handler<2, false, Checked>(i % 4);
        case 2: return fused_handler<1, false, Checked>(i % 4);
        case 3: return fused_handler<4, true, Checked>(i % 4);
        case 4: return fused_handler<2, true, Checked>(i % 4);
        default: return fused_handler<1, true, Checked>(i % 4);
      }
    }
    if (c >= opcode::msh_w_jgt && c < opcode::fail) {
      const int i = static_cast<int>(c) - static_cast<int>(opcode::msh_w_jgt);
      switch (i / 4) {
        case 0: return msh_handler<4, Checked>(i % 4);
        case 1: return msh_handler<2, Checked>(i % 4);
        default: return msh_handler<1, Checked>(i % 4);
      }
    }
    switch (c) {
      case opcode::ret_k: return &h_ret_k;
      case opcode::ret_a: return &h_ret_a;
      case opcode::ld_w_abs: return &h_ld<4, false, Checked>;
      case opcode::ld_h_abs: return &h_ld<2, false, Checked>;
      case opcode::ld_b_abs: return &h_ld<1, false, Checked>;
      case opcode::ld_w_ind: return &h_ld<4, true, Checked>;
      case opcode::ld_h_ind: return &h_ld<2, true, Checked>;
      case opcode::ld_b_ind: return &h_ld<1, true, Checked>;
      case opcode::ldx_msh: return &h_ldx_msh<Checked>;
      case opcode::ld_len: return &h_ld_len;
      case opcode::ldx_len: return &h_ldx_len;
      case opcode::ld_imm: return &h_ld_imm;
      case opcode::ldx_imm: return &h_ldx_imm;
      case opcode::ld_mem: return &h_ld_mem;
      case opcode::ldx_mem: return &h_ldx_mem;
      case opcode::st_a: return &h_st_a;
      case opcode::st_x: return &h_st_x;
      case opcode::jump: return &h_jump;
      case opcode::jgt_k: return &h_jump_if<test_kind::gt, false>;
      case opcode::jge_k: return &h_jump_if<test_kind::ge, false>;
      case opcode::jeq_k: return &h_jump_if<test_kind::eq, false>;
      case opcode::jset_k: return &h_jump_if<test_kind::set, false>;
      case opcode::jgt_x: return &h_jump_if<test_kind::gt, true>;
      case opcode::jge_x: return &h_jump_if<test_kind::ge, true>;
      case opcode::jeq_x: return &h_jump_if<test_kind::eq, true>;
      case opcode::jset_x: return &h_jump_if<test_kind::set, true>;
      case opcode::add_x: return &h_alu<opcode::add_x>;
      case opcode::sub_x: return &h_alu<opcode::sub_x>;
      case opcode::mul_x: return &h_alu<opcode::mul_x>;
      case opcode::div_x: return &h_alu<opcode::div_x>;
      case opcode::mod_x: return &h_alu<opcode::mod_x>;
      case opcode::and_x: return &h_alu<opcode::and_x>;
      case opcode::or_x: return &h_alu<opcode::or_x>;
      case opcode::xor_x: return &h_alu<opcode::xor_x>;
      case opcode::lsh_x: return &h_alu<opcode::lsh_x>;
      case opcode::rsh_x: return &h_alu<opcode::rsh_x>;
      case opcode::add_k: return &h_alu<opcode::add_k>;
      case opcode::sub_k: return &h_alu<opcode::sub_k>;
      case opcode::mul_k: return &h_alu<opcode::mul_k>;
      case opcode::div_k: return &h_alu<opcode::div_k>;
      case opcode::mod_k: return &h_alu<opcode::mod_k>;
      case opcode::and_k: return &h_alu<opcode::and_k>;
      case opcode::or_k: return &h_alu<opcode::or_k>;
      case opcode::xor_k: return &h_alu<opcode::xor_k>;
      case opcode::lsh_k: return &h_alu<opcode::lsh_k>;
      case opcode::rsh_k: return &h_alu<opcode::rsh_k>;
      case opcode::neg_a: return &h_alu<opcode::neg_a>;
      case opcode::tax_: return &h_alu<opcode::tax_>;
      case opcode::txa_: return &h_alu<opcode::txa_>;
      default: return &h_fail;
    }
  }

  // (After the handlers: clang 14 does not instantiate a member template used before
  // its definition in a constant expression.)
  constexpr void decode(program prog) {
    const std::size_t n = prog.size();
    ops_.resize(n);
    for (std::size_t pc = 0; pc < n; ++pc) {
      const instruction& i = prog[pc];
      op& o = ops_[pc];
      o.k = i.k;
      o.code = plain(i.code);
      if (o.code == opcode::ld_mem || o.code == opcode::ldx_mem || o.code == opcode::st_a || o.code == opcode::st_x) {
        uses_memory_ = true;
      }
      if (i.code == (jmp | ja)) {
        o.jt = 1 + i.k;
      } else if (is_conditional_jump(i.code)) {
        o.jt = 1u + i.jt;
        o.jf = 1u + i.jf;
      }
      // Fixed-offset loads: the bytes a packet needs for none of them to fail.
      if (fixed_load_extent(i) > fixed_extent_) fixed_extent_ = fixed_load_extent(i);
    }
    for (std::size_t pc = 0; pc + 1 < n; ++pc) {
      const instruction& j = prog[pc + 1];
      const opcode f = fused(prog[pc].code, j.code);
      if (f == opcode::fail) continue;
      op& o = ops_[pc];
      o.code = f;
      o.value = j.k;
      o.jt = 2u + j.jt;
      o.jf = 2u + j.jf;
    }
    // (In order: an msh takes the load-and-jump fused just above it, at pc + 1.)
    for (std::size_t pc = 0; pc + 2 < n; ++pc) {
      if (prog[pc].code != (ldx | b | msh)) continue;
      const op& next = ops_[pc + 1];
      const int first = static_cast<int>(opcode::w_ind_jgt);
      const int which = static_cast<int>(next.code) - first;
      if (which < 0 || which >= 12) continue;  // not a fused load at X + k and jump
      op& o = ops_[pc];
      o.code = static_cast<opcode>(static_cast<int>(opcode::msh_w_jgt) + which);
      o.offset = next.k;
      o.value = next.value;
      o.jt = 1 + next.jt;
      o.jf = 1 + next.jf;
    }
    long_ops_ = ops_;
    for (std::size_t pc = 0; pc < n; ++pc) {
      ops_[pc].fn = handler_for<true>(ops_[pc].code);
      long_ops_[pc].fn = handler_for<false>(ops_[pc].code);
    }
  }

  // Loads into A of W bytes at AT; past the captured bytes the program ends with 0 (a
  // fixed-offset load is checked only when CHECK). (Macros, not lambdas: A and X stay in
  // registers.)
#define WIRESPAN_LOAD(W, AT, CHECK)                             \
  {                                                             \
    const std::uint64_t at_ = (AT);                             \
    if ((CHECK) && at_ + (W) > size) return 0;                  \
    if constexpr ((W) == 4) A = load_be32(p + at_);             \
    else if constexpr ((W) == 2) A = load_be16(p + at_);        \
    else A = p[at_];                                            \
  }
#define WIRESPAN_FUSED(name, W, IND, test)                                          \
  case opcode::name:                                                                \
    WIRESPAN_LOAD(W, (IND) ? std::uint64_t{X} + o.k : std::uint64_t{o.k}, (IND) || checked) \
    pc += (test) ? o.jt : o.jf;                                                      \
    break;
#define WIRESPAN_MSH(name, W, test)                                 \
  case opcode::name:                                                \
    if (checked && std::uint64_t{o.k} + 1 > size) return 0;         \
    X = static_cast<std::uint32_t>(p[o.k] & 0xf) << 2;              \
    WIRESPAN_LOAD(W, std::uint64_t{X} + o.offset, true)             \
    pc += (test) ? o.jt : o.jf;                                      \
    break;

  template <bool checked>
  constexpr std::uint32_t execute(bytes packet, std::uint32_t wire_length) const noexcept {
    const std::uint8_t* const p = packet.data();
    const std::uint64_t size = packet.size();
    const op* const code = ops_.data();
    std::uint32_t A = 0;
    std::uint32_t X = 0;
    std::uint32_t M[memory_words];  // (zeroed only for a program that uses it)
    if (uses_memory_) {
      for (std::uint32_t& m : M) m = 0;
    }
    std::uint32_t pc = 0;
    for (;;) {
      const op& o = code[pc];
      switch (o.code) {
        case opcode::ret_k: return o.k;
        case opcode::ret_a: return A;
        case opcode::ld_w_abs: WIRESPAN_LOAD(4, o.k, checked) ++pc; break;
        case opcode::ld_h_abs: WIRESPAN_LOAD(2, o.k, checked) ++pc; break;
        case opcode::ld_b_abs: WIRESPAN_LOAD(1, o.k, checked) ++pc; break;
        case opcode::ld_w_ind: WIRESPAN_LOAD(4, std::uint64_t{X} + o.k, true) ++pc; break;
        case opcode::ld_h_ind: WIRESPAN_LOAD(2, std::uint64_t{X} + o.k, true) ++pc; break;
        case opcode::ld_b_ind: WIRESPAN_LOAD(1, std::uint64_t{X} + o.k, true) ++pc; break;
        case opcode::ldx_msh:
          if (checked && std::uint64_t{o.k} + 1 > size) return 0;
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
        case opcode::jump: pc += o.jt; break;
        case opcode::jgt_k: pc += A > o.k ? o.jt : o.jf; break;
        case opcode::jge_k: pc += A >= o.k ? o.jt : o.jf; break;
        case opcode::jeq_k: pc += A == o.k ? o.jt : o.jf; break;
        case opcode::jset_k: pc += (A & o.k) != 0 ? o.jt : o.jf; break;
        case opcode::jgt_x: pc += A > X ? o.jt : o.jf; break;
        case opcode::jge_x: pc += A >= X ? o.jt : o.jf; break;
        case opcode::jeq_x: pc += A == X ? o.jt : o.jf; break;
        case opcode::jset_x: pc += (A & X) != 0 ? o.jt : o.jf; break;
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
        WIRESPAN_FUSED(w_abs_jgt, 4, false, A > o.value)
        WIRESPAN_FUSED(w_abs_jge, 4, false, A >= o.value)
        WIRESPAN_FUSED(w_abs_jeq, 4, false, A == o.value)
        WIRESPAN_FUSED(w_abs_jset, 4, false, (A & o.value) != 0)
        WIRESPAN_FUSED(h_abs_jgt, 2, false, A > o.value)
        WIRESPAN_FUSED(h_abs_jge, 2, false, A >= o.value)
        WIRESPAN_FUSED(h_abs_jeq, 2, false, A == o.value)
        WIRESPAN_FUSED(h_abs_jset, 2, false, (A & o.value) != 0)
        WIRESPAN_FUSED(b_abs_jgt, 1, false, A > o.value)
        WIRESPAN_FUSED(b_abs_jge, 1, false, A >= o.value)
        WIRESPAN_FUSED(b_abs_jeq, 1, false, A == o.value)
        WIRESPAN_FUSED(b_abs_jset, 1, false, (A & o.value) != 0)
        WIRESPAN_FUSED(w_ind_jgt, 4, true, A > o.value)
        WIRESPAN_FUSED(w_ind_jge, 4, true, A >= o.value)
        WIRESPAN_FUSED(w_ind_jeq, 4, true, A == o.value)
        WIRESPAN_FUSED(w_ind_jset, 4, true, (A & o.value) != 0)
        WIRESPAN_FUSED(h_ind_jgt, 2, true, A > o.value)
        WIRESPAN_FUSED(h_ind_jge, 2, true, A >= o.value)
        WIRESPAN_FUSED(h_ind_jeq, 2, true, A == o.value)
        WIRESPAN_FUSED(h_ind_jset, 2, true, (A & o.value) != 0)
        WIRESPAN_FUSED(b_ind_jgt, 1, true, A > o.value)
        WIRESPAN_FUSED(b_ind_jge, 1, true, A >= o.value)
        WIRESPAN_FUSED(b_ind_jeq, 1, true, A == o.value)
        WIRESPAN_FUSED(b_ind_jset, 1, true, (A & o.value) != 0)
        WIRESPAN_MSH(msh_w_jgt, 4, A > o.value)
        WIRESPAN_MSH(msh_w_jge, 4, A >= o.value)
        WIRESPAN_MSH(msh_w_jeq, 4, A == o.value)
        WIRESPAN_MSH(msh_w_jset, 4, (A & o.value) != 0)
        WIRESPAN_MSH(msh_h_jgt, 2, A > o.value)
        WIRESPAN_MSH(msh_h_jge, 2, A >= o.value)
        WIRESPAN_MSH(msh_h_jeq, 2, A == o.value)
        WIRESPAN_MSH(msh_h_jset, 2, (A & o.value) != 0)
        WIRESPAN_MSH(msh_b_jgt, 1, A > o.value)
        WIRESPAN_MSH(msh_b_jge, 1, A >= o.value)
        WIRESPAN_MSH(msh_b_jeq, 1, A == o.value)
        WIRESPAN_MSH(msh_b_jset, 1, (A & o.value) != 0)
        case opcode::fail: return 0;
      }
    }
  }
#undef WIRESPAN_MSH
#undef WIRESPAN_FUSED
#undef WIRESPAN_LOAD

 public:
  // (After execute: clang 14 does not instantiate a member template used before its
  // definition in a constant expression.)
  /// The verdict of the program on `packet` (the captured bytes), `wire_length` bytes on
  /// the wire: that of `run(prog, packet, wire_length)`.
  constexpr std::uint32_t run(bytes packet, std::uint32_t wire_length) const noexcept {
    if (std::is_constant_evaluated()) return reference_run(packet, wire_length);
    context c;
    c.wire_length = wire_length;
    if (uses_memory_) {
      for (std::uint32_t& m : c.M) m = 0;
    }
    const op* const first = packet.size() >= fixed_extent_ ? long_ops_.data() : ops_.data();
    return first->fn(first, packet.data(), packet.size(), 0, 0, &c);
  }
  /// The same verdict, from the switch interpreter that `run()` uses during constant
  /// evaluation (at run time, for tests that compare the two).
  constexpr std::uint32_t reference_run(bytes packet, std::uint32_t wire_length) const noexcept {
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
  /// How many operations do the work of two or three instructions.
  constexpr std::size_t fused() const noexcept {
    std::size_t n = 0;
    for (const op& o : ops_) n += o.code >= opcode::w_abs_jgt && o.code < opcode::fail ? 1 : 0;
    return n;
  }
  /// Packets at least this long need no bound check on the fixed-offset loads.
  constexpr std::uint64_t fixed_extent() const noexcept { return fixed_extent_; }
};

}  // namespace wirespan::filter
