// wirespan/ip/udp.hpp — UDP (RFC 768; IPv6 rules from RFC 8200 §8.1).
//
// `udp::view<B>::parse(segment)` checks the length field against the segment it was given
// (the IP payload): strict, they must agree; lax, length 0 means "to the end" (offload)
// and bytes after the length are a trailer; quoted (inside ICMP errors), the datagram may
// be cut short. The checksum needs the pseudo-header: `checksum_ok(pseudo)`. Over IPv4
// a zero checksum means "none"; over IPv6 zero is invalid (`checksum_ok` says false).
// `udp::header` is the value type; `encode(h, payload, out, pseudo)` fills the checksum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "ipv4.hpp"
#include "pseudo_header.hpp"

namespace wirespan::udp {

inline constexpr std::size_t header_size = 8;

using ipv4::parse_mode;

struct parse_options {
  parse_mode mode = parse_mode::strict;
};

template <byte_view B = bytes>
class view {
 public:
  static constexpr bool is_mutable = std::same_as<B, mutable_bytes>;

  constexpr view() noexcept = default;

  /// Errors: truncated (< 8 bytes, unless quoted); bad_length (length < 8, > the segment,
  /// or shorter than the segment in strict mode).
  static constexpr result<view> parse(B data, parse_options opts = {}) noexcept {
    view v;
    v.data_ = data;
    if (data.size() < header_size) {
      if (opts.mode == parse_mode::quoted && data.size() >= 4) {  // ports only
        v.end_ = data.size();
        v.cut_short_ = true;
        return v;
      }
      return make_error(errc::truncated, data.size(), "udp: {} bytes missing from the 8-byte header",
                        header_size - data.size());
    }
    const std::size_t len = load_be16(data.data() + 4);
    const bool lax = opts.mode != parse_mode::strict;
    if (len == 0 && lax) {
      v.end_ = data.size();
      return v;
    }
    if (len < header_size) return make_error(errc::bad_length, 4, "udp: length {} < 8", len, header_size);
    if (len > data.size()) {
      if (opts.mode != parse_mode::quoted)
        return make_error(errc::bad_length, 4, "udp: length {} > the {} bytes of the IP payload", len, data.size());
      v.end_ = data.size();
      v.cut_short_ = true;
      return v;
    }
    if (len < data.size() && !lax)
      return make_error(errc::bad_length, 4, "udp: length {} < the {} bytes of the IP payload", len, data.size());
    v.end_ = len;
    return v;
  }

  constexpr std::uint16_t source_port() const noexcept { return load_be16(data_.data()); }
  constexpr std::uint16_t destination_port() const noexcept { return load_be16(data_.data() + 2); }
  /// The length field (0 when a quoted datagram was cut before it).
  constexpr std::uint16_t length() const noexcept { return data_.size() >= 6 ? load_be16(data_.data() + 4) : 0; }
  constexpr std::uint16_t checksum() const noexcept { return data_.size() >= 8 ? load_be16(data_.data() + 6) : 0; }
  constexpr bool has_checksum() const noexcept { return checksum() != 0; }
  constexpr B payload() const noexcept {
    return end_ >= header_size ? data_.subspan(header_size, end_ - header_size) : data_.subspan(end_, 0);
  }
  constexpr B datagram() const noexcept { return data_.first(end_); }
  constexpr B trailer() const noexcept { return data_.subspan(end_); }
  constexpr bool cut_short() const noexcept { return cut_short_; }

  /// The checksum the field should hold (0 is sent as 0xffff).
  template <pseudo_header P>
  constexpr std::uint16_t computed_checksum(const P& pseudo) const noexcept {
    const std::uint16_t c = detail::transport_checksum(pseudo, bytes(datagram()), 6);
    return c == 0 ? std::uint16_t{0xffff} : c;
  }
  /// True when the checksum verifies; over IPv4 also when it is 0 ("not computed").
  template <pseudo_header P>
  constexpr bool checksum_ok(const P& pseudo) const noexcept {
    if (cut_short_) return false;
    if (checksum() == 0) return std::same_as<P, ipv4::pseudo_header>;
    return detail::transport_checksum_ok(pseudo, bytes(datagram()));
  }

