// wirespan/protobuf/types.hpp — wire types, tags, and the protobuf scalar types as C++
// tag types.
//
// `types::int32`, `types::sint64`, `types::fixed32`, `types::double_`, ... name the
// .proto scalar types (keywords get a trailing underscore: `bool_`, `enum_`, `float_`,
// `double_`). Each says which wire type carries it and how its value maps to and from
// the wire, with libprotobuf's semantics: int32, uint32 and enum take the low 32 bits of
// a 64-bit varint; bool is "nonzero"; a negative int32 or enum is written
// sign-extended, as a 10-byte varint. The reader's packed ranges and the compile-time
// schemas (message.hpp) are written in terms of them.
#pragma once

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "varint.hpp"

namespace wirespan::protobuf {

/// The six wire types (protobuf.dev, "Encoding"). 6 and 7 do not exist.
enum class wire_type : std::uint8_t {
  varint = 0,            ///< int32, int64, uint32, uint64, sint32, sint64, bool, enum
  fixed64 = 1,           ///< fixed64, sfixed64, double
  length_delimited = 2,  ///< string, bytes, embedded messages, packed repeated fields
  start_group = 3,       ///< group start (deprecated, still parsed)
  end_group = 4,         ///< group end
  fixed32 = 5,           ///< fixed32, sfixed32, float
};

/// The name of a wire type as protobuf.dev spells it ("VARINT", "I64", "LEN", ...).
constexpr const char* to_string(wire_type t) noexcept {
  switch (t) {
    case wire_type::varint: return "VARINT";
    case wire_type::fixed64: return "I64";
    case wire_type::length_delimited: return "LEN";
    case wire_type::start_group: return "SGROUP";
    case wire_type::end_group: return "EGROUP";
    case wire_type::fixed32: return "I32";
  }
  return "?";
}

/// Field numbers are 1 .. 2^29 - 1 (19000-19999 are reserved by protoc, not by the wire).
inline constexpr std::uint32_t max_field_number = (std::uint32_t{1} << 29) - 1;

/// The tag of a field: `number << 3 | wire type`.
constexpr std::uint32_t make_tag(std::uint32_t number, wire_type t) noexcept {
  return (number << 3) | static_cast<std::uint32_t>(t);
}

/// The .proto scalar types as tag types. `value_type` is the C++ type of a value,
/// `wire` its wire type, `from_wire` / `to_wire` convert the varint value or the fixed
/// bits.
namespace types {

struct int32 {
  using value_type = std::int32_t;
  static constexpr wire_type wire = wire_type::varint;
  static constexpr const char* name = "int32";
  static constexpr value_type from_wire(std::uint64_t w) noexcept {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(w));
  }
  static constexpr std::uint64_t to_wire(value_type v) noexcept {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
  }
};
struct int64 {
  using value_type = std::int64_t;
  static constexpr wire_type wire = wire_type::varint;
  static constexpr const char* name = "int64";
  static constexpr value_type from_wire(std::uint64_t w) noexcept { return static_cast<std::int64_t>(w); }
  static constexpr std::uint64_t to_wire(value_type v) noexcept { return static_cast<std::uint64_t>(v); }
};
struct uint32 {
  using value_type = std::uint32_t;
  static constexpr wire_type wire = wire_type::varint;
  static constexpr const char* name = "uint32";
  static constexpr value_type from_wire(std::uint64_t w) noexcept { return static_cast<std::uint32_t>(w); }
  static constexpr std::uint64_t to_wire(value_type v) noexcept { return v; }
};
struct uint64 {
  using value_type = std::uint64_t;
  static constexpr wire_type wire = wire_type::varint;
  static constexpr const char* name = "uint64";
  static constexpr value_type from_wire(std::uint64_t w) noexcept { return w; }
  static constexpr std::uint64_t to_wire(value_type v) noexcept { return v; }
};
struct sint32 {
  using value_type = std::int32_t;
  static constexpr wire_type wire = wire_type::varint;
  static constexpr const char* name = "sint32";
  static constexpr value_type from_wire(std::uint64_t w) noexcept {
    return zigzag_decode32(static_cast<std::uint32_t>(w));
  }
  static constexpr std::uint64_t to_wire(value_type v) noexcept { return zigzag_encode32(v); }
};
struct sint64 {
  using value_type = std::int64_t;
  static constexpr wire_type wire = wire_type::varint;
  static constexpr const char* name = "sint64";
  static constexpr value_type from_wire(std::uint64_t w) noexcept { return zigzag_decode64(w); }
  static constexpr std::uint64_t to_wire(value_type v) noexcept { return zigzag_encode64(v); }
};
struct bool_ {
  using value_type = bool;
  static constexpr wire_type wire = wire_type::varint;
  static constexpr const char* name = "bool";
  static constexpr value_type from_wire(std::uint64_t w) noexcept { return w != 0; }
  static constexpr std::uint64_t to_wire(value_type v) noexcept { return v ? 1 : 0; }
};
/// An open (proto3) enum: any int32 value is kept. The member may be an enum type or
/// `std::int32_t`.
struct enum_ : int32 {
  static constexpr const char* name = "enum";
};
struct fixed32 {
  using value_type = std::uint32_t;
  static constexpr wire_type wire = wire_type::fixed32;
  static constexpr const char* name = "fixed32";
  static constexpr value_type from_wire(std::uint64_t w) noexcept { return static_cast<std::uint32_t>(w); }
  static constexpr std::uint64_t to_wire(value_type v) noexcept { return v; }
};
struct sfixed32 {
  using value_type = std::int32_t;
  static constexpr wire_type wire = wire_type::fixed32;
  static constexpr const char* name = "sfixed32";
  static constexpr value_type from_wire(std::uint64_t w) noexcept {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(w));
  }
  static constexpr std::uint64_t to_wire(value_type v) noexcept { return static_cast<std::uint32_t>(v); }
};
struct float_ {
  using value_type = float;
  static constexpr wire_type wire = wire_type::fixed32;
  static constexpr const char* name = "float";
  static constexpr value_type from_wire(std::uint64_t w) noexcept {
    return std::bit_cast<float>(static_cast<std::uint32_t>(w));
  }
  static constexpr std::uint64_t to_wire(value_type v) noexcept { return std::bit_cast<std::uint32_t>(v); }
};
struct fixed64 {
  using value_type = std::uint64_t;
  static constexpr wire_type wire = wire_type::fixed64;
  static constexpr const char* name = "fixed64";
  static constexpr value_type from_wire(std::uint64_t w) noexcept { return w; }
  static constexpr std::uint64_t to_wire(value_type v) noexcept { return v; }
};
struct sfixed64 {
  using value_type = std::int64_t;
  static constexpr wire_type wire = wire_type::fixed64;
  static constexpr const char* name = "sfixed64";
  static constexpr value_type from_wire(std::uint64_t w) noexcept { return static_cast<std::int64_t>(w); }
  static constexpr std::uint64_t to_wire(value_type v) noexcept { return static_cast<std::uint64_t>(v); }
};
struct double_ {
  using value_type = double;
  static constexpr wire_type wire = wire_type::fixed64;
  static constexpr const char* name = "double";
  static constexpr value_type from_wire(std::uint64_t w) noexcept { return std::bit_cast<double>(w); }
  static constexpr std::uint64_t to_wire(value_type v) noexcept { return std::bit_cast<std::uint64_t>(v); }
};

