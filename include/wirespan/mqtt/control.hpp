// wirespan/mqtt/control.hpp — the MQTT control packets after CONNECT, for 3.1, 3.1.1 and
// 5.0 (3.1.1 §3.2-§3.14, 5.0 §3.2-§3.15): CONNACK, PUBLISH, PUBACK/PUBREC/PUBREL/PUBCOMP,
// SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT and AUTH, and
// `decode(packet, options)` for any of them (CONNECT included) into a `control_packet`.
//
// Each `decode_X(packet, options)` takes exactly one whole packet (frame_size cuts it
// from a stream) and checks, for `options.version`:
// - the fixed header: the type, its flags, the Remaining Length the packet's size, at
//   most `max_packet_size`;
// - packet identifiers not 0 (PUBLISH with QoS > 0, the acknowledgements, SUBSCRIBE,
//   UNSUBSCRIBE and their acknowledgements);
// - PUBLISH: DUP 0 at QoS 0; the topic a topic name (5.0: empty only with a Topic Alias);
//   the payload UTF-8 when its Payload Format Indicator says so (strict);
// - CONNACK: reserved flag bits 0; session present 0 with a refusal; the return code
//   (3.x: 0 to 5) or reason code (5.0: one CONNACK may carry) known (strict);
// - SUBSCRIBE: at least one filter, each a valid topic filter (5.0: a shared
//   subscription `$share/name/filter` with a name and without No Local), options with
//   QoS 0..2, retain handling 0..2 and reserved bits 0 (3.x: only QoS);
// - UNSUBSCRIBE: at least one valid topic filter; SUBACK, UNSUBACK (5.0): at least one
//   reason code, each one the packet may carry (strict);
// - the 5.0 short forms: an acknowledgement, DISCONNECT or AUTH may end after its packet
//   identifier or reason code, the reason then being 0 (success) and there being no
//   properties; the value records which form it read (`reason_written`,
//   `properties_written`) so that encoding writes the same bytes;
// - properties allowed in that packet (properties.hpp), and nothing after the last field.
//
// A rejection is an `error` with the offset and the rule; `disconnect_code(error)` says
// which 5.0 DISCONNECT reason code a receiver answers it with.
//
// Encoding writes what the value says, without judging it (so that a test can send a
// broker what it must refuse); it fails only on what cannot be written: a QoS above 2, a
// string longer than 65,535 bytes, a packet longer than MQTT allows, a short buffer.
// Decoding then encoding a packet that decodes in strict mode gives its bytes back.
//
// ```cpp
// wirespan::mqtt::publish p;
// p.topic = "sensor/temp";
// p.payload = "21.5";
// std::uint8_t buf[64];
// auto n = wirespan::mqtt::encode(p, buf);     // 30 0f 00 0b 73 65 6e ...
// auto any = wirespan::mqtt::decode(wirespan::bytes(buf, *n));
// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "connect.hpp"
#include "packet.hpp"
#include "properties.hpp"
#include "text.hpp"

namespace wirespan::mqtt {

/// Decoding settings for any packet after CONNECT: the version the connection speaks
/// (from its CONNECT), strict or lax, and the longest packet accepted.
struct decode_options {
  protocol_version version = protocol_version::v3_1_1;
  parse_mode mode = parse_mode::strict;
  std::size_t max_packet_size = mqtt::max_packet_size;
};

/// CONNACK.
struct connack {
  protocol_version version = protocol_version::v3_1_1;
  bool session_present = false;  ///< (3.1: a reserved byte, always 0)
  /// The return code (3.x: 0 accepted, 1 unacceptable protocol version, 2 identifier
  /// rejected, 3 server unavailable, 4 bad user name or password, 5 not authorized) or
  /// reason code (5.0: 0 success, 0x80 and above a refusal).
  std::uint8_t code = 0;
  property_list properties{};  ///< 5.0
};

/// PUBLISH.
struct publish {
  protocol_version version = protocol_version::v3_1_1;
  bool dup = false;
  std::uint8_t qos = 0;
  bool retain = false;
  string_ref topic{};
  std::uint16_t packet_id = 0;  ///< only when qos > 0
  property_list properties{};   ///< 5.0
  string_ref payload{};         ///< binary data
};

/// PUBACK, PUBREC, PUBREL or PUBCOMP.
struct pub_ack {
  protocol_version version = protocol_version::v3_1_1;
  packet_type type = packet_type::puback;
  std::uint16_t packet_id = 0;
  std::uint8_t reason = 0;        ///< 5.0
  property_list properties{};     ///< 5.0
  bool reason_written = false;    ///< 5.0: the reason code is on the wire (even if 0)
  bool properties_written = false;  ///< 5.0: the property length is on the wire (even if 0)
};

/// One subscription of a SUBSCRIBE: a topic filter and its options.
struct subscription {
  string_ref filter{};
  std::uint8_t qos = 0;               ///< the maximum QoS
  bool no_local = false;              ///< 5.0
  bool retain_as_published = false;   ///< 5.0
  std::uint8_t retain_handling = 0;   ///< 5.0: 0 send retained, 1 only if new, 2 never

