// wirespan/protobuf/reader.hpp — the schema-less, zero-copy protobuf reader.
//
// `reader::next()` steps from field to field. Each `field` carries its number, wire
// type, byte offset and value: the integer of a varint, the bits of a fixed32/fixed64,
// the payload span of a length-delimited field, the body span of a group (already
// walked up to its matching end tag). Submessages, groups and packed repeated fields
// are opened from their field with `message()`, `group()` and `packed<T>()`; a field
// that is not read is skipped by the next `next()`.
//
// Every rule of the wire format is checked and reported with the absolute byte offset:
// field number 0, a tag of more than 5 bytes or above 2^32 - 1, wire types 6 and 7, an
// unterminated or 11-byte varint, a length beyond the enclosing message, a truncated
// fixed32/fixed64, an end group without its start or with another number, nesting
// beyond `max_depth` (default 100, libprotobuf's). Options add UTF-8 checks for
// strings and a canonical-only mode. The reader never reads outside its span; on an
// error the cursor stays where it was, so `next()` reports the same error again.
//
// ```cpp
// namespace pb = wirespan::protobuf;
// pb::reader r(data);
// for (auto f : r.fields()) {
//   if (!f) return f.error();
//   if (f->number == 1) id = f->as_int32();
//   else if (f->number == 2) name = f->as_string();
//   else if (f->number == 3) for (auto v : *r.packed<pb::types::int32>(*f)) sum += v;
// }
// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>
#include <type_traits>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "types.hpp"
#include "varint.hpp"

namespace wirespan::protobuf {

/// How strict the reader is. The defaults are libprotobuf's parser.
struct read_options {
  std::uint32_t max_depth = 100;  ///< nested groups and messages (libprotobuf's recursion limit)
  bool canonical = false;         ///< reject non-minimal varints (tags, lengths, values) and
                                  ///< a 10th varint byte other than 1
  bool validate_utf8 = true;      ///< `string()` and schema string fields reject invalid UTF-8
                                  ///< (as libprotobuf does for proto3)
  /// How tags and lengths are read. `strict` (the default): a tag is at most 5 bytes and
  /// below 2^32, a length at most 5 bytes and below 2^31. The other two reproduce
  /// libprotobuf 3.21 where it is laxer (as `protoc --decode_raw` shows): `parser` drops
  /// the bits of a 5-byte tag beyond 32 (libprotobuf's message parser); `coded_stream`
  /// also lets tags and lengths run to 10 bytes and keeps their low 32 bits (its
  /// CodedInputStream, used to guess whether a string is a message).
  enum class compat : std::uint8_t { strict, parser, coded_stream };
  compat tags = compat::strict;
};

namespace detail {
// True when every byte of s is ASCII, by whole-word loads (the last word overlapping
// the one before it): the common case of a string field, in a handful of instructions.
WIRESPAN_ALWAYS_INLINE bool all_ascii(const std::uint8_t* p, std::size_t n) noexcept {
  std::uint64_t bits = 0;
  if (n >= 8) {
    std::uint64_t w;
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      __builtin_memcpy(&w, p + i, 8);
      bits |= w;
    }
    __builtin_memcpy(&w, p + n - 8, 8);
    bits |= w;
  } else if (n >= 4) {
    std::uint32_t a, b;
    __builtin_memcpy(&a, p, 4);
    __builtin_memcpy(&b, p + n - 4, 4);
    bits = a | b;
  } else {
    for (std::size_t i = 0; i < n; ++i) bits |= p[i];
  }
  return (bits & 0x8080808080808080ull) == 0;
}
}  // namespace detail

/// True when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at
/// most U+10FFFF) — the check libprotobuf applies to proto3 string fields.
constexpr bool valid_utf8(bytes s) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
  if (!std::is_constant_evaluated() && detail::all_ascii(s.data(), n)) return true;
  while (i < n) {
    // ASCII runs eight bytes at a time (one load at run time).
    if (!std::is_constant_evaluated()) {
      while (n - i >= 8) {
        std::uint64_t w;
        __builtin_memcpy(&w, s.data() + i, 8);
        if ((w & 0x8080808080808080ull) != 0) break;
        i += 8;
      }
    }
    if (i == n) break;
    std::uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint8_t lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (n - i < len) return false;
    if (s[i + 1] < lo || s[i + 1] > hi) return false;
    for (std::size_t k = 2; k < len; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xbf) return false;
    }
    i += len;
  }
  return true;
}

