// wirespan/link/arp.hpp — ARP (RFC 826), and its IPv4-over-Ethernet form in full.
//
// `arp::view<B>::parse` reads any hardware/protocol pair (the address lengths come from
// the packet); the typed accessors `sender_mac()`, `sender_ip()`, ... are for the
// Ethernet/IPv4 form (`is_ethernet_ipv4()`). Bytes after the packet (Ethernet padding)
// are the `trailer()`. `arp::packet` is the Ethernet/IPv4 value type.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "../ip/ipv4_address.hpp"
#include "ethernet.hpp"

namespace wirespan::arp {

namespace opcode {
inline constexpr std::uint16_t request = 1;
inline constexpr std::uint16_t reply = 2;
inline constexpr std::uint16_t rarp_request = 3;
inline constexpr std::uint16_t rarp_reply = 4;
}  // namespace opcode

inline constexpr std::uint16_t hardware_ethernet = 1;
inline constexpr std::size_t fixed_size = 8;
inline constexpr std::size_t ethernet_ipv4_size = 28;

template <byte_view B = bytes>
class view {
 public:
  constexpr view() noexcept = default;

  /// Errors: truncated (shorter than 8 bytes, or than the address lengths need).
  static constexpr result<view> parse(B data) noexcept {
    if (data.size() < fixed_size)
      return make_error(errc::truncated, data.size(), "arp: {} bytes missing from the 8-byte fixed part",
                        fixed_size - data.size());
    const std::size_t need = fixed_size + 2 * (std::size_t{data[4]} + data[5]);
    if (data.size() < need)
      return make_error(errc::truncated, data.size(), "arp: {} bytes missing from the addresses", need - data.size());
    view v;
    v.data_ = data;
    v.size_ = need;
    return v;
  }

  constexpr std::uint16_t hardware_type() const noexcept { return load_be16(data_.data()); }
  constexpr std::uint16_t protocol_type() const noexcept { return load_be16(data_.data() + 2); }
  constexpr std::uint8_t hardware_length() const noexcept { return data_[4]; }
  constexpr std::uint8_t protocol_length() const noexcept { return data_[5]; }
  constexpr std::uint16_t operation() const noexcept { return load_be16(data_.data() + 6); }
  constexpr bool is_ethernet_ipv4() const noexcept {
    return hardware_type() == hardware_ethernet && protocol_type() == ethernet::ethertype::ipv4 &&
           hardware_length() == 6 && protocol_length() == 4;
  }
  constexpr bytes sender_hardware() const noexcept { return bytes(data_).subspan(8, hardware_length()); }
  constexpr bytes sender_protocol() const noexcept { return bytes(data_).subspan(8 + hardware_length(), protocol_length()); }
  constexpr bytes target_hardware() const noexcept {
    return bytes(data_).subspan(8 + std::size_t{hardware_length()} + protocol_length(), hardware_length());
  }
  constexpr bytes target_protocol() const noexcept {
    return bytes(data_).subspan(8 + 2 * std::size_t{hardware_length()} + protocol_length(), protocol_length());
  }
  // Ethernet/IPv4 only (check `is_ethernet_ipv4()`).
  constexpr ethernet::mac_address sender_mac() const noexcept { return mac(sender_hardware()); }
  constexpr ipv4::address sender_ip() const noexcept { return ip(sender_protocol()); }
  constexpr ethernet::mac_address target_mac() const noexcept { return mac(target_hardware()); }
  constexpr ipv4::address target_ip() const noexcept { return ip(target_protocol()); }

  constexpr B packet() const noexcept { return data_.first(size_); }
  constexpr B trailer() const noexcept { return data_.subspan(size_); }

 private:
  static constexpr ethernet::mac_address mac(bytes b) noexcept {
    return ethernet::mac_address{{b[0], b[1], b[2], b[3], b[4], b[5]}};
  }
  static constexpr ipv4::address ip(bytes b) noexcept { return ipv4::address{{b[0], b[1], b[2], b[3]}}; }
  B data_{};
  std::size_t size_ = 0;
};

view(bytes) -> view<bytes>;
view(mutable_bytes) -> view<mutable_bytes>;

constexpr result<view<bytes>> parse(bytes data) noexcept { return view<bytes>::parse(data); }

/// An ARP packet for IPv4 over Ethernet.
struct packet {
  std::uint16_t operation = opcode::request;
  ethernet::mac_address sender_mac{};
  ipv4::address sender_ip{};
  ethernet::mac_address target_mac{};
  ipv4::address target_ip{};

  friend constexpr bool operator==(const packet&, const packet&) noexcept = default;
};

/// Decode an Ethernet/IPv4 ARP packet; other hardware/protocol pairs are `unsupported`.
constexpr result<packet> decode(bytes data) noexcept {
  auto v = parse(data);
  if (!v) return v.error();
  if (!v->is_ethernet_ipv4())
    return make_error(errc::unsupported, 0, "arp: hardware type {} is not Ethernet/IPv4", v->hardware_type());
  return packet{v->operation(), v->sender_mac(), v->sender_ip(), v->target_mac(), v->target_ip()};
}

constexpr std::size_t encoded_size(const packet&) noexcept { return ethernet_ipv4_size; }

constexpr result<std::size_t> encode(const packet& p, mutable_bytes out) noexcept {
  if (out.size() < ethernet_ipv4_size)
    return make_error(errc::buffer_too_small, 0, "arp: the packet needs {} bytes", ethernet_ipv4_size, out.size());
  store_be16(out.data(), hardware_ethernet);
  store_be16(out.data() + 2, ethernet::ethertype::ipv4);
  out[4] = 6;
  out[5] = 4;
  store_be16(out.data() + 6, p.operation);
  for (std::size_t i = 0; i < 6; ++i) {
    out[8 + i] = p.sender_mac.octets[i];
    out[18 + i] = p.target_mac.octets[i];
  }
  for (std::size_t i = 0; i < 4; ++i) {
    out[14 + i] = p.sender_ip.octets[i];
    out[24 + i] = p.target_ip.octets[i];
  }
  return ethernet_ipv4_size;
}

}  // namespace wirespan::arp
