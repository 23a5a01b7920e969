// wirespan/protobuf/writer.hpp — the schema-less protobuf writer.
//
// `writer` writes into a caller's span; when the span is too small it keeps counting,
// and `finish()` returns `buffer_too_small` with the whole size needed. `buffer_writer`
// appends to a growable buffer: anything with `size()`, `resize(n)` and `data()` over
// one-byte elements (`std::string`, `std::vector<std::uint8_t>`, user types).
// Varints are always minimal. Submessages are written without a second copy: the
// length is reserved as one byte and back-patched, moving the body only when it
// turned out to need a longer length; `rollback` drops an empty one.
//
// ```cpp
// std::array<std::uint8_t, 64> buf;
// wirespan::protobuf::writer w(buf);
// w.add_int32(1, 150);
// auto sub = w.begin_message(3);
// w.add_string(1, "x");
// w.end_message(sub);
// auto n = w.finish();   // result<std::size_t>: 08 96 01 1a 03 0a 01 78
// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "types.hpp"
#include "varint.hpp"

namespace wirespan::protobuf {

/// A growable output buffer: `std::string`, `std::vector<std::uint8_t>`, `std::vector<char>`, ...
template <class B>
concept growable_buffer = requires(B& b, std::size_t n) {
  { b.size() } -> std::convertible_to<std::size_t>;
  b.resize(n);
  { b.data() };
} && wirespan::detail::is_byte_like_v<std::remove_cvref_t<decltype(*std::declval<B&>().data())>>;

namespace detail {

// Output into a fixed span: past its end, positions keep counting but nothing is written.
struct span_sink {
  mutable_bytes out{};
  std::size_t pos = 0;

  constexpr std::uint8_t* grow(std::size_t n) noexcept {
    std::size_t at = pos;
    pos += n;
    if (pos > out.size() || pos < at) return nullptr;
    return out.data() + at;
  }
  constexpr std::uint8_t* at(std::size_t position) noexcept { return out.data() + position; }
  constexpr bool ok() const noexcept { return pos <= out.size(); }
  constexpr void truncate(std::size_t position) noexcept { pos = position; }
};

// Output appended to a growable buffer.
template <growable_buffer B>
struct buffer_sink {
  B* buf = nullptr;
  std::size_t pos = 0;  // bytes written by this writer's logical end (buffer may be larger)

  std::uint8_t* grow(std::size_t n) {
    std::size_t at = pos;
    pos += n;
    if (buf->size() < pos) {
      std::size_t cap = buf->size() * 2;
      buf->resize(cap > pos ? cap : (pos < 64 ? 64 : pos));
    }
    return this->at(at);
  }
  std::uint8_t* at(std::size_t position) { return reinterpret_cast<std::uint8_t*>(buf->data()) + position; }
  constexpr bool ok() const noexcept { return true; }
  void truncate(std::size_t position) { pos = position; }
};

}  // namespace detail

/// A submessage in progress (from `begin_message`).
struct message_mark {
  std::size_t tag_position = 0;   ///< where its tag starts
  std::size_t body_position = 0;  ///< where its body starts (after the 1-byte reserved length)
};

template <class Sink>
class basic_writer {
 public:
  /// Any scalar field: `add<types::sint32>(4, -1)`.
  template <scalar_type T>
  constexpr void add(std::uint32_t number, typename T::value_type v) {
    add_tag(number, T::wire);
    put_scalar<T>(v);
  }
  constexpr void add_int32(std::uint32_t n, std::int32_t v) { add<types::int32>(n, v); }
  constexpr void add_int64(std::uint32_t n, std::int64_t v) { add<types::int64>(n, v); }
  constexpr void add_uint32(std::uint32_t n, std::uint32_t v) { add<types::uint32>(n, v); }
  constexpr void add_uint64(std::uint32_t n, std::uint64_t v) { add<types::uint64>(n, v); }
  constexpr void add_sint32(std::uint32_t n, std::int32_t v) { add<types::sint32>(n, v); }
  constexpr void add_sint64(std::uint32_t n, std::int64_t v) { add<types::sint64>(n, v); }
  constexpr void add_bool(std::uint32_t n, bool v) { add<types::bool_>(n, v); }
  constexpr void add_enum(std::uint32_t n, std::int32_t v) { add<types::enum_>(n, v); }
  constexpr void add_fixed32(std::uint32_t n, std::uint32_t v) { add<types::fixed32>(n, v); }
  constexpr void add_sfixed32(std::uint32_t n, std::int32_t v) { add<types::sfixed32>(n, v); }
  constexpr void add_fixed64(std::uint32_t n, std::uint64_t v) { add<types::fixed64>(n, v); }
  constexpr void add_sfixed64(std::uint32_t n, std::int64_t v) { add<types::sfixed64>(n, v); }
  constexpr void add_float(std::uint32_t n, float v) { add<types::float_>(n, v); }
  constexpr void add_double(std::uint32_t n, double v) { add<types::double_>(n, v); }

  /// A length-delimited field (bytes, or an already encoded message).
  constexpr void add_bytes(std::uint32_t number, bytes v) {
    add_tag(number, wire_type::length_delimited);
    put_varint(v.size());
    put_bytes(v);
  }
  /// A string field (no UTF-8 check: the caller's text is written as it is).
  constexpr void add_string(std::uint32_t number, std::string_view v) {
    add_tag(number, wire_type::length_delimited);
    put_varint(v.size());
    if (std::uint8_t* p = sink_.grow(v.size())) {
      for (std::size_t i = 0; i < v.size(); ++i) p[i] = static_cast<std::uint8_t>(v[i]);
    }
  }