/// One field of a message, as the reader found it.
struct field {
  std::uint32_t number = 0;
  wire_type type = wire_type::varint;
  std::size_t offset = 0;        ///< absolute byte offset of the tag
  std::size_t value_offset = 0;  ///< absolute byte offset of the value (payload of LEN, body of a group)
  std::uint64_t integer = 0;     ///< VARINT value, or the bits of I32 / I64
  bytes data{};                  ///< LEN payload, or SGROUP body (without the end tag)
  bytes raw{};                   ///< the whole field, tag to end (end tag included)

  constexpr std::uint64_t as_uint64() const noexcept { return scalar<types::uint64>(); }
  constexpr std::int64_t as_int64() const noexcept { return scalar<types::int64>(); }
  constexpr std::uint32_t as_uint32() const noexcept { return scalar<types::uint32>(); }
  constexpr std::int32_t as_int32() const noexcept { return scalar<types::int32>(); }
  constexpr std::int32_t as_sint32() const noexcept { return scalar<types::sint32>(); }
  constexpr std::int64_t as_sint64() const noexcept { return scalar<types::sint64>(); }
  constexpr bool as_bool() const noexcept { return scalar<types::bool_>(); }
  constexpr std::int32_t as_enum() const noexcept { return scalar<types::enum_>(); }
  constexpr std::uint32_t as_fixed32() const noexcept { return scalar<types::fixed32>(); }
  constexpr std::int32_t as_sfixed32() const noexcept { return scalar<types::sfixed32>(); }
  constexpr std::uint64_t as_fixed64() const noexcept { return scalar<types::fixed64>(); }
  constexpr std::int64_t as_sfixed64() const noexcept { return scalar<types::sfixed64>(); }
  constexpr float as_float() const noexcept { return scalar<types::float_>(); }
  constexpr double as_double() const noexcept { return scalar<types::double_>(); }
  /// The payload of a length-delimited field.
  constexpr bytes as_bytes() const noexcept {
    WIRESPAN_ASSERT(type == wire_type::length_delimited);
    return data;
  }
  /// The payload as text (not checked; `reader::string()` checks UTF-8 when asked to).
  std::string_view as_string() const noexcept {
    WIRESPAN_ASSERT(type == wire_type::length_delimited);
    return {reinterpret_cast<const char*>(data.data()), data.size()};
  }

  /// The value as scalar type T; the wire type must be T's.
  template <scalar_type T>
  constexpr typename T::value_type scalar() const noexcept {
    WIRESPAN_ASSERT(type == T::wire);
    return T::from_wire(integer);
  }
};

namespace detail {
inline constexpr const char* pb_field_zero = "protobuf: field number 0";
inline constexpr const char* pb_tag_long = "protobuf: tag longer than 5 bytes";
inline constexpr const char* pb_tag_big = "protobuf: tag {} above 2^32 - 1";
inline constexpr const char* pb_wire = "protobuf: wire type {} does not exist";
inline constexpr const char* pb_varint_trunc = "protobuf: the input ends inside a varint";
inline constexpr const char* pb_varint_long = "protobuf: varint longer than 10 bytes";
inline constexpr const char* pb_non_canonical = "protobuf: non-minimal varint";
inline constexpr const char* pb_length = "protobuf: length {} beyond the end of the message ({} bytes left)";
inline constexpr const char* pb_length_long = "protobuf: length longer than 5 bytes";
inline constexpr const char* pb_length_big = "protobuf: length {} of 2 GiB or more";
inline constexpr const char* pb_fixed32 = "protobuf: truncated fixed32";
inline constexpr const char* pb_fixed64 = "protobuf: truncated fixed64";
inline constexpr const char* pb_end_group = "protobuf: end group {} without a start group";
inline constexpr const char* pb_group_mismatch = "protobuf: end group {} closes start group {}";
inline constexpr const char* pb_group_open = "protobuf: group {} has no end group";
inline constexpr const char* pb_depth = "protobuf: nesting deeper than {}";
inline constexpr const char* pb_packed_fixed = "protobuf: packed region of {} bytes is not a whole number of {}-byte values";
inline constexpr const char* pb_packed_varint = "protobuf: packed region ends inside a varint";
inline constexpr const char* pb_utf8 = "protobuf: string is not valid UTF-8";
}  // namespace detail

