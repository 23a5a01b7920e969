// wirespan/ip/tcp.hpp — the TCP header (RFC 9293; ECE/CWR RFC 3168; NS RFC 3540) and its
// options (MSS, window scale, SACK-permitted, SACK, timestamps RFC 7323; others raw).
//
// `tcp::view<B>::parse(segment)` checks the data offset (>= 5, within the segment) and
// every option's length. In quoted mode (inside ICMP errors) a segment of at least 8
// bytes (ports and sequence number) is accepted as cut short. The checksum needs the
// pseudo-header: `checksum_ok(pseudo)`. `tcp::header` is the value type; `encode(h,
// payload, out, pseudo)` fills data offset and checksum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "../core/tlv.hpp"
#include "ipv4.hpp"
#include "pseudo_header.hpp"

namespace wirespan::tcp {

inline constexpr std::size_t min_header_size = 20;
inline constexpr std::size_t max_header_size = 60;

using ipv4::parse_mode;

/// Flag bits of the 16-bit word at offset 12, low 12 bits (as Wireshark's `tcp.flags`).
namespace flag {
inline constexpr std::uint16_t fin = 0x001;
inline constexpr std::uint16_t syn = 0x002;
inline constexpr std::uint16_t rst = 0x004;
inline constexpr std::uint16_t psh = 0x008;
inline constexpr std::uint16_t ack = 0x010;
inline constexpr std::uint16_t urg = 0x020;
inline constexpr std::uint16_t ece = 0x040;
inline constexpr std::uint16_t cwr = 0x080;
inline constexpr std::uint16_t ns = 0x100;        ///< RFC 3540 nonce sum (now AE, RFC 9768)
inline constexpr std::uint16_t reserved = 0xe00;  ///< the three reserved bits
}  // namespace flag

namespace option_kind {
inline constexpr std::uint8_t end_of_list = 0;
inline constexpr std::uint8_t nop = 1;
inline constexpr std::uint8_t mss = 2;
inline constexpr std::uint8_t window_scale = 3;
inline constexpr std::uint8_t sack_permitted = 4;
inline constexpr std::uint8_t sack = 5;
inline constexpr std::uint8_t timestamps = 8;
}  // namespace option_kind

struct sack_block {
  std::uint32_t left = 0;
  std::uint32_t right = 0;
};

struct option {
  std::uint8_t kind = 0;
  std::size_t offset = 0;  ///< in the options area
  bytes raw;               ///< kind, length, data

  constexpr bytes data() const noexcept { return raw.size() >= 2 ? raw.subspan(2) : bytes{}; }
  // Typed values; call only for the matching kind (the lengths were checked).
  constexpr std::uint16_t mss() const noexcept { return load_be16(raw.data() + 2); }
  constexpr std::uint8_t window_scale() const noexcept { return raw[2]; }
  constexpr std::size_t sack_count() const noexcept { return (raw.size() - 2) / 8; }
  constexpr sack_block sack(std::size_t i) const noexcept {
    return sack_block{load_be32(raw.data() + 2 + 8 * i), load_be32(raw.data() + 6 + 8 * i)};
  }
  constexpr std::uint32_t timestamp_value() const noexcept { return load_be32(raw.data() + 2); }
  constexpr std::uint32_t timestamp_echo() const noexcept { return load_be32(raw.data() + 6); }
};

namespace detail {
constexpr result<std::size_t> check_option(bytes area, std::size_t pos, std::size_t base) noexcept {
  constexpr wirespan::detail::tlv_messages messages{"tcp: option {} has no length octet", "tcp: option length {} < 2",
                                                    "tcp: option length {} runs past the header ({} bytes left)"};
  auto generic = wirespan::detail::tlv_length(area, pos, base, messages);
  if (!generic || *generic == 1) return generic;
  const std::uint8_t kind = area[pos];
  const std::size_t at = base + pos;
  const std::size_t len = *generic;
  std::size_t want = 0;
  switch (kind) {
    case option_kind::mss: want = 4; break;
    case option_kind::window_scale: want = 3; break;
    case option_kind::sack_permitted: want = 2; break;
    case option_kind::timestamps: want = 10; break;
    case option_kind::sack:
      if (len < 10 || (len - 2) % 8 != 0)
        return make_error(errc::bad_length, at + 1, "tcp: SACK option length {} is not 2 + 8n (n >= 1)", len);
      break;
    default: break;
  }
  if (want != 0 && len != want)
    return make_error(errc::bad_length, at + 1, "tcp: option length {} != {} for its kind", len, want);
  return len;
}
}  // namespace detail

/// Check every option in an options area (`base`: offset of the area for error offsets).
constexpr result<void> validate_options(bytes area, std::size_t base = min_header_size) noexcept {
  return wirespan::detail::validate_tlv<detail::check_option>(area, base);
}

/// Iterates options up to and including End of Option List (padding after it is skipped).
using option_range = wirespan::detail::tlv_range<option, detail::check_option>;

constexpr option_range options(bytes area) noexcept { return option_range(area); }

struct parse_options {
  parse_mode mode = parse_mode::strict;
};

template <byte_view B = bytes>
class view {
 public:
  static constexpr bool is_mutable = std::same_as<B, mutable_bytes>;

