// wirespan/ip/icmp.hpp — ICMP for IPv4 (RFC 792, 950, 1191, 4884).
//
//  - `icmp::view<B>`: `parse()` checks the length each known type needs and the checksum
//    (over the whole message); accessors for every field of every type: identifier and
//    sequence (echo, timestamp, information, address mask), next-hop MTU (RFC 1191),
//    gateway (redirect), pointer (parameter problem), the RFC 4884 length, the three
//    timestamps, the address mask. Error messages expose the quoted datagram as a lax
//    IPv4 view (`quoted()`) and its first 8 payload bytes (`quoted_transport()`).
//  - `icmp::message`: the lossless value type (type, code, checksum, the 4 bytes after
//    the checksum, the body); unknown types round-trip through it.
//  - Typed values that build messages: `icmp::echo{.id, .sequence, .payload}`,
//    `destination_unreachable`, `time_exceeded`, `redirect`, `parameter_problem`,
//    `source_quench`, `timestamp`, `information`, `address_mask`; each encodes with the
//    checksum filled in.
//
// ```cpp
// std::array<std::uint8_t, 64> buf;
// auto n = wirespan::icmp::encode(wirespan::icmp::echo{.id = 1234, .sequence = 1, .payload = data}, buf);
// ```
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "../core/bytes.hpp"
#include "../core/checksum.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "ipv4.hpp"
#include "ipv4_address.hpp"

namespace wirespan::icmp {

namespace type {
inline constexpr std::uint8_t echo_reply = 0;
inline constexpr std::uint8_t destination_unreachable = 3;
inline constexpr std::uint8_t source_quench = 4;
inline constexpr std::uint8_t redirect = 5;
inline constexpr std::uint8_t echo_request = 8;
inline constexpr std::uint8_t router_advertisement = 9;
inline constexpr std::uint8_t router_solicitation = 10;
inline constexpr std::uint8_t time_exceeded = 11;
inline constexpr std::uint8_t parameter_problem = 12;
inline constexpr std::uint8_t timestamp_request = 13;
inline constexpr std::uint8_t timestamp_reply = 14;
inline constexpr std::uint8_t information_request = 15;
inline constexpr std::uint8_t information_reply = 16;
inline constexpr std::uint8_t address_mask_request = 17;
inline constexpr std::uint8_t address_mask_reply = 18;
}  // namespace type

/// Destination unreachable codes (RFC 792, 1122, 1812).
namespace unreachable {
inline constexpr std::uint8_t net = 0;
inline constexpr std::uint8_t host = 1;
inline constexpr std::uint8_t protocol = 2;
inline constexpr std::uint8_t port = 3;
inline constexpr std::uint8_t fragmentation_needed = 4;
inline constexpr std::uint8_t source_route_failed = 5;
inline constexpr std::uint8_t net_unknown = 6;
inline constexpr std::uint8_t host_unknown = 7;
inline constexpr std::uint8_t source_host_isolated = 8;
inline constexpr std::uint8_t net_prohibited = 9;
inline constexpr std::uint8_t host_prohibited = 10;
inline constexpr std::uint8_t net_tos = 11;
inline constexpr std::uint8_t host_tos = 12;
inline constexpr std::uint8_t communication_prohibited = 13;
inline constexpr std::uint8_t host_precedence_violation = 14;
inline constexpr std::uint8_t precedence_cutoff = 15;
}  // namespace unreachable

inline constexpr std::size_t header_size = 8;

/// True for the types that quote the datagram that caused them.
constexpr bool is_error(std::uint8_t t) noexcept {
  return t == type::destination_unreachable || t == type::source_quench || t == type::redirect ||
         t == type::time_exceeded || t == type::parameter_problem;
}
/// True for the types with an identifier and a sequence number.
constexpr bool has_id_and_sequence(std::uint8_t t) noexcept {
  return t == type::echo_reply || t == type::echo_request || (t >= type::timestamp_request && t <= type::address_mask_reply);
}
/// The least length of a message of type `t` (8 for types this library does not know).
constexpr std::size_t min_size(std::uint8_t t) noexcept {
  switch (t) {
    case type::timestamp_request:
    case type::timestamp_reply: return 20;
    case type::address_mask_request:
    case type::address_mask_reply: return 12;
    default: return header_size;
  }
}
/// A short name for a type ("echo request", ...), or nullptr.
constexpr const char* type_name(std::uint8_t t) noexcept {
  switch (t) {
    case type::echo_reply: return "echo reply";
    case type::destination_unreachable: return "destination unreachable";
    case type::source_quench: return "source quench";
    case type::redirect: return "redirect";
    case type::echo_request: return "echo request";
    case type::router_advertisement: return "router advertisement";
    case type::router_solicitation: return "router solicitation";
    case type::time_exceeded: return "time exceeded";
    case type::parameter_problem: return "parameter problem";
    case type::timestamp_request: return "timestamp request";
    case type::timestamp_reply: return "timestamp reply";
    case type::information_request: return "information request";
    case type::information_reply: return "information reply";
    case type::address_mask_request: return "address mask request";
    case type::address_mask_reply: return "address mask reply";
    default: return nullptr;
  }
}

struct parse_options {
  ipv4::checksum_policy checksum = ipv4::checksum_policy::verify;
};

/// A validated ICMP message. `B` is `bytes` or `mutable_bytes`.
template <byte_view B = bytes>
class view {
 public:
  static constexpr bool is_mutable = std::same_as<B, mutable_bytes>;

