// wirespan/protobuf/text.hpp — schema-less text dumps of a message, exactly as
// `protoc --decode_raw` prints them.
//
// `format_raw` reproduces libprotobuf 3.21's printer of unknown fields byte for byte:
// varints in decimal as uint64, fixed32 and fixed64 as zero-padded hex ("0x0000002a"),
// groups as blocks, and a length-delimited field as a block when it is non-empty and
// parses as a message, else as a C-escaped string ("\n", "\"", "\\", octal "\377").
// The guess of "message" is tried at most 10 levels deep (protoc's budget; each block,
// group or message, spends one level), and the guess itself may nest groups only as
// deep as the budget left, with libprotobuf's CodedInputStream rules (tags and lengths
// of up to 10 bytes, low 32 bits kept). The outer message is parsed as libprotobuf's
// parser does (groups nest up to 100 deep; the bits of a 5-byte tag beyond 32 are
// dropped); when that fails, nothing is written and the error is returned (protoc
// prints "Failed to parse input.").
//
// ```cpp
// std::string text;
// if (auto r = wirespan::protobuf::format_raw(data, text); !r) ...   // "1: 150\n"
// ```
#pragma once

#include <cstddef>
#include <cstdint>

#include "../core/bytes.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "reader.hpp"

namespace wirespan::protobuf {

/// Where `format_raw` writes: anything with `append(const char*, std::size_t)`
/// (`std::string`, ...).
template <class S>
concept text_sink = requires(S& s, const char* p, std::size_t n) { s.append(p, n); };

namespace detail {

// protoc's budget for guessing that a length-delimited field is a message.
inline constexpr int raw_guess_budget = 10;

// The outer message goes through libprotobuf's parser; the guess whether a string is a
// message goes through its CodedInputStream, which is laxer about tags and lengths.
constexpr read_options raw_read_options(std::uint32_t depth_limit, bool guess) noexcept {
  read_options o;
  o.max_depth = depth_limit;
  o.validate_utf8 = false;
  o.tags = guess ? read_options::compat::coded_stream : read_options::compat::parser;
  return o;
}

template <text_sink S>
void raw_put(S& out, const char* s) {
  std::size_t n = 0;
  while (s[n] != '\0') ++n;
  out.append(s, n);
}

template <text_sink S>
void raw_indent(S& out, int level) {
  static constexpr char spaces[] = "                                                                ";
  std::size_t n = static_cast<std::size_t>(level) * 2;
  while (n > 0) {
    std::size_t k = n < 64 ? n : 64;
    out.append(spaces, k);
    n -= k;
  }
}

template <text_sink S>
void raw_number(S& out, std::uint64_t v) {
  char digits[21];  // 20 digits and put_number's terminator slot
  out.append(digits, wirespan::detail::put_number(digits, sizeof digits, 0, v));
}

template <text_sink S>
void raw_hex(S& out, std::uint64_t v, int width) {
  char text[2 + 16] = {'0', 'x'};
  for (int i = 0; i < width; ++i) {
    text[2 + width - 1 - i] = "0123456789abcdef"[(v >> (4 * i)) & 0xf];
  }
  out.append(text, static_cast<std::size_t>(2 + width));
}

// libprotobuf's CEscape: \n \r \t \" \' \\ by name, other bytes outside 0x20..0x7e in octal.
template <text_sink S>
void raw_escape(S& out, bytes data) {
  char buf[64];
  std::size_t n = 0;
  for (std::uint8_t c : data) {
    if (n > sizeof buf - 4) {
      out.append(buf, n);
      n = 0;
    }
    const char* named = nullptr;
    switch (c) {
      case '\n': named = "\\n"; break;
      case '\r': named = "\\r"; break;
      case '\t': named = "\\t"; break;
      case '"': named = "\\\""; break;
      case '\'': named = "\\'"; break;
      case '\\': named = "\\\\"; break;
      default: break;
    }
    if (named != nullptr) {
      buf[n++] = named[0];
      buf[n++] = named[1];
    } else if (c < 0x20 || c >= 0x7f) {
      buf[n++] = '\\';
      buf[n++] = static_cast<char>('0' + (c >> 6));
      buf[n++] = static_cast<char>('0' + ((c >> 3) & 7));
      buf[n++] = static_cast<char>('0' + (c & 7));
    } else {
      buf[n++] = static_cast<char>(c);
    }
  }
  out.append(buf, n);
}

// Does `data` parse as a message with groups nested at most `depth_limit` deep?
constexpr bool raw_parses(bytes data, int depth_limit) noexcept {
  return validate(data, raw_read_options(static_cast<std::uint32_t>(depth_limit), true)).has_value();
}

template <text_sink S>
void raw_fields(S& out, bytes data, int budget, int level, bool guessed) {
  // Already known to parse (with at least this depth allowance): errors cannot occur.
  reader r(data, raw_read_options(1000, guessed));
  for (;;) {
    auto more = r.next();
    if (!more || !*more) return;
    const field& f = r.current();
    raw_indent(out, level);
    raw_number(out, f.number);
    switch (f.type) {
      case wire_type::varint:
        raw_put(out, ": ");
        raw_number(out, f.integer);
        raw_put(out, "\n");
        break;
      case wire_type::fixed32:
        raw_put(out, ": ");
        raw_hex(out, f.integer, 8);
        raw_put(out, "\n");
        break;
      case wire_type::fixed64:
        raw_put(out, ": ");
        raw_hex(out, f.integer, 16);
        raw_put(out, "\n");
        break;
      case wire_type::length_delimited:
        if (!f.data.empty() && budget > 0 && raw_parses(f.data, budget)) {
          raw_put(out, " {\n");
          raw_fields(out, f.data, budget - 1, level + 1, true);
          raw_indent(out, level);
          raw_put(out, "}\n");
        } else {
          raw_put(out, ": \"");
          raw_escape(out, f.data);
          raw_put(out, "\"\n");
        }
        break;
      case wire_type::start_group:
        raw_put(out, " {\n");
        raw_fields(out, f.data, budget - 1, level + 1, guessed);
        raw_indent(out, level);
        raw_put(out, "}\n");
        break;
      case wire_type::end_group:
        return;
    }
  }
}

}  // namespace detail

/// Append the text `protoc --decode_raw` prints for the message in `data` to `out`, or
/// return the parse error (and append nothing).
template <text_sink S>
result<void> format_raw(bytes data, S& out) {
  if (auto e = validate(data, detail::raw_read_options(100, false)); !e) return e;
  detail::raw_fields(out, data, detail::raw_guess_budget, 0, false);
  return {};
}

}  // namespace wirespan::protobuf
