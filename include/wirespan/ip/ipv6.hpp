// wirespan/ip/ipv6.hpp — the IPv6 fixed header (RFC 8200) and the extension-header walk.
//
// `ipv6::view<B>::parse` checks the fixed header and the payload length, then walks the
// extension headers (hop-by-hop options, routing, fragment, destination options, AH) to
// the upper-layer protocol, checking each header's length and the TLV options of
// hop-by-hop and destination options. `upper_protocol()` and `upper_payload()` are what
// the walk found; `fragment()` the fragment header, if any (a non-first fragment's
// payload is not the start of the upper layer: `is_later_fragment()`).
// `ipv6::header` is the value type of the fixed header (its payload, extension headers
// included, is passed to `encode`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "ipv4.hpp"
#include "ipv6_address.hpp"

namespace wirespan::ipv6 {

inline constexpr std::size_t header_size = 40;
inline constexpr std::size_t max_extension_headers = 16;

namespace next_header {
inline constexpr std::uint8_t hop_by_hop = 0;
inline constexpr std::uint8_t tcp = 6;
inline constexpr std::uint8_t udp = 17;
inline constexpr std::uint8_t routing = 43;
inline constexpr std::uint8_t fragment = 44;
inline constexpr std::uint8_t esp = 50;
inline constexpr std::uint8_t ah = 51;
inline constexpr std::uint8_t icmpv6 = 58;
inline constexpr std::uint8_t none = 59;
inline constexpr std::uint8_t destination_options = 60;
}  // namespace next_header

/// True for the extension headers the walk steps over.
constexpr bool is_extension(std::uint8_t type) noexcept {
  return type == next_header::hop_by_hop || type == next_header::routing || type == next_header::fragment ||
         type == next_header::destination_options || type == next_header::ah;
}

using ipv4::checksum_policy;
using ipv4::parse_mode;

struct parse_options {
  parse_mode mode = parse_mode::strict;
  std::size_t max_extensions = max_extension_headers;
};

/// One extension header.
struct extension {
  std::uint8_t type = 0;         ///< this header's protocol number
  std::uint8_t next = 0;         ///< its Next Header field
  std::size_t offset = 0;        ///< offset from the start of the IPv6 header
  bytes raw;                     ///< the whole extension header
};

/// The fragment header.
struct fragment_info {
  std::uint16_t offset = 0;      ///< in 8-byte units
  bool more = false;
  std::uint32_t identification = 0;
  constexpr std::uint32_t offset_bytes() const noexcept { return std::uint32_t{offset} * 8; }
};

namespace detail {

// The length of the extension header at `p` (with `avail` bytes there), or an error.
constexpr result<std::size_t> extension_length(std::uint8_t type, bytes area, std::size_t at) noexcept {
  if (area.size() < 2)
    return make_error(errc::truncated, at, "ipv6: extension header {} runs off the packet", type);
  const std::size_t len = type == next_header::fragment ? 8
                          : type == next_header::ah     ? (std::size_t{area[1]} + 2) * 4
                                                        : (std::size_t{area[1]} + 1) * 8;
  if (len > area.size())
    return make_error(errc::bad_length, at + 1, "ipv6: extension header of {} bytes, {} left in the payload", len,
                      area.size());
  return len;
}

// The TLV options of hop-by-hop and destination options headers (RFC 8200 §4.2).
constexpr result<void> check_tlv_options(bytes ext, std::size_t at) noexcept {
  std::size_t i = 2;
  while (i < ext.size()) {
    if (ext[i] == 0) {  // Pad1
      ++i;
      continue;
    }
    if (ext.size() - i < 2) return make_error(errc::malformed, at + i, "ipv6: option {} has no length octet", ext[i]);
    const std::size_t len = std::size_t{ext[i + 1]} + 2;
    if (len > ext.size() - i)
      return make_error(errc::bad_length, at + i + 1, "ipv6: option of {} bytes runs past its header", len);
    i += len;
  }
  return {};
}

}  // namespace detail

/// Iterates the extension headers of a validated packet.
class extension_range {
 public:
  class iterator {
   public:
    using value_type = extension;
    using difference_type = std::ptrdiff_t;
    constexpr iterator() noexcept = default;
    constexpr iterator(bytes packet, std::size_t end, std::uint8_t type, std::size_t pos) noexcept
        : packet_(packet), end_(end), type_(type), pos_(pos) {
      settle();
    }
    constexpr extension operator*() const noexcept {
      return extension{type_, packet_[pos_], pos_, packet_.subspan(pos_, len_)};
    }
    constexpr iterator& operator++() noexcept {
      type_ = packet_[pos_];
      pos_ += len_;
      settle();
      return *this;
    }
    constexpr iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept { return a.pos_ == b.pos_; }

