// wirespan/mqtt/properties.hpp — MQTT 5.0 properties (§2.2.2).
//
// A property block is a Variable Byte Integer length, then properties: an identifier
// (a Variable Byte Integer; all defined ones are one byte) and a value of the type the
// identifier fixes (byte, two- or four-byte integer, Variable Byte Integer, UTF-8
// string, binary data, string pair). `parse_properties` checks a block for one packet
// (or the will): every identifier known and allowed there (else malformed), none twice
// but User Property (and, in PUBLISH, Subscription Identifier) (else a protocol error),
// values in range (Receive Maximum, Maximum Packet Size, Topic Alias, Subscription
// Identifier not 0; the 0/1 flags 0 or 1; Authentication Data only with a Method;
// Response Topic a topic name), strings UTF-8 as text.hpp checks them. The checked block
// is kept as a view (`property_list`), so that encoding writes it back byte for byte in
// its order; iterating it gives each `property` with views into the bytes.
//
// ```cpp
// for (const wirespan::mqtt::property& p : c.properties)
//   if (p.id == wirespan::mqtt::property_id::user_property) use(p.text().view(), p.text2().view());
// ```
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "packet.hpp"
#include "text.hpp"

namespace wirespan::mqtt {

/// The property identifiers of MQTT 5.0.
enum class property_id : std::uint8_t {
  payload_format_indicator = 0x01,
  message_expiry_interval = 0x02,
  content_type = 0x03,
  response_topic = 0x08,
  correlation_data = 0x09,
  subscription_identifier = 0x0b,
  session_expiry_interval = 0x11,
  assigned_client_identifier = 0x12,
  server_keep_alive = 0x13,
  authentication_method = 0x15,
  authentication_data = 0x16,
  request_problem_information = 0x17,
  will_delay_interval = 0x18,
  request_response_information = 0x19,
  response_information = 0x1a,
  server_reference = 0x1c,
  reason_string = 0x1f,
  receive_maximum = 0x21,
  topic_alias_maximum = 0x22,
  topic_alias = 0x23,
  maximum_qos = 0x24,
  retain_available = 0x25,
  user_property = 0x26,
  maximum_packet_size = 0x27,
  wildcard_subscription_available = 0x28,
  subscription_identifier_available = 0x29,
  shared_subscription_available = 0x2a,
};

/// The value type an identifier fixes.
enum class property_type : std::uint8_t { none, byte, two_byte, four_byte, varint, utf8, binary, pair };

/// Where a property block is: the packet (or the will) it belongs to.
enum class property_context : std::uint16_t {
  connect = 1 << 0,
  will = 1 << 1,
  connack = 1 << 2,
  publish = 1 << 3,
  puback = 1 << 4,  ///< PUBACK, PUBREC, PUBREL, PUBCOMP
  subscribe = 1 << 5,
  suback = 1 << 6,
  unsubscribe = 1 << 7,
  unsuback = 1 << 8,
  disconnect = 1 << 9,
  auth = 1 << 10,
};

namespace detail {

struct property_info {
  property_type type = property_type::none;
  std::uint16_t contexts = 0;  // property_context bits
  const char* name = nullptr;
};

constexpr std::uint16_t ctx(property_context c) noexcept { return static_cast<std::uint16_t>(c); }

constexpr property_info info_of_switch(std::uint32_t id) noexcept {
  using pc = property_context;
  const std::uint16_t pubwill = ctx(pc::publish) | ctx(pc::will);
  const std::uint16_t reasons = ctx(pc::connack) | ctx(pc::puback) | ctx(pc::suback) | ctx(pc::unsuback) |
                                ctx(pc::disconnect) | ctx(pc::auth);
  switch (id) {
    case 0x01: return {property_type::byte, pubwill, "payload format indicator"};
    case 0x02: return {property_type::four_byte, pubwill, "message expiry interval"};
    case 0x03: return {property_type::utf8, pubwill, "content type"};
    case 0x08: return {property_type::utf8, pubwill, "response topic"};
    case 0x09: return {property_type::binary, pubwill, "correlation data"};
    case 0x0b: return {property_type::varint, static_cast<std::uint16_t>(ctx(pc::publish) | ctx(pc::subscribe)), "subscription identifier"};
    case 0x11:
      return {property_type::four_byte, static_cast<std::uint16_t>(ctx(pc::connect) | ctx(pc::connack) | ctx(pc::disconnect)),
              "session expiry interval"};
    case 0x12: return {property_type::utf8, ctx(pc::connack), "assigned client identifier"};
    case 0x13: return {property_type::two_byte, ctx(pc::connack), "server keep alive"};
    case 0x15:
      return {property_type::utf8, static_cast<std::uint16_t>(ctx(pc::connect) | ctx(pc::connack) | ctx(pc::auth)),
              "authentication method"};
    case 0x16:
      return {property_type::binary, static_cast<std::uint16_t>(ctx(pc::connect) | ctx(pc::connack) | ctx(pc::auth)),
              "authentication data"};
    case 0x17: return {property_type::byte, ctx(pc::connect), "request problem information"};
    case 0x18: return {property_type::four_byte, ctx(pc::will), "will delay interval"};
    case 0x19: return {property_type::byte, ctx(pc::connect), "request response information"};
    case 0x1a: return {property_type::utf8, ctx(pc::connack), "response information"};
    case 0x1c: return {property_type::utf8, static_cast<std::uint16_t>(ctx(pc::connack) | ctx(pc::disconnect)), "server reference"};
    case 0x1f: return {property_type::utf8, reasons, "reason string"};
    case 0x21: return {property_type::two_byte, static_cast<std::uint16_t>(ctx(pc::connect) | ctx(pc::connack)), "receive maximum"};
    case 0x22:
      return {property_type::two_byte, static_cast<std::uint16_t>(ctx(pc::connect) | ctx(pc::connack)), "topic alias maximum"};
    case 0x23: return {property_type::two_byte, ctx(pc::publish), "topic alias"};
    case 0x24: return {property_type::byte, ctx(pc::connack), "maximum qos"};
    case 0x25: return {property_type::byte, ctx(pc::connack), "retain available"};
    case 0x26: return {property_type::pair, 0x7ff, "user property"};
    case 0x27:
      return {property_type::four_byte, static_cast<std::uint16_t>(ctx(pc::connect) | ctx(pc::connack)), "maximum packet size"};
    case 0x28: return {property_type::byte, ctx(pc::connack), "wildcard subscription available"};
    case 0x29: return {property_type::byte, ctx(pc::connack), "subscription identifier available"};
    case 0x2a: return {property_type::byte, ctx(pc::connack), "shared subscription available"};
    default: return {};
  }
}

// (a table of the switch above: one load per lookup)
struct property_table {
  property_info entries[0x2b]{};
  constexpr property_table() noexcept {
    for (std::uint32_t i = 0; i < 0x2b; ++i) entries[i] = info_of_switch(i);
  }
};
inline constexpr property_table property_infos{};

constexpr property_info info_of(std::uint32_t id) noexcept {
  return id < 0x2b ? property_infos.entries[id] : property_info{};
}

}  // namespace detail

/// The type of a property identifier (`none`: not one MQTT 5.0 defines).
constexpr property_type type_of(property_id id) noexcept { return detail::info_of(static_cast<std::uint8_t>(id)).type; }
/// Its name in the specification, in lower case ("receive maximum"); nullptr if unknown.
constexpr const char* name_of(property_id id) noexcept { return detail::info_of(static_cast<std::uint8_t>(id)).name; }

/// One property of a checked block: numbers in `number`, strings and binary data in
/// `data` (a string pair: the name in `data`, the value in `data2`). Views into the block;
/// `text()` and `text2()` give them as string_ref.
struct property {
  property_id id{};
  std::uint32_t number = 0;
  bytes data{};
  bytes data2{};
  std::uint32_t offset = 0;  ///< of its identifier, from the start of the block's properties