template <scalar_type T>
class packed_range;

/// The schema-less reader over one message (or one group body).
class reader {
 public:
  constexpr reader() noexcept = default;
  /// Read the message in `data`. `base` is the absolute offset of data[0] (for errors).
  constexpr explicit reader(bytes data, read_options options = {}, std::uint32_t depth = 0,
                            std::size_t base = 0) noexcept
      : begin_(data.data()), p_(data.data()), end_(data.data() + data.size()), base_(base), depth_(depth),
        options_(options) {}

  /// Step to the next field: true, false at the end of the message, or the error of a
  /// malformed field (the cursor then stays before it).
  constexpr result<bool> next() noexcept {
    error e{};
    const int more = step(e);
    if (more < 0) return e;
    return more > 0;
  }

  /// `next()` without the result wrapper, for hot loops: 1 (a field), 0 (the end) or
  /// -1 (`e` holds the error).
  WIRESPAN_ALWAYS_INLINE constexpr int step(error& e) noexcept {
    if (p_ == end_) return 0;
    const std::uint8_t* q = parse_common(p_, end_, current_, e);
    if (q == nullptr) return -1;
    if (current_.type == wire_type::end_group) {
      e = make_error(errc::malformed, current_.offset, detail::pb_end_group, current_.number);
      return -1;
    }
    p_ = q;
    return 1;
  }

  /// The field `next()` stepped to.
  constexpr const field& current() const noexcept { return current_; }

  /// The submessage in a length-delimited field, read with the same options one level
  /// deeper. Error: `limit_exceeded` beyond `max_depth`.
  constexpr result<reader> message(const field& f) const noexcept {
    WIRESPAN_ASSERT(f.type == wire_type::length_delimited);
    if (depth_ + 1 > options_.max_depth) {
      return make_error(errc::limit_exceeded, f.offset, detail::pb_depth, options_.max_depth);
    }
    return reader(f.data, options_, depth_ + 1, f.value_offset);
  }

  /// The body of a group field (already checked to its end tag).
  constexpr reader group(const field& f) const noexcept {
    WIRESPAN_ASSERT(f.type == wire_type::start_group);
    return reader(f.data, options_, depth_ + 1, f.value_offset);
  }

  /// The text of a string field; with `validate_utf8`, `bad_value` if it is not UTF-8.
  result<std::string_view> string(const field& f) const noexcept {
    WIRESPAN_ASSERT(f.type == wire_type::length_delimited);
    if (options_.validate_utf8 && !valid_utf8(f.data)) {
      return make_error(errc::bad_value, f.value_offset, detail::pb_utf8);
    }
    return f.as_string();
  }

  /// The values of a packed repeated field of scalar type T, checked to be a whole
  /// number of values. (An unpacked record of the same field is a plain scalar field:
  /// `f.scalar<T>()`.)
  template <scalar_type T>
  constexpr result<packed_range<T>> packed(const field& f) const noexcept;

  /// The fields as a range of `result<field>`; iteration stops after an error.
  class field_range;
  constexpr field_range fields() noexcept;

  /// Walk every field to the end (groups included), checking the wire format.
  constexpr result<void> validate() noexcept {
    for (;;) {
      auto more = next();
      if (!more) return more.error();
      if (!*more) return {};
    }
  }

  constexpr bool at_end() const noexcept { return p_ == end_; }
  /// Absolute offset of the next field.
  constexpr std::size_t position() const noexcept { return base_ + static_cast<std::size_t>(p_ - begin_); }
  /// What is left to read.
  constexpr bytes rest() const noexcept { return bytes(p_, static_cast<std::size_t>(end_ - p_)); }
  constexpr std::uint32_t depth() const noexcept { return depth_; }
  constexpr const read_options& options() const noexcept { return options_; }

 private:
  constexpr std::size_t offset_of(const std::uint8_t* p) const noexcept {
    return base_ + static_cast<std::size_t>(p - begin_);
  }