  /// The options byte.
  constexpr std::uint8_t options() const noexcept {
    return static_cast<std::uint8_t>((qos & 3) | (no_local ? 4 : 0) | (retain_as_published ? 8 : 0) |
                                     ((retain_handling & 3) << 4));
  }
};

namespace detail {
template <class T>
struct list_traits;

template <>
struct list_traits<subscription> {
  static constexpr std::size_t size(const subscription& s) noexcept { return 2 + s.filter.size() + 1; }
  static constexpr std::size_t read(bytes raw, std::size_t at, subscription& s) noexcept {
    const std::size_t len = load_be16(raw.data() + at);
    s.filter = string_ref(raw.subspan(at + 2, len));
    const std::uint8_t o = raw[at + 2 + len];
    s.qos = o & 3;
    s.no_local = (o & 4) != 0;
    s.retain_as_published = (o & 8) != 0;
    s.retain_handling = static_cast<std::uint8_t>((o >> 4) & 3);
    return 3 + len;
  }
  static constexpr std::size_t write(const subscription& s, std::uint8_t* out) noexcept {
    out[0] = static_cast<std::uint8_t>(s.filter.size() >> 8);
    out[1] = static_cast<std::uint8_t>(s.filter.size());
    s.filter.copy_to(out + 2);
    out[2 + s.filter.size()] = s.options();
    return size(s);
  }
  static constexpr bool fits(const subscription& s) noexcept { return s.filter.size() <= 0xffff; }
};

template <>
struct list_traits<string_ref> {
  static constexpr std::size_t size(const string_ref& s) noexcept { return 2 + s.size(); }
  static constexpr std::size_t read(bytes raw, std::size_t at, string_ref& s) noexcept {
    const std::size_t len = load_be16(raw.data() + at);
    s = string_ref(raw.subspan(at + 2, len));
    return 2 + len;
  }
  static constexpr std::size_t write(const string_ref& s, std::uint8_t* out) noexcept {
    out[0] = static_cast<std::uint8_t>(s.size() >> 8);
    out[1] = static_cast<std::uint8_t>(s.size());
    s.copy_to(out + 2);
    return size(s);
  }
  static constexpr bool fits(const string_ref& s) noexcept { return s.size() <= 0xffff; }
};
}  // namespace detail

/// The entries of a SUBSCRIBE (subscriptions) or UNSUBSCRIBE (topic filters): a view of
/// the checked bytes of a decoded packet, or of a caller's span of values to encode.
template <class T>
class entry_list {
 public:
  constexpr entry_list() noexcept = default;
  constexpr entry_list(std::span<const T> items) noexcept : items_(items), count_(items.size()) {}
  template <std::size_t N>
  constexpr entry_list(const T (&items)[N]) noexcept : items_(items), count_(N) {}
  /// A list read from checked bytes (by the decoders).
  static constexpr entry_list trusted(bytes raw, std::size_t count) noexcept {
    entry_list l;
    l.raw_ = raw;
    l.count_ = count;
    l.from_bytes_ = true;
    return l;
  }

  constexpr std::size_t size() const noexcept { return count_; }
  constexpr bool empty() const noexcept { return count_ == 0; }
  /// The entries' bytes on the wire.
  constexpr std::size_t wire_size() const noexcept {
    if (from_bytes_) return raw_.size();
    std::size_t n = 0;
    for (const T& t : items_) n += detail::list_traits<T>::size(t);
    return n;
  }
  constexpr bool fits() const noexcept {
    if (from_bytes_) return true;
    for (const T& t : items_) {
      if (!detail::list_traits<T>::fits(t)) return false;
    }
    return true;
  }
  constexpr std::size_t write(std::uint8_t* out) const noexcept {
    if (from_bytes_) {
      string_ref(raw_).copy_to(out);
      return raw_.size();
    }
    std::size_t n = 0;
    for (const T& t : items_) n += detail::list_traits<T>::write(t, out + n);
    return n;
  }

  class iterator {
   public:
    constexpr iterator() noexcept = default;
    constexpr const T& operator*() const noexcept { return cur_; }
    constexpr const T* operator->() const noexcept { return &cur_; }
    constexpr iterator& operator++() noexcept {
      ++index_;
      at_ += step_;
      load();
      return *this;
    }
    friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept { return a.index_ == b.index_; }

   private:
    friend class entry_list;
    constexpr iterator(const entry_list* l, std::size_t index) noexcept : list_(l), index_(index) { load(); }
    constexpr void load() noexcept {
      if (index_ >= list_->count_) return;
      if (list_->from_bytes_) step_ = detail::list_traits<T>::read(list_->raw_, at_, cur_);
      else cur_ = list_->items_[index_];
    }
    const entry_list* list_ = nullptr;
    std::size_t index_ = 0;
    std::size_t at_ = 0;
    std::size_t step_ = 0;
    T cur_{};
  };
  constexpr iterator begin() const noexcept { return iterator(this, 0); }
  constexpr iterator end() const noexcept { return iterator(this, count_); }