  constexpr string_ref text() const noexcept { return string_ref(data); }
  constexpr string_ref text2() const noexcept { return string_ref(data2); }
};

namespace detail {

// Read one property at `at` of a block; its bytes are known to be there only up to the
// block's end. (No checks of context or value: see parse_properties.)
constexpr result<property> read_property(bytes block, std::size_t at, std::size_t base) noexcept {
  auto idv = decode_varint(block.subspan(at), parse_mode::lax, base + at);
  if (!idv) {
    if (idv.error().code == errc::truncated) {
      return make_error(errc::malformed, base + at, "mqtt: a property identifier runs past the property block");
    }
    return idv.error();
  }
  const property_info in = info_of(idv->value);
  if (in.type == property_type::none || idv->size != 1) {
    return make_error(errc::malformed, base + at, "mqtt: unknown property identifier {}", idv->value);
  }
  property p;
  p.id = static_cast<property_id>(idv->value);
  p.offset = static_cast<std::uint32_t>(at);
  std::size_t pos = at + 1;
  const std::size_t n = block.size();
  auto need = [&](std::size_t k) { return n - pos >= k; };
  auto past = [&]() {
    return make_error(errc::malformed, base + at, "mqtt: the value of a property runs past the property block");
  };
  switch (in.type) {
    case property_type::byte:
      if (!need(1)) return past();
      p.number = block[pos];
      break;
    case property_type::two_byte:
      if (!need(2)) return past();
      p.number = load_be16(block.data() + pos);
      break;
    case property_type::four_byte:
      if (!need(4)) return past();
      p.number = load_be32(block.data() + pos);
      break;
    case property_type::varint: {
      auto v = decode_varint(block.subspan(pos), parse_mode::strict, base + pos);
      if (!v) return v.error().code == errc::truncated ? past() : v.error();
      p.number = v->value;
      break;
    }
    case property_type::utf8:
    case property_type::binary:
    case property_type::pair: {
      if (!need(2)) return past();
      const std::size_t len = load_be16(block.data() + pos);
      if (!need(2 + len)) return past();
      p.data = block.subspan(pos + 2, len);
      if (in.type == property_type::pair) {
        const std::size_t at2 = pos + 2 + len;
        if (n - at2 < 2) return past();
        const std::size_t len2 = load_be16(block.data() + at2);
        if (n - at2 - 2 < len2) return past();
        p.data2 = block.subspan(at2 + 2, len2);
      }
      break;
    }
    case property_type::none: break;
  }
  return p;
}

constexpr std::size_t property_size(const property& p) noexcept {
  switch (type_of(p.id)) {
    case property_type::byte: return 2;
    case property_type::two_byte: return 3;
    case property_type::four_byte: return 5;
    case property_type::varint: return 1 + varint_size(p.number);
    case property_type::utf8:
    case property_type::binary: return 3 + p.data.size();
    case property_type::pair: return 5 + p.data.size() + p.data2.size();
    case property_type::none: break;
  }
  return 0;
}

}  // namespace detail

/// A checked property block (the properties, without the length before them).
class property_list {
 public:
  constexpr property_list() noexcept = default;

