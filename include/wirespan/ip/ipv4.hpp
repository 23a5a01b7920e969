// wirespan/ip/ipv4.hpp — the IPv4 header (RFC 791; DSCP/ECN RFC 2474/3168; ID RFC 6864).
//
// Three things, as for every codec:
//  - `ipv4::view<B>` over a packet: `parse()` validates every length once (and the header
//    checksum, unless told not to); after that the accessors cannot read out of bounds.
//    A view over `mutable_bytes` has setters; those that touch the header keep the header
//    checksum right by RFC 1624 incremental update in O(1).
//  - `ipv4::header`, a value type with `decode`, `encoded_size` and `encode`; IHL, total
//    length and checksum are computed when left empty. Decode then encode is byte-identical,
//    options and their padding included.
//  - options: `options(bytes)` iterates them (EOL, NOP, Record Route, Timestamp, Loose and
//    Strict Source Route, Router Alert, Security, and any other type kept raw);
//    `option_builder` writes them and pads the area to a 4-byte boundary.
//
// ```cpp
// auto ip = wirespan::ipv4::view<>::parse(packet);           // strict, checksum verified
// if (!ip) std::puts(wirespan::to_string(ip.error()).c_str());
// else if (ip->protocol() == wirespan::ipv4::protocol_udp) handle(ip->payload());
// ```
//
// Strict parsing (the default) requires the buffer to end where the total length says.
// `parse_options::lax` accepts what real captures contain: total length 0 (segmentation
// offload: the packet runs to the end of the capture) and bytes after the total length
// (an Ethernet trailer, reported by `trailer()`). `parse_options::quoted` is for the
// datagram quoted inside an ICMP error: lax, and the payload may be cut short.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "../config.hpp"
#include "../core/bytes.hpp"
#include "../core/checksum.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "../core/tlv.hpp"
#include "ipv4_address.hpp"

namespace wirespan::ipv4 {

/// IP protocol numbers (IANA) that the library's codecs know.
inline constexpr std::uint8_t protocol_hopopt = 0;
inline constexpr std::uint8_t protocol_icmp = 1;
inline constexpr std::uint8_t protocol_igmp = 2;
inline constexpr std::uint8_t protocol_tcp = 6;
inline constexpr std::uint8_t protocol_udp = 17;
inline constexpr std::uint8_t protocol_ipv6 = 41;
inline constexpr std::uint8_t protocol_ipv6_route = 43;
inline constexpr std::uint8_t protocol_ipv6_frag = 44;
inline constexpr std::uint8_t protocol_gre = 47;
inline constexpr std::uint8_t protocol_esp = 50;
inline constexpr std::uint8_t protocol_ah = 51;
inline constexpr std::uint8_t protocol_icmpv6 = 58;
inline constexpr std::uint8_t protocol_ipv6_none = 59;
inline constexpr std::uint8_t protocol_ipv6_opts = 60;
inline constexpr std::uint8_t protocol_sctp = 132;

inline constexpr std::size_t min_header_size = 20;
inline constexpr std::size_t max_header_size = 60;
inline constexpr std::size_t max_options_size = 40;

/// Whether `parse` verifies the header checksum.
enum class checksum_policy : std::uint8_t { verify, ignore };

/// How strictly `parse` reads.
enum class parse_mode : std::uint8_t {
  strict,  ///< the buffer is exactly the datagram
  lax,     ///< total length 0 = to the end of the buffer; bytes after total length = trailer
  quoted,  ///< lax, and the datagram may be cut short (the copy inside an ICMP error)
};

struct parse_options {
  parse_mode mode = parse_mode::strict;
  checksum_policy checksum = checksum_policy::verify;
};

// ---- options ---------------------------------------------------------------------------

/// Option type octets (copied flag, class and number together, RFC 791 §3.1 / IANA).
namespace option_type {
inline constexpr std::uint8_t end_of_list = 0;
inline constexpr std::uint8_t nop = 1;
inline constexpr std::uint8_t record_route = 7;
inline constexpr std::uint8_t timestamp = 68;
inline constexpr std::uint8_t security = 130;
inline constexpr std::uint8_t loose_source_route = 131;
inline constexpr std::uint8_t extended_security = 133;
inline constexpr std::uint8_t stream_id = 136;
inline constexpr std::uint8_t strict_source_route = 137;
inline constexpr std::uint8_t router_alert = 148;
}  // namespace option_type

/// The three forms of the Timestamp option (RFC 791 flag field).
enum class timestamp_flag : std::uint8_t {
  timestamps_only = 0,        ///< 4-byte entries: timestamps
  addresses_and_timestamps = 1,  ///< 8-byte entries: address, timestamp
  prespecified = 3,           ///< 8-byte entries: prespecified addresses, timestamps
};

/// Record Route, Loose and Strict Source Route: the pointer and the address slots.
struct route_option {
  std::uint8_t pointer = 4;  ///< 1-based offset in the option of the next free slot
  bytes slots;               ///< the address slots (4 bytes each)