  constexpr view() noexcept = default;

  /// Errors: truncated (< 20 bytes); bad_length (data offset < 5, or past the segment);
  /// option errors.
  static constexpr result<view> parse(B data, parse_options opts = {}) noexcept {
    view v;
    v.data_ = data;
    if (data.size() < min_header_size) {
      if (opts.mode == parse_mode::quoted && data.size() >= 8) {
        v.cut_short_ = true;
        return v;
      }
      return make_error(errc::truncated, data.size(), "tcp: {} bytes missing from the 20-byte header",
                        min_header_size - data.size());
    }
    const std::size_t hlen = static_cast<std::size_t>(data[12] >> 4) * 4;
    if (hlen < min_header_size) return make_error(errc::bad_length, 12, "tcp: data offset {} < 20 bytes", hlen, 20);
    if (hlen > data.size()) {
      if (opts.mode == parse_mode::quoted) {
        v.cut_short_ = true;
        return v;
      }
      return make_error(errc::bad_length, 12, "tcp: data offset {} > the {} bytes of the segment", hlen, data.size());
    }
    if (auto ok = validate_options(bytes(data.data() + min_header_size, hlen - min_header_size)); !ok) return ok.error();
    v.header_length_ = hlen;
    return v;
  }

  constexpr std::uint16_t source_port() const noexcept { return load_be16(data_.data()); }
  constexpr std::uint16_t destination_port() const noexcept { return load_be16(data_.data() + 2); }
  constexpr std::uint32_t sequence() const noexcept { return load_be32(data_.data() + 4); }
  // The fields below need a whole header (not `cut_short()`).
  constexpr std::uint32_t acknowledgment() const noexcept { return load_be32(data_.data() + 8); }
  constexpr std::uint8_t data_offset() const noexcept { return static_cast<std::uint8_t>(data_[12] >> 4); }
  constexpr std::size_t header_length() const noexcept { return header_length_; }
  /// The 12 flag bits: reserved(3), NS, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN.
  constexpr std::uint16_t flags() const noexcept { return static_cast<std::uint16_t>(load_be16(data_.data() + 12) & 0x0fff); }
  constexpr bool fin() const noexcept { return (flags() & flag::fin) != 0; }
  constexpr bool syn() const noexcept { return (flags() & flag::syn) != 0; }
  constexpr bool rst() const noexcept { return (flags() & flag::rst) != 0; }
  constexpr bool psh() const noexcept { return (flags() & flag::psh) != 0; }
  constexpr bool ack() const noexcept { return (flags() & flag::ack) != 0; }
  constexpr bool urg() const noexcept { return (flags() & flag::urg) != 0; }
  constexpr bool ece() const noexcept { return (flags() & flag::ece) != 0; }
  constexpr bool cwr() const noexcept { return (flags() & flag::cwr) != 0; }
  constexpr bool ns() const noexcept { return (flags() & flag::ns) != 0; }
  constexpr std::uint16_t window() const noexcept { return load_be16(data_.data() + 14); }
  constexpr std::uint16_t checksum() const noexcept { return load_be16(data_.data() + 16); }
  constexpr std::uint16_t urgent_pointer() const noexcept { return load_be16(data_.data() + 18); }
  constexpr B options_area() const noexcept {
    return header_length_ ? data_.subspan(min_header_size, header_length_ - min_header_size) : data_.subspan(0, 0);
  }
  constexpr option_range options() const noexcept { return option_range(options_area()); }
  constexpr B payload() const noexcept { return data_.subspan(header_length_ ? header_length_ : data_.size()); }
  constexpr B segment() const noexcept { return data_; }
  constexpr bool cut_short() const noexcept { return cut_short_; }

  template <pseudo_header P>
  constexpr std::uint16_t computed_checksum(const P& pseudo) const noexcept {
    return detail_checksum(pseudo);
  }
  template <pseudo_header P>
  constexpr bool checksum_ok(const P& pseudo) const noexcept {
    return !cut_short_ && wirespan::detail::transport_checksum_ok(pseudo, bytes(data_));
  }

  constexpr void set_source_port(std::uint16_t p) noexcept requires is_mutable { set_word(0, p); }
  constexpr void set_destination_port(std::uint16_t p) noexcept requires is_mutable { set_word(2, p); }
  constexpr void set_sequence(std::uint32_t s) noexcept requires is_mutable { set_dword(4, s); }
  constexpr void set_acknowledgment(std::uint32_t a) noexcept requires is_mutable { set_dword(8, a); }
  constexpr void set_window(std::uint16_t w) noexcept requires is_mutable { set_word(14, w); }
  constexpr void set_checksum_no_update(std::uint16_t c) noexcept requires is_mutable { store_be16(data_.data() + 16, c); }
  template <pseudo_header P>
  constexpr void update_checksum(const P& pseudo) noexcept requires is_mutable {
    set_checksum_no_update(computed_checksum(pseudo));
  }