  /// The properties' bytes, as on the wire.
  constexpr bytes raw() const noexcept { return raw_; }
  constexpr bool empty() const noexcept { return raw_.empty(); }
  /// Bytes on the wire with the length in front.
  constexpr std::size_t encoded_size() const noexcept { return varint_size(static_cast<std::uint32_t>(raw_.size())) + raw_.size(); }

  class iterator {
   public:
    constexpr iterator() noexcept = default;
    constexpr const property& operator*() const noexcept { return cur_; }
    constexpr const property* operator->() const noexcept { return &cur_; }
    constexpr iterator& operator++() noexcept {
      at_ += detail::property_size(cur_);
      load();
      return *this;
    }
    friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept { return a.at_ == b.at_; }

   private:
    friend class property_list;
    constexpr iterator(bytes raw, std::size_t at) noexcept : raw_(raw), at_(at) { load(); }
    constexpr void load() noexcept {
      if (at_ >= raw_.size()) {
        at_ = raw_.size();
        return;
      }
      auto p = detail::read_property(raw_, at_, 0);
      if (p) cur_ = *p;
      else at_ = raw_.size();  // (not in a checked block)
    }
    bytes raw_{};
    std::size_t at_ = 0;
    property cur_{};
  };
  constexpr iterator begin() const noexcept { return iterator(raw_, 0); }
  constexpr iterator end() const noexcept { return iterator(raw_, raw_.size()); }

