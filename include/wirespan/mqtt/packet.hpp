// wirespan/mqtt/packet.hpp — what every MQTT control packet shares: the fixed header,
// the Variable Byte Integer, and stream framing (MQTT 3.1.1 §2, MQTT 5.0 §1.5.5, §2.1).
//
// A packet is a first byte (type in the high four bits, flags in the low four), the
// Remaining Length as a Variable Byte Integer (1 to 4 bytes, 7 bits each, least
// significant group first, at most 268,435,455), then that many bytes. Each type
// requires fixed flags (PUBREL, SUBSCRIBE, UNSUBSCRIBE: 0b0010; PUBLISH: DUP, QoS
// (never 3), RETAIN; all others 0), and AUTH exists in 5.0 only. Strict parsing also
// rejects a Remaining Length that is not minimally encoded (`80 00` for 0).
//
// `frame_size(bytes, max)` is for reading from a stream: the size of the next whole
// packet, or `errc::incomplete` with how many bytes are still missing at least; a
// packet longer than `max` is `limit_exceeded` as soon as its length is read, before
// anything waits for (or allocates) its bytes.
//
// ```cpp
// auto n = wirespan::mqtt::frame_size(buffer, 1 << 20);
// if (n) handle(buffer.first(*n));
// else if (n.error() == wirespan::errc::incomplete) read_more(n.error().value);
// ```
#pragma once

#include <cstddef>
#include <cstdint>

#include "../core/bytes.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"

namespace wirespan::mqtt {

/// The protocol level of CONNECT (3.1 is "MQIsdp" level 3).
enum class protocol_version : std::uint8_t { v3_1 = 3, v3_1_1 = 4, v5 = 5 };

/// The control packet types (MQTT 5.0 §2.1.2).
enum class packet_type : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
  auth = 15,  ///< 5.0 only
};

/// The name of a packet type as the specification writes it ("CONNECT").
constexpr const char* to_string(packet_type t) noexcept {
  switch (t) {
    case packet_type::connect: return "CONNECT";
    case packet_type::connack: return "CONNACK";
    case packet_type::publish: return "PUBLISH";
    case packet_type::puback: return "PUBACK";
    case packet_type::pubrec: return "PUBREC";
    case packet_type::pubrel: return "PUBREL";
    case packet_type::pubcomp: return "PUBCOMP";
    case packet_type::subscribe: return "SUBSCRIBE";
    case packet_type::suback: return "SUBACK";
    case packet_type::unsubscribe: return "UNSUBSCRIBE";
    case packet_type::unsuback: return "UNSUBACK";
    case packet_type::pingreq: return "PINGREQ";
    case packet_type::pingresp: return "PINGRESP";
    case packet_type::disconnect: return "DISCONNECT";
    case packet_type::auth: return "AUTH";
  }
  return "?";
}

/// The largest Remaining Length (and Variable Byte Integer): 268,435,455.
inline constexpr std::uint32_t max_remaining_length = 268'435'455;
/// The longest packet: a first byte, 4 length bytes, the largest Remaining Length.
inline constexpr std::size_t max_packet_size = 1 + 4 + max_remaining_length;

/// Strict: what the specification requires. Lax: what real traffic needs on top (a
/// non-minimal Remaining Length; the bridge bit of mosquitto's bridges in CONNECT).
enum class parse_mode : std::uint8_t { strict, lax };

/// How many bytes the Variable Byte Integer of `v` takes (1..4; v <= 268,435,455).
constexpr std::size_t varint_size(std::uint32_t v) noexcept {
  return v < 128 ? 1 : v < 16'384 ? 2 : v < 2'097'152 ? 3 : 4;
}

/// A decoded Variable Byte Integer and how many bytes it took.
struct varint {
  std::uint32_t value = 0;
  std::uint8_t size = 0;
};

/// Decode a Variable Byte Integer at the front of `in`. Errors: truncated (the input
/// ends inside it; value: bytes missing, at least 1), malformed (a fifth byte would
/// follow), non_canonical (strict: longer than needed). `base` is added to offsets.
constexpr result<varint> decode_varint(bytes in, parse_mode mode = parse_mode::strict, std::size_t base = 0) noexcept {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i >= in.size()) {
      return make_error(errc::truncated, base + in.size(), "mqtt: the input ends inside a variable byte integer", 1);
    }
    const std::uint8_t b = in[i];
    v |= static_cast<std::uint32_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (mode == parse_mode::strict && i > 0 && b == 0) {
        return make_error(errc::non_canonical, base, "mqtt: variable byte integer {} not minimally encoded", v);
      }
      return varint{v, static_cast<std::uint8_t>(i + 1)};
    }
  }
  return make_error(errc::malformed, base + 4, "mqtt: variable byte integer longer than 4 bytes");
}