  constexpr std::size_t size() const noexcept { return slots.size() / 4; }
  constexpr address operator[](std::size_t i) const noexcept {
    return address{{slots[4 * i], slots[4 * i + 1], slots[4 * i + 2], slots[4 * i + 3]}};
  }
  /// The number of slots already filled in (those before the pointer).
  constexpr std::size_t filled() const noexcept {
    const std::size_t f = pointer >= 4 ? (pointer - 4u) / 4u : 0u;
    return f < size() ? f : size();
  }
};

/// The Timestamp option.
struct timestamp_option {
  std::uint8_t pointer = 5;
  std::uint8_t overflow = 0;  ///< the count of modules that could not register (4 bits)
  timestamp_flag flag = timestamp_flag::timestamps_only;
  bytes entries;              ///< 4-byte (timestamps only) or 8-byte entries

  constexpr std::size_t entry_size() const noexcept { return flag == timestamp_flag::timestamps_only ? 4 : 8; }
  constexpr std::size_t size() const noexcept { return entries.size() / entry_size(); }
  /// The address of entry i (flags 1 and 3 only).
  constexpr address address_at(std::size_t i) const noexcept {
    const std::size_t o = i * 8;
    return address{{entries[o], entries[o + 1], entries[o + 2], entries[o + 3]}};
  }
  /// The timestamp of entry i (milliseconds since midnight UT, or with the high bit set, other).
  constexpr std::uint32_t timestamp_at(std::size_t i) const noexcept {
    return load_be32(entries.data() + i * entry_size() + entry_size() - 4);
  }
  /// The number of entries already filled in.
  constexpr std::size_t filled() const noexcept {
    const std::size_t f = pointer >= 5 ? (pointer - 5u) / entry_size() : 0u;
    return f < size() ? f : size();
  }
};

/// One option, as it appears in the header.
struct option {
  std::uint8_t type = 0;  ///< the whole type octet
  std::size_t offset = 0; ///< offset of the type octet in the options area
  bytes raw;              ///< the whole option: type, length (if any) and data

  constexpr bool copied() const noexcept { return (type & 0x80) != 0; }
  constexpr std::uint8_t option_class() const noexcept { return static_cast<std::uint8_t>((type >> 5) & 3); }
  constexpr std::uint8_t number() const noexcept { return static_cast<std::uint8_t>(type & 0x1f); }
  /// The length octet (1 for EOL and NOP, which have none).
  constexpr std::size_t length() const noexcept { return raw.size(); }
  /// The bytes after the type and length octets.
  constexpr bytes data() const noexcept { return raw.size() >= 2 ? raw.subspan(2) : bytes{}; }