 private:
  bytes raw_{};
  std::span<const T> items_{};
  std::size_t count_ = 0;
  bool from_bytes_ = false;
};

using subscription_list = entry_list<subscription>;
using topic_filter_list = entry_list<string_ref>;

/// SUBSCRIBE.
struct subscribe {
  protocol_version version = protocol_version::v3_1_1;
  std::uint16_t packet_id = 0;
  property_list properties{};  ///< 5.0
  subscription_list subscriptions{};
};

/// SUBACK: one return (3.x) or reason (5.0) code per subscription, in its order.
struct suback {
  protocol_version version = protocol_version::v3_1_1;
  std::uint16_t packet_id = 0;
  property_list properties{};  ///< 5.0
  bytes codes{};
};

/// UNSUBSCRIBE.
struct unsubscribe {
  protocol_version version = protocol_version::v3_1_1;
  std::uint16_t packet_id = 0;
  property_list properties{};  ///< 5.0
  topic_filter_list filters{};
};

/// UNSUBACK (3.x: the packet identifier only).
struct unsuback {
  protocol_version version = protocol_version::v3_1_1;
  std::uint16_t packet_id = 0;
  property_list properties{};  ///< 5.0
  bytes codes{};               ///< 5.0: one reason code per topic filter
};

/// PINGREQ.
struct pingreq {};
/// PINGRESP.
struct pingresp {};

/// DISCONNECT (3.x: no fields).
struct disconnect {
  protocol_version version = protocol_version::v3_1_1;
  std::uint8_t reason = 0;          ///< 5.0
  property_list properties{};       ///< 5.0
  bool reason_written = false;      ///< 5.0: the reason code is on the wire (even if 0)
  bool properties_written = false;  ///< 5.0: the property length is on the wire
};

/// AUTH (5.0 only).
struct auth {
  std::uint8_t reason = 0;  ///< 0 success, 0x18 continue authentication, 0x19 re-authenticate
  property_list properties{};
  bool reason_written = false;
  bool properties_written = false;
};

/// Any control packet.
using control_packet = std::variant<connect, connack, publish, pub_ack, subscribe, suback, unsubscribe, unsuback,
                                    pingreq, pingresp, disconnect, auth>;

namespace detail {

inline constexpr char wrong_type[] = "mqtt: packet of type {} where type {} was expected";
inline constexpr char packet_too_large[] = "mqtt: packet of {} bytes longer than the maximum {}";
inline constexpr char packet_truncated[] = "mqtt: packet cut short: {} bytes missing";
inline constexpr char packet_trailing[] = "mqtt: {} bytes after the packet";
inline constexpr char after_fields[] = "mqtt: {} bytes after the last field of the packet";
inline constexpr char packet_id_zero[] = "mqtt: packet identifier 0";
inline constexpr char bad_remaining_length[] = "mqtt: Remaining Length {} where this packet has {}";
inline constexpr char body_past_end[] = "mqtt: a field runs past the Remaining Length";
inline constexpr char dup_at_qos0[] = "mqtt: PUBLISH with DUP set at QoS 0";
inline constexpr char empty_topic_without_alias[] = "mqtt: PUBLISH with an empty topic and no topic alias";
inline constexpr char payload_not_utf8[] = "mqtt: payload is not UTF-8, as its payload format indicator says";
inline constexpr char connack_reserved[] = "mqtt: reserved CONNACK flags set";
inline constexpr char session_with_refusal[] = "mqtt: session present with a refusing CONNACK (code {})";
inline constexpr char unknown_code[] = "mqtt: reason code {} not defined for this packet";
inline constexpr char no_entries[] = "mqtt: SUBSCRIBE, UNSUBSCRIBE or their acknowledgement without an entry";
inline constexpr char subscription_reserved[] = "mqtt: reserved subscription option bits set (options {})";
inline constexpr char subscription_qos_3[] = "mqtt: subscription with QoS 3";
inline constexpr char retain_handling_3[] = "mqtt: subscription with retain handling 3";
inline constexpr char bad_share_name[] = "mqtt: shared subscription without a valid share name and filter";
inline constexpr char no_local_shared[] = "mqtt: No Local set on a shared subscription";

// The reason codes each 5.0 packet may carry (5.0 §2.4), and the 3.x return codes.
inline constexpr std::uint8_t connack_codes_v5[] = {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                                                    0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f};
inline constexpr std::uint8_t puback_codes[] = {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99};
inline constexpr std::uint8_t pubrel_codes[] = {0x00, 0x92};
inline constexpr std::uint8_t suback_codes_v3[] = {0x00, 0x01, 0x02, 0x80};
inline constexpr std::uint8_t suback_codes_v5[] = {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2};
inline constexpr std::uint8_t unsuback_codes[] = {0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91};
inline constexpr std::uint8_t disconnect_codes[] = {0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d,
                                                    0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
                                                    0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2};
inline constexpr std::uint8_t auth_codes[] = {0x00, 0x18, 0x19};

template <std::size_t N>
constexpr bool one_of(const std::uint8_t (&codes)[N], std::uint8_t c) noexcept {
  for (std::uint8_t k : codes) {
    if (k == c) return true;
  }
  return false;
}

// Check the framing of one whole packet of type `t`; the header on success.
constexpr result<fixed_header> open_packet(bytes packet, packet_type t, const decode_options& o) noexcept {
  if (!packet.empty() && (packet[0] >> 4) != static_cast<std::uint8_t>(t)) {
    return make_error(errc::malformed, 0, wrong_type, packet[0] >> 4, static_cast<std::uint8_t>(t));
  }
  auto h = parse_fixed_header(packet, o.mode, o.version == protocol_version::v5);
  if (!h) return h.error();
  if (h->packet_size() > o.max_packet_size) {
    return make_error(errc::limit_exceeded, 1, packet_too_large, h->packet_size(), o.max_packet_size);
  }
  if (packet.size() < h->packet_size()) {
    return make_error(errc::truncated, packet.size(), packet_truncated, h->packet_size() - packet.size());
  }
  if (packet.size() > h->packet_size()) {
    return make_error(errc::malformed, h->packet_size(), packet_trailing, packet.size() - h->packet_size());
  }
  return h;
}

// Reads the fields of a packet's body; offsets in errors are from the packet's start.
struct body_reader {
  bytes body;
  std::size_t base;
  bool strict;
  std::size_t pos = 0;

