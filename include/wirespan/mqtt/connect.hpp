// wirespan/mqtt/connect.hpp — the CONNECT packet of MQTT 3.1, 3.1.1 and 5.0 (3.1.1 §3.1,
// 5.0 §3.1; 3.1: IBM's MQ Telemetry Transport V3.1 §3.1).
//
// `decode_connect(packet)` takes exactly one packet (frame_size cuts it from a stream)
// and checks every rule of its version: the fixed header (flags 0, the Remaining Length
// the packet's size, at most `max_packet_size`); protocol name and level as a pair
// ("MQIsdp" 3, "MQTT" 4, "MQTT" 5; lax: any pairing, and mosquitto's bridge bit 0x80 in
// the level); the connect flags (reserved bit 0, will QoS not 3, will QoS and retain 0
// without a will, in 3.x a password only with a username); MQTT 5 properties (the
// CONNECT set, and the will set: see properties.hpp); the payload in order: client
// identifier (3.1: 1 to 23 characters; 3.1.1: empty only with a clean session; 5.0: empty
// allowed), will properties, will topic (a topic name), will payload, user name,
// password; strings checked as text.hpp says; and nothing after the last field.
//
// Strings and binary data in the value are views into the packet. `encode` writes what
// `decode_connect` read byte for byte (properties in their order); `encoded_size` says
// how much room it needs.
//
// A rejection is an `error` with the offset and the rule; `connack_code(error, version)`
// says what a broker answers it with: a CONNACK return code (3.x) or reason code (5.0),
// or nothing (close the connection without a CONNACK, as 3.x requires for a malformed
// packet). The codec never decides to send it.
//
// ```cpp
// wirespan::mqtt::connect c;
// c.client_id = "sensor-device-001";
// std::uint8_t buf[64];
// auto n = wirespan::mqtt::encode(c, buf);          // 31 bytes: 10 1d 00 04 4d 51 54 54 ...
// auto back = wirespan::mqtt::decode_connect(wirespan::bytes(buf, *n));
// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "packet.hpp"
#include "properties.hpp"
#include "text.hpp"

