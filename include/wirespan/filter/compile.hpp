// wirespan/filter/compile.hpp — tcpdump expressions compiled to classic BPF.
//
// `compile(text)` parses an expression (expression.hpp) and generates a cBPF program
// for Ethernet frames (DLT_EN10MB) with libpcap's semantics: the same headers are read
// in the same order (which matters for frames cut short: a load past the captured bytes
// ends the program with 0), a match returns 262144 (tcpdump's snapshot length) and a
// miss 0. The program always passes `validate()`: conditional jumps longer than 255
// instructions go through an unconditional one. Unless told not to, the program is then
// optimized (optimize.hpp), and one that rejects every packet is an error.
//
// ```cpp
// auto prog = wirespan::filter::compile("tcp port 443").value();   // std::vector<instruction>
// bool keep = wirespan::filter::run(prog, frame) != 0;
// ```
//
// The library does no I/O: a host name (`host example.com`) is looked up only through a
// resolver the caller passes in `options.resolve` (the `wirespan` tool passes one that asks
// getaddrinfo, as libpcap does), and is an error without one; `ip broadcast` needs the
// netmask in `options`.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "../core/result.hpp"
#include "bpf.hpp"
#include "expression.hpp"
#include "optimize.hpp"

namespace wirespan::filter {

/// The link-layer header the program's packets start with.
enum class link_type : std::uint8_t {
  ethernet,   ///< DLT_EN10MB
  raw,        ///< DLT_RAW: an IPv4 or IPv6 header, told by its version
  linux_sll,  ///< DLT_LINUX_SLL: Linux cooked capture (16 bytes, the EtherType at 14)
};

/// One address of a host name, as a resolver gives it.
struct host_address {
  bool ipv6 = false;
  std::array<std::uint8_t, 16> octets{};  ///< IPv4: the first 4, in network order
};

/// The most addresses of one host name a program tests.
inline constexpr std::size_t max_host_addresses = 64;

/// A host name resolver: writes the addresses of `name` (IPv4 and IPv6, in the order the
/// program should test them) to the front of `out` and returns how many (0: unknown host;
/// at most out.size()). `context` is `compile_options::resolve_context`.
using resolver = std::size_t (*)(std::string_view name, std::span<host_address> out, void* context);

/// Compilation settings.
struct compile_options {
  link_type link = link_type::ethernet;    ///< what the packets start with
  std::uint32_t snaplen = accept_snaplen;  ///< what a match returns
  std::uint32_t netmask = 0;               ///< the IPv4 netmask for `ip broadcast` (0: unknown)
  /// Run `optimize()` on the program (tcpdump does, unless given -O). An optimized
  /// program that can only reject is an error, as it is for pcap_compile.
  bool optimize = true;
  /// Looks up host names (`host example.com`); without one a name is an error.
  resolver resolve = nullptr;
  void* resolve_context = nullptr;
};

/// The most instructions the code of an expression may have before the optimizer runs
/// (libpcap has no such bound; its optimized program may then be up to 4096 long).
inline constexpr std::size_t max_code_before_optimizing = 4 * max_instructions;

namespace detail {

inline constexpr std::uint32_t ethertype_ip = 0x0800;
inline constexpr std::uint32_t ethertype_ip6 = 0x86dd;
inline constexpr std::uint32_t ethertype_arp = 0x0806;
inline constexpr std::uint32_t ethertype_rarp = 0x8035;

struct sym {
  std::uint16_t code;
  std::uint32_t k;
  std::int32_t jt;  // labels (conditional jumps), or the target label of ja
  std::int32_t jf;
  std::uint8_t tag = 0;  // 1: a packet load of a relation's accessor (see optimize.hpp's families)
};

class codegen {
 public:
  constexpr codegen(const expression& e, const compile_options& o) : e_(e), o_(o) {
    if (o.link == link_type::linux_sll) off_linktype_ = 14, off_linkpl_ = 16;
    if (o.link == link_type::raw) off_linktype_ = 0, off_linkpl_ = 0;
    // (room for a typical expression's code at once: growing the vectors step by step
    // costs more than generating the code)
    code_.reserve(64);
    labels_.reserve(32);
  }

  /// Per instruction of the program run() made: the family of its packet load (1: a
  /// relation's accessor; see optimize.hpp).
  constexpr std::vector<std::uint8_t>& tags() { return tags_; }

  constexpr result<std::vector<instruction>> run() {
    const std::int32_t accept = label();
    const std::int32_t reject = label();
    if (e_.root < 0) {
      emit(ret | k, o_.snaplen);
    } else {
      gen(e_.root, accept, reject);
      if (failed_) return err_;
      place(accept);
      emit(ret | k, o_.snaplen);
      place(reject);
      emit(ret | k, 0);
    }
    return layout();
  }

 private:
  const expression& e_;
  compile_options o_;
  std::vector<sym> code_;
  std::vector<std::int32_t> labels_;  // label -> instruction index (-1: not placed)
  std::vector<std::uint8_t> tags_;
  std::uint32_t off_linktype_ = 12;
  std::uint32_t off_linkpl_ = 14;
  std::uint32_t next_slot_ = 0;
  bool failed_ = false;
  error err_{};

  constexpr std::int32_t label() {
    labels_.push_back(-1);
    return static_cast<std::int32_t>(labels_.size() - 1);
  }
  constexpr void place(std::int32_t l) { labels_[static_cast<std::size_t>(l)] = static_cast<std::int32_t>(code_.size()); }
  constexpr void emit(std::uint16_t code, std::uint32_t value) { code_.push_back({code, value, -1, -1}); }
  constexpr void branch(std::uint16_t code, std::uint32_t value, std::int32_t t, std::int32_t f) {
    code_.push_back({code, value, t, f});
  }
  constexpr void fail(errc c, std::size_t column, const char* what) {
    if (!failed_) {
      failed_ = true;
      err_ = make_error(c, column, what);
    }
  }

