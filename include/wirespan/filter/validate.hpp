// wirespan/filter/validate.hpp — is a classic BPF program safe to run?
//
// `validate(prog)` applies the Linux kernel's checker (`bpf_check_classic` in
// net/core/filter.c), so a program it accepts is one `setsockopt(SO_ATTACH_FILTER)`
// accepts: 1 to 4096 instructions; only the opcodes the kernel knows; no division or
// modulus by the constant 0, no shift by a constant of 32 or more; scratch memory slots
// below 16, and no slot read on any path before it is written; every jump forward and
// inside the program; ancillary loads (`ld [k]` with k at or above -4096) only the
// kernel's; the last instruction a return.
//
// `validate(prog, validation::userland)` applies libpcap's `bpf_validate`, which is
// looser: no length limit, no memory-initialisation analysis, no ancillary check, and any
// shift amount in a register. Where libpcap is undefined it is stricter: opcodes its
// `bpf_filter` does not execute (it aborts on them) and unconditional jumps whose offset
// wraps around are rejected, and so is a shift by a constant of 32 or more (undefined
// behaviour in libpcap's C).
//
// Errors are `malformed` (or `limit_exceeded` for the length) with the instruction's
// index as the offset.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../core/error.hpp"
#include "../core/result.hpp"
#include "bpf.hpp"