/// Write the Variable Byte Integer of `v` at `out` (room for varint_size(v) bytes) and
/// return its size.
constexpr std::size_t write_varint(std::uint8_t* out, std::uint32_t v) noexcept {
  std::size_t n = 0;
  do {
    std::uint8_t b = static_cast<std::uint8_t>(v & 0x7f);
    v >>= 7;
    if (v != 0) b |= 0x80;
    out[n++] = b;
  } while (v != 0 && n < 4);
  return n;
}

/// Write `v` as a Variable Byte Integer of exactly `size` bytes (1..4; at least
/// varint_size(v)), with continuation bytes of 0 where it is longer than it needs: the
/// non-minimal forms lax parsing accepts.
constexpr std::size_t write_varint_padded(std::uint8_t* out, std::uint32_t v, std::size_t size) noexcept {
  for (std::size_t i = 0; i < size; ++i) {
    std::uint8_t b = static_cast<std::uint8_t>(v & 0x7f);
    v >>= 7;
    if (i + 1 < size) b |= 0x80;
    out[i] = b;
  }
  return size;
}

/// The fixed header of a packet.
struct fixed_header {
  packet_type type = packet_type::connect;
  std::uint8_t flags = 0;                 ///< the low four bits of the first byte
  std::uint32_t remaining_length = 0;
  std::uint8_t length_size = 1;           ///< bytes of the Remaining Length (1..4)

  /// Bytes of the whole packet: the header and the Remaining Length after it.
  constexpr std::size_t packet_size() const noexcept { return 1 + std::size_t{length_size} + remaining_length; }
  constexpr std::size_t header_size() const noexcept { return 1 + std::size_t{length_size}; }
};

/// The flags a packet type requires (PUBLISH: any but QoS 3, checked separately).
constexpr std::uint8_t required_flags(packet_type t) noexcept {
  return t == packet_type::pubrel || t == packet_type::subscribe || t == packet_type::unsubscribe ? 2 : 0;
}

/// Check a first byte: the type exists (AUTH: 5.0 only; `v5` false rejects it) and its
/// flags are those the type requires. `base`: its offset.
constexpr result<void> check_first_byte(std::uint8_t first, bool v5 = true, std::size_t base = 0) noexcept {
  const std::uint8_t type = first >> 4;
  const std::uint8_t flags = first & 0x0f;
  if (type == 0) return make_error(errc::malformed, base, "mqtt: packet type 0 is reserved");
  if (type == 15 && !v5) return make_error(errc::malformed, base, "mqtt: AUTH (packet type 15) is MQTT 5.0 only");
  const auto t = static_cast<packet_type>(type);
  if (t == packet_type::publish) {
    if ((flags & 0x06) == 0x06) return make_error(errc::malformed, base, "mqtt: PUBLISH with QoS 3");
    return {};
  }
  if (flags != required_flags(t)) {
    return make_error(errc::reserved_set, base, "mqtt: fixed header flags {} not allowed for this packet type (must be {})",
                      flags, required_flags(t));
  }
  return {};
}

/// Parse the fixed header at the front of `in` (the packet's bytes need not follow).
/// Errors: truncated (value: bytes missing), those of check_first_byte and decode_varint.
constexpr result<fixed_header> parse_fixed_header(bytes in, parse_mode mode = parse_mode::strict, bool v5 = true) noexcept {
  if (in.empty()) return make_error(errc::truncated, 0, "mqtt: no fixed header", 2);
  auto ok = check_first_byte(in[0], v5);
  if (!ok) return ok.error();
  auto len = decode_varint(in.subspan(1), mode, 1);
  if (!len) return len.error();
  fixed_header h;
  h.type = static_cast<packet_type>(in[0] >> 4);
  h.flags = in[0] & 0x0f;
  h.remaining_length = len->value;
  h.length_size = len->size;
  return h;
}

/// The size of the next whole packet at the front of `in`, checking its fixed header.
/// Errors: incomplete (value: at least that many more bytes are needed), limit_exceeded
/// (the packet would be longer than `max_size`; value: its size), and the fixed header's.
constexpr result<std::size_t> frame_size(bytes in, std::size_t max_size = max_packet_size,
                                         parse_mode mode = parse_mode::strict, bool v5 = true) noexcept {
  if (in.empty()) return make_error(errc::incomplete, 0, "mqtt: {} more bytes needed for a fixed header", 2);
  auto h = parse_fixed_header(in, mode, v5);
  if (!h) {
    error e = h.error();
    if (e.code == errc::truncated) e.code = errc::incomplete;
    return e;
  }
  const std::size_t size = h->packet_size();
  if (size > max_size) {
    return make_error(errc::limit_exceeded, 1, "mqtt: packet of {} bytes longer than the maximum {}", size, max_size);
  }
  if (in.size() < size) {
    return make_error(errc::incomplete, in.size(), "mqtt: {} more bytes needed for the packet", size - in.size());
  }
  return size;
}

}  // namespace wirespan::mqtt