  // ---- boolean structure -------------------------------------------------------------

  constexpr void gen(std::int32_t n, std::int32_t t, std::int32_t f) {
    if (failed_) return;
    const node& x = e_.nodes[static_cast<std::size_t>(n)];
    switch (x.kind) {
      case node::kind_t::and_node: {
        const std::int32_t mid = label();
        gen(x.left, mid, f);
        place(mid);
        gen(x.right, t, f);
        return;
      }
      case node::kind_t::or_node: {
        const std::int32_t mid = label();
        gen(x.left, t, mid);
        place(mid);
        gen(x.right, t, f);
        return;
      }
      case node::kind_t::not_node: gen(x.left, f, t); return;
      case node::kind_t::relation: relation(x, t, f); return;
      case node::kind_t::primitive: prim(e_.primitives[static_cast<std::size_t>(x.prim)], t, f); return;
    }
  }

  // Emitters of a condition, combined like the tree: each is called with (true, false).
  template <class A, class B>
  constexpr void both(A&& a, B&& b, std::int32_t t, std::int32_t f) {
    const std::int32_t mid = label();
    a(mid, f);
    place(mid);
    b(t, f);
  }
  template <class A, class B>
  constexpr void either(A&& a, B&& b, std::int32_t t, std::int32_t f) {
    const std::int32_t mid = label();
    a(t, mid);
    place(mid);
    b(t, f);
  }

  // ld [off] (& mask) == value
  constexpr void cmp(std::uint16_t size, std::uint32_t off, std::uint32_t value, std::int32_t t, std::int32_t f,
                     std::uint32_t mask = 0xffffffffu, std::uint16_t op = jeq) {
    emit(ld | size | abs_, off);
    if (mask != 0xffffffffu) emit(alu | and_ | k, mask);
    branch(jmp | op | k, value, t, f);
  }
  constexpr void ethertype(std::uint32_t type, std::int32_t t, std::int32_t f) {
    if (o_.link != link_type::raw) return cmp(h, off_linktype_, type, t, f);
    // Raw IP: the version nibble; any other protocol is false (libpcap's gen_false:
    // a test of a constant).
    if (type == ethertype_ip) return cmp(b, 0, 0x40, t, f, 0xf0);
    if (type == ethertype_ip6) return cmp(b, 0, 0x60, t, f, 0xf0);
    emit(ld | imm, 0);
    branch(jmp | jeq | k, 1, t, f);
  }
  // libpcap's errors for link-layer primitives on a link without Ethernet addresses.
  constexpr bool ethernet_link(const primitive& p, const char* what) {
    if (o_.link == link_type::ethernet) return true;
    fail(errc::malformed, p.column, what);
    return false;
  }

  // ip proto p (IPv4 only)
  constexpr void ip_proto(std::uint32_t p, std::int32_t t, std::int32_t f) {
    both([&](auto a, auto b) { ethertype(ethertype_ip, a, b); },
         [&](auto a, auto b) { cmp(b_(), off_linkpl_ + 9, p, a, b); }, t, f);
  }
  // ip6 proto p: the next header, or the one after a fragment header.
  constexpr void ip6_proto(std::uint32_t p, std::int32_t t, std::int32_t f) {
    both([&](auto a, auto b) { ethertype(ethertype_ip6, a, b); },
         [&](auto a, auto b) {
           either([&](auto c, auto d) { cmp(b_(), off_linkpl_ + 6, p, c, d); },
                  [&](auto c, auto d) {
                    both([&](auto e1, auto e2) { cmp(b_(), off_linkpl_ + 6, 44, e1, e2); },
                         [&](auto e1, auto e2) { cmp(b_(), off_linkpl_ + 40, p, e1, e2); }, c, d);
                  },
                  a, b);
         },
         t, f);
  }
  static constexpr std::uint16_t b_() noexcept { return b; }

  // Not a fragment after the first: (ip[6:2] & 0x1fff) == 0.
  constexpr void not_fragment(std::int32_t t, std::int32_t f) {
    emit(ld | h | abs_, off_linkpl_ + 6);
    branch(jmp | jset | k, 0x1fff, f, t);
  }

  // ---- primitives ----------------------------------------------------------------------

  static constexpr std::uint32_t transport_number(proto p) noexcept {
    switch (p) {
      case proto::tcp: return 6;
      case proto::udp: return 17;
      case proto::sctp: return 132;
      case proto::icmp: return 1;
      case proto::igmp: return 2;
      case proto::icmp6: return 58;
      default: return 0;
    }
  }

  constexpr void prim(const primitive& p, std::int32_t t, std::int32_t f) {
    switch (p.kind) {
      case primitive_kind::abbreviation: abbreviation(p, t, f); return;
      case primitive_kind::protocol: protocol(p, t, f); return;
      case primitive_kind::host:
      case primitive_kind::net: host(p, t, f); return;
      case primitive_kind::port:
      case primitive_kind::portrange: port(p, t, f); return;
      case primitive_kind::greater:
        emit(ld | w | len, 0);
        branch(jmp | jge | k, p.number, t, f);
        return;
      case primitive_kind::less:
        emit(ld | w | len, 0);
        branch(jmp | jgt | k, p.number, f, t);
        return;
      case primitive_kind::broadcast: broadcast(p, t, f); return;
      case primitive_kind::multicast: multicast(p, t, f); return;
      case primitive_kind::vlan: vlan(p, t, f); return;
    }
  }

