// wirespan/core/error.hpp — the error every codec reports.
//
// An `error` says what went wrong (`errc`, shared by all codecs), where (`offset`, the
// byte offset into the input at which it was detected), and which rule was broken
// (`what`, a static string naming the protocol and field). Two numbers, `value` and
// `limit`, carry the offending value and the bound it broke; `what` may show them with
// `{}` placeholders: "ipv4: header length {} < {}" with value 16 and limit 20 reads
// "ipv4: header length 16 < 20 at byte 0".
//
// For `errc::buffer_too_small`, `value` is the buffer size that is needed; for
// `errc::truncated` and `errc::incomplete`, `value` is how many more bytes are needed.
// `errc` converts to `std::error_code` (category "wirespan").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>
#include <type_traits>

namespace wirespan {

/// The error codes shared by every codec. Zero is never an error.
enum class errc : std::uint8_t {
  truncated = 1,     ///< the input ends before a field that must be there
  incomplete,        ///< a stream needs more bytes before the next message is whole
  malformed,         ///< bytes that do not follow the grammar of the protocol
  bad_version,       ///< a version field with a value this codec does not speak
  bad_length,        ///< a length field inconsistent with itself or its container
  bad_checksum,      ///< a checksum that does not verify
  reserved_set,      ///< a reserved bit or field that must be zero is not
  limit_exceeded,    ///< a count, size or depth beyond a configured or protocol limit
  non_canonical,     ///< a valid but non-minimal encoding rejected in strict mode
  buffer_too_small,  ///< the output span is too small (value: the size needed)
  unsupported,       ///< valid on the wire but not implemented
  bad_value,         ///< a field value the protocol forbids
  invalid_argument,  ///< an argument (not wire data) that cannot be used
};

/// The name of an error code, e.g. "truncated".
constexpr const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::truncated: return "truncated";
    case errc::incomplete: return "incomplete";
    case errc::malformed: return "malformed";
    case errc::bad_version: return "bad version";
    case errc::bad_length: return "bad length";
    case errc::bad_checksum: return "bad checksum";
    case errc::reserved_set: return "reserved bits set";
    case errc::limit_exceeded: return "limit exceeded";
    case errc::non_canonical: return "non-canonical encoding";
    case errc::buffer_too_small: return "buffer too small";
    case errc::unsupported: return "unsupported";
    case errc::bad_value: return "bad value";
    case errc::invalid_argument: return "invalid argument";
  }
  return "unknown error";
}

/// A decoding or encoding failure: what, where, and which rule.
struct error {
  errc code{errc::malformed};
  std::uint32_t offset = 0;     ///< byte offset into the input where it was detected
  const char* what = nullptr;   ///< static text naming the protocol and field; may hold `{}`
  std::uint64_t value = 0;      ///< the offending value, or bytes needed (see file comment)
  std::uint64_t limit = 0;      ///< the bound that was broken, when there is one

  friend constexpr bool operator==(const error& a, const error& b) noexcept {
    return a.code == b.code && a.offset == b.offset;
  }
  friend constexpr bool operator==(const error& a, errc b) noexcept { return a.code == b; }
};

/// Make an error. `offset` is clamped to 32 bits (inputs beyond 4 GiB report 0xffffffff).
constexpr error make_error(errc code, std::size_t offset, const char* what = nullptr,
                           std::uint64_t value = 0, std::uint64_t limit = 0) noexcept {
  return error{code, offset > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(offset), what,
               value, limit};
}

namespace detail {

constexpr std::size_t put_text(char* out, std::size_t cap, std::size_t n, const char* s) noexcept {
  for (; *s != '\0'; ++s, ++n) {
    if (n + 1 < cap) out[n] = *s;
  }
  return n;
}

constexpr std::size_t put_number(char* out, std::size_t cap, std::size_t n, std::uint64_t v) noexcept {
  char digits[20]{};
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (count > 0) {
    if (n + 1 < cap) out[n] = digits[count - 1];
    --count;
    ++n;
  }
  return n;
}

}  // namespace detail

/// Write the message of `e` into `out` (NUL-terminated, truncated to fit) without
/// allocating, and return the length of the whole message. Example:
/// "ipv4: header length 16 < 20 at byte 0 (bad length)".
constexpr std::size_t format_to(const error& e, char* out, std::size_t capacity) noexcept {
  std::size_t n = 0;
  if (e.what != nullptr && *e.what != '\0') {
    int placeholder = 0;
    for (const char* p = e.what; *p != '\0'; ++p) {
      if (p[0] == '{' && p[1] == '}') {
        n = detail::put_number(out, capacity, n, placeholder == 0 ? e.value : e.limit);
        ++placeholder;
        ++p;
      } else {
        if (n + 1 < capacity) out[n] = *p;
        ++n;
      }
    }
    n = detail::put_text(out, capacity, n, " at byte ");
    n = detail::put_number(out, capacity, n, e.offset);
    n = detail::put_text(out, capacity, n, " (");
    n = detail::put_text(out, capacity, n, to_string(e.code));
    n = detail::put_text(out, capacity, n, ")");
  } else {
    n = detail::put_text(out, capacity, n, to_string(e.code));
    n = detail::put_text(out, capacity, n, " at byte ");
    n = detail::put_number(out, capacity, n, e.offset);
  }
  if (capacity > 0) out[n < capacity ? n : capacity - 1] = '\0';
  return n;
}

/// The message of `e` as a string (allocates; for tools, logs and tests).
inline std::string to_string(const error& e) {
  std::string s(format_to(e, nullptr, 0), '\0');
  format_to(e, s.data(), s.size() + 1);
  return s;
}

/// The `std::error_category` of `errc`, named "wirespan".
inline const std::error_category& error_category() noexcept {
  struct category final : std::error_category {
    const char* name() const noexcept override { return "wirespan"; }
    std::string message(int code) const override { return to_string(static_cast<errc>(code)); }
  };
  static const category instance;
  return instance;
}

/// `std::error_code` support: `std::error_code ec = wirespan::errc::truncated;`
inline std::error_code make_error_code(errc code) noexcept {
  return {static_cast<int>(code), error_category()};
}

/// The `std::error_code` of an error (its code; offset and rule are not kept).
inline std::error_code make_error_code(const error& e) noexcept { return make_error_code(e.code); }

}  // namespace wirespan

template <>
struct std::is_error_code_enum<wirespan::errc> : std::true_type {};
