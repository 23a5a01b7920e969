// wirespan/link/ethernet.hpp — Ethernet II frames with stacked 802.1Q / 802.1ad VLAN tags.
//
//  - `ethernet::mac_address`: parse ("00:1a:2b:3c:4d:5e", also with '-'), format, broadcast
//    and multicast tests.
//  - `ethernet::view<B>`: destination, source, the VLAN tag stack (TPID 0x8100, 0x88a8 and
//    the pre-standard 0x9100, up to `max_vlan_tags`), the EtherType after the tags, and the
//    payload (the rest of the frame: Ethernet has no length field, so a trailer or padding
//    is part of it; the layer above knows its own length). The FCS is not expected.
//  - `ethernet::header` value type (addresses, tags, EtherType) with encode/decode.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/hex.hpp"
#include "../core/result.hpp"

namespace wirespan::ethernet {

namespace ethertype {
inline constexpr std::uint16_t ipv4 = 0x0800;
inline constexpr std::uint16_t arp = 0x0806;
inline constexpr std::uint16_t rarp = 0x8035;
inline constexpr std::uint16_t vlan = 0x8100;       ///< 802.1Q customer tag
inline constexpr std::uint16_t ipv6 = 0x86dd;
inline constexpr std::uint16_t qinq = 0x88a8;       ///< 802.1ad service tag
inline constexpr std::uint16_t qinq_old = 0x9100;   ///< pre-standard service tag
}  // namespace ethertype

/// True for the TPIDs that start a VLAN tag.
constexpr bool is_vlan_tpid(std::uint16_t type) noexcept {
  return type == ethertype::vlan || type == ethertype::qinq || type == ethertype::qinq_old;
}

inline constexpr std::size_t header_size = 14;
inline constexpr std::size_t max_vlan_tags = 8;

/// A 48-bit MAC address.
struct mac_address {
  std::array<std::uint8_t, 6> octets{};

  static constexpr std::size_t text_size = 17;

