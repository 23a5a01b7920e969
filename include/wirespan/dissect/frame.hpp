// wirespan/dissect/frame.hpp — a frame dissector: link layer -> VLAN tags ->
// IPv4 / IPv6 / ARP -> ICMP / ICMPv6 / UDP / TCP -> an application protocol by port.
//
// `dissect::frame(data, linktype)` yields the typed view of every layer it could parse
// and stops, with the reason, at the first layer that does not parse (`stop`): nothing
// past a malformed layer is looked at, and no input makes it read out of bounds. IP is
// parsed in lax mode (capture reality: Ethernet padding, offloaded lengths); checksums are
// not a reason to stop, they are reported (`*_checksum_ok`) when `verify_checksums` is set.
//
// Later codecs plug in through one table of `app_protocol` entries (transport, port,
// name, optional check); the dissector reports the first entry matching either port.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "../ip/icmp.hpp"
#include "../ip/icmpv6.hpp"
#include "../ip/ipv4.hpp"
#include "../ip/ipv6.hpp"
#include "../ip/pseudo_header.hpp"
#include "../ip/tcp.hpp"
#include "../ip/udp.hpp"
#include "../link/arp.hpp"
#include "../link/ethernet.hpp"
#include "../pcap/pcap.hpp"

namespace wirespan::dissect {

/// The layers, in order; `stop.layer` says which one failed.
enum class layer : std::uint8_t { link, ethernet, arp, ipv4, ipv6, icmp, icmpv6, udp, tcp, application };

constexpr const char* to_string(layer l) noexcept {
  switch (l) {
    case layer::link: return "link";
    case layer::ethernet: return "ethernet";
    case layer::arp: return "arp";
    case layer::ipv4: return "ipv4";
    case layer::ipv6: return "ipv6";
    case layer::icmp: return "icmp";
    case layer::icmpv6: return "icmpv6";
    case layer::udp: return "udp";
    case layer::tcp: return "tcp";
    case layer::application: return "application";
  }
  return "?";
}

/// An application protocol a later codec provides, found by port.
struct app_protocol {
  std::uint8_t transport = ipv4::protocol_udp;  ///< 6 (TCP) or 17 (UDP)
  std::uint16_t port = 0;
  const char* name = nullptr;
  /// Optional: validate the payload; an error stops the dissection at `application`.
  result<void> (*check)(bytes payload) = nullptr;
};

/// Why the dissection stopped early.
struct stop_reason {
  layer at = layer::link;
  error why{};
};

/// The Linux cooked-capture header (SLL v1 or v2).
struct sll_header {
  std::uint16_t packet_type = 0;  ///< 0 to us, 1 broadcast, 2 multicast, 3 other host, 4 outgoing
  std::uint16_t arphrd = 0;
  std::uint16_t protocol = 0;     ///< EtherType
  std::uint32_t ifindex = 0;      ///< v2 only
  bytes address{};
};

struct options {
  bool verify_checksums = false;
  std::span<const app_protocol> applications{};
};

/// What `frame` found.
struct layers {
  std::uint32_t linktype = 0;
  std::optional<ethernet::view<bytes>> eth{};
  std::optional<sll_header> sll{};
  std::optional<std::uint32_t> loopback_family{};  ///< BSD null/loop link types
  std::optional<arp::view<bytes>> arp{};
  std::optional<ipv4::view<bytes>> ip4{};
  std::optional<ipv6::view<bytes>> ip6{};
  std::optional<icmp::view<bytes>> icmp{};
  std::optional<icmpv6::view<bytes>> icmp6{};
  std::optional<udp::view<bytes>> udp{};
  std::optional<tcp::view<bytes>> tcp{};
  const app_protocol* application = nullptr;
  bytes payload{};                     ///< the innermost payload found
  std::optional<stop_reason> stop{};
  /// True for a non-first fragment (its payload is not a transport header) or a first
  /// fragment (its transport header is there but the datagram is not whole).
  bool fragment = false;
  // Checksum results, when `verify_checksums` was set (empty otherwise or not applicable).
  std::optional<bool> ip4_checksum_ok{};
  std::optional<bool> transport_checksum_ok{};