  // vlan [id], as libpcap does for a capture without the kernel's VLAN metadata: the
  // EtherType is a VLAN TPID (802.1Q, 802.1ad or the old QinQ 0x9100), the tag's VLAN ID
  // is `id`; and every primitive after this one, in the text, reads its headers 4 bytes
  // further on.
  constexpr void vlan(const primitive& p, std::int32_t t, std::int32_t f) {
    if (!ethernet_link(p, o_.link == link_type::raw ? "filter: no VLAN support for Raw IP"
                                                     : "filter: no VLAN support for Linux cooked v1")) {
      return;
    }
    auto tpid = [&](std::int32_t a, std::int32_t b) {
      either([&](auto c, auto d) { ethertype(0x8100, c, d); },
             [&](auto c, auto d) {
               either([&](auto x, auto y) { ethertype(0x88a8, x, y); }, [&](auto x, auto y) { ethertype(0x9100, x, y); },
                      c, d);
             },
             a, b);
    };
    if (p.value == primitive::value_kind::number) {
      both(tpid, [&](auto a, auto b) { cmp(h, off_linkpl_, p.number, a, b, 0x0fff); }, t, f);
    } else {
      tpid(t, f);
    }
    off_linktype_ += 4;
    off_linkpl_ += 4;
  }

  constexpr void abbreviation(const primitive& p, std::int32_t t, std::int32_t f) {
    switch (p.protocol) {
      case proto::ether:
        fail(errc::malformed, p.column, "filter: link layer applied in wrong context ('ether' alone)");
        return;
      case proto::ip: ethertype(ethertype_ip, t, f); return;
      case proto::ip6: ethertype(ethertype_ip6, t, f); return;
      case proto::arp: ethertype(ethertype_arp, t, f); return;
      case proto::rarp: ethertype(ethertype_rarp, t, f); return;
      case proto::tcp:
      case proto::udp:
      case proto::sctp: {
        const std::uint32_t n = transport_number(p.protocol);
        either([&](auto a, auto b) { ip_proto(n, a, b); }, [&](auto a, auto b) { ip6_proto(n, a, b); }, t, f);
        return;
      }
      case proto::icmp:
      case proto::igmp: ip_proto(transport_number(p.protocol), t, f); return;
      case proto::icmp6: ip6_proto(58, t, f); return;
      case proto::none: break;
    }
    fail(errc::malformed, p.column, "filter: expected a protocol");
  }

  constexpr void protocol(const primitive& p, std::int32_t t, std::int32_t f) {
    switch (p.protocol) {
      case proto::ether:
        if (p.number <= 1500) {
          fail(errc::unsupported, p.column, "filter: ether proto below 1536 (LLC/SAP) is not supported yet");
          return;
        }
        ethertype(p.number, t, f);
        return;
      case proto::ip:  // (a number above 255 never matches; libpcap compiles it all the same)
        ip_proto(p.number, t, f);
        return;
      case proto::ip6:
        ip6_proto(p.number, t, f);
        return;
      case proto::none:
        either([&](auto a, auto b) { ip_proto(p.number, a, b); }, [&](auto a, auto b) { ip6_proto(p.number, a, b); },
               t, f);
        return;
      default: fail(errc::malformed, p.column, "filter: 'proto' goes with ether, ip or ip6");
    }
  }

  // One address field (4 bytes at off) against the primitive's IPv4 address and prefix.
  constexpr void ipv4_field(const primitive& p, std::uint32_t off, std::int32_t t, std::int32_t f) {
    const std::uint32_t a = (std::uint32_t{p.address[0]} << 24) | (std::uint32_t{p.address[1]} << 16) |
                            (std::uint32_t{p.address[2]} << 8) | p.address[3];
    const std::uint32_t mask = p.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - p.prefix);
    if (mask == 0) {  // (libpcap's optimizer drops the load of a /0 compare)
      branch(jmp | ja, 0, t, t);
      return;
    }
    cmp(w, off, a, t, f, mask);
  }

  template <class Field>
  constexpr void directed(direction d, Field&& field, std::uint32_t src, std::uint32_t dst, std::int32_t t,
                          std::int32_t f) {
    switch (d) {
      case direction::src: field(src, t, f); return;
      case direction::dst: field(dst, t, f); return;
      case direction::src_and_dst:
        both([&](auto a, auto b) { field(src, a, b); }, [&](auto a, auto b) { field(dst, a, b); }, t, f);
        return;
      default:
        either([&](auto a, auto b) { field(src, a, b); }, [&](auto a, auto b) { field(dst, a, b); }, t, f);
        return;
    }
  }

  constexpr void ipv6_field(const primitive& p, std::uint32_t off, std::int32_t t, std::int32_t f) {
    // Four words, first to last, each under its part of the prefix; a fully masked word
    // is not loaded.
    std::int32_t words[4]{};
    int n = 0;
    for (int i = 0; i < 4; ++i) {
      const int bits = p.prefix - 32 * i;
      words[i] = bits <= 0 ? 0 : bits >= 32 ? 32 : bits;
      if (words[i] > 0) n = i + 1;
    }
    if (n == 0) {
      branch(jmp | ja, 0, t, t);
      return;
    }
    for (int i = 0; i < n; ++i) {
      const std::uint32_t mask = words[i] == 32 ? 0xffffffffu : ~std::uint32_t{0} << (32 - words[i]);
      const auto j = static_cast<std::size_t>(4 * i);
      const std::uint32_t v = (std::uint32_t{p.address[j]} << 24) | (std::uint32_t{p.address[j + 1]} << 16) |
                              (std::uint32_t{p.address[j + 2]} << 8) | p.address[j + 3];
      const std::int32_t next = i + 1 == n ? t : label();
      cmp(w, off + 4 * static_cast<std::uint32_t>(i), v & mask, next, f, mask);
      if (i + 1 != n) place(next);
    }
  }