  /// Six pairs of hex digits separated by ':' or '-' (one kind throughout).
  static constexpr result<mac_address> parse(std::string_view text) noexcept {
    if (text.size() != text_size) return make_error(errc::malformed, 0, "mac: {} characters, not 17", text.size());
    const char sep = text[2];
    if (sep != ':' && sep != '-') return make_error(errc::malformed, 2, "mac: separator is not ':' or '-'");
    mac_address a;
    for (std::size_t i = 0; i < 6; ++i) {
      const std::size_t at = i * 3;
      if (i > 0 && text[at - 1] != sep) return make_error(errc::malformed, at - 1, "mac: separators differ");
      const int hi = wirespan::detail::hex_digit(text[at]);
      const int lo = wirespan::detail::hex_digit(text[at + 1]);
      if (hi < 0 || lo < 0) return make_error(errc::malformed, at, "mac: not a hex digit");
      a.octets[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return a;
  }
  /// Lowercase, colon-separated: "00:1a:2b:3c:4d:5e" (as Wireshark prints `eth.src`).
  constexpr std::size_t to_chars(std::array<char, text_size>& out) const noexcept {
    constexpr const char* hex = "0123456789abcdef";
    for (std::size_t i = 0; i < 6; ++i) {
      out[i * 3] = hex[octets[i] >> 4];
      out[i * 3 + 1] = hex[octets[i] & 15];
      if (i < 5) out[i * 3 + 2] = ':';
    }
    return text_size;
  }
  std::string to_string() const {
    std::array<char, text_size> buf{};
    return std::string(buf.data(), to_chars(buf));
  }
  constexpr bool is_broadcast() const noexcept {
    for (auto o : octets) {
      if (o != 0xff) return false;
    }
    return true;
  }
  /// Group bit set (broadcast included).
  constexpr bool is_multicast() const noexcept { return (octets[0] & 1) != 0; }
  constexpr bool is_locally_administered() const noexcept { return (octets[0] & 2) != 0; }

  friend constexpr auto operator<=>(const mac_address&, const mac_address&) noexcept = default;
};

/// One VLAN tag: TPID, priority (PCP), drop eligible (DEI), VLAN ID.
struct vlan_tag {
  std::uint16_t tpid = ethertype::vlan;
  std::uint8_t pcp = 0;
  bool dei = false;
  std::uint16_t id = 0;

  constexpr std::uint16_t tci() const noexcept {
    return static_cast<std::uint16_t>((pcp & 7) << 13 | (dei ? 0x1000 : 0) | (id & 0x0fff));
  }
  static constexpr vlan_tag from(std::uint16_t tpid, std::uint16_t tci) noexcept {
    return vlan_tag{tpid, static_cast<std::uint8_t>(tci >> 13), (tci & 0x1000) != 0,
                    static_cast<std::uint16_t>(tci & 0x0fff)};
  }
  friend constexpr bool operator==(const vlan_tag&, const vlan_tag&) noexcept = default;
};

struct parse_options {
  std::size_t max_tags = max_vlan_tags;
};

/// A validated Ethernet II frame (without FCS).
template <byte_view B = bytes>
class view {
 public:
  static constexpr bool is_mutable = std::same_as<B, mutable_bytes>;

  constexpr view() noexcept = default;

  /// Errors: truncated (shorter than 14 bytes, or a VLAN tag stack running off the
  /// frame); limit_exceeded (more tags than `max_tags`).
  static constexpr result<view> parse(B data, parse_options opts = {}) noexcept {
    if (data.size() < header_size)
      return make_error(errc::truncated, data.size(), "ethernet: {} bytes missing from the 14-byte header",
                        header_size - data.size());
    view v;
    v.data_ = data;
    std::size_t at = 12;
    while (is_vlan_tpid(load_be16(data.data() + at))) {
      if (v.tags_ == opts.max_tags)
        return make_error(errc::limit_exceeded, at, "ethernet: more than {} VLAN tags", opts.max_tags, opts.max_tags);
      if (data.size() - at < 6)
        return make_error(errc::truncated, data.size(), "ethernet: the VLAN tag stack runs off the frame ({} bytes missing)",
                          at + 6 - data.size());
      ++v.tags_;
      at += 4;
    }
    return v;
  }

  constexpr mac_address destination() const noexcept { return mac(0); }
  constexpr mac_address source() const noexcept { return mac(6); }
  constexpr std::size_t tag_count() const noexcept { return tags_; }
  /// Tag `i`, outermost first.
  constexpr vlan_tag tag(std::size_t i) const noexcept {
    return vlan_tag::from(load_be16(data_.data() + 12 + 4 * i), load_be16(data_.data() + 14 + 4 * i));
  }
  /// The EtherType after the tags (a value <= 1500 is an 802.3 length).
  constexpr std::uint16_t ethertype() const noexcept { return load_be16(data_.data() + 12 + 4 * tags_); }
  /// The EtherType right after the source address (the first TPID when tagged).
  constexpr std::uint16_t outer_ethertype() const noexcept { return load_be16(data_.data() + 12); }
  constexpr std::size_t header_length() const noexcept { return header_size + 4 * tags_; }
  constexpr B header() const noexcept { return data_.first(header_length()); }
  constexpr B payload() const noexcept { return data_.subspan(header_length()); }
  constexpr B data() const noexcept { return data_; }

  constexpr void set_destination(const mac_address& a) noexcept requires is_mutable { put_mac(0, a); }
  constexpr void set_source(const mac_address& a) noexcept requires is_mutable { put_mac(6, a); }
  constexpr void set_ethertype(std::uint16_t type) noexcept requires is_mutable {
    store_be16(data_.data() + 12 + 4 * tags_, type);
  }

 private:
  constexpr mac_address mac(std::size_t at) const noexcept {
    mac_address a;
    for (std::size_t i = 0; i < 6; ++i) a.octets[i] = data_[at + i];
    return a;
  }
  constexpr void put_mac(std::size_t at, const mac_address& a) noexcept {
    for (std::size_t i = 0; i < 6; ++i) data_[at + i] = a.octets[i];
  }
  B data_{};
  std::size_t tags_ = 0;
};

view(bytes) -> view<bytes>;
view(mutable_bytes) -> view<mutable_bytes>;

constexpr result<view<bytes>> parse(bytes data, parse_options opts = {}) noexcept {
  return view<bytes>::parse(data, opts);
}

/// An Ethernet II header as values.
struct header {
  mac_address destination{};
  mac_address source{};
  std::array<vlan_tag, max_vlan_tags> tags{};
  std::size_t tag_count = 0;
  std::uint16_t ethertype = ethertype::ipv4;

  constexpr std::size_t header_length() const noexcept { return header_size + 4 * tag_count; }
  constexpr header& push_tag(vlan_tag t) noexcept {
    if (tag_count < max_vlan_tags) tags[tag_count++] = t;
    return *this;
  }
  friend constexpr bool operator==(const header&, const header&) noexcept = default;
};

constexpr result<header> decode(bytes data, parse_options opts = {}) noexcept {
  auto v = parse(data, opts);
  if (!v) return v.error();
  header h;
  h.destination = v->destination();
  h.source = v->source();
  h.tag_count = v->tag_count();
  for (std::size_t i = 0; i < h.tag_count; ++i) h.tags[i] = v->tag(i);
  h.ethertype = v->ethertype();
  return h;
}

constexpr std::size_t encoded_size(const header& h) noexcept { return h.header_length(); }

/// Write the header (not the payload). Returns its length.
constexpr result<std::size_t> encode(const header& h, mutable_bytes out) noexcept {
  if (h.tag_count > max_vlan_tags) return make_error(errc::invalid_argument, 0, "ethernet: {} VLAN tags", h.tag_count);
  const std::size_t n = h.header_length();
  if (out.size() < n) return make_error(errc::buffer_too_small, 0, "ethernet: the header needs {} bytes", n, out.size());
  for (std::size_t i = 0; i < 6; ++i) {
    out[i] = h.destination.octets[i];
    out[6 + i] = h.source.octets[i];
  }
  for (std::size_t i = 0; i < h.tag_count; ++i) {
    store_be16(out.data() + 12 + 4 * i, h.tags[i].tpid);
    store_be16(out.data() + 14 + 4 * i, h.tags[i].tci());
  }
  store_be16(out.data() + 12 + 4 * h.tag_count, h.ethertype);
  return n;
}

}  // namespace wirespan::ethernet