  // The common fields inline: a one-byte tag with a varint, fixed or length-delimited
  // value (field numbers 1..15). Everything else takes the general, out-of-line path.
  WIRESPAN_ALWAYS_INLINE constexpr const std::uint8_t* parse_common(const std::uint8_t* p, const std::uint8_t* end,
                                                                   field& f, error& e) const noexcept {
    const std::uint8_t tag = *p;
    const std::uint8_t wt = tag & 7;
    if (tag >= 0x80 || tag < 8 || wt == 3 || wt == 4 || wt > 5) return parse_field(p, end, f, e, depth_);
    const std::uint8_t* start = p++;
    f.number = static_cast<std::uint32_t>(tag >> 3);
    f.offset = offset_of(start);
    f.value_offset = offset_of(p);
    f.data = {};
    if (wt == 0) {
      f.type = wire_type::varint;
      if (end - p >= 10) {
        std::uint64_t v = 0;
        const std::uint8_t* q = detail::varint_decode_unbounded<3>(p, v);
        if (q == nullptr || options_.canonical) return parse_field(start, end, f, e, depth_);
        f.integer = v;
        p = q;
      } else {
        p = value_varint(p, end, f.integer, e);
        if (p == nullptr) return nullptr;
      }
    } else if (wt == 2) {
      f.type = wire_type::length_delimited;
      if (p == end || *p >= 0x80 || options_.canonical) return parse_field(start, end, f, e, depth_);
      const std::size_t len = *p++;
      if (len > static_cast<std::size_t>(end - p)) return parse_field(start, end, f, e, depth_);
      f.value_offset = offset_of(p);
      f.data = bytes(p, len);
      f.integer = 0;
      p += len;
    } else if (wt == 5) {
      if (end - p < 4) return parse_field(start, end, f, e, depth_);
      f.type = wire_type::fixed32;
      f.integer = load_le32(p);
      p += 4;
    } else {
      if (end - p < 8) return parse_field(start, end, f, e, depth_);
      f.type = wire_type::fixed64;
      f.integer = load_le64(p);
      p += 8;
    }
    f.raw = bytes(start, p);
    return p;
  }

  // Decode a value varint; nullptr and `e` on error.
  constexpr const std::uint8_t* value_varint(const std::uint8_t* p, const std::uint8_t* end, std::uint64_t& v,
                                             error& e) const noexcept {
    bool truncated = false;
    const std::uint8_t* q = detail::varint_decode(p, end, v, truncated);
    if (q == nullptr) {
      e = truncated ? make_error(errc::truncated, offset_of(p), detail::pb_varint_trunc, 1)
                    : make_error(errc::malformed, offset_of(p), detail::pb_varint_long);
      return nullptr;
    }
    // Canonical: minimal, so a 10th byte can only be 1.
    if (options_.canonical && (!canonical_varint(v, static_cast<std::size_t>(q - p)) || (q - p == 10 && q[-1] != 1))) {
      e = make_error(errc::non_canonical, offset_of(p), detail::pb_non_canonical);
      return nullptr;
    }
    return q;
  }