namespace wirespan::mqtt {

/// The will message of a CONNECT.
struct will_message {
  property_list properties{};  ///< 5.0: the will properties
  string_ref topic{};
  string_ref payload{};  ///< binary data
  std::uint8_t qos = 0;
  bool retain = false;
};

/// A CONNECT packet.
struct connect {
  protocol_version version = protocol_version::v3_1_1;
  /// The protocol name, when it is not the version's ("MQIsdp" for 3.1, else "MQTT"):
  /// decoding sets it only in lax mode; encoding writes it as given.
  std::optional<string_ref> protocol_name{};
  bool bridge = false;       ///< the level's bit 0x80 (mosquitto bridges; lax mode only)
  bool clean_start = true;   ///< Clean Session (3.x), Clean Start (5.0)
  std::uint16_t keep_alive = 60;  ///< seconds (0: no keep alive)
  property_list properties{};     ///< 5.0
  string_ref client_id{};
  std::optional<will_message> will{};
  std::optional<string_ref> username{};
  std::optional<string_ref> password{};  ///< binary data
  /// The bytes of the Remaining Length, when it is not minimally encoded (lax decoding
  /// sets it; encoding writes exactly that many).
  std::optional<std::uint8_t> length_size{};
};

/// Decoding settings.
struct connect_options {
  parse_mode mode = parse_mode::strict;
  /// The longest packet accepted (checked before anything else is read).
  std::size_t max_packet_size = mqtt::max_packet_size;
};

namespace detail {
inline constexpr char not_connect[] = "mqtt: not a CONNECT packet (type {})";
inline constexpr char connect_too_large[] = "mqtt: CONNECT of {} bytes longer than the maximum {}";
inline constexpr char connect_truncated[] = "mqtt: CONNECT cut short: {} bytes missing";
inline constexpr char connect_trailing[] = "mqtt: {} bytes after the CONNECT packet";
inline constexpr char field_past_end[] = "mqtt: CONNECT field runs past the Remaining Length";
inline constexpr char bad_protocol_name[] = "mqtt: protocol name is neither \"MQTT\" nor \"MQIsdp\"";
inline constexpr char bad_protocol_level[] = "mqtt: protocol level {} is not 3, 4 or 5";
inline constexpr char name_level_mismatch[] = "mqtt: protocol name does not go with protocol level {}";
inline constexpr char bridge_bit[] = "mqtt: protocol level with the bridge bit (0x80) in strict mode";
inline constexpr char reserved_flag[] = "mqtt: reserved connect flag (bit 0) set";
inline constexpr char will_qos_3[] = "mqtt: will QoS 3";
inline constexpr char will_flags_without_will[] = "mqtt: will QoS or will retain set without the will flag";
inline constexpr char password_without_username[] = "mqtt: password flag without the user name flag (MQTT 3.x)";
inline constexpr char client_id_length_3_1[] = "mqtt: client identifier of {} bytes (MQTT 3.1: 1 to 23)";
inline constexpr char empty_client_id[] = "mqtt: empty client identifier without a clean session (MQTT 3.1.1)";
inline constexpr char will_not_utf8[] = "mqtt: will payload is not UTF-8, as its payload format indicator says";
inline constexpr char connect_after_fields[] = "mqtt: {} bytes after the last field of CONNECT";

struct connack_rule {
  const char* what;
  std::uint8_t v3;  // 0: close without CONNACK
  std::uint8_t v5;
};
inline constexpr connack_rule connack_rules[] = {
    {connect_too_large, 0, 0x95},
    {bad_protocol_name, 0, 0x84},
    {bad_protocol_level, 0x01, 0x84},
    {name_level_mismatch, 0x01, 0x84},
    {bridge_bit, 0x01, 0x84},
    {client_id_length_3_1, 0x02, 0x85},
    {empty_client_id, 0x02, 0x85},
    {will_not_utf8, 0, 0x99},
    {empty_topic_name, 0, 0x90},
    {wildcard_in_topic_name, 0, 0x90},
};

// A length-prefixed string or binary field at `pos` of the body (offsets from `base`).
[[gnu::always_inline]] constexpr result<bytes> read_field(bytes body, std::size_t& pos, std::size_t base) noexcept {
  if (body.size() - pos < 2) return make_error(errc::malformed, base + pos, field_past_end);
  const std::size_t len = load_be16(body.data() + pos);
  if (body.size() - pos - 2 < len) return make_error(errc::malformed, base + pos, field_past_end);
  const bytes f = body.subspan(pos + 2, len);
  pos += 2 + len;
  return f;
}
[[gnu::always_inline]] constexpr result<string_ref> read_text(bytes body, std::size_t& pos, std::size_t base, bool strict) noexcept {
  const std::size_t at = pos;
  auto f = read_field(body, pos, base);
  if (!f) return f.error();
  if (!plain_text(f->data(), f->size(), strict)) {
    auto ok = check_utf8(string_ref(*f), strict, base + at + 2);
    if (!ok) return ok.error();
  }
  return string_ref(*f);
}


constexpr std::string_view standard_name(protocol_version v) noexcept {
  return v == protocol_version::v3_1 ? std::string_view("MQIsdp") : std::string_view("MQTT");
}

}  // namespace detail

/// What a broker answers a CONNECT rejected with `e`: the CONNACK return code (3.x:
/// 0x01 unacceptable protocol version, 0x02 identifier rejected) or reason code (5.0:
/// 0x81 malformed packet, 0x82 protocol error, 0x84 unsupported protocol version, 0x85
/// client identifier not valid, 0x90 topic name invalid, 0x95 packet too large, 0x99
/// payload format invalid), or nothing: close the connection without a CONNACK.
constexpr std::optional<std::uint8_t> connack_code(const error& e, protocol_version v) noexcept {
  for (const detail::connack_rule& r : detail::connack_rules) {
    if (r.what == e.what) {
      if (v == protocol_version::v5) return r.v5;
      if (r.v3 == 0) return std::nullopt;
      return r.v3;
    }
  }
  if (v != protocol_version::v5) return std::nullopt;
  switch (e.code) {
    case errc::bad_value: return e.what == detail::utf8_control || e.what == detail::utf8_noncharacter ? 0x81 : 0x82;
    case errc::limit_exceeded: return 0x95;
    case errc::bad_version: return 0x84;
    default: return 0x81;
  }
}

namespace detail {
// decode_connect into `c` (a default connect).
[[gnu::always_inline]] constexpr result<void> decode_connect_into(bytes packet, const connect_options& o, connect& c) noexcept {
  const bool strict = o.mode == parse_mode::strict;
  if (!packet.empty() && (packet[0] >> 4) != 1) return make_error(errc::malformed, 0, detail::not_connect, packet[0] >> 4);
  fixed_header h;  // (CONNECT, flags 0)
  const bool connect_start = packet.size() >= 2 && packet[0] == 0x10;
  if (connect_start && packet[1] < 0x80) {
    h.remaining_length = packet[1];  // a one-byte Remaining Length: most CONNECTs
  } else if (connect_start && packet.size() >= 3 && packet[2] >= 1 && packet[2] < 0x80) {
    h.remaining_length = (packet[1] & 0x7fu) | std::uint32_t{packet[2]} << 7;  // two bytes, minimal: the others
    h.length_size = 2;
  } else {
    auto parsed = parse_fixed_header(packet, o.mode);
    if (!parsed) return parsed.error();
    h = *parsed;
  }
  if (h.packet_size() > o.max_packet_size) {
    return make_error(errc::limit_exceeded, 1, detail::connect_too_large, h.packet_size(), o.max_packet_size);
  }
  if (packet.size() < h.packet_size()) {
    return make_error(errc::truncated, packet.size(), detail::connect_truncated, h.packet_size() - packet.size());
  }
  if (packet.size() > h.packet_size()) {
    return make_error(errc::malformed, h.packet_size(), detail::connect_trailing, packet.size() - h.packet_size());
  }
  const std::size_t base = h.header_size();
  const bytes body = packet.subspan(base);
  std::size_t pos = 0;
  if (h.length_size != varint_size(h.remaining_length)) c.length_size = h.length_size;
  // Protocol name and level.
  auto name = detail::read_field(body, pos, base);
  if (!name) return name.error();
  const string_ref pname(*name);
  const bool mqtt = name->size() == 4 && load_be32(name->data()) == 0x4d515454;  // "MQTT"
  const bool mqisdp = name->size() == 6 && load_be32(name->data()) == 0x4d514973 &&
                      load_be16(name->data() + 4) == 0x6470;  // "MQIsdp"
  if (!mqtt && !mqisdp && (strict || !check_utf8(pname, false).has_value())) {
    return make_error(errc::bad_version, base, detail::bad_protocol_name);
  }
  if (body.size() - pos < 4) return make_error(errc::malformed, base + pos, detail::field_past_end);
  std::uint8_t level = body[pos];
  if ((level & 0x80) != 0) {
    if (strict) return make_error(errc::bad_version, base + pos, detail::bridge_bit);
    c.bridge = true;
    level &= 0x7f;
  }
  if (level < 3 || level > 5) return make_error(errc::bad_version, base + pos, detail::bad_protocol_level, level);
  c.version = static_cast<protocol_version>(level);
  if (c.version == protocol_version::v3_1 ? !mqisdp : !mqtt) {
    if (strict) return make_error(errc::bad_version, base + pos, detail::name_level_mismatch, level);
    c.protocol_name = pname;
  }
  const bool v5 = c.version == protocol_version::v5;
  const std::size_t flags_at = base + pos + 1;
  const std::uint8_t flags = body[pos + 1];
  c.keep_alive = load_be16(body.data() + pos + 2);
  pos += 4;
  if ((flags & 0x01) != 0) return make_error(errc::reserved_set, flags_at, detail::reserved_flag);
  c.clean_start = (flags & 0x02) != 0;
  const bool has_will = (flags & 0x04) != 0;
  const std::uint8_t will_qos = static_cast<std::uint8_t>((flags >> 3) & 3);
  const bool will_retain = (flags & 0x20) != 0;
  const bool has_password = (flags & 0x40) != 0;
  const bool has_username = (flags & 0x80) != 0;
  if (will_qos == 3) return make_error(errc::malformed, flags_at, detail::will_qos_3);
  if (!has_will && (will_qos != 0 || will_retain)) return make_error(errc::malformed, flags_at, detail::will_flags_without_will);
  if (!v5 && has_password && !has_username) return make_error(errc::malformed, flags_at, detail::password_without_username);
  if (v5) {
    std::size_t used = 0;
    auto props = parse_properties(body.subspan(pos), property_context::connect, used, strict, base + pos);
    if (!props) return props.error();
    c.properties = *props;
    pos += used;
  }
  // Payload.
  const std::size_t id_at = base + pos;
  auto id = detail::read_text(body, pos, base, strict);
  if (!id) return id.error();
  c.client_id = *id;
  if (c.version == protocol_version::v3_1 && (id->size() < 1 || id->size() > 23)) {
    return make_error(errc::bad_value, id_at, detail::client_id_length_3_1, id->size());
  }
  if (c.version == protocol_version::v3_1_1 && id->empty() && !c.clean_start) {
    return make_error(errc::bad_value, id_at, detail::empty_client_id);
  }
  if (has_will) {
    will_message w;
    w.qos = will_qos;
    w.retain = will_retain;
    std::uint32_t payload_format = 0;
    if (v5) {
      std::size_t used = 0;
      auto props = parse_properties(body.subspan(pos), property_context::will, used, strict, base + pos, &payload_format);
      if (!props) return props.error();
      w.properties = *props;
      pos += used;
    }
    const std::size_t topic_at = base + pos;
    auto topic = detail::read_field(body, pos, base);
    if (!topic) return topic.error();
    w.topic = string_ref(*topic);
    if (!detail::plain_topic_name(topic->data(), topic->size(), strict)) {  // (else both checks below pass)
      auto ok = check_utf8(w.topic, strict, topic_at + 2);
      if (!ok) return ok.error();
      ok = check_topic_name(w.topic, topic_at + 2);
      if (!ok) return ok.error();
    }
    const std::size_t payload_at = base + pos;
    auto payload = detail::read_field(body, pos, base);
    if (!payload) return payload.error();
    w.payload = string_ref(*payload);
    if (strict && payload_format == 1 && !check_utf8(w.payload, false).has_value()) {
      return make_error(errc::bad_value, payload_at + 2, detail::will_not_utf8);
    }
    c.will = w;
  }
  if (has_username) {
    auto u = detail::read_text(body, pos, base, strict);
    if (!u) return u.error();
    c.username = *u;
  }
  if (has_password) {
    auto p = detail::read_field(body, pos, base);
    if (!p) return p.error();
    c.password = string_ref(*p);
  }
  if (pos != body.size()) return make_error(errc::malformed, base + pos, detail::connect_after_fields, body.size() - pos);
  return {};
}
}  // namespace detail

/// Decode one CONNECT packet (all of `packet`, fixed header first).
constexpr result<connect> decode_connect(bytes packet, connect_options o = {}) noexcept {
  // (built in place and returned as it is: no copy of the 240-byte value)
  result<connect> r(std::in_place);
  // (on an error, the result is made anew holding it: assigning a result<connect> that
  // holds an error would copy the value's bytes it never set)
  if (auto done = detail::decode_connect_into(packet, o, *r); !done) std::construct_at(&r, done.error());
  return r;
}

namespace detail {
constexpr std::size_t connect_body_size(const connect& c) noexcept {
  const std::string_view std_name = standard_name(c.version);
  std::size_t n = 2 + (c.protocol_name ? c.protocol_name->size() : std_name.size()) + 4;
  if (c.version == protocol_version::v5) n += c.properties.encoded_size();
  n += 2 + c.client_id.size();
  if (c.will) {
    if (c.version == protocol_version::v5) n += c.will->properties.encoded_size();
    n += 2 + c.will->topic.size() + 2 + c.will->payload.size();
  }
  if (c.username) n += 2 + c.username->size();
  if (c.password) n += 2 + c.password->size();
  return n;
}
}  // namespace detail

namespace detail {
constexpr std::size_t length_bytes(const connect& c, std::size_t body) noexcept {
  const std::size_t minimal = varint_size(static_cast<std::uint32_t>(body > max_remaining_length ? max_remaining_length : body));
  return c.length_size && *c.length_size > minimal && *c.length_size <= 4 ? *c.length_size : minimal;
}
}  // namespace detail

/// Bytes encode(c, ...) writes.
constexpr std::size_t encoded_size(const connect& c) noexcept {
  const std::size_t body = detail::connect_body_size(c);
  return 1 + detail::length_bytes(c, body) + body;
}

namespace detail {
// encode(connect) for every CONNECT (encode below takes the commonest shape itself).
[[gnu::noinline]] constexpr result<std::size_t> encode_connect(const connect& c, mutable_bytes out) noexcept {
  const bool v5 = c.version == protocol_version::v5;
  const std::size_t name_size = c.protocol_name ? c.protocol_name->size() : detail::standard_name(c.version).size();
  // The body's size, and whether any field is too long for its two-byte length (all
  // sizes or-ed: one test).
  std::size_t body = 2 + name_size + 4 + 2 + c.client_id.size();
  std::size_t lengths = name_size | c.client_id.size();
  if (v5) body += c.properties.encoded_size();
  if (c.will) {
    if (v5) body += c.will->properties.encoded_size();
    body += 4 + c.will->topic.size() + c.will->payload.size();
    lengths |= c.will->topic.size() | c.will->payload.size();
    if (c.will->qos > 2) return make_error(errc::invalid_argument, 0, "mqtt: will QoS {} above 2", c.will->qos);
  }
  if (c.username) body += 2 + c.username->size(), lengths |= c.username->size();
  if (c.password) body += 2 + c.password->size(), lengths |= c.password->size();
  if (body > max_remaining_length) return make_error(errc::invalid_argument, 0, "mqtt: CONNECT longer than MQTT allows");
  if (lengths > 0xffff) return make_error(errc::invalid_argument, 0, "mqtt: a CONNECT field longer than 65,535 bytes");
  std::uint8_t flags = c.clean_start ? 0x02 : 0;
  if (c.will) flags = static_cast<std::uint8_t>(flags | 0x04 | (c.will->qos << 3) | (c.will->retain ? 0x20 : 0));
  if (c.password) flags |= 0x40;
  if (c.username) flags |= 0x80;
  const auto level = static_cast<std::uint8_t>(static_cast<std::uint8_t>(c.version) | (c.bridge ? 0x80 : 0));
  // Level, flags and keep alive, in wire order (first byte lowest).
  const std::uint32_t tail = std::uint32_t{level} | std::uint32_t{flags} << 8 | std::uint32_t{c.keep_alive} >> 8 << 16 |
                             (std::uint32_t{c.keep_alive} & 0xff) << 24;
  std::uint8_t* o = out.data();
  std::size_t n = 0;
  auto put_ref = [&](string_ref s) {
    o[n] = static_cast<std::uint8_t>(s.size() >> 8);
    o[n + 1] = static_cast<std::uint8_t>(s.size());
    s.copy_to(o + n + 2);
    n += 2 + s.size();
  };
  if (!c.protocol_name && c.version != protocol_version::v3_1 && body < 128 && !c.length_size) {
    // What nearly every CONNECT starts with: type, a one-byte length, "MQTT" with its
    // length, then level, flags and keep alive; as two stores.
    if (out.size() < 2 + body) return make_error(errc::buffer_too_small, out.size(), "mqtt: CONNECT needs {} bytes", 2 + body);
    store_le64(o, 0x5454514d04000010ull | std::uint64_t{body} << 8);  // 10 len 00 04 'M' 'Q' 'T' 'T'
    store_le32(o + 8, tail);
    n = 12;
  } else {
    const std::size_t len_size = detail::length_bytes(c, body);
    const std::size_t total = 1 + len_size + body;
    if (out.size() < total) return make_error(errc::buffer_too_small, out.size(), "mqtt: CONNECT needs {} bytes", total);
    o[0] = 0x10;
    n = 1 + write_varint_padded(o + 1, static_cast<std::uint32_t>(body), len_size);
    put_ref(c.protocol_name ? *c.protocol_name : string_ref(detail::standard_name(c.version)));
    store_le32(o + n, tail);
    n += 4;
  }
  auto put_props = [&](const property_list& p) {
    n += write_varint(o + n, static_cast<std::uint32_t>(p.raw().size()));
    string_ref(p.raw()).copy_to(o + n);
    n += p.raw().size();
  };
  if (v5) put_props(c.properties);
  put_ref(c.client_id);
  if (c.will) {
    if (v5) put_props(c.will->properties);
    put_ref(c.will->topic);
    put_ref(c.will->payload);
  }
  if (c.username) put_ref(*c.username);
  if (c.password) put_ref(*c.password);
  return n;
}
}  // namespace detail

/// Encode `c` into `out`; returns the bytes written. Errors: buffer_too_small (value:
/// the size needed), invalid_argument (a string or binary field longer than 65,535
/// bytes, a will QoS above 2, a packet longer than the protocol allows).
constexpr result<std::size_t> encode(const connect& c, mutable_bytes out) noexcept {
  // The commonest CONNECT, written here: 3.1.1, no will, the standard name, a minimal
  // one-byte Remaining Length (so every field is short) and room for it. Everything
  // else, and every error, in detail::encode_connect (which writes the same bytes).
  if (c.version == protocol_version::v3_1_1 && !c.will && !c.protocol_name && !c.length_size) {
    const std::size_t body = 12 + c.client_id.size() + (c.username ? 2 + c.username->size() : 0) +
                             (c.password ? 2 + c.password->size() : 0);
    if (body < 128 && out.size() >= 2 + body) {
      std::uint8_t* o = out.data();
      const std::uint32_t flags = (c.clean_start ? 0x02u : 0) | (c.password ? 0x40u : 0) | (c.username ? 0x80u : 0);
      const std::uint32_t level = 4u | (c.bridge ? 0x80u : 0);
      store_le64(o, 0x5454514d04000010ull | std::uint64_t{body} << 8);  // 10 len 00 04 'M' 'Q' 'T' 'T'
      store_le32(o + 8, level | flags << 8 | std::uint32_t{c.keep_alive} >> 8 << 16 | (std::uint32_t{c.keep_alive} & 0xff) << 24);
      std::size_t n = 12;
      auto put_ref = [&](string_ref s) {
        o[n] = 0;  // (short: under 128 bytes)
        o[n + 1] = static_cast<std::uint8_t>(s.size());
        s.copy_to(o + n + 2);
        n += 2 + s.size();
      };
      put_ref(c.client_id);
      if (c.username) put_ref(*c.username);
      if (c.password) put_ref(*c.password);
      return n;
    }
  }
  return detail::encode_connect(c, out);
}

}  // namespace wirespan::mqtt
