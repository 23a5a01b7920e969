// wirespan/ip/pseudo_header.hpp — the IPv4 and IPv6 pseudo-headers that UDP, TCP and
// ICMPv6 checksums cover (RFC 768, RFC 9293 §3.1, RFC 8200 §8.1).
//
// The pseudo-header is always an explicit input: build it from addresses you know, or
// from a parsed IP view with `pseudo_header::of(view)`. Nothing is looked up.
//
// ```cpp
// auto ip = wirespan::ipv4::parse(packet).value();
// auto udp = wirespan::udp::parse(ip.payload()).value();
// bool ok = udp.checksum_ok(wirespan::ipv4::pseudo_header::of(ip));
// ```
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "../core/bytes.hpp"
#include "../core/checksum.hpp"
#include "ipv4.hpp"
#include "ipv4_address.hpp"
#include "ipv6.hpp"
#include "ipv6_address.hpp"

namespace wirespan {
namespace ipv4 {

/// Source, destination, protocol and upper-layer length.
struct pseudo_header {
  address source{};
  address destination{};
  std::uint8_t protocol = 0;
  std::uint16_t length = 0;

  /// The sum of the pseudo-header, to which the segment is added.
  constexpr checksum::accumulator accumulate() const noexcept {
    checksum::accumulator acc;
    acc.add_be32(source.to_u32()).add_be32(destination.to_u32()).add_be16(protocol).add_be16(length);
    return acc;
  }
  /// The pseudo-header of a parsed datagram: its addresses, protocol and payload size.
  template <byte_view B>
  static constexpr pseudo_header of(const view<B>& ip) noexcept {
    return pseudo_header{ip.source(), ip.destination(), ip.protocol(), static_cast<std::uint16_t>(ip.payload().size())};
  }
};

}  // namespace ipv4

namespace ipv6 {

/// Source, destination, upper-layer length (32 bits) and next header.
struct pseudo_header {
  address source{};
  address destination{};
  std::uint32_t length = 0;
  std::uint8_t next_header = 0;

  constexpr checksum::accumulator accumulate() const noexcept {
    checksum::accumulator acc;
    acc.add(bytes(source.octets)).add(bytes(destination.octets)).add_be32(length).add_be16(next_header);
    return acc;
  }
  /// The pseudo-header of a parsed packet: the upper-layer protocol after the extension
  /// headers and its length. (A Routing header's final destination is not looked for:
  /// pass the right destination yourself when a Routing header is present.)
  template <byte_view B>
  static constexpr pseudo_header of(const view<B>& ip) noexcept {
    return pseudo_header{ip.source(), ip.destination(), static_cast<std::uint32_t>(ip.upper_payload().size()),
                         ip.upper_protocol()};
  }
};

}  // namespace ipv6

/// Either pseudo-header.
template <class P>
concept pseudo_header = std::same_as<P, ipv4::pseudo_header> || std::same_as<P, ipv6::pseudo_header>;

namespace detail {
/// The checksum of `segment` with the 16-bit field at `field` taken as zero.
template <pseudo_header P>
constexpr std::uint16_t transport_checksum(const P& pseudo, bytes segment, std::size_t field) noexcept {
  auto acc = pseudo.accumulate();
  acc.add(segment.first(field));
  acc.add(segment.subspan(field + 2));
  return acc.finish();
}
/// Whether `segment` (checksum field included) sums to all ones with the pseudo-header.
template <pseudo_header P>
constexpr bool transport_checksum_ok(const P& pseudo, bytes segment) noexcept {
  auto acc = pseudo.accumulate();
  acc.add(segment);
  return acc.verify();
}
}  // namespace detail

}  // namespace wirespan