  // Parse one field at p (p < end): tag and value. For a start group, walks the group to
  // its end tag. An end group is returned as a field of type end_group for the caller
  // to judge. nullptr and `e` on error.
  constexpr const std::uint8_t* parse_field(const std::uint8_t* p, const std::uint8_t* end, field& f, error& e,
                                            std::uint32_t depth) const noexcept {
    const std::uint8_t* start = p;
    std::uint64_t tag = *p;
    if (WIRESPAN_LIKELY(tag < 0x80)) {
      ++p;
    } else {
      const unsigned max_bytes = options_.tags == read_options::compat::coded_stream ? 10 : 5;
      tag = 0;
      for (unsigned i = 0;; ++i) {
        if (p == end) {
          e = make_error(errc::truncated, offset_of(p), detail::pb_varint_trunc, 1);
          return nullptr;
        }
        if (i == max_bytes) {
          e = make_error(errc::malformed, offset_of(start), max_bytes == 5 ? detail::pb_tag_long : detail::pb_varint_long);
          return nullptr;
        }
        std::uint64_t b = *p++;
        tag |= (b & 0x7f) << (7 * i);
        if (b < 0x80) break;
      }
      if (tag > 0xffffffffu) {
        if (options_.tags == read_options::compat::strict) {
          e = make_error(errc::malformed, offset_of(start), detail::pb_tag_big, tag);
          return nullptr;
        }
        tag &= 0xffffffffu;
      }
      if (options_.canonical && !canonical_varint(tag, static_cast<std::size_t>(p - start))) {
        e = make_error(errc::non_canonical, offset_of(start), detail::pb_non_canonical);
        return nullptr;
      }
    }
    const auto number = static_cast<std::uint32_t>(tag >> 3);
    const auto wt = static_cast<std::uint8_t>(tag & 7);
    if (number == 0) {
      e = make_error(errc::bad_value, offset_of(start), detail::pb_field_zero);
      return nullptr;
    }
    f.number = number;
    f.offset = offset_of(start);
    f.value_offset = offset_of(p);
    f.integer = 0;
    f.data = {};
    switch (wt) {
      case 0:
        f.type = wire_type::varint;
        p = value_varint(p, end, f.integer, e);
        if (p == nullptr) return nullptr;
        break;
      case 1:
        f.type = wire_type::fixed64;
        if (end - p < 8) {
          e = make_error(errc::truncated, offset_of(p), detail::pb_fixed64,
                         static_cast<std::uint64_t>(8 - (end - p)));
          return nullptr;
        }
        f.integer = load_le64(p);
        p += 8;
        break;
      case 2: {
        f.type = wire_type::length_delimited;
        std::uint64_t len = 0;
        const std::uint8_t* q = value_varint(p, end, len, e);
        if (q == nullptr) return nullptr;
        if (options_.tags == read_options::compat::coded_stream) {
          len &= 0xffffffffu;
        } else if (q - p > 5) {
          e = make_error(errc::malformed, offset_of(p), detail::pb_length_long);
          return nullptr;
        }
        if (len > 0x7fffffffu) {
          e = make_error(errc::bad_length, offset_of(p), detail::pb_length_big, len);
          return nullptr;
        }
        const auto left = static_cast<std::uint64_t>(end - q);
        if (len > left) {
          e = make_error(errc::bad_length, offset_of(p), detail::pb_length, len, left);
          return nullptr;
        }
        f.value_offset = offset_of(q);
        f.data = bytes(q, q + len);
        p = q + len;
        break;
      }
      case 3: {
        f.type = wire_type::start_group;
        if (depth + 1 > options_.max_depth) {
          e = make_error(errc::limit_exceeded, offset_of(start), detail::pb_depth, options_.max_depth);
          return nullptr;
        }
        const std::uint8_t* body = p;
        field inner{};
        for (;;) {
          if (p == end) {
            e = make_error(errc::truncated, offset_of(start), detail::pb_group_open, number);
            return nullptr;
          }
          const std::uint8_t* q = parse_field(p, end, inner, e, depth + 1);
          if (q == nullptr) return nullptr;
          if (inner.type == wire_type::end_group) {
            if (inner.number != number) {
              e = make_error(errc::malformed, inner.offset, detail::pb_group_mismatch, inner.number, number);
              return nullptr;
            }
            f.data = bytes(body, static_cast<std::size_t>(p - body));
            p = q;
            break;
          }
          p = q;
        }
        break;
      }
      case 4:
        f.type = wire_type::end_group;
        break;
      case 5:
        f.type = wire_type::fixed32;
        if (end - p < 4) {
          e = make_error(errc::truncated, offset_of(p), detail::pb_fixed32,
                         static_cast<std::uint64_t>(4 - (end - p)));
          return nullptr;
        }
        f.integer = load_le32(p);
        p += 4;
        break;
      default:
        e = make_error(errc::malformed, offset_of(start), detail::pb_wire, wt);
        return nullptr;
    }
    f.raw = bytes(start, static_cast<std::size_t>(p - start));
    return p;
  }

  const std::uint8_t* begin_ = nullptr;
  const std::uint8_t* p_ = nullptr;
  const std::uint8_t* end_ = nullptr;
  std::size_t base_ = 0;
  std::uint32_t depth_ = 0;
  read_options options_{};
  field current_{};
};

/// The values of a packed repeated scalar field; validated when made, so iteration
/// cannot fail. `size()` counts the values.
template <scalar_type T>
class packed_range {
 public:
  using value_type = typename T::value_type;

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = typename T::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;

    constexpr iterator() noexcept = default;
    constexpr iterator(const std::uint8_t* p, const std::uint8_t* end) noexcept : p_(p), end_(end) {}

