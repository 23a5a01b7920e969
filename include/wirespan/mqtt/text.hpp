// wirespan/mqtt/text.hpp — MQTT's UTF-8 strings, topic names and topic filters (MQTT
// 5.0 §1.5.4, §4.7; 3.1.1 §1.5.3, §4.7).
//
// A UTF-8 string must be well formed (RFC 3629: no overlong forms, no surrogates, at
// most U+10FFFF) and must not hold U+0000. Strict checking also refuses what the
// specification says a receiver may refuse, as mosquitto does: the controls U+0001 to
// U+001F and U+007F to U+009F, and the noncharacters (U+FDD0 to U+FDEF, and U+xFFFE and
// U+xFFFF in every plane).
//
// A topic name is at least one character and has no wildcard; a topic filter is at least
// one character, `+` takes a whole level, `#` a whole last level. `topic_matches` follows
// §4.7: `#` also matches the parent level (`sport/#` matches `sport`), and a filter
// starting with a wildcard does not match a topic starting with `$`.
//
// ```cpp
// static_assert(wirespan::mqtt::topic_matches("sensor/+/room1", "sensor/temp/room1"));
// static_assert(!wirespan::mqtt::topic_matches("#", "$SYS/broker/uptime"));
// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "../core/bytes.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"

namespace wirespan::mqtt {

/// A view of a string or of binary data: into a packet's bytes (what decoding gives) or
/// into a `std::string_view` (what a program sets). Either way it reads as bytes in
/// constant expressions; `view()` gives the text at run time.
class string_ref {
 public:
  constexpr string_ref() noexcept = default;
  constexpr string_ref(const char* s) noexcept : string_ref(std::string_view(s)) {}
  constexpr string_ref(std::string_view s) noexcept : chars_(s.data()), size_(s.size()) {}
  constexpr explicit string_ref(bytes b) noexcept : bytes_(b.data()), size_(b.size()) {}

  constexpr std::size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }
  constexpr std::uint8_t operator[](std::size_t i) const noexcept {
    return bytes_ != nullptr ? bytes_[i] : static_cast<std::uint8_t>(chars_[i]);
  }
  /// The text (not in constant expressions when it views bytes).
  std::string_view view() const noexcept {
    if (size_ == 0) return {};
    return bytes_ != nullptr ? std::string_view(reinterpret_cast<const char*>(bytes_), size_)
                             : std::string_view(chars_, size_);
  }
  /// The bytes (not in constant expressions when it views chars).
  bytes data() const noexcept {
    if (size_ == 0) return {};
    return bytes_ != nullptr ? bytes(bytes_, size_) : bytes(reinterpret_cast<const std::uint8_t*>(chars_), size_);
  }

  /// Copy the bytes to `out` (room for size()).
  [[gnu::always_inline]] constexpr void copy_to(std::uint8_t* out) const noexcept {
    if (!std::is_constant_evaluated()) {
      const void* src = bytes_ != nullptr ? static_cast<const void*>(bytes_) : chars_;
      const auto* from = static_cast<const unsigned char*>(src);
      // (fields up to 32 bytes, which are most: two overlapping loads and stores, no call)
      const std::size_t n = size_;
      if (n <= 16) {
        if (n >= 8) {
          std::uint64_t a, b;
          __builtin_memcpy(&a, from, 8);
          __builtin_memcpy(&b, from + n - 8, 8);
          __builtin_memcpy(out, &a, 8);
          __builtin_memcpy(out + n - 8, &b, 8);
        } else if (n >= 4) {
          std::uint32_t a, b;
          __builtin_memcpy(&a, from, 4);
          __builtin_memcpy(&b, from + n - 4, 4);
          __builtin_memcpy(out, &a, 4);
          __builtin_memcpy(out + n - 4, &b, 4);
        } else {
          for (std::size_t i = 0; i < n; ++i) out[i] = from[i];
        }
      } else if (n <= 32) {
        struct chunk {
          unsigned char b[16];
        };
        chunk a, b;
        __builtin_memcpy(&a, from, 16);
        __builtin_memcpy(&b, from + n - 16, 16);
        __builtin_memcpy(out, &a, 16);
        __builtin_memcpy(out + n - 16, &b, 16);
      } else {
        __builtin_memcpy(out, src, n);
      }
      return;
    }
    for (std::size_t i = 0; i < size_; ++i) out[i] = (*this)[i];
  }
  /// The first byte (not in constant expressions when it views chars).
  const std::uint8_t* pointer() const noexcept {
    return bytes_ != nullptr ? bytes_ : reinterpret_cast<const std::uint8_t*>(chars_);
  }