  constexpr void host(const primitive& p, std::int32_t t, std::int32_t f) {
    using vk = primitive::value_kind;
    if (p.value == vk::name) return host_name(p, t, f);
    if (p.value == vk::mac) {
      if (p.kind == primitive_kind::net) return fail(errc::malformed, p.column, "filter: ether net is not a thing");
      if (!ethernet_link(p, "filter: ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM "
                            "LANE/Fibre Channel")) {
        return;
      }
      auto mac = [&](std::uint32_t off, std::int32_t a, std::int32_t b) {
        const std::uint32_t low = (std::uint32_t{p.address[2]} << 24) | (std::uint32_t{p.address[3]} << 16) |
                                  (std::uint32_t{p.address[4]} << 8) | p.address[5];
        const std::uint32_t high = (std::uint32_t{p.address[0]} << 8) | p.address[1];
        both([&](auto c, auto d) { cmp(w, off + 2, low, c, d); }, [&](auto c, auto d) { cmp(h, off, high, c, d); }, a,
             b);
      };
      directed(p.dir, mac, 6, 0, t, f);
      return;
    }
    if (p.value == vk::ipv6) {
      if (p.protocol != proto::none && p.protocol != proto::ip6) {
        return fail(errc::malformed, p.column, "filter: an IPv6 address goes with ip6 only");
      }
      both([&](auto a, auto b) { ethertype(ethertype_ip6, a, b); },
           [&](auto a, auto b) {
             directed(p.dir, [&](std::uint32_t off, std::int32_t c, std::int32_t d) { ipv6_field(p, off, c, d); },
                      off_linkpl_ + 8, off_linkpl_ + 24, a, b);
           },
           t, f);
      return;
    }
    auto ip = [&](std::int32_t a, std::int32_t b) {
      both([&](auto c, auto d) { ethertype(ethertype_ip, c, d); },
           [&](auto c, auto d) {
             directed(p.dir, [&](std::uint32_t off, std::int32_t x, std::int32_t y) { ipv4_field(p, off, x, y); },
                      off_linkpl_ + 12, off_linkpl_ + 16, c, d);
           },
           a, b);
    };
    auto arp_like = [&](std::uint32_t type, std::int32_t a, std::int32_t b) {
      both([&](auto c, auto d) { ethertype(type, c, d); },
           [&](auto c, auto d) {
             directed(p.dir, [&](std::uint32_t off, std::int32_t x, std::int32_t y) { ipv4_field(p, off, x, y); },
                      off_linkpl_ + 14, off_linkpl_ + 24, c, d);
           },
           a, b);
    };
    switch (p.protocol) {
      case proto::none:
        // ip, arp or rarp: each with its own copy of the address tests, as libpcap's
        // gencode (the optimizer merges the arp and rarp copies)
        either(ip,
               [&](auto a, auto b) {
                 either([&](auto c, auto d) { arp_like(ethertype_arp, c, d); },
                        [&](auto c, auto d) { arp_like(ethertype_rarp, c, d); }, a, b);
               },
               t, f);
        return;
      case proto::ip: ip(t, f); return;
      case proto::arp: arp_like(ethertype_arp, t, f); return;
      case proto::rarp: arp_like(ethertype_rarp, t, f); return;
      default: fail(errc::malformed, p.column, "filter: an IPv4 address goes with ip, arp or rarp");
    }
  }

  // A host name: each address the resolver gives is tested in turn, as libpcap's gencode
  // does (an IPv4 address as `host a.b.c.d` with the same qualifiers, an IPv6 one as
  // `host x::y`); `ip host` skips the IPv6 addresses and `ip6 host` the IPv4 ones.
  constexpr void host_name(const primitive& p, std::int32_t t, std::int32_t f) {
    if (o_.resolve == nullptr) {
      return fail(errc::invalid_argument, p.column,
                  "filter: a host name needs a resolver (compile_options::resolve); the library does no I/O");
    }
    std::array<host_address, max_host_addresses> found{};
    std::size_t n = o_.resolve(p.name, std::span<host_address>(found), o_.resolve_context);
    if (n > found.size()) n = found.size();
    std::array<primitive, max_host_addresses> tests{};
    std::size_t kept = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const host_address& a = found[i];
      if (a.ipv6 ? p.protocol == proto::ip : p.protocol == proto::ip6) continue;
      primitive q = p;
      q.value = a.ipv6 ? primitive::value_kind::ipv6 : primitive::value_kind::ipv4;
      q.address = a.octets;
      q.prefix = a.ipv6 ? 128 : 32;
      // (Without a link-layer type to test, libpcap takes an unqualified name as ip / ip6.)
      if (q.protocol == proto::none && o_.link == link_type::raw) q.protocol = a.ipv6 ? proto::ip6 : proto::ip;
      tests[kept++] = q;
    }
    if (kept == 0) {
      return fail(errc::bad_value, p.column,
                  p.protocol == proto::none ? "filter: unknown host" : "filter: unknown host for specified address family");
    }
    for (std::size_t i = 0; i + 1 < kept && !failed_; ++i) {
      const std::int32_t next = label();
      host(tests[i], t, next);
      place(next);
    }
    host(tests[kept - 1], t, f);
  }

  // The port (or port range) test on a loaded half-word.
  constexpr void port_value(const primitive& p, std::int32_t t, std::int32_t f) {
    if (p.kind == primitive_kind::port) {
      branch(jmp | jeq | k, p.number, t, f);
    } else {
      const std::int32_t mid = label();
      branch(jmp | jge | k, p.number, mid, f);
      place(mid);
      branch(jmp | jgt | k, p.high, f, t);
    }
  }