   private:
    constexpr void settle() noexcept {
      if (pos_ >= end_ || !is_extension(type_)) {
        pos_ = end_;
        return;
      }
      auto len = detail::extension_length(type_, packet_.subspan(pos_, end_ - pos_), pos_);
      if (!len) {
        pos_ = end_;
        return;
      }
      len_ = *len;
    }
    bytes packet_;
    std::size_t end_ = 0;
    std::uint8_t type_ = 0;
    std::size_t pos_ = 0;
    std::size_t len_ = 0;
  };
  constexpr extension_range(bytes packet, std::size_t end, std::uint8_t first) noexcept
      : packet_(packet), end_(end), first_(first) {}
  constexpr iterator begin() const noexcept { return iterator(packet_, end_, first_, header_size); }
  constexpr iterator end() const noexcept { return iterator(packet_, end_, 0, end_); }

 private:
  bytes packet_;
  std::size_t end_;
  std::uint8_t first_;
};

template <byte_view B = bytes>
class view {
 public:
  static constexpr bool is_mutable = std::same_as<B, mutable_bytes>;

  constexpr view() noexcept = default;

  /// Errors: truncated (< 40 bytes); bad_version; bad_length (payload length beyond the
  /// buffer, trailing bytes in strict mode, an extension header past the payload);
  /// malformed / bad_value (options, hop-by-hop not first); limit_exceeded.
  static constexpr result<view> parse(B data, parse_options opts = {}) noexcept {
    if (data.size() < header_size)
      return make_error(errc::truncated, data.size(), "ipv6: {} bytes missing from the 40-byte header",
                        header_size - data.size());
    const unsigned version = data[0] >> 4;
    if (version != 6) return make_error(errc::bad_version, 0, "ipv6: version {} != 6", version, 6);
    const bool lax = opts.mode != parse_mode::strict;
    const std::size_t plen = load_be16(data.data() + 4);
    view v;
    v.data_ = data;
    std::size_t end = header_size + plen;
    if (plen == 0 && lax) {
      end = data.size();
    } else if (end > data.size()) {
      if (opts.mode != parse_mode::quoted)
        return make_error(errc::bad_length, 4, "ipv6: payload length {} > the {} bytes there are", plen,
                          data.size() - header_size);
      v.cut_short_ = true;
      end = data.size();
    } else if (end < data.size() && !lax) {
      return make_error(errc::bad_length, 4, "ipv6: {} bytes follow the payload length {}", data.size() - end, plen);
    }
    v.end_ = end;
    // The extension-header walk.
    std::uint8_t type = data[6];
    std::size_t pos = header_size;
    std::size_t count = 0;
    while (is_extension(type)) {
      if (count == opts.max_extensions)
        return make_error(errc::limit_exceeded, pos, "ipv6: more than {} extension headers", opts.max_extensions);
      if (type == next_header::hop_by_hop && count != 0)
        return make_error(errc::bad_value, pos, "ipv6: hop-by-hop options header not first");
      auto len = detail::extension_length(type, bytes(data.data() + pos, end - pos), pos);
      if (!len) {
        if (v.cut_short_) break;  // a quoted packet cut inside its extension headers
        return len.error();
      }
      const bytes ext(data.data() + pos, *len);
      if (type == next_header::hop_by_hop || type == next_header::destination_options) {
        if (auto ok = detail::check_tlv_options(ext, pos); !ok) return ok.error();
      }
      if (type == next_header::fragment) {
        const std::uint16_t w = load_be16(ext.data() + 2);
        v.fragment_ = fragment_info{static_cast<std::uint16_t>(w >> 3), (w & 1) != 0, load_be32(ext.data() + 4)};
      }
      type = ext[0];
      pos += *len;
      ++count;
    }
    v.upper_ = type;
    v.upper_offset_ = pos;
    v.extensions_ = count;
    return v;
  }

  constexpr std::uint8_t version() const noexcept { return static_cast<std::uint8_t>(data_[0] >> 4); }
  constexpr std::uint8_t traffic_class() const noexcept {
    return static_cast<std::uint8_t>((data_[0] & 0x0f) << 4 | data_[1] >> 4);
  }
  constexpr std::uint8_t dscp() const noexcept { return static_cast<std::uint8_t>(traffic_class() >> 2); }
  constexpr std::uint8_t ecn() const noexcept { return static_cast<std::uint8_t>(traffic_class() & 3); }
  constexpr std::uint32_t flow_label() const noexcept { return load_be24(data_.data() + 1) & 0xfffff; }
  constexpr std::uint16_t payload_length() const noexcept { return load_be16(data_.data() + 4); }
  /// The Next Header field of the fixed header.
  constexpr std::uint8_t next_header() const noexcept { return data_[6]; }
  constexpr std::uint8_t hop_limit() const noexcept { return data_[7]; }
  constexpr address source() const noexcept { return addr(8); }
  constexpr address destination() const noexcept { return addr(24); }