/// Length-delimited UTF-8 text. Members: `std::string_view` (a view into the input),
/// `std::string`, `std::vector<std::uint8_t>` or `wirespan::bytes`.
struct string {
  static constexpr wire_type wire = wire_type::length_delimited;
  static constexpr const char* name = "string";
};
/// Length-delimited bytes; the same member types as `string`, no UTF-8 check.
struct bytes {
  static constexpr wire_type wire = wire_type::length_delimited;
  static constexpr const char* name = "bytes";
};
/// An embedded message: the member is a type with a schema (or `std::optional` of one).
struct message {
  static constexpr wire_type wire = wire_type::length_delimited;
  static constexpr const char* name = "message";
};
/// A repeated field in the unpacked encoding (one record per element; how proto2
/// writes scalars, and the only encoding of repeated string, bytes and messages).
/// The member is a `std::vector` of the element's member type. Decoding accepts packed
/// and unpacked records in any mix.
template <class T>
struct repeated {
  using element = T;
  static constexpr wire_type wire = T::wire;
  static constexpr const char* name = "repeated";
};
/// A packed repeated scalar (proto3's default): one length-delimited record.
template <class T>
struct packed {
  using element = T;
  static constexpr wire_type wire = wire_type::length_delimited;
  static constexpr const char* name = "packed";
};
/// `map<K, V>`: repeated entries {K key = 1; V value = 2;}. The member is a container of
/// pairs (`std::vector<std::pair<K, V>>`, `std::map`, `std::unordered_map`, ...); a key
/// that appears again replaces the earlier value, as in libprotobuf.
template <class K, class V>
struct map {
  using key = K;
  using mapped = V;
  static constexpr wire_type wire = wire_type::length_delimited;
  static constexpr const char* name = "map";
};

}  // namespace types

/// A scalar type tag: a number on the wire (varint, fixed32 or fixed64).
template <class T>
concept scalar_type = requires(std::uint64_t w) {
  typename T::value_type;
  { T::wire } -> std::convertible_to<wire_type>;
  { T::from_wire(w) } -> std::same_as<typename T::value_type>;
} && (T::wire == wire_type::varint || T::wire == wire_type::fixed32 || T::wire == wire_type::fixed64);

/// The encoded size of a fixed-width wire type, or 0.
constexpr std::size_t fixed_size(wire_type t) noexcept {
  return t == wire_type::fixed32 ? 4 : t == wire_type::fixed64 ? 8 : 0;
}

}  // namespace wirespan::protobuf