  constexpr bool is_route() const noexcept {
    return type == option_type::record_route || type == option_type::loose_source_route ||
           type == option_type::strict_source_route;
  }
  /// Record Route / source routes. Only call when `is_route()`.
  constexpr route_option route() const noexcept { return route_option{raw[2], raw.subspan(3)}; }
  /// Only call when `type == option_type::timestamp`.
  constexpr timestamp_option timestamp() const noexcept {
    const std::size_t entry = (raw[3] & 0x0f) == 0 ? 4 : 8;
    const std::size_t n = (raw.size() - 4) / entry * entry;
    return timestamp_option{raw[2], static_cast<std::uint8_t>(raw[3] >> 4),
                            static_cast<timestamp_flag>(raw[3] & 0x0f), raw.subspan(4, n)};
  }
  /// Only call when `type == option_type::router_alert`.
  constexpr std::uint16_t router_alert() const noexcept { return load_be16(raw.data() + 2); }
};

namespace detail {

// Checks the option that starts at `area[pos]`; returns its length.
constexpr result<std::size_t> check_option(bytes area, std::size_t pos, std::size_t base) noexcept {
  constexpr wirespan::detail::tlv_messages messages{"ipv4: option {} has no length octet", "ipv4: option length {} < 2",
                                                    "ipv4: option length {} runs past the header ({} bytes left)"};
  auto generic = wirespan::detail::tlv_length(area, pos, base, messages);
  if (!generic || *generic == 1) return generic;
  const std::uint8_t type = area[pos];
  const std::size_t at = base + pos;
  const std::size_t len = *generic;
  switch (type) {
    case option_type::record_route:
    case option_type::loose_source_route:
    case option_type::strict_source_route: {
      if (len < 3) return make_error(errc::bad_length, at + 1, "ipv4: route option length {} < 3", len, 3);
      const std::size_t ptr = area[pos + 2];
      if (ptr < 4) return make_error(errc::bad_value, at + 2, "ipv4: route option pointer {} < 4", ptr, 4);
      if (ptr <= len && ptr + 3 > len)
        return make_error(errc::bad_value, at + 2, "ipv4: route option pointer {} leaves no room for an address (length {})",
                          ptr, len);
      if (ptr > len + 1)
        return make_error(errc::bad_value, at + 2, "ipv4: route option pointer {} beyond the option (length {})", ptr,
                          len);
      break;
    }
    case option_type::timestamp: {
      if (len < 4) return make_error(errc::bad_length, at + 1, "ipv4: timestamp option length {} < 4", len, 4);
      const std::size_t ptr = area[pos + 2];
      const unsigned flag = area[pos + 3] & 0x0fu;
      if (flag != 0 && flag != 1 && flag != 3)
        return make_error(errc::bad_value, at + 3, "ipv4: timestamp option flag {} (not 0, 1 or 3)", flag);
      const std::size_t entry = flag == 0 ? 4 : 8;
      if (ptr < 5) return make_error(errc::bad_value, at + 2, "ipv4: timestamp option pointer {} < 5", ptr, 5);
      if (ptr <= len && ptr + entry - 1 > len)
        return make_error(errc::bad_value, at + 2, "ipv4: timestamp option pointer {} leaves no room for an entry (length {})",
                          ptr, len);
      if (ptr > len + 1)
        return make_error(errc::bad_value, at + 2, "ipv4: timestamp option pointer {} beyond the option (length {})",
                          ptr, len);
      break;
    }
    case option_type::router_alert:
      if (len != 4) return make_error(errc::bad_length, at + 1, "ipv4: router alert option length {} != 4", len, 4);
      break;
    case option_type::stream_id:
      if (len != 4) return make_error(errc::bad_length, at + 1, "ipv4: stream ID option length {} != 4", len, 4);
      break;
    case option_type::security:
      if (len < 3) return make_error(errc::bad_length, at + 1, "ipv4: security option length {} < 3", len, 3);
      break;
    default: break;
  }
  return len;
}

}  // namespace detail

namespace detail {
// The header checksum check, for a header of `hlen` bytes (a multiple of 4, 20..60): its
// 32-bit words summed into 64 bits cannot carry out, and the fold of that sum is the
// one's complement sum. Straight-line code for the 20-byte header every packet has.
constexpr bool header_checksum_ok(const std::uint8_t* p, std::size_t hlen) noexcept {
  std::uint64_t s = std::uint64_t{load_le32(p)} + load_le32(p + 4) + load_le32(p + 8) + load_le32(p + 12) +
                    load_le32(p + 16);
  for (std::size_t i = min_header_size; i < hlen; i += 4) s += load_le32(p + i);
  return checksum::detail::fold(s) == 0xffff;
}
}  // namespace detail

/// Checks every option in an options area; `base` is added to error offsets (20 when
/// the area comes from a header, so offsets count from the start of the header).
constexpr result<void> validate_options(bytes area, std::size_t base = min_header_size) noexcept {
  return wirespan::detail::validate_tlv<detail::check_option>(area, base);
}

/// Iterates the options of a validated options area: every option up to and including
/// an End of Option List; the padding after it is not an option. On an area that does
/// not validate it stops before the first bad option.
using option_range = wirespan::detail::tlv_range<option, detail::check_option>;

/// The options of an options area (see `option_range`).
constexpr option_range options(bytes area) noexcept { return option_range(area); }

/// A header's option bytes, held inline (at most 40).
struct options_buffer {
  std::array<std::uint8_t, max_options_size> storage{};
  std::uint8_t length = 0;

