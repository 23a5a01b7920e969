// wirespan/filter/interpret.hpp — run a classic BPF program over a packet.
//
// `run(prog, packet, wire_length)` returns the program's verdict (0: drop; otherwise the
// number of bytes to keep) with the semantics of libpcap's `bpf_filter`: loads are bounded
// by the captured bytes (`packet.size()`), and any load past them, or a division or
// modulus by a zero X, ends the program with 0; `ld #pktlen` (BPF_LEN) is the length on
// the wire. A and X start at 0, and so does scratch memory.
//
// It is safe on any program, validated or not: it never reads outside the packet or
// the program, and it always ends (jumps only go forward). Where a validated program
// cannot go, it returns 0: an unknown opcode, a jump past the end, a memory slot of 16 or
// more, running off the end without a return. A shift by 32 or more gives 0, as libpcap
// does for a shift by X. (libpcap itself aborts on unknown opcodes and leaves the rest
// undefined; `validate` rejects all of them.) Constexpr: a program can be run on a
// packet at compile time.
//
// ```cpp
// std::uint32_t verdict = wirespan::filter::run(prog, frame, wire_length);
// if (verdict != 0) keep(frame.first(std::min<std::size_t>(verdict, frame.size())));
// ```
#pragma once

#include <cstddef>
#include <cstdint>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "bpf.hpp"

namespace wirespan::filter {

/// The verdict of `prog` on `packet` (the captured bytes) of `wire_length` bytes on the
/// wire.
constexpr std::uint32_t run(program prog, bytes packet, std::uint32_t wire_length) noexcept {
  const std::uint8_t* const p = packet.data();
  const std::uint64_t size = packet.size();
  const std::size_t n = prog.size();
  std::uint32_t A = 0;
  std::uint32_t X = 0;
  std::uint32_t M[memory_words] = {};
  // Can `width` bytes be loaded at `offset`? (64-bit: X + k cannot wrap.)
  const auto fits = [size](std::uint64_t offset, std::uint64_t width) { return offset + width <= size; };
  for (std::size_t pc = 0; pc < n; ++pc) {
    const instruction& i = prog[pc];
    switch (i.code) {
      case ret | k: return i.k;
      case ret | a: return A;
      case ld | w | abs_:
        if (!fits(std::uint64_t{i.k}, 4)) return 0;
        A = load_be32(p + i.k);
        break;
      case ld | h | abs_:
        if (!fits(std::uint64_t{i.k}, 2)) return 0;
        A = load_be16(p + i.k);
        break;
      case ld | b | abs_:
        if (!fits(std::uint64_t{i.k}, 1)) return 0;
        A = p[i.k];
        break;
      case ld | w | ind: {
        const std::uint64_t at = std::uint64_t{X} + i.k;
        if (!fits(at, 4)) return 0;
        A = load_be32(p + at);
        break;
      }
      case ld | h | ind: {
        const std::uint64_t at = std::uint64_t{X} + i.k;
        if (!fits(at, 2)) return 0;
        A = load_be16(p + at);
        break;
      }
      case ld | b | ind: {
        const std::uint64_t at = std::uint64_t{X} + i.k;
        if (!fits(at, 1)) return 0;
        A = p[at];
        break;
      }
      case ldx | b | msh:
        if (!fits(std::uint64_t{i.k}, 1)) return 0;
        X = static_cast<std::uint32_t>(p[i.k] & 0xf) << 2;
        break;
      case ld | w | len: A = wire_length; break;
      case ldx | w | len: X = wire_length; break;
      case ld | imm: A = i.k; break;
      case ldx | imm: X = i.k; break;
      case ld | mem:
        if (i.k >= memory_words) return 0;
        A = M[i.k];
        break;
      case ldx | mem:
        if (i.k >= memory_words) return 0;
        X = M[i.k];
        break;
      case st:
        if (i.k >= memory_words) return 0;
        M[i.k] = A;
        break;
      case stx:
        if (i.k >= memory_words) return 0;
        M[i.k] = X;
        break;
      case jmp | ja: pc += i.k; break;  // (64-bit pc: no wrap; past the end ends the loop)
      case jmp | jgt | k: pc += A > i.k ? i.jt : i.jf; break;
      case jmp | jge | k: pc += A >= i.k ? i.jt : i.jf; break;
      case jmp | jeq | k: pc += A == i.k ? i.jt : i.jf; break;
      case jmp | jset | k: pc += (A & i.k) != 0 ? i.jt : i.jf; break;
      case jmp | jgt | x: pc += A > X ? i.jt : i.jf; break;
      case jmp | jge | x: pc += A >= X ? i.jt : i.jf; break;
      case jmp | jeq | x: pc += A == X ? i.jt : i.jf; break;
      case jmp | jset | x: pc += (A & X) != 0 ? i.jt : i.jf; break;
      case alu | add | x: A += X; break;
      case alu | sub | x: A -= X; break;
      case alu | mul | x: A *= X; break;
      case alu | div_ | x:
        if (X == 0) return 0;
        A /= X;
        break;
      case alu | mod | x:
        if (X == 0) return 0;
        A %= X;
        break;
      case alu | and_ | x: A &= X; break;
      case alu | or_ | x: A |= X; break;
      case alu | xor_ | x: A ^= X; break;
      case alu | lsh | x: A = X < 32 ? A << X : 0; break;
      case alu | rsh | x: A = X < 32 ? A >> X : 0; break;
      case alu | add | k: A += i.k; break;
      case alu | sub | k: A -= i.k; break;
      case alu | mul | k: A *= i.k; break;
      case alu | div_ | k:
        if (i.k == 0) return 0;
        A /= i.k;
        break;
      case alu | mod | k:
        if (i.k == 0) return 0;
        A %= i.k;
        break;
      case alu | and_ | k: A &= i.k; break;
      case alu | or_ | k: A |= i.k; break;
      case alu | xor_ | k: A ^= i.k; break;
      case alu | lsh | k: A = i.k < 32 ? A << i.k : 0; break;
      case alu | rsh | k: A = i.k < 32 ? A >> i.k : 0; break;
      case alu | neg: A = 0u - A; break;
      case misc | tax: X = A; break;
      case misc | txa: A = X; break;
      default: return 0;
    }
  }
  return 0;
}

/// The verdict of `prog` on a packet captured whole.
constexpr std::uint32_t run(program prog, bytes packet) noexcept {
  return run(prog, packet, static_cast<std::uint32_t>(packet.size() > 0xffffffffu ? 0xffffffffu : packet.size()));
}

}  // namespace wirespan::filter