  friend constexpr bool operator==(const string_ref& a, const string_ref& b) noexcept {
    if (a.size_ != b.size_) return false;
    for (std::size_t i = 0; i < a.size_; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }

 private:
  const char* chars_ = nullptr;
  const std::uint8_t* bytes_ = nullptr;
  std::size_t size_ = 0;
};

namespace detail {
inline constexpr char ill_formed_utf8[] = "mqtt: string is not well-formed UTF-8";
inline constexpr char utf8_nul[] = "mqtt: string holds U+0000";
inline constexpr char utf8_control[] = "mqtt: string holds a control character (code point {})";
inline constexpr char utf8_noncharacter[] = "mqtt: string holds a noncharacter (code point {})";
inline constexpr char empty_topic_name[] = "mqtt: empty topic name";
inline constexpr char wildcard_in_topic_name[] = "mqtt: wildcard in a topic name";
}  // namespace detail

namespace detail {
// The n bytes at p (n >= 1) as 64-bit words: the first, the last (overlapping) and those
// between; short strings (4 to 7 bytes) as one word of two overlapping 32-bit halves, and
// 1 to 3 bytes as one word of the first, middle and last byte and five 'A's (which no
// check here objects to). The result is the or of `F{}(word)` over them. (F: a class
// whose call operator is always inlined; gcc does not inline a lambda here.)
template <class F>
[[gnu::always_inline]] inline std::uint64_t or_words(const std::uint8_t* p, std::size_t n) noexcept {
  if (n < 4) {
    return F{}(std::uint64_t{p[0]} | std::uint64_t{p[n >> 1]} << 8 | std::uint64_t{p[n - 1]} << 16 | 0x4141414141000000ull);
  }
  if (n < 8) {
    std::uint32_t lo, hi;
    __builtin_memcpy(&lo, p, 4);
    __builtin_memcpy(&hi, p + n - 4, 4);
    return F{}(std::uint64_t{lo} | std::uint64_t{hi} << 32);
  }
  std::uint64_t first, last;
  __builtin_memcpy(&first, p, 8);
  __builtin_memcpy(&last, p + n - 8, 8);
  std::uint64_t acc = F{}(first) | F{}(last);  // (8 to 16 bytes: these two, overlapping)
  for (std::size_t i = 8; i + 8 < n; i += 8) {
    std::uint64_t w;
    __builtin_memcpy(&w, p + i, 8);
    acc |= F{}(w);
  }
  return acc;
}

inline constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;

// Per word: the high bit of each byte that is not U+0020 to U+007E (strict) / U+0001 to
// U+007F, or (a carry can set a neighbour's) of a word that has one.
struct not_ascii_strict {
  [[gnu::always_inline]] std::uint64_t operator()(std::uint64_t w) const noexcept {
    return (w | ~(w + 0x60 * ones) | (w + ones)) & high;
  }
};
struct not_ascii_lax {
  [[gnu::always_inline]] std::uint64_t operator()(std::uint64_t w) const noexcept { return (w | ~(w + 0x7f * ones)) & high; }
};
// Per word: the high bit set in some byte when a byte is '+' (0x2b) or '#' (0x23): the
// two bytes that are 0x23 with bit 3 cleared, so a byte of `(w & ~bit 3) ^ 0x23` is 0.
struct wildcard_bytes {
  [[gnu::always_inline]] std::uint64_t operator()(std::uint64_t w) const noexcept {
    const std::uint64_t a = (w & (0xf7 * ones)) ^ (0x23 * ones);
    return (a - ones) & ~a & high;
  }
};

// Whether the n bytes at p are all plain ASCII (strict: U+0020 to U+007E; else U+0001 to
// U+007F), eight at a time (the last eight overlapping): what nearly every string is.
// (n >= 1)
[[gnu::always_inline]] inline bool plain_ascii(const std::uint8_t* p, std::size_t n, bool strict) noexcept {
  return (strict ? or_words<not_ascii_strict>(p, n) : or_words<not_ascii_lax>(p, n)) == 0;
}

// Both checks above in one pass over the words: not plain ASCII, or '+' or '#'.
template <class NotAscii>
struct not_ascii_or_wildcard {
  [[gnu::always_inline]] std::uint64_t operator()(std::uint64_t w) const noexcept { return NotAscii{}(w) | wildcard_bytes{}(w); }
};

// Whether the n bytes at p are plain ASCII (as plain_ascii) or none: an MQTT UTF-8
// string, with no need to look further. False says nothing (check_utf8 judges then);
// always false in constant expressions.
[[gnu::always_inline]] constexpr bool plain_text(const std::uint8_t* p, std::size_t n, bool strict) noexcept {
  return !std::is_constant_evaluated() && (n == 0 || plain_ascii(p, n, strict));
}

// Whether the n bytes at p are a topic name of plain ASCII (as plain_ascii) with no '+'
// or '#' and not empty, read once: what nearly every topic is. False says nothing (then
// check_utf8 and check_topic_name judge it); always false in constant expressions.
[[gnu::always_inline]] constexpr bool plain_topic_name(const std::uint8_t* p, std::size_t n, bool strict) noexcept {
  if (std::is_constant_evaluated() || n == 0) return false;
  return (strict ? or_words<not_ascii_or_wildcard<not_ascii_strict>>(p, n) : or_words<not_ascii_or_wildcard<not_ascii_lax>>(p, n)) == 0;
}

// Whether any of the n bytes at p is '+' or '#'.
[[gnu::always_inline]] inline bool has_wildcard(const std::uint8_t* p, std::size_t n) noexcept {  // (n >= 1)
  return or_words<wildcard_bytes>(p, n) != 0;
}
}  // namespace detail

namespace detail {
// check_utf8 past its fast path: one character at a time (strings with other characters
// than plain ASCII, and every string in constant expressions). Kept out of line: the
// fast path is inlined where strings are read.
[[gnu::noinline]] constexpr result<void> check_utf8_slow(string_ref s, bool strict, std::size_t base) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const std::uint8_t c = s[i];
    if (c >= 0x20 && c < 0x7f) {
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    std::size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else {
      std::uint8_t lo = 0x80, hi = 0xbf;
      if (c >= 0xc2 && c <= 0xdf) {
        len = 2, cp = c & 0x1fu;
      } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, cp = c & 0x0fu;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;  // (no surrogates)
      } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, cp = c & 0x07u;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
      } else {
        return make_error(errc::malformed, base + i, detail::ill_formed_utf8);
      }
      if (n - i < len) return make_error(errc::malformed, base + i, detail::ill_formed_utf8);
      for (std::size_t k = 1; k < len; ++k) {
        const std::uint8_t t = s[i + k];
        if (t < (k == 1 ? lo : 0x80) || t > (k == 1 ? hi : 0xbf)) {
          return make_error(errc::malformed, base + i, detail::ill_formed_utf8);
        }
        cp = cp << 6 | (t & 0x3fu);
      }
    }
    if (cp == 0) return make_error(errc::malformed, base + i, detail::utf8_nul);
    if (strict) {
      if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
        return make_error(errc::bad_value, base + i, detail::utf8_control, cp);
      }
      if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe) {
        return make_error(errc::bad_value, base + i, detail::utf8_noncharacter, cp);
      }
    }
    i += len;
  }
  return {};
}
}  // namespace detail