  /// A packed repeated field of scalar type T from any range of values. Nothing is
  /// written for an empty range (as libprotobuf does).
  template <scalar_type T, class Range>
  constexpr void add_packed(std::uint32_t number, const Range& values) {
    std::size_t size = 0;
    if constexpr (T::wire == wire_type::varint) {
      for (const auto& v : values) size += varint_size(T::to_wire(static_cast<typename T::value_type>(v)));
    } else {
      for (const auto& v : values) {
        (void)v;
        size += fixed_size(T::wire);
      }
    }
    if (size == 0) return;
    add_tag(number, wire_type::length_delimited);
    put_varint(size);
    for (const auto& v : values) put_scalar<T>(static_cast<typename T::value_type>(v));
  }

  /// Start a submessage: its tag and a one-byte length placeholder.
  constexpr message_mark begin_message(std::uint32_t number) {
    message_mark m;
    m.tag_position = sink_.pos;
    add_tag(number, wire_type::length_delimited);
    (void)sink_.grow(1);
    m.body_position = sink_.pos;
    return m;
  }
  /// Finish a submessage: patch its length (moving the body if the length needs more
  /// than one byte).
  constexpr void end_message(const message_mark& m) {
    const std::size_t len = sink_.pos - m.body_position;
    const std::size_t n = varint_size(len);
    if (n > 1) {
      const std::size_t end = sink_.pos;
      (void)sink_.grow(n - 1);
      if (!sink_.ok()) return;
      std::uint8_t* base = sink_.at(0);
      for (std::size_t i = end; i > m.body_position; --i) base[i - 1 + n - 1] = base[i - 1];
    }
    if (!sink_.ok()) return;
    encode_varint(sink_.at(m.body_position - 1), len);
  }
  /// Drop a submessage begun with `begin_message` (e.g. because it stayed empty).
  constexpr void rollback(const message_mark& m) { sink_.truncate(m.tag_position); }
  /// True when nothing was written into the submessage yet.
  constexpr bool empty_since(const message_mark& m) const noexcept { return sink_.pos == m.body_position; }

  /// Start and end a group (wire types 3 and 4).
  constexpr void begin_group(std::uint32_t number) { add_tag(number, wire_type::start_group); }
  constexpr void end_group(std::uint32_t number) { add_tag(number, wire_type::end_group); }

  /// Bytes copied as they are (an unknown field kept from decoding, a field encoded elsewhere).
  constexpr void add_raw(bytes raw) { put_bytes(raw); }

  /// A tag alone (for hand-made or deliberately invalid messages).
  constexpr void add_tag(std::uint32_t number, wire_type t) {
    WIRESPAN_ASSERT(number >= 1 && number <= max_field_number);
    put_varint(make_tag(number, t));
  }
  /// A varint alone.
  constexpr void put_varint(std::uint64_t v) {
    if (std::uint8_t* p = sink_.grow(varint_size(v))) encode_varint(p, v);
  }

  /// Bytes written (or, after running out of room, that would have been written).
  constexpr std::size_t size() const noexcept { return sink_.pos; }

  /// The number of bytes written, or `buffer_too_small` with the size needed.
  constexpr result<std::size_t> finish() const noexcept {
    if (!sink_.ok()) {
      return make_error(errc::buffer_too_small, 0, "protobuf: output buffer too small ({} bytes needed)",
                        sink_.pos);
    }
    return sink_.pos;
  }

 protected:
  template <scalar_type T>
  constexpr void put_scalar(typename T::value_type v) {
    if constexpr (T::wire == wire_type::varint) {
      put_varint(T::to_wire(v));
    } else if constexpr (T::wire == wire_type::fixed32) {
      if (std::uint8_t* p = sink_.grow(4)) store_le32(p, static_cast<std::uint32_t>(T::to_wire(v)));
    } else {
      if (std::uint8_t* p = sink_.grow(8)) store_le64(p, T::to_wire(v));
    }
  }
  constexpr void put_bytes(bytes v) {
    if (std::uint8_t* p = sink_.grow(v.size())) {
      for (std::size_t i = 0; i < v.size(); ++i) p[i] = v[i];
    }
  }

  Sink sink_{};
};

/// Writes into a caller's span.
class writer : public basic_writer<detail::span_sink> {
 public:
  constexpr explicit writer(mutable_bytes out) noexcept { sink_.out = out; }
  template <mutable_byte_range R>
    requires(!std::is_same_v<std::remove_cvref_t<R>, mutable_bytes>)
  constexpr explicit writer(R&& out) noexcept {
    sink_.out = as_mutable_bytes(out);
  }
  /// The bytes written so far (valid while `finish()` succeeds).
  constexpr mutable_bytes written() const noexcept {
    return sink_.out.first(sink_.pos < sink_.out.size() ? sink_.pos : sink_.out.size());
  }
};

/// Appends to a growable buffer, which is resized to exactly what was written by
/// `finish()` (it may hold slack before that).
template <growable_buffer B>
class buffer_writer : public basic_writer<detail::buffer_sink<B>> {
 public:
  explicit buffer_writer(B& buffer) {
    this->sink_.buf = &buffer;
    this->sink_.pos = buffer.size();
  }
  result<std::size_t> finish() {
    this->sink_.buf->resize(this->sink_.pos);
    return this->sink_.pos;
  }
};

}  // namespace wirespan::protobuf