    constexpr value_type operator*() const noexcept {
      if constexpr (T::wire == wire_type::varint) {
        std::uint64_t v = 0;
        bool truncated = false;
        (void)detail::varint_decode(p_, end_, v, truncated);
        return T::from_wire(v);
      } else if constexpr (T::wire == wire_type::fixed32) {
        return T::from_wire(load_le32(p_));
      } else {
        return T::from_wire(load_le64(p_));
      }
    }
    constexpr iterator& operator++() noexcept {
      if constexpr (T::wire == wire_type::varint) {
        while (*p_ >= 0x80) ++p_;
        ++p_;
      } else {
        p_ += fixed_size(T::wire);
      }
      return *this;
    }
    constexpr iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept { return a.p_ == b.p_; }

   private:
    const std::uint8_t* p_ = nullptr;
    const std::uint8_t* end_ = nullptr;
  };

  constexpr packed_range() noexcept = default;

  /// Check `data` as a packed region of T (`offset`: its absolute offset, for errors).
  static constexpr result<packed_range> make(bytes data, std::size_t offset = 0, bool canonical = false) noexcept {
    std::size_t count = 0;
    if constexpr (T::wire == wire_type::varint) {
      std::size_t run = 0, start = 0;
      for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] >= 0x80) {
          if (++run == 10) return make_error(errc::malformed, offset + start, detail::pb_varint_long);
        } else {
          if (canonical) {
            std::uint64_t v = 0;
            bool t = false;
            const std::uint8_t* q = detail::varint_decode_bounded(data.data() + start, data.data() + i + 1, v, t);
            if (q == nullptr || !canonical_varint(v, run + 1) || (run == 9 && data[i] != 1)) {
              return make_error(errc::non_canonical, offset + start, detail::pb_non_canonical);
            }
          }
          run = 0;
          start = i + 1;
          ++count;
        }
      }
      if (run != 0) return make_error(errc::truncated, offset + start, detail::pb_packed_varint, 1);
    } else {
      constexpr std::size_t n = fixed_size(T::wire);
      if (data.size() % n != 0) {
        return make_error(errc::bad_length, offset, detail::pb_packed_fixed, data.size(), n);
      }
      count = data.size() / n;
    }
    packed_range r;
    r.data_ = data;
    r.count_ = count;
    return r;
  }

  constexpr iterator begin() const noexcept { return {data_.data(), data_.data() + data_.size()}; }
  constexpr iterator end() const noexcept { return {data_.data() + data_.size(), data_.data() + data_.size()}; }
  constexpr bool empty() const noexcept { return data_.empty(); }
  /// The number of values.
  constexpr std::size_t size() const noexcept { return count_; }
  constexpr bytes data() const noexcept { return data_; }

 private:
  bytes data_{};
  std::size_t count_ = 0;
};

template <scalar_type T>
constexpr result<packed_range<T>> reader::packed(const field& f) const noexcept {
  WIRESPAN_ASSERT(f.type == wire_type::length_delimited);
  return packed_range<T>::make(f.data, f.value_offset, options_.canonical);
}

class reader::field_range {
 public:
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = result<field>;
    using difference_type = std::ptrdiff_t;

    constexpr iterator() noexcept = default;
    constexpr explicit iterator(reader* r) noexcept : r_(r) { advance(); }

    constexpr result<field> operator*() const noexcept {
      if (failed_) return error_;
      return r_->current();
    }
    constexpr iterator& operator++() noexcept {
      if (failed_) {
        r_ = nullptr;
      } else {
        advance();
      }
      return *this;
    }
    constexpr void operator++(int) noexcept { ++*this; }
    friend constexpr bool operator==(const iterator& a, std::default_sentinel_t) noexcept { return a.r_ == nullptr; }

   private:
    constexpr void advance() noexcept {
      auto more = r_->next();
      if (!more) {
        failed_ = true;
        error_ = more.error();
      } else if (!*more) {
        r_ = nullptr;
      }
    }
    reader* r_ = nullptr;
    bool failed_ = false;
    error error_{};
  };

  constexpr explicit field_range(reader* r) noexcept : r_(r) {}
  constexpr iterator begin() const noexcept { return iterator(r_); }
  constexpr std::default_sentinel_t end() const noexcept { return {}; }

 private:
  reader* r_;
};

constexpr reader::field_range reader::fields() noexcept { return field_range(this); }

/// Check that `data` is a well-formed message at the top level (groups walked;
/// length-delimited payloads are not opened, since without a schema they may be
/// strings).
constexpr result<void> validate(bytes data, read_options options = {}) noexcept {
  reader r(data, options);
  return r.validate();
}

}  // namespace wirespan::protobuf
