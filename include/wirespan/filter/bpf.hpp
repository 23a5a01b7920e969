// wirespan/filter/bpf.hpp — classic BPF: instructions, opcodes, programs.
//
// An `instruction` has exactly the layout of Linux's `struct sock_filter` and of
// libpcap's `struct bpf_insn` ({u16 code; u8 jt; u8 jf; u32 k}), so a program is a span
// that can be handed to `setsockopt(SO_ATTACH_FILTER)` or to libpcap as it is. Opcodes
// are built from the classic fields (BSD `bpf.h`): class, size, mode, operation, source.
// Jumps are relative to the next instruction, forward only.
//
// ```cpp
// using namespace wirespan::filter;
// constexpr std::array<instruction, 4> ipv4 = {
//     stmt(ld | h | abs_, 12),              // A = half-word at 12 (the EtherType)
//     jump(jmp | jeq | k, 0x0800, 0, 1),   // IPv4 ?
//     stmt(ret | k, 262144),               // accept
//     stmt(ret | k, 0)};                   // reject
// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace wirespan::filter {

/// One classic BPF instruction (Linux `struct sock_filter`, libpcap `struct bpf_insn`).
struct instruction {
  std::uint16_t code = 0;
  std::uint8_t jt = 0;   ///< conditional jumps: instructions to skip when true
  std::uint8_t jf = 0;   ///< ... when false
  std::uint32_t k = 0;   ///< the constant: an offset, a value, a jump length, a memory slot

  friend constexpr bool operator==(const instruction&, const instruction&) noexcept = default;
};
static_assert(sizeof(instruction) == 8 && alignof(instruction) == 4);

/// A program: a view of instructions.
using program = std::span<const instruction>;

// The opcode fields (BSD bpf.h). Classes:
inline constexpr std::uint16_t ld = 0x00;    ///< load into A
inline constexpr std::uint16_t ldx = 0x01;   ///< load into X
inline constexpr std::uint16_t st = 0x02;    ///< store A into memory
inline constexpr std::uint16_t stx = 0x03;   ///< store X into memory
inline constexpr std::uint16_t alu = 0x04;   ///< arithmetic on A
inline constexpr std::uint16_t jmp = 0x05;   ///< jumps
inline constexpr std::uint16_t ret = 0x06;   ///< return (the verdict: bytes to keep, 0 = drop)
inline constexpr std::uint16_t misc = 0x07;  ///< register transfers
// Load sizes:
inline constexpr std::uint16_t w = 0x00;  ///< 32 bits
inline constexpr std::uint16_t h = 0x08;  ///< 16 bits
inline constexpr std::uint16_t b = 0x10;  ///< 8 bits
// Load modes:
inline constexpr std::uint16_t imm = 0x00;  ///< the constant k
inline constexpr std::uint16_t abs_ = 0x20;  ///< packet[k]
inline constexpr std::uint16_t ind = 0x40;  ///< packet[X + k]
inline constexpr std::uint16_t mem = 0x60;  ///< scratch memory slot k
inline constexpr std::uint16_t len = 0x80;  ///< the packet's length on the wire
inline constexpr std::uint16_t msh = 0xa0;  ///< X = 4 * (packet[k] & 0xf) (an IPv4 header length)
// ALU and jump operations:
inline constexpr std::uint16_t add = 0x00;
inline constexpr std::uint16_t sub = 0x10;
inline constexpr std::uint16_t mul = 0x20;
inline constexpr std::uint16_t div_ = 0x30;
inline constexpr std::uint16_t or_ = 0x40;
inline constexpr std::uint16_t and_ = 0x50;
inline constexpr std::uint16_t lsh = 0x60;
inline constexpr std::uint16_t rsh = 0x70;
inline constexpr std::uint16_t neg = 0x80;
inline constexpr std::uint16_t mod = 0x90;
inline constexpr std::uint16_t xor_ = 0xa0;
inline constexpr std::uint16_t ja = 0x00;
inline constexpr std::uint16_t jeq = 0x10;
inline constexpr std::uint16_t jgt = 0x20;
inline constexpr std::uint16_t jge = 0x30;
inline constexpr std::uint16_t jset = 0x40;
// Operand source (ALU, jumps) and return value:
inline constexpr std::uint16_t k = 0x00;  ///< the constant
inline constexpr std::uint16_t x = 0x08;  ///< the X register
inline constexpr std::uint16_t a = 0x10;  ///< (ret) the A register
// Register transfers:
inline constexpr std::uint16_t tax = 0x00;  ///< X = A
inline constexpr std::uint16_t txa = 0x80;  ///< A = X