/// Check an MQTT UTF-8 string; `base` is added to the offsets. Errors: malformed (not
/// well-formed UTF-8, or U+0000), bad_value (strict: a control character or a
/// noncharacter); the offset is that of the character's first byte.
[[gnu::always_inline]] constexpr result<void> check_utf8(string_ref s, bool strict = true, std::size_t base = 0) noexcept {
  if (!std::is_constant_evaluated() && (s.empty() || detail::plain_ascii(s.pointer(), s.size(), strict))) return {};
  return detail::check_utf8_slow(s, strict, base);
}

namespace detail {
// check_topic_name past its fast path (out of line, as check_utf8_slow).
[[gnu::noinline]] constexpr result<void> check_topic_name_slow(string_ref t, std::size_t base) noexcept {
  if (t.empty()) return make_error(errc::bad_value, base, detail::empty_topic_name);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '+' || t[i] == '#') return make_error(errc::bad_value, base + i, detail::wildcard_in_topic_name);
  }
  return {};
}
}  // namespace detail

/// Check a topic name (PUBLISH, will topic): not empty, no `+` or `#`.
[[gnu::always_inline]] constexpr result<void> check_topic_name(string_ref t, std::size_t base = 0) noexcept {
  if (!std::is_constant_evaluated() && !t.empty() && !detail::has_wildcard(t.pointer(), t.size())) return {};
  return detail::check_topic_name_slow(t, base);
}