  constexpr void port(const primitive& p, std::int32_t t, std::int32_t f) {
    // Transport protocols: the qualifier's, or sctp, tcp, udp (libpcap's order).
    std::uint32_t protos[3] = {132, 6, 17};
    int np = 3;
    if (p.protocol == proto::tcp || p.protocol == proto::udp || p.protocol == proto::sctp) {
      protos[0] = transport_number(p.protocol);
      np = 1;
    } else if (p.protocol != proto::none) {
      return fail(errc::malformed, p.column, "filter: illegal qualifier of 'port' (tcp, udp or sctp only)");
    }
    // As libpcap's gencode, each protocol has its own copy of the port tests (the
    // optimizer merges the copies): on each copy's path the protocol is known.
    auto each_protocol = [&](auto&& one, std::int32_t a, std::int32_t b) {
      for (int i = 0; i < np; ++i) {
        const std::int32_t no = i + 1 == np ? b : label();
        one(protos[i], a, no);
        if (i + 1 != np) place(no);
      }
    };
    auto v6 = [&](std::int32_t a, std::int32_t b) {
      both([&](auto c, auto d) { ethertype(ethertype_ip6, c, d); },
           [&](auto c, auto d) {
             each_protocol(
                 [&](std::uint32_t number, std::int32_t x, std::int32_t y) {
                   both([&](auto u, auto v) { cmp(b_(), off_linkpl_ + 6, number, u, v); },
                        [&](auto u, auto v) {
                          directed(p.dir,
                                   [&](std::uint32_t off, std::int32_t q, std::int32_t r) {
                                     emit(ld | h | abs_, off);
                                     port_value(p, q, r);
                                   },
                                   off_linkpl_ + 40, off_linkpl_ + 42, u, v);
                        },
                        x, y);
                 },
                 c, d);
           },
           a, b);
    };
    auto v4 = [&](std::int32_t a, std::int32_t b) {
      both([&](auto c, auto d) { ethertype(ethertype_ip, c, d); },
           [&](auto c, auto d) {
             each_protocol(
                 [&](std::uint32_t number, std::int32_t x, std::int32_t y) {
                   both([&](auto u, auto v) { cmp(b_(), off_linkpl_ + 9, number, u, v); },
                        [&](auto u, auto v) {
                          both([&](auto g, auto h2) { not_fragment(g, h2); },
                               [&](auto g, auto h2) {
                                 directed(p.dir,
                                          [&](std::uint32_t off, std::int32_t q, std::int32_t r) {
                                            emit(ldx | b_() | msh, off_linkpl_);
                                            emit(ld | h | ind, off);
                                            port_value(p, q, r);
                                          },
                                          off_linkpl_, off_linkpl_ + 2, g, h2);
                               },
                               u, v);
                        },
                        x, y);
                 },
                 c, d);
           },
           a, b);
    };
    either(v6, v4, t, f);
  }

  constexpr void broadcast(const primitive& p, std::int32_t t, std::int32_t f) {
    if (p.protocol == proto::ether) {
      if (!ethernet_link(p, "filter: not a broadcast link")) return;
      both([&](auto a, auto b) { cmp(w, 2, 0xffffffffu, a, b); }, [&](auto a, auto b) { cmp(h, 0, 0xffff, a, b); },
           t, f);
      return;
    }
    if (p.protocol == proto::ip) {
      if (o_.netmask == 0) {
        return fail(errc::invalid_argument, p.column, "filter: netmask not known, so 'ip broadcast' not supported");
      }
      const std::uint32_t hostmask = ~o_.netmask;
      both([&](auto a, auto b) { ethertype(ethertype_ip, a, b); },
           [&](auto a, auto b) {
             either([&](auto c, auto d) { cmp(w, off_linkpl_ + 16, 0, c, d, hostmask); },
                    [&](auto c, auto d) { cmp(w, off_linkpl_ + 16, hostmask, c, d, hostmask); }, a, b);
           },
           t, f);
      return;
    }
    fail(errc::malformed, p.column, "filter: broadcast goes with ether or ip");
  }

  constexpr void multicast(const primitive& p, std::int32_t t, std::int32_t f) {
    switch (p.protocol) {
      case proto::ether:
        if (!ethernet_link(p, "filter: link-layer multicast filters supported only on ethernet/FDDI/token "
                              "ring/ARCNET/802.11/ATM LANE/Fibre Channel")) {
          return;
        }
        emit(ld | b | abs_, 0);
        branch(jmp | jset | k, 1, t, f);
        return;
      case proto::ip:
        both([&](auto a, auto b) { ethertype(ethertype_ip, a, b); },
             [&](auto a, auto b) { cmp(b_(), off_linkpl_ + 16, 224, a, b, 0xffffffffu, jge); }, t, f);
        return;
      case proto::ip6:
        both([&](auto a, auto b) { ethertype(ethertype_ip6, a, b); },
             [&](auto a, auto b) { cmp(b_(), off_linkpl_ + 24, 255, a, b); }, t, f);
        return;
      default: fail(errc::malformed, p.column, "filter: multicast goes with ether, ip or ip6");
    }
  }

  // ---- relations -------------------------------------------------------------------------

  constexpr const arith_node& arith(std::int32_t i) const { return e_.ariths[static_cast<std::size_t>(i)]; }

  constexpr bool constant(std::int32_t i, std::uint32_t& v) const {
    const arith_node& a = arith(i);
    if (a.kind == arith_kind::number) {
      v = a.value;
      return true;
    }
    return false;
  }

