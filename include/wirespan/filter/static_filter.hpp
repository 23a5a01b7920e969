// wirespan/filter/static_filter.hpp — tcpdump expressions compiled during compilation.
//
// `static_filter<"tcp port 443">` parses and compiles the expression with the same
// constexpr code as `compile()` (the same program, optimized the same way), while the
// C++ is compiled. It gives the program as a `constexpr std::array` (to attach with
// SO_ATTACH_FILTER, or print), and a native predicate over the frame bytes: each
// instruction of the program becomes C++ code of its own, specialised on its opcode and
// constant, so that the compiler turns the program into straight-line code and branches,
// with no interpreter loop; on a frame long enough for every fixed-offset load, those
// loads check nothing. Its verdicts are `run()`'s on every packet.
//
// ```cpp
// using https = wirespan::filter::static_filter<"tcp port 443">;
// static_assert(https::program.size() == 20);
// if (https::match(frame)) ...;              // the verdict: 262144 or 0
// ```
//
// An expression that does not compile is a compile error; the diagnostic names
// `expression_error_at_column<N>`, N the column (from 0) where compile() stopped.
//
// The compile runs in the C++ compiler's constant evaluator, which caps the work of one
// evaluation: clang at 1,048,576 steps (`-fconstexpr-steps=N` raises it), gcc at
// 33,554,432 operations (`-fconstexpr-ops-limit=N`). A longer expression than fits is
// an error naming that limit ("constexpr evaluation hit maximum step limit", "operation
// count exceeds limit"), not a wrong program. With the defaults, clang 14 compiles lists
// of up to 10 `port` or 20 `host` alternatives (`port 1 or port 2 or ...`; a `port` is
// about 56 instructions before optimizing: TCP, UDP and SCTP over IPv4 and IPv6, each port
// field), and gcc 12 twice that (20 ports or 40 hosts: about 8 seconds and 800 MB of the
// compiler's memory for one such filter); the tests hold eight ports and sixteen hosts
// on both. For longer ones, raise the limit or call compile() at run time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/hex.hpp"
#include "bpf.hpp"
#include "compile.hpp"
#include "validate.hpp"