/// Check a topic filter (SUBSCRIBE, UNSUBSCRIBE): not empty, `+` a whole level, `#` a
/// whole last level.
constexpr result<void> check_topic_filter(string_ref f, std::size_t base = 0) noexcept {
  if (f.empty()) return make_error(errc::bad_value, base, "mqtt: empty topic filter");
  for (std::size_t i = 0; i < f.size(); ++i) {
    const std::uint8_t c = f[i];
    if (c != '+' && c != '#') continue;
    const bool starts = i == 0 || f[i - 1] == '/';
    const bool ends = i + 1 == f.size() || f[i + 1] == '/';
    if (!starts || !ends) return make_error(errc::bad_value, base + i, "mqtt: a wildcard that is not a whole level");
    if (c == '#' && i + 1 != f.size()) return make_error(errc::bad_value, base + i, "mqtt: '#' not the last level");
  }
  return {};
}

/// Does the topic filter `filter` match the topic name `topic`? (Both assumed valid.)
constexpr bool topic_matches(std::string_view filter, std::string_view topic) noexcept {
  if (!topic.empty() && topic[0] == '$' && !filter.empty() && (filter[0] == '+' || filter[0] == '#')) return false;
  std::size_t f = 0, t = 0;
  while (true) {
    // One level of each: [f, fe) and [t, te).
    std::size_t fe = filter.find('/', f);
    if (fe == std::string_view::npos) fe = filter.size();
    const std::string_view fl = filter.substr(f, fe - f);
    if (fl == "#") return true;  // (the rest, or the parent level itself)
    std::size_t te = topic.find('/', t);
    if (te == std::string_view::npos) te = topic.size();
    if (fl != "+" && fl != topic.substr(t, te - t)) return false;
    const bool f_last = fe == filter.size();
    const bool t_last = te == topic.size();
    if (f_last || t_last) {
      if (f_last && t_last) return true;
      // The topic ended: `a/#` matches `a` (the next filter level must be a final "#").
      return t_last && !f_last && filter.substr(fe + 1) == "#";
    }
    f = fe + 1;
    t = te + 1;
  }
}

}  // namespace wirespan::mqtt