  // The right operands libpcap refuses to divide by or shift by. Its code generator looks
  // at the first instruction of the operand's code: a constant load of 0 (for / and %) or
  // of more than 31 (for << and >>) is an error, so `len / ether[0]` (the index is loaded
  // first) and `len / (0 + 1)` are, and `len / (1 + 0)` is not. Its optimizer then fails
  // where it finds the divisor constant 0 (`len / (ether[0] * 0)`), or a shift amount over
  // 31 while the value shifted is not (yet) known constant (`len << (1 * 40)`; `20 << (1 *
  // 40)` is folded to 0). wirespan does the same when it optimizes.
  constexpr bool operand_allowed(const arith_node& a) {
    const bool division = a.kind == arith_kind::quotient || a.kind == arith_kind::remainder;
    const bool shift = a.kind == arith_kind::shift_left || a.kind == arith_kind::shift_right;
    if (!division && !shift) return true;
    const char* const what = a.kind == arith_kind::quotient    ? "filter: division by zero"
                             : a.kind == arith_kind::remainder ? "filter: modulus by zero"
                                                               : "filter: shift by more than 31 bits";
    std::uint32_t v = 0;
    if (first_literal(a.right, v) && (division ? v == 0 : v > 31)) {
      fail(errc::bad_value, a.column, what);
      return false;
    }
    if (!o_.optimize) return true;
    std::uint32_t left = 0;
    const std::uint32_t tr = known(a.right, v);
    if (tr == never) return true;
    const std::uint32_t tl = known(a.left, left);
    // (a 0 known before the divisor, or before the amount, makes it `ld #0` first)
    if (division ? v == 0 && !(tl < tr && left == 0) : v > 31 && tr < tl) {
      // (libpcap's optimizer only sees code it has not found dead by then; wirespan
      // refuses it anywhere, so says where it comes from)
      fail(errc::bad_value, a.column,
           a.kind == arith_kind::quotient    ? "filter: division by zero (a divisor the optimizer finds constant)"
           : a.kind == arith_kind::remainder ? "filter: modulus by zero (a divisor the optimizer finds constant)"
                                             : "filter: shift by more than 31 bits (an amount the optimizer finds constant)");
      return false;
    }
    return true;
  }
  // The constant loaded by the first instruction of the code for arithmetic i, if it is
  // one (an accessor's code starts with its index's, an operation's with its left's).
  constexpr bool first_literal(std::int32_t i, std::uint32_t& v) const {
    const arith_node& a = arith(i);
    if (a.kind == arith_kind::number) {
      v = a.value;
      return true;
    }
    if (a.kind == arith_kind::length || a.left < 0) return false;
    return first_literal(a.left, v);
  }
  // In which pass libpcap's optimizer knows arithmetic i to be a constant (and which), or
  // `never`. Its code keeps every operation as `op x`; in a pass, a number is known, an
  // operation on two known values is folded, one whose right operand is known becomes
  // `op #k` (and `* #0`, `& #0` become `ld #0` in the next pass), and a left operand
  // known 0 makes * / % & << >> `ld #0` at once.
  static constexpr std::uint32_t never = 0xffffffffu;
  constexpr std::uint32_t known(std::int32_t i, std::uint32_t& v) const {
    const arith_node& a = arith(i);
    switch (a.kind) {
      case arith_kind::number: v = a.value; return 1;
      case arith_kind::length:
      case arith_kind::load: return never;
      case arith_kind::negate: {
        const std::uint32_t t = known(a.left, v);
        v = 0u - v;
        return t;
      }
      default: break;
    }
    std::uint32_t l = 0, r = 0;
    const std::uint32_t tl = known(a.left, l);
    const std::uint32_t tr = known(a.right, r);
    const bool zero_absorbs = a.kind == arith_kind::times || a.kind == arith_kind::quotient ||
                              a.kind == arith_kind::remainder || a.kind == arith_kind::bit_and ||
                              a.kind == arith_kind::shift_left || a.kind == arith_kind::shift_right;
    if (tl != never && l == 0 && tl < tr && zero_absorbs) {
      v = 0;
      return tl;
    }
    if (tr == never) return never;
    std::uint32_t t = tr > tl ? tr : tl;
    if (tl == never || tr < tl) {
      if ((a.kind == arith_kind::times || a.kind == arith_kind::bit_and) && r == 0) {
        v = 0;
        return tr + 1;
      }
      if (tl == never) return never;
      t = tl;
    }
    switch (a.kind) {
      case arith_kind::plus: v = l + r; break;
      case arith_kind::minus: v = l - r; break;
      case arith_kind::times: v = l * r; break;
      case arith_kind::quotient: if (r == 0) return never; v = l / r; break;
      case arith_kind::remainder: if (r == 0) return never; v = l % r; break;
      case arith_kind::bit_and: v = l & r; break;
      case arith_kind::bit_or: v = l | r; break;
      case arith_kind::bit_xor: v = l ^ r; break;
      case arith_kind::shift_left: v = r < 32 ? l << r : 0; break;
      default: v = r < 32 ? l >> r : 0; break;
    }
    return t;
  }