  constexpr view() noexcept = default;

  /// Errors: truncated (shorter than 8 bytes, or than the type needs: 20 for timestamps,
  /// 12 for address masks); bad_checksum (over the whole message).
  static constexpr result<view> parse(B data, parse_options opts = {}) noexcept {
    if (data.size() < 4)
      return make_error(errc::truncated, data.size(), "icmp: {} bytes missing from the type, code and checksum",
                        4 - data.size());
    const std::size_t need = min_size(data[0]);
    if (data.size() < need)
      return make_error(errc::truncated, data.size(), "icmp: {} bytes missing from a message of this type ({} bytes)",
                        need - data.size(), need);
    if (opts.checksum == ipv4::checksum_policy::verify && !checksum::verify(data))
      return make_error(errc::bad_checksum, 2, "icmp: checksum {} does not verify", load_be16(data.data() + 2));
    view v;
    v.data_ = data;
    return v;
  }

  constexpr std::uint8_t type() const noexcept { return data_[0]; }
  constexpr std::uint8_t code() const noexcept { return data_[1]; }
  constexpr std::uint16_t checksum() const noexcept { return load_be16(data_.data() + 2); }
  /// The 4 bytes after the checksum as a number (0 when the message has fewer than 8 bytes).
  constexpr std::uint32_t rest_of_header() const noexcept { return data_.size() >= 8 ? load_be32(data_.data() + 4) : 0; }
  constexpr bool checksum_ok() const noexcept { return checksum::verify(data_); }
  constexpr std::uint16_t computed_checksum() const noexcept {
    return checksum::accumulator{}.add(data_.first(2)).add(data_.subspan(4)).finish();
  }

  // Echo, timestamp, information, address mask.
  constexpr std::uint16_t identifier() const noexcept { return data_.size() >= 8 ? load_be16(data_.data() + 4) : 0; }
  constexpr std::uint16_t sequence() const noexcept { return data_.size() >= 8 ? load_be16(data_.data() + 6) : 0; }
  // Destination unreachable, code 4 (RFC 1191).
  constexpr std::uint16_t next_hop_mtu() const noexcept { return data_.size() >= 8 ? load_be16(data_.data() + 6) : 0; }
  // Redirect.
  constexpr ipv4::address gateway() const noexcept {
    return data_.size() >= 8 ? ipv4::address{{data_[4], data_[5], data_[6], data_[7]}} : ipv4::address{};
  }
  // Parameter problem.
  constexpr std::uint8_t pointer() const noexcept { return data_.size() >= 8 ? data_[4] : 0; }
  /// RFC 4884 length of the original datagram, in 32-bit words (unreachable, time
  /// exceeded, parameter problem); 0 when the sender does not use RFC 4884.
  constexpr std::uint8_t original_length() const noexcept {
    const bool rfc4884 = type() == type::destination_unreachable || type() == type::time_exceeded ||
                         type() == type::parameter_problem;
    return rfc4884 && data_.size() >= 8 ? data_[5] : std::uint8_t{0};
  }
  // Timestamp request/reply.
  constexpr std::uint32_t originate_timestamp() const noexcept { return load_be32(data_.data() + 8); }
  constexpr std::uint32_t receive_timestamp() const noexcept { return load_be32(data_.data() + 12); }
  constexpr std::uint32_t transmit_timestamp() const noexcept { return load_be32(data_.data() + 16); }
  // Address mask request/reply.
  constexpr ipv4::address address_mask() const noexcept {
    return ipv4::address{{data_[8], data_[9], data_[10], data_[11]}};
  }