  constexpr bytes view() const noexcept { return bytes(storage.data(), length); }
  constexpr std::size_t size() const noexcept { return length; }
  constexpr bool empty() const noexcept { return length == 0; }
  /// Copy an options area (at most 40 bytes).
  static constexpr result<options_buffer> from(bytes area) noexcept {
    if (area.size() > max_options_size)
      return make_error(errc::limit_exceeded, 0, "ipv4: {} option bytes > 40", area.size(), max_options_size);
    options_buffer out;
    for (std::size_t i = 0; i < area.size(); ++i) out.storage[i] = area[i];
    out.length = static_cast<std::uint8_t>(area.size());
    return out;
  }
  friend constexpr bool operator==(const options_buffer& a, const options_buffer& b) noexcept {
    return equal(a.view(), b.view());
  }
};

namespace detail {
// The length of a header with a 20-byte fixed part and options (IPv4, TCP): `words` 32-bit
// words when given, else 20 + the options padded to 4.
constexpr std::size_t header_length_of(const std::optional<std::uint8_t>& words, std::size_t options_size) noexcept {
  // GCC 12 at -O2 with sanitizers reports -Wmaybe-uninitialized for `*words` when the
  // header is an aggregate built with designated initializers (the optional's payload
  // is read only when engaged; a false positive), so it is silenced for this statement.
#if defined(__GNUC__) && !defined(__clang__)
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
  return words ? std::size_t{*words} * 4u : min_header_size + (options_size + 3u) / 4u * 4u;
#if defined(__GNUC__) && !defined(__clang__)
#  pragma GCC diagnostic pop
#endif
}
}  // namespace detail

/// Writes options; `finish()` pads with End of Option List to a multiple of 4 bytes.
/// The first error (more than 40 bytes, a bad argument) is kept and returned by `finish()`.
///
/// ```cpp
/// auto opts = ipv4::option_builder{}.record_route(9).finish();   // 39 bytes + 1 EOL
/// ```
class option_builder {
 private:
  constexpr bool room(std::size_t n) noexcept {
    if (err_) return false;
    if (buf_.length + n > max_options_size) {
      err_ = make_error(errc::limit_exceeded, buf_.length, "ipv4: options need {} bytes > 40", buf_.length + n,
                        max_options_size);
      return false;
    }
    return true;
  }
  constexpr void put(std::uint8_t b) noexcept { buf_.storage[buf_.length++] = b; }

 public:
  constexpr option_builder& nop() noexcept {
    if (room(1)) put(option_type::nop);
    return *this;
  }
  constexpr option_builder& end_of_list() noexcept {
    if (room(1)) put(option_type::end_of_list);
    return *this;
  }
  /// Record Route with `slots` empty address slots (pointer 4).
  constexpr option_builder& record_route(std::size_t slots) noexcept {
    return route(option_type::record_route, 4, std::span<const address>{}, slots);
  }
  /// Loose or Strict Source Route through `hops` (pointer 4).
  constexpr option_builder& source_route(bool strict, std::span<const address> hops) noexcept {
    return route(strict ? option_type::strict_source_route : option_type::loose_source_route, 4, hops, hops.size());
  }
  /// A route option with explicit pointer, filled addresses and total slots.
  constexpr option_builder& route(std::uint8_t type, std::uint8_t pointer, std::span<const address> filled,
                                  std::size_t slots) noexcept {
    if (slots < filled.size() || slots == 0 || slots > 9) {
      if (!err_) err_ = make_error(errc::invalid_argument, buf_.length, "ipv4: route option with {} slots (1..9)", slots);
      return *this;
    }
    if (!room(3 + 4 * slots)) return *this;
    put(type);
    put(static_cast<std::uint8_t>(3 + 4 * slots));
    put(pointer);
    for (std::size_t i = 0; i < slots; ++i) {
      for (std::size_t j = 0; j < 4; ++j) put(i < filled.size() ? filled[i].octets[j] : std::uint8_t{0});
    }
    return *this;
  }
  /// An empty Timestamp option with room for `slots` entries (pointer 5, overflow 0).
  /// For `prespecified`, `addresses` gives the addresses (one per slot).
  constexpr option_builder& timestamp(timestamp_flag flag, std::size_t slots,
                                      std::span<const address> addresses = {}) noexcept {
    const std::size_t entry = flag == timestamp_flag::timestamps_only ? 4 : 8;
    if (slots == 0 || 4 + entry * slots > max_options_size || addresses.size() > slots ||
        (flag == timestamp_flag::timestamps_only && !addresses.empty())) {
      if (!err_) err_ = make_error(errc::invalid_argument, buf_.length, "ipv4: timestamp option with {} slots", slots);
      return *this;
    }
    if (!room(4 + entry * slots)) return *this;
    put(option_type::timestamp);
    put(static_cast<std::uint8_t>(4 + entry * slots));
    put(5);
    put(static_cast<std::uint8_t>(flag));
    for (std::size_t i = 0; i < slots; ++i) {
      if (entry == 8) {
        for (std::size_t j = 0; j < 4; ++j) put(i < addresses.size() ? addresses[i].octets[j] : std::uint8_t{0});
      }
      for (std::size_t j = 0; j < 4; ++j) put(0);
    }
    return *this;
  }
  /// Router Alert (RFC 2113); value 0: "examine packet".
  constexpr option_builder& router_alert(std::uint16_t value = 0) noexcept {
    if (!room(4)) return *this;
    put(option_type::router_alert);
    put(4);
    put(static_cast<std::uint8_t>(value >> 8));
    put(static_cast<std::uint8_t>(value));
    return *this;
  }
  /// Any option: type, then length (2 + data size), then data.
  constexpr option_builder& raw(std::uint8_t type, bytes data) noexcept {
    if (type == option_type::end_of_list || type == option_type::nop || data.size() > max_options_size - 2) {
      if (!err_) err_ = make_error(errc::invalid_argument, buf_.length, "ipv4: raw option type {} with {} data bytes", type);
      return *this;
    }
    if (!room(2 + data.size())) return *this;
    put(type);
    put(static_cast<std::uint8_t>(2 + data.size()));
    for (auto b : data) put(b);
    return *this;
  }
  /// The options, padded with zeros (End of Option List) to a multiple of 4 bytes.
  constexpr result<options_buffer> finish() const noexcept {
    if (err_) return *err_;
    options_buffer out = buf_;
    while (out.length % 4 != 0) out.storage[out.length++] = option_type::end_of_list;
    return out;
  }