  constexpr bool complete() const noexcept { return !stop.has_value(); }
};

namespace detail {

template <class T>
constexpr bool failed(layers& out, layer at, const result<T>& r, std::size_t base) noexcept {
  if (r) return false;
  error e = r.error();
  e.offset = static_cast<std::uint32_t>(e.offset + base);
  out.stop = stop_reason{at, e};
  return true;
}

// A link-layer header shorter than `need`: the dissection stops at `link`.
constexpr bool short_link(layers& out, bytes data, std::size_t need, const char* what) noexcept {
  if (data.size() >= need) return false;
  out.stop = stop_reason{layer::link, make_error(errc::truncated, data.size(), what, need - data.size())};
  return true;
}

constexpr void application(layers& out, std::uint8_t transport, std::uint16_t sport, std::uint16_t dport,
                           bytes payload, std::size_t base, const options& opts) noexcept {
  out.payload = payload;
  for (const auto& app : opts.applications) {
    if (app.transport == transport && (app.port == sport || app.port == dport)) {
      out.application = &app;
      if (app.check) {
        auto ok = app.check(payload);
        if (!ok) {
          error e = ok.error();
          e.offset = static_cast<std::uint32_t>(e.offset + base);
          out.stop = stop_reason{layer::application, e};
        }
      }
      return;
    }
  }
}

template <class P>
constexpr void transport(layers& out, std::uint8_t protocol, bytes data, std::size_t base, const P& pseudo,
                         const options& opts) noexcept {
  switch (protocol) {
    case ipv4::protocol_udp: {
      auto u = udp::parse(data, {ipv4::parse_mode::lax});
      if (failed(out, layer::udp, u, base)) return;
      out.udp = *u;
      if (opts.verify_checksums) out.transport_checksum_ok = u->checksum_ok(pseudo);
      application(out, protocol, u->source_port(), u->destination_port(), u->payload(), base + 8, opts);
      return;
    }
    case ipv4::protocol_tcp: {
      auto t = tcp::parse(data);
      if (failed(out, layer::tcp, t, base)) return;
      out.tcp = *t;
      if (opts.verify_checksums) out.transport_checksum_ok = t->checksum_ok(pseudo);
      application(out, protocol, t->source_port(), t->destination_port(), t->payload(), base + t->header_length(), opts);
      return;
    }
    case ipv4::protocol_icmp: {
      if constexpr (std::same_as<P, ipv4::pseudo_header>) {
        auto i = icmp::parse(data, {ipv4::checksum_policy::ignore});
        if (failed(out, layer::icmp, i, base)) return;
        out.icmp = *i;
        if (opts.verify_checksums) out.transport_checksum_ok = i->checksum_ok();
        out.payload = i->body();
      }
      return;
    }
    case ipv4::protocol_icmpv6: {
      if constexpr (std::same_as<P, ipv6::pseudo_header>) {
        auto i = icmpv6::parse(data);
        if (failed(out, layer::icmpv6, i, base)) return;
        out.icmp6 = *i;
        if (opts.verify_checksums) out.transport_checksum_ok = i->checksum_ok(pseudo);
        out.payload = i->body();
      }
      return;
    }
    default: out.payload = data; return;
  }
}

constexpr void network(layers& out, std::uint16_t ethertype, bytes data, std::size_t base, const options& opts) noexcept {
  switch (ethertype) {
    case ethernet::ethertype::ipv4: {
      auto ip = ipv4::parse(data, {ipv4::parse_mode::lax, ipv4::checksum_policy::ignore});
      if (failed(out, layer::ipv4, ip, base)) return;
      out.ip4 = *ip;
      if (opts.verify_checksums) out.ip4_checksum_ok = ip->checksum_ok();
      out.payload = ip->payload();
      if (ip->is_fragment()) {
        out.fragment = true;
        if (ip->fragment_offset() != 0) return;
        // A first fragment: its transport header can be read but not checksummed.
        options no_sums = opts;
        no_sums.verify_checksums = false;
        transport(out, ip->protocol(), ip->payload(), base + ip->header_length(), ipv4::pseudo_header::of(*ip), no_sums);
        return;
      }
      transport(out, ip->protocol(), ip->payload(), base + ip->header_length(), ipv4::pseudo_header::of(*ip), opts);
      return;
    }
    case ethernet::ethertype::ipv6: {
      auto ip = ipv6::parse(data, {ipv4::parse_mode::lax});
      if (failed(out, layer::ipv6, ip, base)) return;
      out.ip6 = *ip;
      out.payload = ip->upper_payload();
      if (ip->fragment()) {
        out.fragment = true;
        if (ip->is_later_fragment()) return;
        options no_sums = opts;
        no_sums.verify_checksums = false;
        transport(out, ip->upper_protocol(), ip->upper_payload(), base + ip->upper_offset(), ipv6::pseudo_header::of(*ip),
                  no_sums);
        return;
      }
      transport(out, ip->upper_protocol(), ip->upper_payload(), base + ip->upper_offset(), ipv6::pseudo_header::of(*ip),
                opts);
      return;
    }
    case ethernet::ethertype::arp: {
      auto a = arp::parse(data);
      if (failed(out, layer::arp, a, base)) return;
      out.arp = *a;
      return;
    }
    default: out.payload = data; return;
  }
}

}  // namespace detail

/// Dissect one captured frame of link type `linktype` (pcap LINKTYPE_ values).
constexpr layers frame(bytes data, std::uint32_t linktype, const options& opts = {}) noexcept {
  layers out;
  out.linktype = linktype;
  switch (linktype) {
    case pcap::linktype::ethernet: {
      auto e = ethernet::parse(data);
      if (detail::failed(out, layer::ethernet, e, 0)) return out;
      out.eth = *e;
      detail::network(out, e->ethertype(), e->payload(), e->header_length(), opts);
      return out;
    }
    case pcap::linktype::raw:
    case pcap::linktype::ipv4:
    case pcap::linktype::ipv6: {
      if (detail::short_link(out, data, 1, "raw: empty frame ({} byte missing)")) return out;
      const unsigned version = data[0] >> 4;
      detail::network(out, version == 6 ? ethernet::ethertype::ipv6 : ethernet::ethertype::ipv4, data, 0, opts);
      return out;
    }
    case pcap::linktype::linux_sll: {
      if (detail::short_link(out, data, 16, "sll: {} bytes missing from the 16-byte header")) return out;
      sll_header h;
      h.packet_type = load_be16(data.data());
      h.arphrd = load_be16(data.data() + 2);
      const std::size_t alen = load_be16(data.data() + 4);
      h.address = data.subspan(6, alen < 8 ? alen : 8);
      h.protocol = load_be16(data.data() + 14);
      out.sll = h;
      detail::network(out, h.protocol, data.subspan(16), 16, opts);
      return out;
    }
    case pcap::linktype::linux_sll2: {
      if (detail::short_link(out, data, 20, "sll2: {} bytes missing from the 20-byte header")) return out;
      sll_header h;
      h.protocol = load_be16(data.data());
      h.ifindex = load_be32(data.data() + 4);
      h.arphrd = load_be16(data.data() + 8);
      h.packet_type = data[10];
      const std::size_t alen = data[11];
      h.address = data.subspan(12, alen < 8 ? alen : 8);
      out.sll = h;
      detail::network(out, h.protocol, data.subspan(20), 20, opts);
      return out;
    }
    case pcap::linktype::null:
    case pcap::linktype::loop: {
      if (detail::short_link(out, data, 4, "loopback: {} bytes missing from the 4-byte header")) return out;
      // The family is in the writer's byte order for `null`; read it whichever way is small.
      std::uint32_t family = load_be32(data.data());
      if (linktype == pcap::linktype::null && family > 0xffff) family = load_le32(data.data());
      out.loopback_family = family;
      const std::uint16_t type = family == 2                                    ? ethernet::ethertype::ipv4
                                 : (family == 24 || family == 28 || family == 30) ? ethernet::ethertype::ipv6
                                                                                  : std::uint16_t{0};
      if (type == 0) {
        out.payload = data.subspan(4);
        return out;
      }
      detail::network(out, type, data.subspan(4), 4, opts);
      return out;
    }
    default:
      out.stop = stop_reason{layer::link, make_error(errc::unsupported, 0, "link type {} is not supported", linktype)};
      return out;
  }
}

}  // namespace wirespan::dissect