namespace wirespan::filter {

/// Which rules `validate` applies.
enum class validation : std::uint8_t {
  kernel,    ///< Linux's bpf_check_classic (what SO_ATTACH_FILTER accepts)
  userland,  ///< libpcap's bpf_validate (what pcap_setfilter and bpf_filter accept)
};

/// True for the opcodes the Linux kernel accepts in a classic program (its `codes[]`
/// table), which are also exactly the ones libpcap's interpreter executes.
constexpr bool known_opcode(std::uint16_t code) noexcept {
  switch (code) {
    case alu | add | k: case alu | add | x: case alu | sub | k: case alu | sub | x:
    case alu | mul | k: case alu | mul | x: case alu | div_ | k: case alu | div_ | x:
    case alu | mod | k: case alu | mod | x: case alu | and_ | k: case alu | and_ | x:
    case alu | or_ | k: case alu | or_ | x: case alu | xor_ | k: case alu | xor_ | x:
    case alu | lsh | k: case alu | lsh | x: case alu | rsh | k: case alu | rsh | x:
    case alu | neg:
    case ld | w | abs_: case ld | h | abs_: case ld | b | abs_: case ld | w | len:
    case ld | w | ind: case ld | h | ind: case ld | b | ind: case ld | imm: case ld | mem:
    case ldx | w | len: case ldx | b | msh: case ldx | imm: case ldx | mem:
    case st: case stx:
    case misc | tax: case misc | txa:
    case ret | k: case ret | a:
    case jmp | ja: case jmp | jeq | k: case jmp | jeq | x: case jmp | jge | k: case jmp | jge | x:
    case jmp | jgt | k: case jmp | jgt | x: case jmp | jset | k: case jmp | jset | x:
      return true;
    default:
      return false;
  }
}

namespace detail {
inline constexpr const char* bpf_empty = "filter: a program has at least one instruction";
inline constexpr const char* bpf_long = "filter: {} instructions, more than {}";
inline constexpr const char* bpf_opcode = "filter: unknown opcode {} at instruction {}";
inline constexpr const char* bpf_div0 = "filter: division or modulus by the constant 0 at instruction {}";
inline constexpr const char* bpf_shift = "filter: shift by {} (32 or more) at instruction {}";
inline constexpr const char* bpf_slot = "filter: scratch memory slot {} (16 or more) at instruction {}";
inline constexpr const char* bpf_jump = "filter: jump past the end of the program at instruction {}";
inline constexpr const char* bpf_ancillary = "filter: unknown ancillary load at instruction {}";
inline constexpr const char* bpf_last = "filter: the last instruction is not a return";
inline constexpr const char* bpf_uninit = "filter: scratch memory slot {} read before it is written at instruction {}";

constexpr bool is_ancillary_load(const instruction& i) noexcept {
  if (i.code != (ld | w | abs_) && i.code != (ld | h | abs_) && i.code != (ld | b | abs_)) return false;
  return i.k >= ancillary_base;
}

constexpr bool known_ancillary(std::uint32_t k) noexcept {
  const std::uint32_t off = k - ancillary_base;
  return off < ancillary_end && off % 4 == 0;
}

// The kernel's check_load_and_stores: a bit per slot, "written on every path here".
constexpr result<void> check_memory(program prog) noexcept {
  std::uint16_t masks[max_instructions];
  for (std::size_t i = 0; i < prog.size(); ++i) masks[i] = 0xffff;
  std::uint16_t valid = 0;
  for (std::size_t pc = 0; pc < prog.size(); ++pc) {
    const instruction& i = prog[pc];
    valid &= masks[pc];
    if (i.code == st || i.code == stx) {
      valid |= static_cast<std::uint16_t>(1u << i.k);
    } else if (i.code == (ld | mem) || i.code == (ldx | mem)) {
      if ((valid & (1u << i.k)) == 0) return make_error(errc::malformed, pc, bpf_uninit, i.k, pc);
    } else if (i.code == (jmp | ja)) {
      masks[pc + 1 + i.k] &= valid;
      valid = 0xffff;
    } else if (is_conditional_jump(i.code)) {
      masks[pc + 1 + i.jt] &= valid;
      masks[pc + 1 + i.jf] &= valid;
      valid = 0xffff;
    }
  }
  return {};
}
}  // namespace detail

/// Check `prog` with the kernel's rules (default) or libpcap's.
constexpr result<void> validate(program prog, validation rules = validation::kernel) noexcept {
  const bool kernel_rules = rules == validation::kernel;
  if (prog.empty()) return make_error(errc::malformed, 0, detail::bpf_empty);
  if (kernel_rules && prog.size() > max_instructions) {
    return make_error(errc::limit_exceeded, 0, detail::bpf_long, prog.size(), max_instructions);
  }
  const std::size_t n = prog.size();
  for (std::size_t pc = 0; pc < n; ++pc) {
    const instruction& i = prog[pc];
    if (!known_opcode(i.code)) return make_error(errc::malformed, pc, detail::bpf_opcode, i.code, pc);
    const std::uint16_t code = i.code;
    if (code == (alu | div_ | k) || code == (alu | mod | k)) {
      if (i.k == 0) return make_error(errc::malformed, pc, detail::bpf_div0, pc);
    } else if (code == (alu | lsh | k) || code == (alu | rsh | k)) {
      if (i.k >= 32) return make_error(errc::malformed, pc, detail::bpf_shift, i.k, pc);
    } else if (code == (ld | mem) || code == (ldx | mem) || code == st || code == stx) {
      if (i.k >= memory_words) return make_error(errc::malformed, pc, detail::bpf_slot, i.k, pc);
    } else if (code == (jmp | ja)) {
      // Kernel: k < n - pc - 1. libpcap: pc + 1 + k < n (here without its wrap-around).
      if (i.k >= n - pc - 1) return make_error(errc::malformed, pc, detail::bpf_jump, pc);
    } else if (is_conditional_jump(code)) {
      if (pc + 1 + i.jt >= n || pc + 1 + i.jf >= n) return make_error(errc::malformed, pc, detail::bpf_jump, pc);
    } else if (kernel_rules && detail::is_ancillary_load(i) && !detail::known_ancillary(i.k)) {
      return make_error(errc::malformed, pc, detail::bpf_ancillary, pc);
    }
  }
  if (class_of(prog[n - 1].code) != ret) return make_error(errc::malformed, n - 1, detail::bpf_last);
  if (kernel_rules) return detail::check_memory(prog);
  return {};
}

}  // namespace wirespan::filter