  constexpr std::size_t left() const noexcept { return body.size() - pos; }
  constexpr std::size_t offset() const noexcept { return base + pos; }
  constexpr result<std::uint16_t> u16() noexcept {
    if (left() < 2) return make_error(errc::malformed, offset(), body_past_end);
    const std::uint16_t v = load_be16(body.data() + pos);
    pos += 2;
    return v;
  }
  constexpr result<std::uint16_t> packet_id() noexcept {
    const std::size_t at = offset();
    auto v = u16();
    if (v && *v == 0) return make_error(errc::bad_value, at, packet_id_zero);
    return v;
  }
  constexpr result<property_list> properties(property_context where, std::uint32_t* payload_format = nullptr) noexcept {
    std::size_t used = 0;
    auto p = parse_properties(body.subspan(pos), where, used, strict, offset(), payload_format);
    if (p) pos += used;
    return p;
  }
  constexpr result<void> end() const noexcept {
    if (pos != body.size()) return make_error(errc::malformed, offset(), after_fields, left());
    return {};
  }
};

constexpr result<body_reader> open_body(bytes packet, packet_type t, const decode_options& o) noexcept {
  auto h = open_packet(packet, t, o);
  if (!h) return h.error();
  return body_reader{packet.subspan(h->header_size()), h->header_size(), o.mode == parse_mode::strict};
}

}  // namespace detail

/// Decode a CONNACK.
constexpr result<connack> decode_connack(bytes packet, decode_options o = {}) noexcept {
  auto r = detail::open_body(packet, packet_type::connack, o);
  if (!r) return r.error();
  connack c;
  c.version = o.version;
  const bool v5 = o.version == protocol_version::v5;
  if (r->left() < 2) return make_error(errc::malformed, r->offset(), detail::body_past_end);
  const std::size_t flags_at = r->offset();
  const std::uint8_t flags = r->body[0];
  c.code = r->body[1];
  r->pos = 2;
  // (3.1: the first byte is reserved; 3.1.1 and 5.0: bit 0 is Session Present.)
  const std::uint8_t reserved = o.version == protocol_version::v3_1 ? 0xff : 0xfe;
  if ((flags & reserved) != 0) return make_error(errc::reserved_set, flags_at, detail::connack_reserved);
  c.session_present = (flags & 1) != 0;
  if (c.session_present && c.code != 0) return make_error(errc::bad_value, flags_at, detail::session_with_refusal, c.code);
  if (r->strict && (v5 ? !detail::one_of(detail::connack_codes_v5, c.code) : c.code > 5)) {
    return make_error(errc::bad_value, flags_at + 1, detail::unknown_code, c.code);
  }
  if (v5) {
    auto p = r->properties(property_context::connack);
    if (!p) return p.error();
    c.properties = *p;
  }
  auto e = r->end();
  if (!e) return e.error();
  return c;
}

/// Decode a PUBLISH.
constexpr result<publish> decode_publish(bytes packet, decode_options o = {}) noexcept {
  auto r = detail::open_body(packet, packet_type::publish, o);
  if (!r) return r.error();
  publish p;
  p.version = o.version;
  const bool v5 = o.version == protocol_version::v5;
  const std::uint8_t flags = packet[0] & 0x0f;
  p.dup = (flags & 8) != 0;
  p.qos = static_cast<std::uint8_t>((flags >> 1) & 3);
  p.retain = (flags & 1) != 0;
  if (r->strict && p.dup && p.qos == 0) return make_error(errc::malformed, 0, detail::dup_at_qos0);
  const std::size_t topic_at = r->offset();
  auto topic = detail::read_text(r->body, r->pos, r->base, r->strict);
  if (!topic) return topic.error();
  p.topic = *topic;
  if (p.qos > 0) {
    auto id = r->packet_id();
    if (!id) return id.error();
    p.packet_id = *id;
  }
  std::uint32_t payload_format = 0;
  if (v5) {
    auto props = r->properties(property_context::publish, &payload_format);
    if (!props) return props.error();
    p.properties = *props;
  }
  if (p.topic.empty()) {
    property alias;
    if (!v5 || !p.properties.find(property_id::topic_alias, alias)) {
      return make_error(errc::bad_value, topic_at + 2, v5 ? detail::empty_topic_without_alias : detail::empty_topic_name);
    }
  } else {
    auto ok = check_topic_name(p.topic, topic_at + 2);
    if (!ok) return ok.error();
  }
  const std::size_t payload_at = r->offset();
  p.payload = string_ref(r->body.subspan(r->pos));
  if (r->strict && payload_format == 1 && !check_utf8(p.payload, false).has_value()) {
    return make_error(errc::bad_value, payload_at, detail::payload_not_utf8);
  }
  return p;
}

/// Decode a PUBACK, PUBREC, PUBREL or PUBCOMP (`packet`'s type says which).
constexpr result<pub_ack> decode_pub_ack(bytes packet, decode_options o = {}) noexcept {
  const std::uint8_t type = packet.empty() ? 0 : static_cast<std::uint8_t>(packet[0] >> 4);
  if (type < 4 || type > 7) return make_error(errc::malformed, 0, detail::wrong_type, type, 4);
  const auto t = static_cast<packet_type>(type);
  auto r = detail::open_body(packet, t, o);
  if (!r) return r.error();
  pub_ack a;
  a.version = o.version;
  a.type = t;
  auto id = r->packet_id();
  if (!id) return id.error();
  a.packet_id = *id;
  if (o.version == protocol_version::v5 && r->left() > 0) {
    a.reason_written = true;
    a.reason = r->body[r->pos];
    const bool rel = t == packet_type::pubrel || t == packet_type::pubcomp;
    if (r->strict && !(rel ? detail::one_of(detail::pubrel_codes, a.reason) : detail::one_of(detail::puback_codes, a.reason))) {
      return make_error(errc::bad_value, r->offset(), detail::unknown_code, a.reason);
    }
    ++r->pos;
    if (r->left() > 0) {
      a.properties_written = true;
      auto p = r->properties(property_context::puback);
      if (!p) return p.error();
      a.properties = *p;
    }
  }
  auto e = r->end();
  if (!e) return e.error();
  return a;
}

namespace detail {
// Whether a 5.0 topic filter is a shared subscription, "$share/{name}/{filter}"; one
// that starts so must have a name (a non-empty level without wildcards) and a filter.
constexpr result<bool> check_share(string_ref f, std::size_t base) noexcept {
  constexpr const char prefix[] = "$share/";
  if (f.size() < 7) return false;
  for (std::size_t i = 0; i < 7; ++i) {
    if (f[i] != static_cast<std::uint8_t>(prefix[i])) return false;
  }
  std::size_t i = 7;
  while (i < f.size() && f[i] != '/') {
    if (f[i] == '+' || f[i] == '#') return make_error(errc::bad_value, base + i, bad_share_name);
    ++i;
  }
  if (i == 7 || i + 1 >= f.size()) return make_error(errc::bad_value, base, bad_share_name);
  return true;
}

// Read a list of length-prefixed strings (with an options byte after each when
// `options`), checking each as a topic filter; at least one.
constexpr result<std::size_t> read_filters(body_reader& r, bool options, protocol_version v) noexcept {
  std::size_t count = 0;
  const bool v5 = v == protocol_version::v5;
  if (r.left() == 0) return make_error(errc::malformed, r.offset(), no_entries);
  while (r.left() > 0) {
    const std::size_t at = r.offset();
    auto f = read_text(r.body, r.pos, r.base, r.strict);
    if (!f) return f.error();
    const string_ref filter(*f);
    auto ok = check_topic_filter(filter, at + 2);
    if (!ok) return ok.error();
    bool shared = false;
    if (v5) {
      auto s = check_share(filter, at + 2);
      if (!s) return s.error();
      shared = *s;
    }
    if (options) {
      if (r.left() == 0) return make_error(errc::malformed, r.offset(), body_past_end);
      const std::size_t oat = r.offset();
      const std::uint8_t o = r.body[r.pos++];
      if ((o & (v5 ? 0xc0 : 0xfc)) != 0) return make_error(errc::reserved_set, oat, subscription_reserved, o);
      if ((o & 3) == 3) return make_error(errc::malformed, oat, subscription_qos_3);
      if (((o >> 4) & 3) == 3) return make_error(errc::malformed, oat, retain_handling_3);
      if (shared && (o & 4) != 0) return make_error(errc::bad_value, oat, no_local_shared);
    }
    ++count;
  }
  return count;
}

template <std::size_t N>
constexpr result<bytes> read_codes(body_reader& r, const std::uint8_t (&known)[N]) noexcept {
  if (r.left() == 0) return make_error(errc::malformed, r.offset(), no_entries);
  const bytes codes = r.body.subspan(r.pos);
  if (r.strict) {
    for (std::size_t i = 0; i < codes.size(); ++i) {
      if (!one_of(known, codes[i])) return make_error(errc::bad_value, r.offset() + i, unknown_code, codes[i]);
    }
  }
  r.pos = r.body.size();
  return codes;
}
}  // namespace detail

/// Decode a SUBSCRIBE.
constexpr result<subscribe> decode_subscribe(bytes packet, decode_options o = {}) noexcept {
  auto r = detail::open_body(packet, packet_type::subscribe, o);
  if (!r) return r.error();
  subscribe s;
  s.version = o.version;
  auto id = r->packet_id();
  if (!id) return id.error();
  s.packet_id = *id;
  if (o.version == protocol_version::v5) {
    auto p = r->properties(property_context::subscribe);
    if (!p) return p.error();
    s.properties = *p;
  }
  const std::size_t start = r->pos;
  auto n = detail::read_filters(*r, true, o.version);
  if (!n) return n.error();
  s.subscriptions = subscription_list::trusted(r->body.subspan(start), *n);
  return s;
}

/// Decode a SUBACK.
constexpr result<suback> decode_suback(bytes packet, decode_options o = {}) noexcept {
  auto r = detail::open_body(packet, packet_type::suback, o);
  if (!r) return r.error();
  suback s;
  s.version = o.version;
  auto id = r->packet_id();
  if (!id) return id.error();
  s.packet_id = *id;
  const bool v5 = o.version == protocol_version::v5;
  if (v5) {
    auto p = r->properties(property_context::suback);
    if (!p) return p.error();
    s.properties = *p;
  }
  auto c = v5 ? detail::read_codes(*r, detail::suback_codes_v5) : detail::read_codes(*r, detail::suback_codes_v3);
  if (!c) return c.error();
  s.codes = *c;
  return s;
}

/// Decode an UNSUBSCRIBE.
constexpr result<unsubscribe> decode_unsubscribe(bytes packet, decode_options o = {}) noexcept {
  auto r = detail::open_body(packet, packet_type::unsubscribe, o);
  if (!r) return r.error();
  unsubscribe u;
  u.version = o.version;
  auto id = r->packet_id();
  if (!id) return id.error();
  u.packet_id = *id;
  if (o.version == protocol_version::v5) {
    auto p = r->properties(property_context::unsubscribe);
    if (!p) return p.error();
    u.properties = *p;
  }
  const std::size_t start = r->pos;
  auto n = detail::read_filters(*r, false, o.version);
  if (!n) return n.error();
  u.filters = topic_filter_list::trusted(r->body.subspan(start), *n);
  return u;
}

/// Decode an UNSUBACK.
constexpr result<unsuback> decode_unsuback(bytes packet, decode_options o = {}) noexcept {
  auto r = detail::open_body(packet, packet_type::unsuback, o);
  if (!r) return r.error();
  unsuback u;
  u.version = o.version;
  auto id = r->packet_id();
  if (!id) return id.error();
  u.packet_id = *id;
  if (o.version == protocol_version::v5) {
    auto p = r->properties(property_context::unsuback);
    if (!p) return p.error();
    u.properties = *p;
    auto c = detail::read_codes(*r, detail::unsuback_codes);
    if (!c) return c.error();
    u.codes = *c;
  }
  auto e = r->end();
  if (!e) return e.error();
  return u;
}

namespace detail {
constexpr result<void> empty_body(bytes packet, packet_type t, const decode_options& o) noexcept {
  auto h = open_packet(packet, t, o);
  if (!h) return h.error();
  if (h->remaining_length != 0) return make_error(errc::bad_length, 1, bad_remaining_length, h->remaining_length, 0);
  return {};
}

// The 5.0 reason code and properties that DISCONNECT and AUTH may leave out.
template <class T, std::size_t N>
constexpr result<void> read_reason(body_reader& r, T& v, property_context where, const std::uint8_t (&known)[N]) noexcept {
  if (r.left() == 0) return {};
  v.reason_written = true;
  v.reason = r.body[r.pos];
  if (r.strict && !one_of(known, v.reason)) return make_error(errc::bad_value, r.offset(), unknown_code, v.reason);
  ++r.pos;
  if (r.left() == 0) return {};
  v.properties_written = true;
  auto p = r.properties(where);
  if (!p) return p.error();
  v.properties = *p;
  return r.end();
}
}  // namespace detail

/// Decode a PINGREQ.
constexpr result<pingreq> decode_pingreq(bytes packet, decode_options o = {}) noexcept {
  auto e = detail::empty_body(packet, packet_type::pingreq, o);
  if (!e) return e.error();
  return pingreq{};
}

/// Decode a PINGRESP.
constexpr result<pingresp> decode_pingresp(bytes packet, decode_options o = {}) noexcept {
  auto e = detail::empty_body(packet, packet_type::pingresp, o);
  if (!e) return e.error();
  return pingresp{};
}

/// Decode a DISCONNECT.
constexpr result<disconnect> decode_disconnect(bytes packet, decode_options o = {}) noexcept {
  disconnect d;
  d.version = o.version;
  if (o.version != protocol_version::v5) {
    auto e = detail::empty_body(packet, packet_type::disconnect, o);
    if (!e) return e.error();
    return d;
  }
  auto r = detail::open_body(packet, packet_type::disconnect, o);
  if (!r) return r.error();
  auto ok = detail::read_reason(*r, d, property_context::disconnect, detail::disconnect_codes);
  if (!ok) return ok.error();
  return d;
}

/// Decode an AUTH (5.0; in 3.x, packet type 15 is reserved).
constexpr result<auth> decode_auth(bytes packet, decode_options o = {}) noexcept {
  auto r = detail::open_body(packet, packet_type::auth, o);
  if (!r) return r.error();
  auth a;
  auto ok = detail::read_reason(*r, a, property_context::auth, detail::auth_codes);
  if (!ok) return ok.error();
  return a;
}

/// Decode any control packet (CONNECT with `o`'s mode and maximum; the others for `o`'s
/// version).
constexpr result<control_packet> decode(bytes packet, decode_options o = {}) noexcept {
  if (packet.empty()) return make_error(errc::truncated, 0, "mqtt: no fixed header", 2);
  auto as = [](auto r) -> result<control_packet> {
    if (!r) return r.error();
    return control_packet(*r);
  };
  switch (packet[0] >> 4) {
    case 1: return as(decode_connect(packet, connect_options{o.mode, o.max_packet_size}));
    case 2: return as(decode_connack(packet, o));
    case 3: return as(decode_publish(packet, o));
    case 4:
    case 5:
    case 6:
    case 7: return as(decode_pub_ack(packet, o));
    case 8: return as(decode_subscribe(packet, o));
    case 9: return as(decode_suback(packet, o));
    case 10: return as(decode_unsubscribe(packet, o));
    case 11: return as(decode_unsuback(packet, o));
    case 12: return as(decode_pingreq(packet, o));
    case 13: return as(decode_pingresp(packet, o));
    case 14: return as(decode_disconnect(packet, o));
    case 15: return as(decode_auth(packet, o));
    default: return make_error(errc::malformed, 0, "mqtt: packet type 0 is reserved");
  }
}

/// The reason code of the DISCONNECT a 5.0 receiver sends for a packet rejected with
/// `e`: 0x81 malformed packet, 0x82 protocol error, 0x90 topic name invalid, 0x95 packet
/// too large, 0x99 payload format invalid. (A 3.x receiver closes the connection.)
constexpr std::uint8_t disconnect_code(const error& e) noexcept {
  if (e.what == detail::payload_not_utf8 || e.what == detail::will_not_utf8) return 0x99;
  if (e.what == detail::empty_topic_name || e.what == detail::wildcard_in_topic_name ||
      e.what == detail::empty_topic_without_alias) {
    return 0x90;
  }
  switch (e.code) {
    case errc::limit_exceeded: return 0x95;
    case errc::bad_value:
      return e.what == detail::utf8_control || e.what == detail::utf8_noncharacter || e.what == detail::ill_formed_utf8 ||
                     e.what == detail::utf8_nul
                 ? 0x81
                 : 0x82;
    default: return 0x81;
  }
}

// --- Encoding ---------------------------------------------------------------------

namespace detail {
struct packet_writer {
  std::uint8_t* out;
  std::size_t n = 0;
  bool too_long = false;
  constexpr void put(std::uint8_t b) noexcept { out[n++] = b; }
  constexpr void put16(std::size_t v) noexcept {
    if (v > 0xffff) too_long = true;
    put(static_cast<std::uint8_t>(v >> 8));
    put(static_cast<std::uint8_t>(v));
  }
  constexpr void put_ref(string_ref s) noexcept {
    put16(s.size());
    s.copy_to(out + n);
    n += s.size();
  }
  constexpr void put_raw(string_ref s) noexcept {
    s.copy_to(out + n);
    n += s.size();
  }
  constexpr void put_props(const property_list& p) noexcept {
    n += write_varint(out + n, static_cast<std::uint32_t>(p.raw().size()));
    put_raw(string_ref(p.raw()));
  }
};

template <class F>
constexpr result<std::size_t> emit(std::uint8_t first, std::size_t body, mutable_bytes out, F&& fill) noexcept {
  if (body > max_remaining_length) return make_error(errc::invalid_argument, 0, "mqtt: packet longer than MQTT allows");
  const std::size_t total = 1 + varint_size(static_cast<std::uint32_t>(body)) + body;
  if (out.size() < total) return make_error(errc::buffer_too_small, out.size(), "mqtt: the packet needs {} bytes", total);
  packet_writer w{out.data()};
  w.put(first);
  w.n += write_varint(out.data() + 1, static_cast<std::uint32_t>(body));
  fill(w);
  if (w.too_long) return make_error(errc::invalid_argument, 0, "mqtt: a field longer than 65,535 bytes");
  return w.n;
}

constexpr std::uint8_t first_byte(packet_type t, std::uint8_t flags = 0) noexcept {
  return static_cast<std::uint8_t>(static_cast<std::uint8_t>(t) << 4 | flags);
}
constexpr bool is_v5(protocol_version v) noexcept { return v == protocol_version::v5; }

// Body size of a 5.0 reason code and properties that may be left out.
template <class T>
constexpr std::size_t reason_size(const T& v) noexcept {
  const bool props = v.properties_written || !v.properties.empty();
  const bool reason = props || v.reason_written || v.reason != 0;
  return (reason ? 1 : 0) + (props ? v.properties.encoded_size() : 0);
}
template <class T>
constexpr void put_reason(packet_writer& w, const T& v) noexcept {
  const bool props = v.properties_written || !v.properties.empty();
  const bool reason = props || v.reason_written || v.reason != 0;
  if (reason) w.put(v.reason);
  if (props) w.put_props(v.properties);
}

constexpr std::size_t body_size(const connack& c) noexcept { return 2 + (is_v5(c.version) ? c.properties.encoded_size() : 0); }
constexpr std::size_t body_size(const publish& p) noexcept {
  return 2 + p.topic.size() + (p.qos > 0 ? 2 : 0) + (is_v5(p.version) ? p.properties.encoded_size() : 0) + p.payload.size();
}
constexpr std::size_t body_size(const pub_ack& a) noexcept { return 2 + (is_v5(a.version) ? reason_size(a) : 0); }
constexpr std::size_t body_size(const subscribe& s) noexcept {
  return 2 + (is_v5(s.version) ? s.properties.encoded_size() : 0) + s.subscriptions.wire_size();
}
constexpr std::size_t body_size(const suback& s) noexcept {
  return 2 + (is_v5(s.version) ? s.properties.encoded_size() : 0) + s.codes.size();
}
constexpr std::size_t body_size(const unsubscribe& u) noexcept {
  return 2 + (is_v5(u.version) ? u.properties.encoded_size() : 0) + u.filters.wire_size();
}
constexpr std::size_t body_size(const unsuback& u) noexcept {
  return 2 + (is_v5(u.version) ? u.properties.encoded_size() + u.codes.size() : 0);
}
constexpr std::size_t body_size(const pingreq&) noexcept { return 0; }
constexpr std::size_t body_size(const pingresp&) noexcept { return 0; }
constexpr std::size_t body_size(const disconnect& d) noexcept { return is_v5(d.version) ? reason_size(d) : 0; }
constexpr std::size_t body_size(const auth& a) noexcept { return reason_size(a); }

template <class T>
constexpr std::size_t packet_size(const T& v) noexcept {
  const std::size_t body = body_size(v);
  return 1 + varint_size(static_cast<std::uint32_t>(body > max_remaining_length ? max_remaining_length : body)) + body;
}
}  // namespace detail

/// Bytes encode(x, ...) writes.
constexpr std::size_t encoded_size(const connack& c) noexcept { return detail::packet_size(c); }
constexpr std::size_t encoded_size(const publish& p) noexcept { return detail::packet_size(p); }
constexpr std::size_t encoded_size(const pub_ack& a) noexcept { return detail::packet_size(a); }
constexpr std::size_t encoded_size(const subscribe& s) noexcept { return detail::packet_size(s); }
constexpr std::size_t encoded_size(const suback& s) noexcept { return detail::packet_size(s); }
constexpr std::size_t encoded_size(const unsubscribe& u) noexcept { return detail::packet_size(u); }
constexpr std::size_t encoded_size(const unsuback& u) noexcept { return detail::packet_size(u); }
constexpr std::size_t encoded_size(const pingreq& p) noexcept { return detail::packet_size(p); }
constexpr std::size_t encoded_size(const pingresp& p) noexcept { return detail::packet_size(p); }
constexpr std::size_t encoded_size(const disconnect& d) noexcept { return detail::packet_size(d); }
constexpr std::size_t encoded_size(const auth& a) noexcept { return detail::packet_size(a); }

/// Encode a CONNACK into `out`; the bytes written.
constexpr result<std::size_t> encode(const connack& c, mutable_bytes out) noexcept {
  return detail::emit(detail::first_byte(packet_type::connack), detail::body_size(c), out, [&](detail::packet_writer& w) {
    w.put(c.session_present ? 1 : 0);
    w.put(c.code);
    if (detail::is_v5(c.version)) w.put_props(c.properties);
  });
}

/// Encode a PUBLISH (invalid_argument: QoS above 2).
constexpr result<std::size_t> encode(const publish& p, mutable_bytes out) noexcept {
  if (p.qos > 2) return make_error(errc::invalid_argument, 0, "mqtt: PUBLISH QoS {} above 2", p.qos);
  const auto flags = static_cast<std::uint8_t>((p.dup ? 8 : 0) | p.qos << 1 | (p.retain ? 1 : 0));
  return detail::emit(detail::first_byte(packet_type::publish, flags), detail::body_size(p), out,
                      [&](detail::packet_writer& w) {
                        w.put_ref(p.topic);
                        if (p.qos > 0) w.put16(p.packet_id);
                        if (detail::is_v5(p.version)) w.put_props(p.properties);
                        w.put_raw(p.payload);
                      });
}

/// Encode a PUBACK, PUBREC, PUBREL or PUBCOMP (invalid_argument: another type).
constexpr result<std::size_t> encode(const pub_ack& a, mutable_bytes out) noexcept {
  const auto t = static_cast<std::uint8_t>(a.type);
  if (t < 4 || t > 7) return make_error(errc::invalid_argument, 0, "mqtt: packet type {} is not an acknowledgement of PUBLISH", t);
  return detail::emit(detail::first_byte(a.type, required_flags(a.type)), detail::body_size(a), out,
                      [&](detail::packet_writer& w) {
                        w.put16(a.packet_id);
                        if (detail::is_v5(a.version)) detail::put_reason(w, a);
                      });
}

/// Encode a SUBSCRIBE (invalid_argument: a subscription QoS above 2).
constexpr result<std::size_t> encode(const subscribe& s, mutable_bytes out) noexcept {
  for (const subscription& x : s.subscriptions) {
    if (x.qos > 2) return make_error(errc::invalid_argument, 0, "mqtt: subscription QoS {} above 2", x.qos);
  }
  if (!s.subscriptions.fits()) return make_error(errc::invalid_argument, 0, "mqtt: a field longer than 65,535 bytes");
  return detail::emit(detail::first_byte(packet_type::subscribe, 2), detail::body_size(s), out,
                      [&](detail::packet_writer& w) {
                        w.put16(s.packet_id);
                        if (detail::is_v5(s.version)) w.put_props(s.properties);
                        w.n += s.subscriptions.write(w.out + w.n);
                      });
}

/// Encode a SUBACK.
constexpr result<std::size_t> encode(const suback& s, mutable_bytes out) noexcept {
  return detail::emit(detail::first_byte(packet_type::suback), detail::body_size(s), out, [&](detail::packet_writer& w) {
    w.put16(s.packet_id);
    if (detail::is_v5(s.version)) w.put_props(s.properties);
    w.put_raw(string_ref(s.codes));
  });
}

/// Encode an UNSUBSCRIBE.
constexpr result<std::size_t> encode(const unsubscribe& u, mutable_bytes out) noexcept {
  if (!u.filters.fits()) return make_error(errc::invalid_argument, 0, "mqtt: a field longer than 65,535 bytes");
  return detail::emit(detail::first_byte(packet_type::unsubscribe, 2), detail::body_size(u), out,
                      [&](detail::packet_writer& w) {
                        w.put16(u.packet_id);
                        if (detail::is_v5(u.version)) w.put_props(u.properties);
                        w.n += u.filters.write(w.out + w.n);
                      });
}

/// Encode an UNSUBACK.
constexpr result<std::size_t> encode(const unsuback& u, mutable_bytes out) noexcept {
  return detail::emit(detail::first_byte(packet_type::unsuback), detail::body_size(u), out, [&](detail::packet_writer& w) {
    w.put16(u.packet_id);
    if (detail::is_v5(u.version)) {
      w.put_props(u.properties);
      w.put_raw(string_ref(u.codes));
    }
  });
}

/// Encode a PINGREQ (`c0 00`).
constexpr result<std::size_t> encode(const pingreq&, mutable_bytes out) noexcept {
  return detail::emit(detail::first_byte(packet_type::pingreq), 0, out, [](detail::packet_writer&) {});
}

/// Encode a PINGRESP (`d0 00`).
constexpr result<std::size_t> encode(const pingresp&, mutable_bytes out) noexcept {
  return detail::emit(detail::first_byte(packet_type::pingresp), 0, out, [](detail::packet_writer&) {});
}

/// Encode a DISCONNECT.
constexpr result<std::size_t> encode(const disconnect& d, mutable_bytes out) noexcept {
  return detail::emit(detail::first_byte(packet_type::disconnect), detail::body_size(d), out,
                      [&](detail::packet_writer& w) {
                        if (detail::is_v5(d.version)) detail::put_reason(w, d);
                      });
}

/// Encode an AUTH.
constexpr result<std::size_t> encode(const auth& a, mutable_bytes out) noexcept {
  return detail::emit(detail::first_byte(packet_type::auth), detail::body_size(a), out,
                      [&](detail::packet_writer& w) { detail::put_reason(w, a); });
}

/// Encode any control packet.
constexpr result<std::size_t> encode(const control_packet& p, mutable_bytes out) noexcept {
  return std::visit([&](const auto& v) { return encode(v, out); }, p);
}
constexpr std::size_t encoded_size(const control_packet& p) noexcept {
  return std::visit([](const auto& v) { return encoded_size(v); }, p);
}

/// The type of a decoded packet.
constexpr packet_type type_of(const control_packet& p) noexcept {
  constexpr packet_type types[] = {packet_type::connect,  packet_type::connack,     packet_type::publish,
                                   packet_type::puback,   packet_type::subscribe,   packet_type::suback,
                                   packet_type::unsubscribe, packet_type::unsuback, packet_type::pingreq,
                                   packet_type::pingresp, packet_type::disconnect,  packet_type::auth};
  if (const pub_ack* a = std::get_if<pub_ack>(&p)) return a->type;
  return types[p.index()];
}

}  // namespace wirespan::mqtt