  /// Everything after the 8-byte header (echo data; the quoted datagram of an error).
  constexpr B body() const noexcept { return data_.size() >= 8 ? data_.subspan(8) : data_.subspan(data_.size()); }
  /// Echo data (same as `body()`).
  constexpr B payload() const noexcept { return body(); }
  /// The whole message.
  constexpr B data() const noexcept { return data_; }

  /// The original datagram of an error message: the body, or with RFC 4884 the part the
  /// length field gives (the extension structure after it is left out).
  constexpr bytes original_datagram() const noexcept {
    bytes b = body();
    const std::size_t len = std::size_t{original_length()} * 4;
    if (len != 0 && len <= b.size()) return b.first(len);
    return b;
  }
  /// The quoted datagram of an error message as a lax IPv4 view (it may be cut short;
  /// its checksum is not checked). An error if it is not an IPv4 header.
  constexpr result<ipv4::view<bytes>> quoted() const noexcept {
    if (!is_error(type())) return make_error(errc::invalid_argument, 0, "icmp: type {} quotes no datagram", type());
    auto v = ipv4::view<bytes>::parse(original_datagram(), {ipv4::parse_mode::quoted, ipv4::checksum_policy::ignore});
    if (!v) {
      error e = v.error();
      e.offset += 8;
      return e;
    }
    return v;
  }
  /// The first (up to) 8 payload bytes of the quoted datagram: the ports of UDP and TCP.
  constexpr bytes quoted_transport() const noexcept {
    auto q = quoted();
    if (!q) return {};
    bytes p = q->payload();
    return p.first(p.size() < 8 ? p.size() : 8);
  }

  // Setters (mutable views).
  constexpr void set_checksum_no_update(std::uint16_t value) noexcept requires is_mutable {
    store_be16(data_.data() + 2, value);
  }
  constexpr void update_checksum() noexcept requires is_mutable { set_checksum_no_update(computed_checksum()); }
  constexpr void set_identifier(std::uint16_t id) noexcept requires is_mutable { set_word(4, id); }
  constexpr void set_sequence(std::uint16_t seq) noexcept requires is_mutable { set_word(6, seq); }

 private:
  constexpr void set_word(std::size_t at, std::uint16_t value) noexcept {
    const std::uint16_t old = load_be16(data_.data() + at);
    store_be16(data_.data() + at, value);
    store_be16(data_.data() + 2, checksum::update16(checksum(), old, value));
  }
  B data_{};
};

view(bytes) -> view<bytes>;
view(mutable_bytes) -> view<mutable_bytes>;

constexpr result<view<bytes>> parse(bytes data, parse_options opts = {}) noexcept { return view<bytes>::parse(data, opts); }

// ---- value types -----------------------------------------------------------------------

/// Any ICMP message, losslessly: decode then encode gives the same bytes.
struct message {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::optional<std::uint16_t> checksum{};  ///< empty: computed by encode
  std::uint32_t rest_of_header = 0;         ///< the 4 bytes after the checksum
  bytes body{};                             ///< everything after the 8-byte header
};

constexpr std::size_t encoded_size(const message& m) noexcept { return header_size + m.body.size(); }

constexpr result<std::size_t> encode(const message& m, mutable_bytes out) noexcept {
  const std::size_t n = encoded_size(m);
  if (out.size() < n) return make_error(errc::buffer_too_small, 0, "icmp: the message needs {} bytes", n, out.size());
  out[0] = m.type;
  out[1] = m.code;
  store_be16(out.data() + 2, 0);
  store_be32(out.data() + 4, m.rest_of_header);
  for (std::size_t i = 0; i < m.body.size(); ++i) out[8 + i] = m.body[i];
  store_be16(out.data() + 2, m.checksum ? *m.checksum : internet_checksum(bytes(out.data(), n)));
  return n;
}

/// Decode any message of at least 8 bytes (the body is a view into `data`).
constexpr result<message> decode(bytes data, parse_options opts = {}) noexcept {
  if (data.size() < header_size)
    return make_error(errc::truncated, data.size(), "icmp: {} bytes missing from the 8-byte header", header_size - data.size());
  auto v = parse(data, opts);
  if (!v) return v.error();
  return message{v->type(), v->code(), v->checksum(), v->rest_of_header(), v->body()};
}

/// Echo request (or reply, with `reply = true`).
struct echo {
  std::uint16_t id = 0;
  std::uint16_t sequence = 0;
  bytes payload{};
  bool reply = false;