namespace wirespan::filter {

/// Named in the diagnostic of a static_filter whose expression does not compile: N is
/// the column.
template <std::size_t N>
struct expression_error_at_column {
  static constexpr bool compiles = false;
};

namespace detail {

struct static_status {
  bool ok = false;
  std::size_t size = 0;    // instructions
  std::size_t column = 0;  // where it failed
};

// (The text is copied first: gcc's -fsanitize=undefined cannot evaluate comparisons of
// pointers into the template argument object at compile time.)
template <wirespan::detail::fixed_string Text>
constexpr static_status static_compile() {
  const auto text = Text;
  auto r = compile(text.view());
  if (!r) return {false, 0, r.error().offset};
  return {true, r->size(), 0};
}

template <wirespan::detail::fixed_string Text, std::size_t N>
constexpr std::array<instruction, N> static_program() {
  std::array<instruction, N> out{};
  const auto text = Text;
  auto r = compile(text.view());
  if (r && r->size() == N) {
    for (std::size_t i = 0; i < N; ++i) out[i] = (*r)[i];
  }
  return out;
}

// One instruction, PC, of a program P, as code; the next one is called directly (tail
// calls: jumps only go forward, so it always ends). Unless Checked, the frame is known to
// hold every fixed-offset load (fixed_extent), and those loads check nothing.
template <const auto& P, std::size_t PC, bool Checked = true>
constexpr std::uint32_t step(const std::uint8_t* p, std::uint64_t size, std::uint32_t wire, std::uint32_t A,
                             std::uint32_t X, std::uint32_t* M) noexcept {
  if constexpr (PC >= P.size()) {
    return 0;
  } else {
    constexpr instruction i = P[PC];
    constexpr std::uint16_t code = i.code;
    constexpr std::uint32_t kk = i.k;
    if constexpr (code == (ret | k)) {
      return kk;
    } else if constexpr (code == (ret | a)) {
      return A;
    } else if constexpr (code == (ld | w | abs_) || code == (ld | h | abs_) || code == (ld | b | abs_)) {
      constexpr std::uint64_t width = code == (ld | w | abs_) ? 4 : code == (ld | h | abs_) ? 2 : 1;
      if (Checked && std::uint64_t{kk} + width > size) return 0;
      if constexpr (width == 4) A = load_be32(p + kk);
      else if constexpr (width == 2) A = load_be16(p + kk);
      else A = p[kk];
      return step<P, PC + 1, Checked>(p, size, wire, A, X, M);
    } else if constexpr (code == (ld | w | ind) || code == (ld | h | ind) || code == (ld | b | ind)) {
      constexpr std::uint64_t width = code == (ld | w | ind) ? 4 : code == (ld | h | ind) ? 2 : 1;
      const std::uint64_t at = std::uint64_t{X} + kk;
      if (at + width > size) return 0;
      if constexpr (width == 4) A = load_be32(p + at);
      else if constexpr (width == 2) A = load_be16(p + at);
      else A = p[at];
      return step<P, PC + 1, Checked>(p, size, wire, A, X, M);
    } else if constexpr (code == (ldx | b | msh)) {
      if (Checked && std::uint64_t{kk} + 1 > size) return 0;
      X = static_cast<std::uint32_t>(p[kk] & 0xf) << 2;
      return step<P, PC + 1, Checked>(p, size, wire, A, X, M);
    } else if constexpr (code == (ld | w | len) || code == (ldx | w | len)) {
      (code == (ld | w | len) ? A : X) = wire;
      return step<P, PC + 1, Checked>(p, size, wire, A, X, M);
    } else if constexpr (code == (ld | imm) || code == (ldx | imm)) {
      (code == (ld | imm) ? A : X) = kk;
      return step<P, PC + 1, Checked>(p, size, wire, A, X, M);
    } else if constexpr (code == (ld | mem) || code == (ldx | mem) || code == st || code == stx) {
      if constexpr (kk >= memory_words) {
        return 0;
      } else {
        if constexpr (code == (ld | mem)) A = M[kk];
        else if constexpr (code == (ldx | mem)) X = M[kk];
        else if constexpr (code == st) M[kk] = A;
        else M[kk] = X;
        return step<P, PC + 1, Checked>(p, size, wire, A, X, M);
      }
    } else if constexpr (code == (jmp | ja)) {
      return step<P, PC + 1 + std::size_t{kk}, Checked>(p, size, wire, A, X, M);
    } else if constexpr (is_conditional_jump(code)) {
      const std::uint32_t r = source_of(code) == x ? X : kk;
      bool yes = false;
      if constexpr (op_of(code) == jeq) yes = A == r;
      else if constexpr (op_of(code) == jgt) yes = A > r;
      else if constexpr (op_of(code) == jge) yes = A >= r;
      else yes = (A & r) != 0;
      if (yes) return step<P, PC + 1 + std::size_t{i.jt}, Checked>(p, size, wire, A, X, M);
      return step<P, PC + 1 + std::size_t{i.jf}, Checked>(p, size, wire, A, X, M);
    } else if constexpr (class_of(code) == alu) {
      constexpr std::uint16_t op = op_of(code);
      const std::uint32_t r = source_of(code) == x ? X : kk;
      if constexpr (op == add) A += r;
      else if constexpr (op == sub) A -= r;
      else if constexpr (op == mul) A *= r;
      else if constexpr (op == div_ || op == mod) {
        if (r == 0) return 0;
        if constexpr (op == div_) A /= r;
        else A %= r;
      } else if constexpr (op == and_) A &= r;
      else if constexpr (op == or_) A |= r;
      else if constexpr (op == xor_) A ^= r;
      else if constexpr (op == lsh) A = r < 32 ? A << r : 0;
      else if constexpr (op == rsh) A = r < 32 ? A >> r : 0;
      else if constexpr (op == neg) A = 0u - A;
      else return 0;
      return step<P, PC + 1, Checked>(p, size, wire, A, X, M);
    } else if constexpr (code == (misc | tax)) {
      return step<P, PC + 1, Checked>(p, size, wire, A, A, M);
    } else if constexpr (code == (misc | txa)) {
      return step<P, PC + 1, Checked>(p, size, wire, X, X, M);
    } else {
      return 0;  // (not in a program validate() accepts)
    }
  }
}

// The bytes a frame needs for no fixed-offset load of P to fail.
template <const auto& P>
constexpr std::uint64_t fixed_extent() noexcept {
  std::uint64_t extent = 0;
  for (const instruction& i : P) {
    if (fixed_load_extent(i) > extent) extent = fixed_load_extent(i);
  }
  return extent;
}

template <const auto& P>
constexpr bool uses_memory() noexcept {
  for (const instruction& i : P) {
    const std::uint16_t c = class_of(i.code);
    if (c == st || c == stx || ((c == ld || c == ldx) && mode_of(i.code) == mem)) return true;
  }
  return false;
}

}  // namespace detail

/// A tcpdump expression compiled during compilation (see the file comment).
template <wirespan::detail::fixed_string Text>
struct static_filter {
  static constexpr detail::static_status status = detail::static_compile<Text>();
  static_assert(status.ok || expression_error_at_column<status.column>::compiles,
                "wirespan::filter::static_filter: the expression does not compile; the column is N of "
                "expression_error_at_column<N>, and compile() at run time says why");

  /// The expression. (A copy of the template argument: gcc's -fsanitize=undefined cannot
  /// evaluate comparisons of pointers into the argument object at compile time.)
  static constexpr decltype(Text) text_storage = Text;
  static constexpr std::string_view text = text_storage.view();
  /// The program, as compile() makes it.
  static constexpr std::array<instruction, status.ok ? status.size : 1> program =
      detail::static_program<Text, status.ok ? status.size : 1>();
  static_assert(!status.ok || validate(program).has_value());

  /// The verdict on `frame` (the captured bytes) of `wire_length` bytes on the wire:
  /// what `run(program, frame, wire_length)` returns.
  static constexpr std::uint32_t match(bytes frame, std::uint32_t wire_length) noexcept {
    // (A frame that holds every fixed-offset load runs them without bound checks.)
    constexpr std::uint64_t extent = detail::fixed_extent<program>();
    if constexpr (detail::uses_memory<program>()) {
      std::uint32_t M[memory_words] = {};
      if (frame.size() >= extent) return detail::step<program, 0, false>(frame.data(), frame.size(), wire_length, 0, 0, M);
      return detail::step<program, 0>(frame.data(), frame.size(), wire_length, 0, 0, M);
    } else {
      if (frame.size() >= extent) {
        return detail::step<program, 0, false>(frame.data(), frame.size(), wire_length, 0, 0, nullptr);
      }
      return detail::step<program, 0>(frame.data(), frame.size(), wire_length, 0, 0, nullptr);
    }
  }
  /// The verdict on a frame captured whole.
  static constexpr std::uint32_t match(bytes frame) noexcept {
    return match(frame, static_cast<std::uint32_t>(frame.size() > 0xffffffffu ? 0xffffffffu : frame.size()));
  }
  constexpr std::uint32_t operator()(bytes frame) const noexcept { return match(frame); }
  constexpr std::uint32_t operator()(bytes frame, std::uint32_t wire_length) const noexcept {
    return match(frame, wire_length);
  }
};

}  // namespace wirespan::filter