  /// The protocol after the extension headers (59: none).
  constexpr std::uint8_t upper_protocol() const noexcept { return upper_; }
  /// Offset of the upper-layer header from the start of the IPv6 header.
  constexpr std::size_t upper_offset() const noexcept { return upper_offset_; }
  constexpr B upper_payload() const noexcept { return data_.subspan(upper_offset_, end_ - upper_offset_); }
  constexpr std::size_t extension_count() const noexcept { return extensions_; }
  constexpr extension_range extensions() const noexcept { return extension_range(data_, upper_offset_, data_[6]); }
  constexpr std::optional<fragment_info> fragment() const noexcept { return fragment_; }
  constexpr bool is_later_fragment() const noexcept { return fragment_ && fragment_->offset != 0; }

  constexpr B header() const noexcept { return data_.first(header_size); }
  /// The payload (extension headers included), bounded by the payload length.
  constexpr B payload() const noexcept { return data_.subspan(header_size, end_ - header_size); }
  constexpr B trailer() const noexcept { return data_.subspan(end_); }
  constexpr bool cut_short() const noexcept { return cut_short_; }
  constexpr B data() const noexcept { return data_; }

  constexpr void set_hop_limit(std::uint8_t v) noexcept requires is_mutable { data_[7] = v; }
  constexpr void set_source(const address& a) noexcept requires is_mutable { put(8, a); }
  constexpr void set_destination(const address& a) noexcept requires is_mutable { put(24, a); }

 private:
  constexpr address addr(std::size_t at) const noexcept {
    address a;
    for (std::size_t i = 0; i < 16; ++i) a.octets[i] = data_[at + i];
    return a;
  }
  constexpr void put(std::size_t at, const address& a) noexcept {
    for (std::size_t i = 0; i < 16; ++i) data_[at + i] = a.octets[i];
  }
  B data_{};
  std::size_t end_ = 0;
  std::size_t upper_offset_ = 0;
  std::size_t extensions_ = 0;
  std::optional<fragment_info> fragment_{};
  std::uint8_t upper_ = 0;
  bool cut_short_ = false;
};

view(bytes) -> view<bytes>;
view(mutable_bytes) -> view<mutable_bytes>;

constexpr result<view<bytes>> parse(bytes data, parse_options opts = {}) noexcept { return view<bytes>::parse(data, opts); }

/// The IPv6 fixed header as values.
struct header {
  std::uint8_t traffic_class = 0;
  std::uint32_t flow_label = 0;
  std::optional<std::uint16_t> payload_length{};  ///< empty: the payload's size
  std::uint8_t next_header = next_header::none;
  std::uint8_t hop_limit = 64;
  address source{};
  address destination{};
  std::uint8_t version = 6;

  friend constexpr bool operator==(const header&, const header&) noexcept = default;
};

constexpr result<header> decode(bytes data, parse_options opts = {}) noexcept {
  auto v = parse(data, opts);
  if (!v) return v.error();
  return header{v->traffic_class(), v->flow_label(), v->payload_length(), v->next_header(), v->hop_limit(),
                v->source(),        v->destination(), v->version()};
}

constexpr std::size_t encoded_size(const header&, std::size_t payload_size = 0) noexcept {
  return header_size + payload_size;
}

/// Write the fixed header followed by `payload` (extension headers included).
constexpr result<std::size_t> encode(const header& h, bytes payload, mutable_bytes out) noexcept {
  if (h.flow_label > 0xfffff || h.version > 15)
    return make_error(errc::invalid_argument, 0, "ipv6: flow label {} does not fit 20 bits", h.flow_label);
  if (!h.payload_length && payload.size() > 0xffff)
    return make_error(errc::limit_exceeded, 4, "ipv6: payload of {} bytes > 65535 (jumbograms are not supported)",
                      payload.size(), 0xffff);
  const std::size_t n = header_size + payload.size();
  if (out.size() < n) return make_error(errc::buffer_too_small, 0, "ipv6: the packet needs {} bytes", n, out.size());
  out[0] = static_cast<std::uint8_t>(h.version << 4 | h.traffic_class >> 4);
  out[1] = static_cast<std::uint8_t>(std::uint32_t{h.traffic_class & 0x0fu} << 4 | (h.flow_label >> 16));
  store_be16(out.data() + 2, static_cast<std::uint16_t>(h.flow_label));
  store_be16(out.data() + 4, h.payload_length ? *h.payload_length : static_cast<std::uint16_t>(payload.size()));
  out[6] = h.next_header;
  out[7] = h.hop_limit;
  for (std::size_t i = 0; i < 16; ++i) {
    out[8 + i] = h.source.octets[i];
    out[24 + i] = h.destination.octets[i];
  }
  for (std::size_t i = 0; i < payload.size(); ++i) out[header_size + i] = payload[i];
  return n;
}

}  // namespace wirespan::ipv6