 private:
  options_buffer buf_{};
  std::optional<error> err_{};
};

// ---- the view --------------------------------------------------------------------------

/// A validated IPv4 datagram (see the file comment). `B` is `bytes` or `mutable_bytes`.
template <byte_view B = bytes>
class view {
 public:
  static constexpr bool is_mutable = std::same_as<B, mutable_bytes>;

  constexpr view() noexcept = default;

  /// Validate `data` as an IPv4 datagram. Errors (with the byte offset):
  /// truncated (< 20 bytes, or header longer than the buffer), bad_version, bad_length
  /// (IHL < 5, total length < IHL*4 or > buffer, trailing bytes in strict mode), option
  /// errors, bad_checksum.
  WIRESPAN_ALWAYS_INLINE static constexpr result<view> parse(B data, parse_options opts = {}) noexcept {
    // The common case inline: a 20-byte header, a total length that fits, a good checksum.
    // Everything else (options, every error) takes the full check below.
    if (data.size() >= min_header_size && data[0] == 0x45) {
      const std::size_t total = load_be16(data.data() + 2);
      if (total >= min_header_size && total <= data.size() &&
          (total == data.size() || opts.mode != parse_mode::strict) &&
          (opts.checksum == checksum_policy::ignore || detail::header_checksum_ok(data.data(), min_header_size))) {
        view v;
        v.data_ = data;
        v.header_length_ = static_cast<std::uint8_t>(min_header_size);
        v.total_length_ = static_cast<std::uint16_t>(total);
        return v;
      }
    }
    return parse_checked(data, opts);
  }

  /// The full check `parse` falls back to (same result, every rule tested in order).
  static constexpr result<view> parse_checked(B data, parse_options opts = {}) noexcept {
    if (data.size() < min_header_size)
      return make_error(errc::truncated, data.size(), "ipv4: {} bytes missing from the 20-byte header",
                        min_header_size - data.size());
    const unsigned version = data[0] >> 4;
    if (version != 4) return make_error(errc::bad_version, 0, "ipv4: version {} != 4", version, 4);
    const std::size_t hlen = std::size_t{data[0] & 0x0fu} * 4;
    if (hlen < min_header_size)
      return make_error(errc::bad_length, 0, "ipv4: header length {} < 20", hlen, min_header_size);
    const std::size_t total_field = load_be16(data.data() + 2);
    const bool lax = opts.mode != parse_mode::strict;
    view v;
    v.data_ = data;
    v.header_length_ = static_cast<std::uint8_t>(hlen);
    std::size_t total = total_field;
    if (total_field == 0 && lax) {
      total = data.size();  // segmentation offload: the length is left to the capture
    } else if (total_field < hlen) {
      return make_error(errc::bad_length, 2, "ipv4: total length {} < header length {}", total_field, hlen);
    }
    if (hlen > data.size())
      return make_error(errc::truncated, data.size(), "ipv4: header length {} > the {} bytes there are", hlen,
                        data.size());
    if (total > data.size()) {
      if (opts.mode != parse_mode::quoted)
        return make_error(errc::bad_length, 2, "ipv4: total length {} > the {} bytes there are", total, data.size());
      v.cut_short_ = true;
      total = data.size();
    } else if (total < data.size() && !lax) {
      return make_error(errc::bad_length, 2, "ipv4: {} bytes follow the total length {}", data.size() - total, total);
    }
    v.total_length_ = static_cast<std::uint16_t>(total);
    if (auto ok = validate_options(bytes(data.data() + min_header_size, hlen - min_header_size)); !ok) return ok.error();
    if (opts.checksum == checksum_policy::verify && !detail::header_checksum_ok(data.data(), hlen))
      return make_error(errc::bad_checksum, 10, "ipv4: header checksum {} does not verify", load_be16(data.data() + 10));
    return v;
  }