 private:
  template <class P>
  constexpr std::uint16_t detail_checksum(const P& pseudo) const noexcept {
    return wirespan::detail::transport_checksum(pseudo, bytes(data_), 16);
  }
  constexpr void set_word(std::size_t at, std::uint16_t value) noexcept {
    const std::uint16_t old = load_be16(data_.data() + at);
    store_be16(data_.data() + at, value);
    store_be16(data_.data() + 16, checksum::update16(checksum(), old, value));
  }
  constexpr void set_dword(std::size_t at, std::uint32_t value) noexcept {
    const std::uint32_t old = load_be32(data_.data() + at);
    store_be32(data_.data() + at, value);
    store_be16(data_.data() + 16, checksum::update32(checksum(), old, value));
  }
  B data_{};
  std::size_t header_length_ = 0;
  bool cut_short_ = false;
};

view(bytes) -> view<bytes>;
view(mutable_bytes) -> view<mutable_bytes>;

constexpr result<view<bytes>> parse(bytes data, parse_options opts = {}) noexcept { return view<bytes>::parse(data, opts); }

struct header {
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t sequence = 0;
  std::uint32_t acknowledgment = 0;
  std::optional<std::uint8_t> data_offset{};  ///< in 32-bit words; empty: from the options
  std::uint16_t flags = 0;                    ///< 12 bits, see `tcp::flag`
  std::uint16_t window = 0;
  std::optional<std::uint16_t> checksum{};    ///< empty: computed (needs a pseudo-header)
  std::uint16_t urgent_pointer = 0;
  ipv4::options_buffer options{};             ///< the options area, padding included

  constexpr std::size_t header_length() const noexcept {
    return ipv4::detail::header_length_of(data_offset, options.size());
  }
  friend constexpr bool operator==(const header&, const header&) noexcept = default;
};

constexpr result<header> decode(bytes data, parse_options opts = {}) noexcept {
  auto v = parse(data, opts);
  if (!v) return v.error();
  if (v->cut_short()) return make_error(errc::truncated, data.size(), "tcp: the header is cut short");
  header h;
  h.source_port = v->source_port();
  h.destination_port = v->destination_port();
  h.sequence = v->sequence();
  h.acknowledgment = v->acknowledgment();
  h.data_offset = v->data_offset();
  h.flags = v->flags();
  h.window = v->window();
  h.checksum = v->checksum();
  h.urgent_pointer = v->urgent_pointer();
  h.options = ipv4::options_buffer::from(v->options_area()).value();
  return h;
}

constexpr std::size_t encoded_size(const header& h, std::size_t payload_size = 0) noexcept {
  return h.header_length() + payload_size;
}

namespace detail {
template <class P>
constexpr result<std::size_t> encode(const header& h, bytes payload, mutable_bytes out, const P* pseudo) noexcept {
  const std::size_t hlen = h.header_length();
  if (h.data_offset && (*h.data_offset > 15 || hlen < min_header_size + h.options.size()))
    return make_error(errc::invalid_argument, 12, "tcp: data offset {} cannot hold the header and its options",
                      *h.data_offset);
  if (h.flags > 0x0fff) return make_error(errc::invalid_argument, 12, "tcp: flags {} do not fit 12 bits", h.flags);
  const std::size_t n = hlen + payload.size();
  if (out.size() < n) return make_error(errc::buffer_too_small, 0, "tcp: the segment needs {} bytes", n, out.size());
  store_be16(out.data(), h.source_port);
  store_be16(out.data() + 2, h.destination_port);
  store_be32(out.data() + 4, h.sequence);
  store_be32(out.data() + 8, h.acknowledgment);
  store_be16(out.data() + 12, static_cast<std::uint16_t>((hlen / 4) << 12 | h.flags));
  store_be16(out.data() + 14, h.window);
  store_be16(out.data() + 16, 0);
  store_be16(out.data() + 18, h.urgent_pointer);
  for (std::size_t i = 0; i < hlen - min_header_size; ++i) out[20 + i] = i < h.options.size() ? h.options.storage[i] : 0;
  for (std::size_t i = 0; i < payload.size(); ++i) out[hlen + i] = payload[i];
  std::uint16_t c = 0;
  if (h.checksum) {
    c = *h.checksum;
  } else if constexpr (pseudo_header<P>) {
    c = wirespan::detail::transport_checksum(*pseudo, bytes(out.data(), n), 16);
  }
  store_be16(out.data() + 16, c);
  return n;
}
}  // namespace detail

/// Write header and payload; the checksum is `h.checksum` (or 0).
constexpr result<std::size_t> encode(const header& h, bytes payload, mutable_bytes out) noexcept {
  return detail::encode<void>(h, payload, out, nullptr);
}
/// Write header and payload, the checksum computed over `pseudo` unless `h.checksum` is set.
template <pseudo_header P>
constexpr result<std::size_t> encode(const header& h, bytes payload, mutable_bytes out, const P& pseudo) noexcept {
  return detail::encode(h, payload, out, &pseudo);
}

}  // namespace wirespan::tcp