  /// The first property with this identifier, if there is one.
  constexpr bool find(property_id id, property& out) const noexcept {
    for (const property& p : *this) {
      if (p.id == id) {
        out = p;
        return true;
      }
    }
    return false;
  }

  /// A block known to be checked (by parse_properties, or built by property_writer).
  static constexpr property_list trusted(bytes raw) noexcept {
    property_list l;
    l.raw_ = raw;
    return l;
  }

 private:
  bytes raw_{};
};

namespace detail {
// The range rule of a number property (the 0/1 flags; those that must not be 0); the
// Payload Format Indicator's value goes to `*payload_format` when given.
constexpr result<void> check_value(property_id pid, std::uint32_t number, std::size_t off,
                                   std::uint32_t* payload_format) noexcept {
  const auto id = static_cast<std::uint8_t>(pid);
  switch (pid) {
    case property_id::payload_format_indicator:
      if (payload_format != nullptr) *payload_format = number;
      [[fallthrough]];
    case property_id::request_problem_information:
    case property_id::request_response_information:
    case property_id::maximum_qos:
    case property_id::retain_available:
    case property_id::wildcard_subscription_available:
    case property_id::subscription_identifier_available:
    case property_id::shared_subscription_available:
      if (number > 1) return make_error(errc::bad_value, off, "mqtt: property {} must be 0 or 1", id);
      break;
    case property_id::receive_maximum:
    case property_id::maximum_packet_size:
    case property_id::topic_alias:
    case property_id::subscription_identifier:
      if (number == 0) return make_error(errc::bad_value, off, "mqtt: property {} must not be 0", id);
      break;
    default: break;
  }
  return {};
}
// parse_properties written plainly, one read_property per property: what the fast one
// below must agree with (tests/mqtt/test_packet.cpp compares them on random blocks).
[[gnu::noinline]] constexpr result<property_list> parse_properties_reference(bytes in, property_context where, std::size_t& consumed,
                                                 bool strict = true, std::size_t base = 0,
                                                 std::uint32_t* payload_format = nullptr) noexcept {
  auto len = decode_varint(in, strict ? parse_mode::strict : parse_mode::lax, base);
  if (!len) {
    if (len.error().code == errc::truncated) {
      return make_error(errc::malformed, base + in.size(), "mqtt: the packet ends inside a property length");
    }
    return len.error();
  }
  if (in.size() - len->size < len->value) {
    return make_error(errc::malformed, base, "mqtt: property length {} longer than the {} bytes left in the packet",
                      len->value, in.size() - len->size);
  }
  const bytes block = in.subspan(len->size, len->value);
  const std::size_t bbase = base + len->size;
  std::uint64_t seen = 0;
  const auto w = static_cast<std::uint16_t>(where);
  for (std::size_t at = 0; at < block.size();) {
    auto p = read_property(block, at, bbase);
    if (!p) return p.error();
    const auto id = static_cast<std::uint8_t>(p->id);
    const property_info pin = info_of(id);
    const std::size_t off = bbase + at;
    if ((pin.contexts & w) == 0) {
      return make_error(errc::malformed, off, "mqtt: property {} not allowed in this packet", id);
    }
    const bool repeatable = p->id == property_id::user_property ||
                            (p->id == property_id::subscription_identifier && where == property_context::publish);
    if (!repeatable && (seen >> id & 1) != 0) {
      return make_error(errc::bad_value, off, "mqtt: property {} more than once", id);
    }
    seen |= std::uint64_t{1} << id;
    auto okv = check_value(p->id, p->number, off, payload_format);
    if (!okv) return okv.error();
    if (pin.type == property_type::utf8 || pin.type == property_type::pair) {
      auto ok = check_utf8(string_ref(p->data), strict, off + 3);
      if (!ok) return ok.error();
      if (pin.type == property_type::pair) {
        auto ok2 = check_utf8(string_ref(p->data2), strict, off + 5 + p->data.size());
        if (!ok2) return ok2.error();
      }
    }
    if (p->id == property_id::response_topic) {
      auto ok = check_topic_name(p->text(), off + 3);
      if (!ok) return ok.error();
    }
    at += property_size(*p);
  }
  if ((seen >> 0x16 & 1) != 0 && (seen >> 0x15 & 1) == 0) {
    return make_error(errc::bad_value, bbase, "mqtt: authentication data without an authentication method");
  }
  consumed = len->size + len->value;
  return property_list::trusted(block);
}

}  // namespace detail

namespace detail {
// What the fast check does with an identifier's value: its type and its value rule
// together (the rules taken from check_value), and the two identifiers with more to
// check (the Payload Format Indicator's value is kept; a Response Topic is a topic name).
enum class property_kind : std::uint8_t {
  none, byte, byte_0_1, format_indicator, two_byte, two_byte_not_0, four_byte, four_byte_not_0,
  varint_not_0, text, response_topic, binary, pair
};
struct property_kinds {
  property_kind kind[0x100]{};    // by identifier byte (none: unknown)
  std::uint64_t allowed[11]{};    // by context (bit i of property_context): identifiers allowed there
  constexpr property_kinds() noexcept {
    for (std::uint32_t i = 0; i < 0x2b; ++i) {
      const property_info in = info_of(i);
      if (in.type == property_type::none) continue;
      const auto id = static_cast<property_id>(i);
      const bool only_0_1 = !check_value(id, 2, 0, nullptr).has_value();
      const bool not_0 = !check_value(id, 0, 0, nullptr).has_value();
      property_kind k = property_kind::none;
      switch (in.type) {
        case property_type::byte:
          k = id == property_id::payload_format_indicator ? property_kind::format_indicator
              : only_0_1                                  ? property_kind::byte_0_1
                                                          : property_kind::byte;
          break;
        case property_type::two_byte: k = not_0 ? property_kind::two_byte_not_0 : property_kind::two_byte; break;
        case property_type::four_byte: k = not_0 ? property_kind::four_byte_not_0 : property_kind::four_byte; break;
        case property_type::varint: k = property_kind::varint_not_0; break;  // (the only one: Subscription Identifier)
        case property_type::utf8: k = id == property_id::response_topic ? property_kind::response_topic : property_kind::text; break;
        case property_type::binary: k = property_kind::binary; break;
        case property_type::pair: k = property_kind::pair; break;
        case property_type::none: break;
      }
      kind[i] = k;
      for (std::uint32_t c = 0; c < 11; ++c) {
        if ((in.contexts >> c & 1) != 0) allowed[c] |= std::uint64_t{1} << i;
      }
    }
  }
};
inline constexpr property_kinds property_table{};

// The identifiers a context allows, and those of them that may come once only (all
// but User Property and, in PUBLISH, Subscription Identifier); zero for a value of
// property_context that is not one context.
struct property_rules {
  std::uint64_t allowed = 0;
  std::uint64_t once = 0;
};
constexpr property_rules rules_for(property_context where) noexcept {
  const auto w = static_cast<std::uint16_t>(where);
  if (w == 0 || (w & (w - 1)) != 0 || w >= 1u << 11) return {};
  return {property_table.allowed[static_cast<std::uint32_t>(std::countr_zero(w))],
          ~((std::uint64_t{1} << 0x26) | (where == property_context::publish ? std::uint64_t{1} << 0x0b : 0))};
}

// True when the block passes every check parse_properties_reference makes for the
// context whose rules are `r` (then the Payload Format Indicator's value, if there is
// one, is in `payload_format`). It only says yes or no: on no, the reference finds the
// error, if there is one; it also says no to every string that is not plain ASCII (and
// every string in a constant expression), for the reference to check.
template <bool Strict>
constexpr bool properties_pass_as(bytes block, property_rules r, std::uint32_t& payload_format) noexcept {
  const std::size_t n = block.size();
  const std::uint8_t* const p = block.data();
  // The identifiers that may still come: those allowed here, less each one seen that
  // may come once only. (An identifier of 0x40 or more tests some other's bit here;
  // its kind, none, then fails it.)
  std::uint64_t open = r.allowed;
  for (std::size_t at = 0; at < n;) {
    const std::uint8_t id = p[at];
    const std::uint64_t bit = std::uint64_t{1} << (id & 0x3f);
    if ((open & bit) == 0) return false;  // not allowed here, or again
    open &= ~(bit & r.once);
    const std::size_t pos = at + 1;
    const std::size_t left = n - pos;
    switch (property_table.kind[id]) {
      case property_kind::byte:
        if (left < 1) return false;
        at = pos + 1;
        break;
      case property_kind::byte_0_1:
        if (left < 1 || p[pos] > 1) return false;
        at = pos + 1;
        break;
      case property_kind::format_indicator:
        if (left < 1 || p[pos] > 1) return false;
        payload_format = p[pos];
        at = pos + 1;
        break;
      case property_kind::two_byte:
        if (left < 2) return false;
        at = pos + 2;
        break;
      case property_kind::two_byte_not_0:
        if (left < 2 || load_be16(p + pos) == 0) return false;
        at = pos + 2;
        break;
      case property_kind::four_byte:
        if (left < 4) return false;
        at = pos + 4;
        break;
      case property_kind::four_byte_not_0:
        if (left < 4 || load_be32(p + pos) == 0) return false;
        at = pos + 4;
        break;
      case property_kind::varint_not_0: {
        auto v = decode_varint(block.subspan(pos), parse_mode::strict, 0);
        if (!v || v->value == 0) return false;
        at = pos + v->size;
        break;
      }
      // Strings: a two-byte length, then the bytes. (A string of other than plain ASCII,
      // or a topic that is not plain: no here, and the reference judges it.)
      case property_kind::binary:
        if (left < 2 || left - 2 < load_be16(p + pos)) return false;
        at = pos + 2 + load_be16(p + pos);
        break;
      case property_kind::text:
        if (left < 2 || left - 2 < load_be16(p + pos) || !plain_text(p + pos + 2, load_be16(p + pos), Strict)) return false;
        at = pos + 2 + load_be16(p + pos);
        break;
      case property_kind::response_topic:
        if (left < 2 || left - 2 < load_be16(p + pos) || !plain_topic_name(p + pos + 2, load_be16(p + pos), Strict)) return false;
        at = pos + 2 + load_be16(p + pos);
        break;
      case property_kind::pair: {  // (two strings)
        if (left < 2 || left - 2 < load_be16(p + pos) || !plain_text(p + pos + 2, load_be16(p + pos), Strict)) return false;
        at = pos + 2 + load_be16(p + pos);
        if (n - at < 2 || n - at - 2 < load_be16(p + at) || !plain_text(p + at + 2, load_be16(p + at), Strict)) return false;
        at += std::size_t{2} + load_be16(p + at);
        break;
      }
      case property_kind::none: return false;
    }
  }
  // Authentication Data without an Authentication Method (each may come once only: its
  // bit left `open` when it came).
  const std::uint64_t seen = r.allowed & ~open;
  return (seen >> 0x16 & 1) == 0 || (seen >> 0x15 & 1) != 0;
}

// properties_pass_as for strict or lax (one call where the properties are read: the
// decoders that inline parse_properties keep their own code small).
[[gnu::noinline]] constexpr bool properties_pass(bytes block, property_rules r, bool strict, std::uint32_t& payload_format) noexcept {
  return strict ? properties_pass_as<true>(block, r, payload_format) : properties_pass_as<false>(block, r, payload_format);
}
}  // namespace detail

/// Parse and check the property block at the front of `in` (its length first) for
/// `where`; `base` is the offset of `in` in the packet, for errors. On success,
/// `consumed` is the block's size with its length, and `*payload_format` (if given) the
/// Payload Format Indicator's value, when there is one.
[[gnu::always_inline]] constexpr result<property_list> parse_properties(bytes in, property_context where, std::size_t& consumed,
                                                                         bool strict = true, std::size_t base = 0,
                                                                         std::uint32_t* payload_format = nullptr) noexcept {
  // A block that passes every check in one quick pass (a one-byte length, nearly
  // always); anything else, and every error, through the plain reference.
  const detail::property_rules rules = detail::rules_for(where);  // (constant where `where` is)
  if (rules.allowed != 0 && !in.empty() && in[0] < 0x80 && in.size() - 1 >= in[0]) {
    const bytes block = in.subspan(1, in[0]);
    std::uint32_t pf = payload_format != nullptr ? *payload_format : 0;
    if (detail::properties_pass(block, rules, strict, pf)) {
      if (payload_format != nullptr) *payload_format = pf;
      consumed = 1 + block.size();
      return property_list::trusted(block);
    }
  }
  return detail::parse_properties_reference(in, where, consumed, strict, base, payload_format);
}

/// Builds a property block into a caller's buffer, in the order of the calls.
class property_writer {
 public:
  constexpr explicit property_writer(mutable_bytes out) noexcept : out_(out) {}