  // Fields.
  constexpr std::uint8_t version() const noexcept { return static_cast<std::uint8_t>(data_[0] >> 4); }
  /// The IHL field (header length in 32-bit words).
  constexpr std::uint8_t ihl() const noexcept { return static_cast<std::uint8_t>(data_[0] & 0x0f); }
  /// The header length in bytes.
  constexpr std::size_t header_length() const noexcept { return header_length_; }
  constexpr std::uint8_t tos() const noexcept { return data_[1]; }
  constexpr std::uint8_t dscp() const noexcept { return static_cast<std::uint8_t>(data_[1] >> 2); }
  constexpr std::uint8_t ecn() const noexcept { return static_cast<std::uint8_t>(data_[1] & 3); }
  /// The total length field as on the wire (0 under segmentation offload in lax mode).
  constexpr std::uint16_t total_length() const noexcept { return load_be16(data_.data() + 2); }
  constexpr std::uint16_t identification() const noexcept { return load_be16(data_.data() + 4); }
  /// The three flag bits (reserved, DF, MF) as the high bits of a 3-bit number.
  constexpr std::uint8_t flags() const noexcept { return static_cast<std::uint8_t>(data_[6] >> 5); }
  constexpr bool reserved_flag() const noexcept { return (data_[6] & 0x80) != 0; }
  constexpr bool dont_fragment() const noexcept { return (data_[6] & 0x40) != 0; }
  constexpr bool more_fragments() const noexcept { return (data_[6] & 0x20) != 0; }
  /// The fragment offset field, in 8-byte units.
  constexpr std::uint16_t fragment_offset() const noexcept {
    return static_cast<std::uint16_t>(load_be16(data_.data() + 6) & 0x1fff);
  }
  /// The fragment offset in bytes.
  constexpr std::uint32_t fragment_offset_bytes() const noexcept { return std::uint32_t{fragment_offset()} * 8; }
  constexpr bool is_fragment() const noexcept { return more_fragments() || fragment_offset() != 0; }
  constexpr bool is_first_fragment() const noexcept { return more_fragments() && fragment_offset() == 0; }
  constexpr bool is_middle_fragment() const noexcept { return more_fragments() && fragment_offset() != 0; }
  constexpr bool is_last_fragment() const noexcept { return !more_fragments() && fragment_offset() != 0; }
  constexpr std::uint8_t ttl() const noexcept { return data_[8]; }
  constexpr std::uint8_t protocol() const noexcept { return data_[9]; }
  constexpr std::uint16_t checksum() const noexcept { return load_be16(data_.data() + 10); }
  constexpr address source() const noexcept { return address{{data_[12], data_[13], data_[14], data_[15]}}; }
  constexpr address destination() const noexcept { return address{{data_[16], data_[17], data_[18], data_[19]}}; }

  /// The header's checksum computed afresh (what the field should hold).
  constexpr std::uint16_t computed_checksum() const noexcept {
    return checksum::accumulator{}
        .add(bytes(data_.data(), 10))
        .add(bytes(data_.data() + 12, header_length_ - 12))
        .finish();
  }
  constexpr bool checksum_ok() const noexcept { return checksum::verify(header()); }

  // Areas.
  constexpr B header() const noexcept { return data_.first(header_length_); }
  constexpr B options_area() const noexcept { return data_.subspan(min_header_size, header_length_ - min_header_size); }
  constexpr option_range options() const noexcept { return option_range(options_area()); }
  /// The payload, bounded by the total length (and, for a cut-short quoted datagram, the buffer).
  constexpr B payload() const noexcept { return data_.subspan(header_length_, total_length_ - header_length_); }
  /// The datagram: header and payload.
  constexpr B datagram() const noexcept { return data_.first(total_length_); }
  /// Bytes after the total length (lax mode only; e.g. an Ethernet trailer).
  constexpr B trailer() const noexcept { return data_.subspan(total_length_); }
  /// Quoted mode: true when the buffer ended before the total length.
  constexpr bool cut_short() const noexcept { return cut_short_; }
  /// The whole buffer the view was parsed from.
  constexpr B data() const noexcept { return data_; }