  // The protocol checks the packet accessors of an arithmetic expression need, in order.
  constexpr void guards(std::int32_t i, std::int32_t t, std::int32_t f) {
    // Collect the loads, left to right, then AND their header checks.
    std::vector<std::int32_t> loads;
    collect(i, loads);
    for (std::size_t n = 0; n < loads.size(); ++n) {
      const std::int32_t next = n + 1 == loads.size() ? t : label();
      guard(arith(loads[n]).base, next, f);
      if (n + 1 != loads.size()) place(next);
    }
    if (loads.empty()) branch(jmp | ja, 0, t, t);
  }
  // As libpcap's gencode: an accessor's checks are its index's, then its own; a binary
  // operation keeps only its left operand's checks (gen_arth drops the right one's, so
  // `ip[2:2] - tcp[12] > 0` does not check that the packet is TCP); a relation, both
  // sides'.
  constexpr void collect(std::int32_t i, std::vector<std::int32_t>& out) const {
    if (i < 0) return;
    const arith_node& a = arith(i);
    if (a.kind == arith_kind::load) {
      collect(a.left, out);
      if (a.base != proto::ether) out.push_back(i);
      return;
    }
    collect(a.left, out);
  }
  constexpr void guard(proto p, std::int32_t t, std::int32_t f) {
    switch (p) {
      case proto::ip: ethertype(ethertype_ip, t, f); return;
      case proto::ip6: ethertype(ethertype_ip6, t, f); return;
      case proto::arp: ethertype(ethertype_arp, t, f); return;
      case proto::rarp: ethertype(ethertype_rarp, t, f); return;
      case proto::icmp6: ip6_proto_direct(58, t, f); return;
      case proto::tcp:
      case proto::udp:
      case proto::sctp:
      case proto::icmp:
      case proto::igmp:
        both([&](auto a, auto b) { ip_proto(transport_number(p), a, b); },
             [&](auto a, auto b) { not_fragment(a, b); }, t, f);
        return;
      default: branch(jmp | ja, 0, t, t);
    }
  }
  // ip6 and the next header directly (icmp6[...]: libpcap's offset is 40).
  constexpr void ip6_proto_direct(std::uint32_t n, std::int32_t t, std::int32_t f) {
    both([&](auto a, auto b) { ethertype(ethertype_ip6, a, b); },
         [&](auto a, auto b) { cmp(b_(), off_linkpl_ + 6, n, a, b); }, t, f);
  }

  // The base offset of an accessor, and whether it counts from the IPv4 header's end.
  constexpr std::uint32_t base_of(proto p, bool& after_ip) const {
    after_ip = false;
    switch (p) {
      case proto::ether: return 0;
      case proto::ip:
      case proto::ip6:
      case proto::arp:
      case proto::rarp: return off_linkpl_;
      case proto::icmp6: return off_linkpl_ + 40;
      default: after_ip = true; return off_linkpl_;
    }
  }

  // Code leaving the value of arithmetic expression i in A.
  constexpr void value(std::int32_t i) {
    if (failed_) return;
    const arith_node& a = arith(i);
    switch (a.kind) {
      case arith_kind::number: emit(ld | imm, a.value); return;
      case arith_kind::length: emit(ld | w | len, 0); return;
      case arith_kind::load: {
        bool after_ip = false;
        const std::uint32_t base = base_of(a.base, after_ip);
        const std::uint16_t size = a.value == 4 ? w : a.value == 2 ? h : b;
        std::uint32_t index = 0;
        if (constant(a.left, index)) {
          if (after_ip) {
            emit(ldx | b | msh, off_linkpl_);
            emit(ld | size | ind, base + index);
          } else {
            emit(ld | size | abs_, base + index);
          }
          code_.back().tag = 1;
          return;
        }
        value(a.left);
        if (after_ip) {
          const std::uint32_t slot = take_slot(a.column);
          emit(st, slot);
          emit(ldx | b | msh, off_linkpl_);
          emit(ld | mem, slot);
          emit(alu | add | x, 0);
          release_slot();
        }
        emit(misc | tax, 0);
        emit(ld | size | ind, base);
        code_.back().tag = 1;
        return;
      }
      case arith_kind::negate:
        value(a.left);
        emit(alu | neg, 0);
        return;
      default: break;
    }
    const std::uint16_t op = op_code(a.kind);
    if (!operand_allowed(a)) return;
    std::uint32_t rk = 0;
    if (constant(a.right, rk)) {
      value(a.left);
      emit(alu | op | k, rk);
      return;
    }
    value(a.left);
    const std::uint32_t slot = take_slot(a.column);
    emit(st, slot);
    value(a.right);
    emit(misc | tax, 0);
    emit(ld | mem, slot);
    release_slot();
    emit(alu | op | x, 0);
  }

  static constexpr std::uint16_t op_code(arith_kind k) noexcept {
    switch (k) {
      case arith_kind::plus: return add;
      case arith_kind::minus: return sub;
      case arith_kind::times: return mul;
      case arith_kind::quotient: return div_;
      case arith_kind::remainder: return mod;
      case arith_kind::bit_and: return and_;
      case arith_kind::bit_or: return or_;
      case arith_kind::bit_xor: return xor_;
      case arith_kind::shift_left: return lsh;
      default: return rsh;
    }
  }

  constexpr std::uint32_t take_slot(std::size_t column) {
    if (next_slot_ >= memory_words) {
      fail(errc::limit_exceeded, column, "filter: expression too complex (more than 16 scratch values)");
      return 0;
    }
    return next_slot_++;
  }
  constexpr void release_slot() { --next_slot_; }

  // How many of libpcap's scratch registers a relation needs: its code generator keeps
  // every value of an arithmetic expression in one, the left operand's while the right is
  // computed (wirespan's code needs fewer, but what libpcap refuses is refused).
  constexpr std::uint32_t registers(std::int32_t i) const {
    const arith_node& a = arith(i);
    switch (a.kind) {
      case arith_kind::number:
      case arith_kind::length: return 1;
      case arith_kind::load: {  // (its own register, taken while the index's is held)
        const std::uint32_t index = registers(a.left);
        return index > 2 ? index : 2;
      }
      case arith_kind::negate: return registers(a.left);
      default: {
        const std::uint32_t l = registers(a.left);
        const std::uint32_t r = 1 + registers(a.right);
        return l > r ? l : r;
      }
    }
  }