  constexpr property_writer& number(property_id id, std::uint32_t v) noexcept {
    switch (type_of(id)) {
      case property_type::byte: put_id(id), put(static_cast<std::uint8_t>(v)); break;
      case property_type::two_byte: put_id(id), put16(static_cast<std::uint16_t>(v)); break;
      case property_type::four_byte: put_id(id), put16(static_cast<std::uint16_t>(v >> 16)), put16(static_cast<std::uint16_t>(v)); break;
      case property_type::varint: {
        put_id(id);
        std::uint8_t tmp[4]{};
        const std::size_t k = write_varint(tmp, v);
        for (std::size_t i = 0; i < k; ++i) put(tmp[i]);
        break;
      }
      default: failed_ = true;
    }
    return *this;
  }
  /// A UTF-8 string or binary data property.
  constexpr property_writer& text(property_id id, string_ref s) noexcept {
    if (type_of(id) != property_type::utf8 && type_of(id) != property_type::binary) failed_ = true;
    put_id(id), put_string(s);
    return *this;
  }
  constexpr property_writer& user_property(string_ref name, string_ref value) noexcept {
    put_id(property_id::user_property), put_string(name), put_string(value);
    return *this;
  }

  /// The block (unchecked: parse_properties checks it), or buffer_too_small (value: the
  /// size needed) / invalid_argument (a value of the wrong type for its identifier).
  constexpr result<property_list> finish() const noexcept {
    if (failed_) return make_error(errc::invalid_argument, 0, "mqtt: a property value of the wrong type");
    if (n_ > out_.size()) return make_error(errc::buffer_too_small, out_.size(), "mqtt: property buffer too small", n_);
    return property_list::trusted(bytes(out_.data(), n_));
  }

 private:
  constexpr void put(std::uint8_t b) noexcept {
    if (n_ < out_.size()) out_[n_] = b;
    ++n_;
  }
  constexpr void put16(std::uint16_t v) noexcept { put(static_cast<std::uint8_t>(v >> 8)), put(static_cast<std::uint8_t>(v)); }
  constexpr void put_id(property_id id) noexcept { put(static_cast<std::uint8_t>(id)); }
  constexpr void put_string(string_ref s) noexcept {
    if (s.size() > 0xffff) failed_ = true;
    put16(static_cast<std::uint16_t>(s.size()));
    for (std::size_t i = 0; i < s.size(); ++i) put(s[i]);
  }
  mutable_bytes out_;
  std::size_t n_ = 0;
  bool failed_ = false;
};

}  // namespace wirespan::mqtt