  // Setters (mutable views). Those without a `_no_checksum` suffix keep the header
  // checksum right by RFC 1624 incremental update.
  constexpr void set_ttl(std::uint8_t ttl) noexcept requires is_mutable { set_byte(8, ttl); }
  constexpr void set_protocol(std::uint8_t protocol) noexcept requires is_mutable { set_byte(9, protocol); }
  constexpr void set_tos(std::uint8_t tos) noexcept requires is_mutable { set_byte(1, tos); }
  constexpr void set_dscp(std::uint8_t dscp) noexcept requires is_mutable {
    set_byte(1, static_cast<std::uint8_t>((dscp << 2) | (data_[1] & 3)));
  }
  constexpr void set_ecn(std::uint8_t ecn) noexcept requires is_mutable {
    set_byte(1, static_cast<std::uint8_t>((data_[1] & 0xfc) | (ecn & 3)));
  }
  constexpr void set_identification(std::uint16_t id) noexcept requires is_mutable { set_word(4, id); }
  /// Flags (reserved, DF, MF) and fragment offset in 8-byte units.
  constexpr void set_fragment(bool df, bool mf, std::uint16_t offset_units) noexcept requires is_mutable {
    set_word(6, static_cast<std::uint16_t>((data_[6] & 0x80) << 8 | (df ? 0x4000 : 0) | (mf ? 0x2000 : 0) |
                                           (offset_units & 0x1fff)));
  }
  constexpr void set_source(address a) noexcept requires is_mutable { set_address(12, a); }
  constexpr void set_destination(address a) noexcept requires is_mutable { set_address(16, a); }
  /// Write exactly `value` into the checksum field.
  constexpr void set_checksum_no_update(std::uint16_t value) noexcept requires is_mutable {
    store_be16(data_.data() + 10, value);
  }
  /// Recompute the header checksum from scratch.
  constexpr void update_checksum() noexcept requires is_mutable { set_checksum_no_update(computed_checksum()); }

 private:
  constexpr void set_word(std::size_t at, std::uint16_t value) noexcept {
    const std::uint16_t old = load_be16(data_.data() + at);
    store_be16(data_.data() + at, value);
    store_be16(data_.data() + 10, checksum::update16(checksum(), old, value));
  }
  constexpr void set_byte(std::size_t at, std::uint8_t value) noexcept {
    const std::size_t word = at & ~std::size_t{1};
    std::uint16_t w = load_be16(data_.data() + word);
    w = (at & 1) ? static_cast<std::uint16_t>((w & 0xff00) | value)
                 : static_cast<std::uint16_t>((w & 0x00ff) | (value << 8));
    set_word(word, w);
  }
  constexpr void set_address(std::size_t at, address a) noexcept {
    const std::uint32_t old = load_be32(data_.data() + at);
    store_be32(data_.data() + at, a.to_u32());
    store_be16(data_.data() + 10, checksum::update32(checksum(), old, a.to_u32()));
  }

  B data_{};
  std::uint16_t total_length_ = 0;
  std::uint8_t header_length_ = 0;
  bool cut_short_ = false;
};

view(bytes) -> view<bytes>;
view(mutable_bytes) -> view<mutable_bytes>;

/// Parse a read-only view (strict, checksum verified unless `opts` says otherwise).
constexpr result<view<bytes>> parse(bytes data, parse_options opts = {}) noexcept {
  return view<bytes>::parse(data, opts);
}
/// Parse a mutable view.
constexpr result<view<mutable_bytes>> parse_mutable(mutable_bytes data, parse_options opts = {}) noexcept {
  return view<mutable_bytes>::parse(data, opts);
}

// ---- the value type ---------------------------------------------------------------------

/// An IPv4 header as values. Empty optionals are computed by `encode`; set them to write
/// exactly that value (deliberately wrong packets included).
struct header {
  std::uint8_t version = 4;
  std::optional<std::uint8_t> ihl{};            ///< header length in 32-bit words
  std::uint8_t dscp = 0;
  std::uint8_t ecn = 0;
  std::optional<std::uint16_t> total_length{};  ///< header + payload
  std::uint16_t identification = 0;
  bool reserved_flag = false;
  bool dont_fragment = false;
  bool more_fragments = false;
  std::uint16_t fragment_offset = 0;            ///< in 8-byte units
  std::uint8_t ttl = 64;
  std::uint8_t protocol = 0;
  std::optional<std::uint16_t> checksum{};
  address source{};
  address destination{};
  options_buffer options{};                     ///< the options area, padding included