  constexpr message to_message() const noexcept {
    return message{reply ? type::echo_reply : type::echo_request, 0, {},
                   std::uint32_t{id} << 16 | sequence, payload};
  }
};

/// Destination unreachable; `mtu` is the next-hop MTU for code 4 (RFC 1191).
struct destination_unreachable {
  std::uint8_t code = unreachable::port;
  std::uint16_t mtu = 0;
  bytes original{};  ///< the datagram that caused it (header + at least 8 bytes)

  constexpr message to_message() const noexcept { return message{type::destination_unreachable, code, {}, mtu, original}; }
};

struct time_exceeded {
  std::uint8_t code = 0;  ///< 0: TTL exceeded in transit; 1: fragment reassembly time exceeded
  bytes original{};

  constexpr message to_message() const noexcept { return message{type::time_exceeded, code, {}, 0, original}; }
};

struct source_quench {
  bytes original{};
  constexpr message to_message() const noexcept { return message{type::source_quench, 0, {}, 0, original}; }
};

struct redirect {
  std::uint8_t code = 1;  ///< 0 network, 1 host, 2 TOS and network, 3 TOS and host
  ipv4::address gateway{};
  bytes original{};

  constexpr message to_message() const noexcept { return message{type::redirect, code, {}, gateway.to_u32(), original}; }
};

struct parameter_problem {
  std::uint8_t code = 0;
  std::uint8_t pointer = 0;
  bytes original{};

  constexpr message to_message() const noexcept {
    return message{type::parameter_problem, code, {}, std::uint32_t{pointer} << 24, original};
  }
};

/// Timestamp request (or reply): originate, receive and transmit timestamps.
struct timestamp {
  std::uint16_t id = 0;
  std::uint16_t sequence = 0;
  std::uint32_t originate = 0;
  std::uint32_t receive = 0;
  std::uint32_t transmit = 0;
  bool reply = false;
};

/// Information request (or reply).
struct information {
  std::uint16_t id = 0;
  std::uint16_t sequence = 0;
  bool reply = false;

  constexpr message to_message() const noexcept {
    return message{reply ? type::information_reply : type::information_request, 0, {},
                   std::uint32_t{id} << 16 | sequence, {}};
  }
};

/// Address mask request (or reply).
struct address_mask {
  std::uint16_t id = 0;
  std::uint16_t sequence = 0;
  ipv4::address mask{};
  bool reply = false;
};

/// Encode any typed value that converts to a `message`.
template <class T>
  requires requires(const T& t) {
    { t.to_message() } -> std::same_as<message>;
  }
constexpr std::size_t encoded_size(const T& value) noexcept {
  return encoded_size(value.to_message());
}
template <class T>
  requires requires(const T& t) {
    { t.to_message() } -> std::same_as<message>;
  }
constexpr result<std::size_t> encode(const T& value, mutable_bytes out) noexcept {
  return encode(value.to_message(), out);
}

constexpr std::size_t encoded_size(const timestamp&) noexcept { return 20; }
constexpr result<std::size_t> encode(const timestamp& t, mutable_bytes out) noexcept {
  std::array<std::uint8_t, 12> body{};
  store_be32(body.data(), t.originate);
  store_be32(body.data() + 4, t.receive);
  store_be32(body.data() + 8, t.transmit);
  return encode(message{t.reply ? type::timestamp_reply : type::timestamp_request, 0, {},
                        std::uint32_t{t.id} << 16 | t.sequence, bytes(body)},
                out);
}
constexpr std::size_t encoded_size(const address_mask&) noexcept { return 12; }
constexpr result<std::size_t> encode(const address_mask& m, mutable_bytes out) noexcept {
  const std::array<std::uint8_t, 4> body = m.mask.octets;
  return encode(message{m.reply ? type::address_mask_reply : type::address_mask_request, 0, {},
                        std::uint32_t{m.id} << 16 | m.sequence, bytes(body)},
                out);
}

}  // namespace wirespan::icmp