  constexpr void set_source_port(std::uint16_t p) noexcept requires is_mutable { set_word(0, p); }
  constexpr void set_destination_port(std::uint16_t p) noexcept requires is_mutable { set_word(2, p); }
  constexpr void set_checksum_no_update(std::uint16_t c) noexcept requires is_mutable { store_be16(data_.data() + 6, c); }
  template <pseudo_header P>
  constexpr void update_checksum(const P& pseudo) noexcept requires is_mutable {
    set_checksum_no_update(computed_checksum(pseudo));
  }

 private:
  constexpr void set_word(std::size_t at, std::uint16_t value) noexcept {
    const std::uint16_t old = load_be16(data_.data() + at);
    store_be16(data_.data() + at, value);
    if (checksum() != 0) {
      std::uint16_t c = checksum::update16(checksum(), old, value);
      store_be16(data_.data() + 6, c == 0 ? std::uint16_t{0xffff} : c);
    }
  }
  B data_{};
  std::size_t end_ = 0;
  bool cut_short_ = false;
};

view(bytes) -> view<bytes>;
view(mutable_bytes) -> view<mutable_bytes>;

constexpr result<view<bytes>> parse(bytes data, parse_options opts = {}) noexcept { return view<bytes>::parse(data, opts); }

struct header {
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::optional<std::uint16_t> length{};    ///< empty: 8 + payload
  std::optional<std::uint16_t> checksum{};  ///< empty: computed (or 0 without a pseudo-header)

  friend constexpr bool operator==(const header&, const header&) noexcept = default;
};

constexpr result<header> decode(bytes data, parse_options opts = {}) noexcept {
  auto v = parse(data, opts);
  if (!v) return v.error();
  if (v->cut_short()) return make_error(errc::truncated, data.size(), "udp: the header is cut short");
  return header{v->source_port(), v->destination_port(), v->length(), v->checksum()};
}

constexpr std::size_t encoded_size(const header&, std::size_t payload_size = 0) noexcept {
  return header_size + payload_size;
}

namespace detail {
template <class P>
constexpr result<std::size_t> encode(const header& h, bytes payload, mutable_bytes out, const P* pseudo) noexcept {
  const std::size_t n = header_size + payload.size();
  if (!h.length && n > 0xffff)
    return make_error(errc::limit_exceeded, 4, "udp: datagram of {} bytes > 65535", n, 0xffff);
  if (out.size() < n) return make_error(errc::buffer_too_small, 0, "udp: the datagram needs {} bytes", n, out.size());
  store_be16(out.data(), h.source_port);
  store_be16(out.data() + 2, h.destination_port);
  store_be16(out.data() + 4, h.length ? *h.length : static_cast<std::uint16_t>(n));
  store_be16(out.data() + 6, 0);
  for (std::size_t i = 0; i < payload.size(); ++i) out[header_size + i] = payload[i];
  std::uint16_t c = 0;
  if (h.checksum) {
    c = *h.checksum;
  } else if constexpr (pseudo_header<P>) {
    c = wirespan::detail::transport_checksum(*pseudo, bytes(out.data(), n), 6);
    if (c == 0) c = 0xffff;
  }
  store_be16(out.data() + 6, c);
  return n;
}
}  // namespace detail

/// Write header and payload; the checksum is `h.checksum`, or 0 (none, IPv4 only).
constexpr result<std::size_t> encode(const header& h, bytes payload, mutable_bytes out) noexcept {
  return detail::encode<void>(h, payload, out, nullptr);
}
/// Write header and payload with the checksum computed over `pseudo` (unless `h.checksum`).
template <pseudo_header P>
constexpr result<std::size_t> encode(const header& h, bytes payload, mutable_bytes out, const P& pseudo) noexcept {
  return detail::encode(h, payload, out, &pseudo);
}

}  // namespace wirespan::udp