  /// The header length `encode` writes.
  constexpr std::size_t header_length() const noexcept { return detail::header_length_of(ihl, options.size()); }

  friend constexpr bool operator==(const header&, const header&) noexcept = default;
};

/// Decode the header of a datagram (same checks and options as `parse`).
constexpr result<header> decode(bytes data, parse_options opts = {}) noexcept {
  auto v = parse(data, opts);
  if (!v) return v.error();
  header h;
  h.version = v->version();
  h.ihl = v->ihl();
  h.dscp = v->dscp();
  h.ecn = v->ecn();
  h.total_length = v->total_length();
  h.identification = v->identification();
  h.reserved_flag = v->reserved_flag();
  h.dont_fragment = v->dont_fragment();
  h.more_fragments = v->more_fragments();
  h.fragment_offset = v->fragment_offset();
  h.ttl = v->ttl();
  h.protocol = v->protocol();
  h.checksum = v->checksum();
  h.source = v->source();
  h.destination = v->destination();
  h.options = options_buffer::from(v->options_area()).value();
  return h;
}

/// Bytes `encode` writes: the header, plus the payload when one is given.
constexpr std::size_t encoded_size(const header& h, std::size_t payload_size = 0) noexcept {
  return h.header_length() + payload_size;
}

/// Write the header for a payload of `payload_size` bytes (the payload itself is not
/// written). Returns the header length.
constexpr result<std::size_t> encode_header(const header& h, std::size_t payload_size, mutable_bytes out) noexcept {
  const std::size_t hlen = h.header_length();
  if (h.ihl && (*h.ihl > 15 || hlen < min_header_size + h.options.size()))
    return make_error(errc::invalid_argument, 0, "ipv4: IHL {} cannot hold the 20-byte header and its options", *h.ihl);
  if (h.version > 15 || h.dscp > 63 || h.ecn > 3 || h.fragment_offset > 0x1fff)
    return make_error(errc::invalid_argument, 0, "ipv4: a field value does not fit its bits");
  if (!h.total_length && hlen + payload_size > 0xffff)
    return make_error(errc::limit_exceeded, 2, "ipv4: datagram of {} bytes > 65535", hlen + payload_size, 0xffff);
  if (out.size() < hlen)
    return make_error(errc::buffer_too_small, 0, "ipv4: the header needs {} bytes", hlen, out.size());
  std::uint8_t* p = out.data();
  p[0] = static_cast<std::uint8_t>(std::size_t{h.version} << 4 | (hlen / 4));
  p[1] = static_cast<std::uint8_t>(h.dscp << 2 | h.ecn);
  store_be16(p + 2, h.total_length ? *h.total_length : static_cast<std::uint16_t>(hlen + payload_size));
  store_be16(p + 4, h.identification);
  store_be16(p + 6, static_cast<std::uint16_t>((h.reserved_flag ? 0x8000 : 0) | (h.dont_fragment ? 0x4000 : 0) |
                                               (h.more_fragments ? 0x2000 : 0) | h.fragment_offset));
  p[8] = h.ttl;
  p[9] = h.protocol;
  store_be16(p + 10, 0);
  store_be32(p + 12, h.source.to_u32());
  store_be32(p + 16, h.destination.to_u32());
  for (std::size_t i = 0; i < hlen - min_header_size; ++i) p[20 + i] = i < h.options.size() ? h.options.storage[i] : 0;
  store_be16(p + 10, h.checksum ? *h.checksum : internet_checksum(bytes(p, hlen)));
  return hlen;
}

/// Write the header followed by `payload`. Returns the bytes written.
constexpr result<std::size_t> encode(const header& h, bytes payload, mutable_bytes out) noexcept {
  const std::size_t need = encoded_size(h, payload.size());
  if (out.size() < need) return make_error(errc::buffer_too_small, 0, "ipv4: the datagram needs {} bytes", need, out.size());
  auto n = encode_header(h, payload.size(), out);
  if (!n) return n.error();
  for (std::size_t i = 0; i < payload.size(); ++i) out[*n + i] = payload[i];
  return need;
}

/// Write only the header (no payload). Returns its length.
constexpr result<std::size_t> encode(const header& h, mutable_bytes out) noexcept { return encode_header(h, 0, out); }

}  // namespace wirespan::ipv4