/// Scratch memory slots (M[0] .. M[15]).
inline constexpr std::uint32_t memory_words = 16;
/// The most instructions a program may have (Linux BPF_MAXINSNS).
inline constexpr std::size_t max_instructions = 4096;

/// Ancillary loads (Linux): `ld [k]` with k = ancillary_base + one of these reads
/// socket-buffer metadata instead of packet bytes.
inline constexpr std::uint32_t ancillary_base = 0xfffff000u;  // SKF_AD_OFF (-4096)
enum class ancillary : std::uint32_t {
  protocol = 0,
  pkttype = 4,
  ifindex = 8,
  nlattr = 12,
  nlattr_nest = 16,
  mark = 20,
  queue = 24,
  hatype = 28,
  rxhash = 32,
  cpu = 36,
  alu_xor_x = 40,
  vlan_tag = 44,
  vlan_tag_present = 48,
  pay_offset = 52,
  random = 56,
  vlan_tpid = 60,
};
/// One past the last ancillary offset (SKF_AD_MAX).
inline constexpr std::uint32_t ancillary_end = 64;

constexpr std::uint16_t class_of(std::uint16_t code) noexcept { return code & 0x07; }
constexpr std::uint16_t size_of(std::uint16_t code) noexcept { return code & 0x18; }
constexpr std::uint16_t mode_of(std::uint16_t code) noexcept { return code & 0xe0; }
constexpr std::uint16_t op_of(std::uint16_t code) noexcept { return code & 0xf0; }
constexpr std::uint16_t source_of(std::uint16_t code) noexcept { return code & 0x08; }
constexpr std::uint16_t rval_of(std::uint16_t code) noexcept { return code & 0x18; }
constexpr std::uint16_t miscop_of(std::uint16_t code) noexcept { return code & 0xf8; }

/// A statement (no jump offsets), as BPF_STMT.
constexpr instruction stmt(std::uint16_t code, std::uint32_t value) noexcept { return {code, 0, 0, value}; }
/// A jump, as BPF_JUMP: k, then the offsets when true and when false.
constexpr instruction jump(std::uint16_t code, std::uint32_t value, std::uint8_t if_true,
                           std::uint8_t if_false) noexcept {
  return {code, if_true, if_false, value};
}

/// True for the conditional jumps (JEQ, JGT, JGE, JSET with K or X).
constexpr bool is_conditional_jump(std::uint16_t code) noexcept {
  // (class jmp, nothing above the low byte, and the operation one of 0x10 to 0x40:
  // jeq, jgt, jge, jset; the same as comparing with each, in fewer steps)
  static_assert(jeq == 0x10 && jgt == 0x20 && jge == 0x30 && jset == 0x40);
  return (code & ~std::uint16_t{0xf8}) == jmp && static_cast<unsigned>(op_of(code) - 0x10) <= 0x30u;
}

/// For a load at a fixed offset (`ld [k]`, `ldh [k]`, `ldb [k]`, `ldxb 4*([k]&0xf)`): the
/// captured bytes it needs, k + its width; 0 for every other instruction. (An ancillary
/// offset, 0xfffff000 and up, needs more than any packet has: such a load always fails.)
constexpr std::uint64_t fixed_load_extent(const instruction& i) noexcept {
  const std::uint64_t at = i.k;
  if (i.code == (ld | w | abs_)) return at + 4;
  if (i.code == (ld | h | abs_)) return at + 2;
  if (i.code == (ld | b | abs_) || i.code == (ldx | b | msh)) return at + 1;
  return 0;
}

/// The verdict tcpdump's programs return to accept a packet (its default snapshot length).
inline constexpr std::uint32_t accept_snaplen = 262144;

}  // namespace wirespan::filter