  constexpr void relation(const node& rel, std::int32_t t, std::int32_t f) {
    {
      const std::uint32_t l = registers(rel.left);
      const std::uint32_t r = 1 + registers(rel.right);
      if ((l > r ? l : r) > memory_words) {
        return fail(errc::limit_exceeded, arith(rel.left).column,
                    "filter: too many registers needed to evaluate expression");
      }
    }
    // The accessors' protocol checks first, then the comparison.
    both([&](auto a, auto b) {
           const std::int32_t mid = label();
           guards(rel.left, mid, b);
           place(mid);
           guards(rel.right, a, b);
         },
         [&](auto a, auto b) {
           std::uint32_t rk = 0;
           std::uint16_t op = jeq;
           bool swap = false;
           switch (rel.op) {
             case relop::gt: op = jgt; break;
             case relop::ge: op = jge; break;
             case relop::eq: op = jeq; break;
             case relop::lt: op = jge, swap = true; break;
             case relop::le: op = jgt, swap = true; break;
             case relop::ne: op = jeq, swap = true; break;
           }
           const std::int32_t yes = swap ? b : a;
           const std::int32_t no = swap ? a : b;
           if (constant(rel.right, rk)) {
             value(rel.left);
             branch(jmp | op | k, rk, yes, no);
             return;
           }
           value(rel.left);
           const std::uint32_t slot = take_slot(0);
           emit(st, slot);
           value(rel.right);
           emit(misc | tax, 0);
           emit(ld | mem, slot);
           release_slot();
           branch(jmp | op | x, 0, yes, no);
         },
         t, f);
  }

  // ---- layout: labels to offsets, long jumps through ja ---------------------------------

  constexpr result<std::vector<instruction>> layout() {
    // Resolve label chains: a label placed at an unconditional "ja to label" (an always-
    // true test) jumps straight to its target.
    // (the code and labels are used up here: layout() is the last step)
    std::vector<sym>& code = code_;
    std::vector<std::int32_t>& at = labels_;
    // Expand conditional jumps that are too long: a jump of more than 255 goes to a "ja
    // target" inserted right after it. An insertion lengthens the jumps over it, so repeat
    // until all fit (each pass inserts at least one instruction, and the program is
    // bounded, so this ends).
    // (no jump in code of 256 instructions or fewer is longer than 255)
    for (bool changed = code.size() > 256; changed;) {
      changed = false;
      for (std::size_t i = 0; i < code.size(); ++i) {
        if (!is_conditional_jump(code[i].code)) continue;
        for (int side = 0; side < 2; ++side) {
          const std::int32_t label = side == 0 ? code[i].jt : code[i].jf;
          if (at[static_cast<std::size_t>(label)] - static_cast<std::int32_t>(i) - 1 <= 255) continue;
          // (a pointer, not the vector's iterators: each of their steps is a call that
          // counts against the compiler's limit in a static_filter)
          std::int32_t* const labels = at.data();
          for (std::size_t l = 0, count = at.size(); l < count; ++l) {
            if (labels[l] > static_cast<std::int32_t>(i)) ++labels[l];
          }
          const std::int32_t via = static_cast<std::int32_t>(at.size());
          at.push_back(static_cast<std::int32_t>(i + 1));
          code.insert(code.begin() + static_cast<std::ptrdiff_t>(i + 1), sym{jmp | ja, 0, label, label});
          (side == 0 ? code[i].jt : code[i].jf) = via;
          changed = true;
        }
        if (code.size() > code_limit()) return too_long();
      }
    }
    std::vector<instruction> out(code.size());
    tags_.assign(code.size(), 0);
    for (std::size_t i = 0; i < code.size(); ++i) {
      const sym& s = code[i];
      tags_[i] = s.tag;
      instruction& in = out[i];
      in = instruction{s.code, 0, 0, s.k};
      if (s.code == (jmp | ja)) {
        const std::int32_t target = s.jt < 0 ? static_cast<std::int32_t>(i + 1) : at[static_cast<std::size_t>(s.jt)];
        in.k = static_cast<std::uint32_t>(target - static_cast<std::int32_t>(i) - 1);
      } else if (is_conditional_jump(s.code)) {
        in.jt = static_cast<std::uint8_t>(at[static_cast<std::size_t>(s.jt)] - static_cast<std::int32_t>(i) - 1);
        in.jf = static_cast<std::uint8_t>(at[static_cast<std::size_t>(s.jf)] - static_cast<std::int32_t>(i) - 1);
      }
    }
    if (out.size() > code_limit()) return too_long();
    return out;
  }
  // The code before the optimizer may be longer than a program may be: compile() checks
  // the optimized program. It is bounded all the same (libpcap's is not), so that no
  // expression makes the optimizer's work and memory grow without end.
  constexpr std::size_t code_limit() const noexcept {
    return o_.optimize ? max_code_before_optimizing : max_instructions;
  }
  constexpr error too_long() const noexcept {
    if (o_.optimize) {
      return make_error(errc::limit_exceeded, 0, "filter: the code before optimizing has more than 16384 instructions");
    }
    return make_error(errc::limit_exceeded, 0, "filter: the program has more than 4096 instructions");
  }
};

}  // namespace detail

/// Compile a parsed expression to a cBPF program (for Ethernet frames unless
/// `options.link` says otherwise).
constexpr result<std::vector<instruction>> compile(const expression& e, compile_options options = {}) {
  detail::codegen g(e, options);
  auto prog = g.run();
  if (!prog || !options.optimize) return prog;
  auto optimized = detail::opt::run(std::move(*prog), std::move(g.tags()));
  if (detail::opt::root_rejects(optimized)) return make_error(errc::bad_value, 0, "filter: expression rejects all packets");
  detail::opt::libpcap_return_order(optimized);
  if (optimized.size() > max_instructions) {
    return make_error(errc::limit_exceeded, 0, "filter: the program has more than 4096 instructions");
  }
  return optimized;
}

/// Parse and compile a tcpdump expression.
constexpr result<std::vector<instruction>> compile(std::string_view text, compile_options options = {}) {
  auto e = parse(text);
  if (!e) return e.error();
  return compile(*e, options);
}

}  // namespace wirespan::filter
