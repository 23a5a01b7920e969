// wirespan/ip/icmpv6.hpp — ICMPv6 (RFC 4443): type, code, checksum, echo, and the error
// messages (destination unreachable, packet too big with its MTU, time exceeded,
// parameter problem with its 32-bit pointer), whose quoted packet is a quoted IPv6 view.
//
// The checksum covers an IPv6 pseudo-header, so it is checked with
// `checksum_ok(pseudo)` and filled by `encode(message, out, pseudo)`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "ipv6.hpp"
#include "pseudo_header.hpp"

namespace wirespan::icmpv6 {

namespace type {
inline constexpr std::uint8_t destination_unreachable = 1;
inline constexpr std::uint8_t packet_too_big = 2;
inline constexpr std::uint8_t time_exceeded = 3;
inline constexpr std::uint8_t parameter_problem = 4;
inline constexpr std::uint8_t echo_request = 128;
inline constexpr std::uint8_t echo_reply = 129;
inline constexpr std::uint8_t router_solicitation = 133;
inline constexpr std::uint8_t router_advertisement = 134;
inline constexpr std::uint8_t neighbor_solicitation = 135;
inline constexpr std::uint8_t neighbor_advertisement = 136;
inline constexpr std::uint8_t redirect = 137;
}  // namespace type

inline constexpr std::size_t header_size = 8;

/// Error messages are types 0..127 (RFC 4443 §2.1).
constexpr bool is_error(std::uint8_t t) noexcept { return t < 128; }

constexpr const char* type_name(std::uint8_t t) noexcept {
  switch (t) {
    case type::destination_unreachable: return "destination unreachable";
    case type::packet_too_big: return "packet too big";
    case type::time_exceeded: return "time exceeded";
    case type::parameter_problem: return "parameter problem";
    case type::echo_request: return "echo request";
    case type::echo_reply: return "echo reply";
    case type::router_solicitation: return "router solicitation";
    case type::router_advertisement: return "router advertisement";
    case type::neighbor_solicitation: return "neighbor solicitation";
    case type::neighbor_advertisement: return "neighbor advertisement";
    case type::redirect: return "redirect";
    default: return nullptr;
  }
}

template <byte_view B = bytes>
class view {
 public:
  static constexpr bool is_mutable = std::same_as<B, mutable_bytes>;
  constexpr view() noexcept = default;

  /// Errors: truncated (< 4 bytes; < 8 for echo and the error messages).
  static constexpr result<view> parse(B data) noexcept {
    if (data.size() < 4)
      return make_error(errc::truncated, data.size(), "icmpv6: {} bytes missing from type, code and checksum",
                        4 - data.size());
    const bool needs8 = is_error(data[0]) || data[0] == type::echo_request || data[0] == type::echo_reply;
    if (needs8 && data.size() < header_size)
      return make_error(errc::truncated, data.size(), "icmpv6: {} bytes missing from the 8-byte header",
                        header_size - data.size());
    view v;
    v.data_ = data;
    return v;
  }

  constexpr std::uint8_t type() const noexcept { return data_[0]; }
  constexpr std::uint8_t code() const noexcept { return data_[1]; }
  constexpr std::uint16_t checksum() const noexcept { return load_be16(data_.data() + 2); }
  constexpr std::uint32_t rest_of_header() const noexcept { return data_.size() >= 8 ? load_be32(data_.data() + 4) : 0; }
  constexpr std::uint16_t identifier() const noexcept { return data_.size() >= 8 ? load_be16(data_.data() + 4) : 0; }
  constexpr std::uint16_t sequence() const noexcept { return data_.size() >= 8 ? load_be16(data_.data() + 6) : 0; }
  /// Packet too big: the MTU.
  constexpr std::uint32_t mtu() const noexcept { return rest_of_header(); }
  /// Parameter problem: the pointer.
  constexpr std::uint32_t pointer() const noexcept { return rest_of_header(); }
  constexpr B body() const noexcept { return data_.size() >= 8 ? data_.subspan(8) : data_.subspan(data_.size()); }
  constexpr B data() const noexcept { return data_; }

  template <pseudo_header P>
  constexpr bool checksum_ok(const P& pseudo) const noexcept {
    return wirespan::detail::transport_checksum_ok(pseudo, bytes(data_));
  }
  template <pseudo_header P>
  constexpr std::uint16_t computed_checksum(const P& pseudo) const noexcept {
    return wirespan::detail::transport_checksum(pseudo, bytes(data_), 2);
  }
  /// The packet quoted by an error message, as a quoted (possibly cut short) IPv6 view.
  constexpr result<ipv6::view<bytes>> quoted() const noexcept {
    if (!is_error(type())) return make_error(errc::invalid_argument, 0, "icmpv6: type {} quotes no packet", type());
    auto v = ipv6::view<bytes>::parse(body(), {ipv6::parse_mode::quoted});
    if (!v) {
      error e = v.error();
      e.offset += 8;
      return e;
    }
    return v;
  }

 private:
  B data_{};
};

view(bytes) -> view<bytes>;
view(mutable_bytes) -> view<mutable_bytes>;

constexpr result<view<bytes>> parse(bytes data) noexcept { return view<bytes>::parse(data); }

/// Any ICMPv6 message, losslessly.
struct message {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::optional<std::uint16_t> checksum{};
  std::uint32_t rest_of_header = 0;
  bytes body{};
};

/// An echo request (or reply).
struct echo {
  std::uint16_t id = 0;
  std::uint16_t sequence = 0;
  bytes payload{};
  bool reply = false;
  constexpr message to_message() const noexcept {
    return message{reply ? type::echo_reply : type::echo_request, 0, {}, std::uint32_t{id} << 16 | sequence, payload};
  }
};

constexpr result<message> decode(bytes data) noexcept {
  if (data.size() < header_size)
    return make_error(errc::truncated, data.size(), "icmpv6: {} bytes missing from the 8-byte header",
                      header_size - data.size());
  auto v = parse(data);
  if (!v) return v.error();
  return message{v->type(), v->code(), v->checksum(), v->rest_of_header(), v->body()};
}

constexpr std::size_t encoded_size(const message& m) noexcept { return header_size + m.body.size(); }

/// Write the message, the checksum computed over `pseudo` unless `m.checksum` is set.
template <pseudo_header P>
constexpr result<std::size_t> encode(const message& m, mutable_bytes out, const P& pseudo) noexcept {
  const std::size_t n = encoded_size(m);
  if (out.size() < n) return make_error(errc::buffer_too_small, 0, "icmpv6: the message needs {} bytes", n, out.size());
  out[0] = m.type;
  out[1] = m.code;
  store_be16(out.data() + 2, 0);
  store_be32(out.data() + 4, m.rest_of_header);
  for (std::size_t i = 0; i < m.body.size(); ++i) out[8 + i] = m.body[i];
  store_be16(out.data() + 2,
             m.checksum ? *m.checksum : wirespan::detail::transport_checksum(pseudo, bytes(out.data(), n), 2));
  return n;
}
template <pseudo_header P>
constexpr result<std::size_t> encode(const echo& e, mutable_bytes out, const P& pseudo) noexcept {
  return encode(e.to_message(), out, pseudo);
}

}  // namespace wirespan::icmpv6
