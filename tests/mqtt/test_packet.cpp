#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace mq = wirespan::mqtt;
using wirespan::errc;

TEST_CASE("mqtt packet: variable byte integers of MQTT 5.0 1.5.5, at each size boundary") {
  const struct {
    std::uint32_t v;
    std::vector<std::uint8_t> bytes;
  } cases[] = {{0, {0x00}},
               {127, {0x7f}},
               {128, {0x80, 0x01}},
               {16'383, {0xff, 0x7f}},
               {16'384, {0x80, 0x80, 0x01}},
               {2'097'151, {0xff, 0xff, 0x7f}},
               {2'097'152, {0x80, 0x80, 0x80, 0x01}},
               {268'435'455, {0xff, 0xff, 0xff, 0x7f}}};
  for (const auto& c : cases) {
    CAPTURE(c.v);
    std::uint8_t buf[4]{};
    REQUIRE(mq::write_varint(buf, c.v) == c.bytes.size());
    CHECK(std::vector<std::uint8_t>(buf, buf + c.bytes.size()) == c.bytes);
    CHECK(mq::varint_size(c.v) == c.bytes.size());
    auto d = mq::decode_varint(c.bytes);
    REQUIRE(d.has_value());
    CHECK(d->value == c.v);
    CHECK(d->size == c.bytes.size());
  }
  const std::vector<std::uint8_t> five{0x80, 0x80, 0x80, 0x80, 0x01};
  CHECK(mq::decode_varint(five).error().code == errc::malformed);
  const std::vector<std::uint8_t> overlong{0x80, 0x00};
  CHECK(mq::decode_varint(overlong).error().code == errc::non_canonical);
  CHECK(mq::decode_varint(overlong, mq::parse_mode::lax)->value == 0);
  const std::vector<std::uint8_t> cut{0xff, 0xff};
  CHECK(mq::decode_varint(cut).error().code == errc::truncated);
  static_assert(mq::varint_size(mq::max_remaining_length) == 4);
}

TEST_CASE("mqtt packet: fixed header flags each type requires") {
  for (unsigned type = 0; type < 16; ++type) {
    for (unsigned flags = 0; flags < 16; ++flags) {
      const auto first = static_cast<std::uint8_t>(type << 4 | flags);
      const bool ok = mq::check_first_byte(first).has_value();
      bool want = false;
      if (type == 3) want = (flags & 6) != 6;
      else if (type == 6 || type == 8 || type == 10) want = flags == 2;
      else want = type != 0 && flags == 0;
      CAPTURE(type);
      CAPTURE(flags);
      CHECK(ok == want);
    }
  }
  CHECK_FALSE(mq::check_first_byte(0xf0, false).has_value());  // AUTH is 5.0 only
}

TEST_CASE("mqtt packet: frame_size over a stream cut at every byte") {
  // PINGREQ, a CONNECT, a PUBLISH of 200 bytes (two length bytes)
  std::vector<std::uint8_t> stream{0xc0, 0x00};
  const std::vector<std::uint8_t> connect{0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00};
  stream.insert(stream.end(), connect.begin(), connect.end());
  std::vector<std::uint8_t> publish{0x30, 0xc8, 0x01, 0x00, 0x01, 't'};
  publish.resize(3 + 200, 0xab);
  stream.insert(stream.end(), publish.begin(), publish.end());
  const std::size_t sizes[] = {2, connect.size(), publish.size()};
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    std::size_t at = 0;
    std::size_t k = 0;
    while (true) {
      auto n = mq::frame_size(wirespan::bytes(stream.data() + at, cut - at));
      if (!n) {
        CHECK(n.error().code == errc::incomplete);
        CHECK(n.error().value >= 1);
        if (at < stream.size()) CHECK(at + n.error().value <= stream.size());
        break;
      }
      REQUIRE(k < 3);
      CHECK(*n == sizes[k]);
      at += *n;
      ++k;
    }
    CHECK(at <= cut);
    if (cut == stream.size()) CHECK(k == 3);
  }
  // a claimed 256 MB is refused as soon as its length is read
  const std::vector<std::uint8_t> huge{0x30, 0xff, 0xff, 0xff, 0x7f};
  auto e = mq::frame_size(huge, 1 << 16);
  CHECK(e.error().code == errc::limit_exceeded);
  CHECK(mq::frame_size(huge).error().code == errc::incomplete);
  const std::vector<std::uint8_t> bad{0x00, 0x00};
  CHECK(mq::frame_size(bad).error().code == errc::malformed);
}

TEST_CASE("mqtt text: UTF-8 rules (MUST) and mosquitto's stricter ones") {
  auto check = [](std::vector<std::uint8_t> s, bool strict) {
    return mq::check_utf8(mq::string_ref(wirespan::bytes(s)), strict);
  };
  CHECK(check({'a', 'b'}, true).has_value());
  CHECK(check({0xc3, 0xa9}, true).has_value());              // é
  CHECK(check({0xf0, 0x9f, 0x98, 0x80}, true).has_value());  // U+1F600
  CHECK(check({0x00}, false).error().code == errc::malformed);
  CHECK(check({0xc0, 0x80}, false).error().code == errc::malformed);        // overlong U+0000
  CHECK(check({0xed, 0xa0, 0x80}, false).error().code == errc::malformed);  // surrogate
  CHECK(check({0xf4, 0x90, 0x80, 0x80}, false).error().code == errc::malformed);  // > U+10FFFF
  CHECK(check({0xe2, 0x82}, false).error().code == errc::malformed);
  CHECK(check({0x01}, false).has_value());
  CHECK(check({0x01}, true).error().code == errc::bad_value);
  CHECK(check({0x7f}, true).error().code == errc::bad_value);
  CHECK(check({0xc2, 0x9f}, true).error().code == errc::bad_value);        // U+009F
  CHECK(check({0xc2, 0xa0}, true).has_value());                            // U+00A0
  CHECK(check({0xef, 0xb7, 0x90}, true).error().code == errc::bad_value);  // U+FDD0
  CHECK(check({0xef, 0xbf, 0xbe}, true).error().code == errc::bad_value);  // U+FFFE
  CHECK(check({0xf0, 0x9f, 0xbf, 0xbf}, true).error().code == errc::bad_value);  // U+1FFFF
  CHECK(check({'a', 0xef, 0xbf, 0xbf}, true).error().offset == 1);
}

TEST_CASE("mqtt text: topic names, filters and matching (MQTT 5.0 4.7)") {
  CHECK(mq::check_topic_name("a/b").has_value());
  CHECK_FALSE(mq::check_topic_name("").has_value());
  CHECK_FALSE(mq::check_topic_name("a/+").has_value());
  CHECK_FALSE(mq::check_topic_name("a/#").has_value());
  for (const char* f : {"#", "+", "a/#", "a/+/b", "+/+", "/", "a//b", "+/#", "sport/tennis/#"}) {
    CAPTURE(f);
    CHECK(mq::check_topic_filter(f).has_value());
  }
  for (const char* f : {"", "a#", "a/#/b", "a+", "+a", "a/b#", "##"}) {
    CAPTURE(f);
    CHECK_FALSE(mq::check_topic_filter(f).has_value());
  }
  static_assert(mq::topic_matches("sensor/+/room1", "sensor/temp/room1"));
  static_assert(!mq::topic_matches("sensor/+/room1", "sensor/temp/room2"));
  static_assert(mq::topic_matches("sensor/#", "sensor/temp/room1"));
  static_assert(mq::topic_matches("sensor/#", "sensor"));
  static_assert(!mq::topic_matches("#", "$SYS/broker"));
  static_assert(!mq::topic_matches("+/broker", "$SYS/broker"));
  static_assert(mq::topic_matches("$SYS/#", "$SYS/broker"));
  CHECK(mq::topic_matches("sport/tennis/player1/#", "sport/tennis/player1"));
  CHECK(mq::topic_matches("sport/tennis/player1/#", "sport/tennis/player1/ranking"));
  CHECK(mq::topic_matches("sport/+", "sport/"));
  CHECK_FALSE(mq::topic_matches("sport/+", "sport"));
  CHECK(mq::topic_matches("+/+", "/finance"));
  CHECK(mq::topic_matches("/+", "/finance"));
  CHECK_FALSE(mq::topic_matches("+", "/finance"));
  CHECK(mq::topic_matches("#", "a/b/c"));
  CHECK_FALSE(mq::topic_matches("a/b", "a/b/c"));
  CHECK_FALSE(mq::topic_matches("a/b/c", "a/b"));
  CHECK(mq::topic_matches("a//b", "a//b"));
}

namespace {
// The rules of check_utf8, written out plainly: true when `s` passes.
bool reference_utf8(const std::vector<std::uint8_t>& s, bool strict) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint8_t c = s[i];
    std::uint32_t cp = 0;
    std::size_t len = 0;
    if (c < 0x80) cp = c, len = 1;
    else if (c >= 0xc2 && c <= 0xdf) cp = c & 0x1fu, len = 2;
    else if (c >= 0xe0 && c <= 0xef) cp = c & 0x0fu, len = 3;
    else if (c >= 0xf0 && c <= 0xf4) cp = c & 0x07u, len = 4;
    else return false;
    if (s.size() - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (s[i + k] & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) return false;  // overlong, too big
    if (cp >= 0xd800 && cp <= 0xdfff) return false;                                             // surrogates
    if (cp == 0) return false;
    if (strict && (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))) return false;
    if (strict && ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)) return false;
    i += len;
  }
  return true;
}
}  // namespace

TEST_CASE("mqtt text: check_utf8 (eight bytes at a time at run time) agrees with the rules written out") {
  std::uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  const std::uint8_t pool[] = {'a', 'Z', ' ', '~', 0x7f, 0x00, 0x01, 0x1f, 0x20, 0xc2, 0x9f, 0xa0, 0xc3, 0xa9, 0xe0,
                               0xed, 0xef, 0xb7, 0xbf, 0xbe, 0xf0, 0xf4, 0x90, 0x8f, 0x80, 0xff, 0xc0};
  int passed = 0;
  for (int n = 0; n < 40000; ++n) {
    std::vector<std::uint8_t> s(next() % 41);
    const bool mostly_ascii = n % 2 == 0;
    for (auto& b : s) {
      b = mostly_ascii && next() % 16 != 0 ? static_cast<std::uint8_t>(0x20 + next() % 0x5f)
                                           : pool[next() % sizeof pool];
    }
    for (bool strict : {true, false}) {
      const bool ours = mq::check_utf8(mq::string_ref(wirespan::bytes(s)), strict).has_value();
      if (ours != reference_utf8(s, strict)) {
        CAPTURE(wirespan::to_hex(s));
        CAPTURE(strict);
        CHECK(ours == reference_utf8(s, strict));
      }
      passed += ours ? 1 : 0;
    }
  }
  CHECK(passed > 10000);  // (both outcomes are exercised)
  CHECK(passed < 70000);
}

TEST_CASE("mqtt packet: parse_properties agrees with the plain reference on 200,000 random blocks") {
  // Blocks built from real properties (some cut, some with bad values or bad UTF-8) and
  // random bytes; every context, strict and lax: the same verdict, error and size.
  std::uint64_t seed = 0x9e3779b97f4a7c15ull;
  auto next = [&] {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    return seed;
  };
  const std::vector<std::vector<std::uint8_t>> pieces = {
      {0x01, 0x01}, {0x01, 0x02}, {0x02, 0, 0, 0, 60}, {0x03, 0, 2, 'a', 'b'}, {0x08, 0, 3, 'r', '/', '1'},
      {0x08, 0, 1, '#'}, {0x09, 0, 1, 0xff}, {0x0b, 0x05}, {0x0b, 0x80, 0x01}, {0x0b, 0x00}, {0x0b, 0x80, 0x00},
      {0x11, 0, 0, 0, 1}, {0x12, 0, 1, 'x'}, {0x13, 0, 5}, {0x15, 0, 1, 'm'}, {0x16, 0, 1, 'd'}, {0x17, 1},
      {0x18, 0, 0, 0, 5}, {0x19, 2}, {0x1a, 0, 0}, {0x1c, 0, 1, 's'}, {0x1f, 0, 2, 0xc3, 0x28}, {0x21, 0, 0},
      {0x21, 0, 9}, {0x22, 0, 1}, {0x23, 0, 3}, {0x24, 1}, {0x25, 0}, {0x26, 0, 1, 'k', 0, 1, 'v'},
      {0x26, 0, 1, 0x01, 0, 0}, {0x27, 0, 0, 1, 0}, {0x28, 1}, {0x29, 0}, {0x2a, 1}, {0x2b, 0}, {0x80, 0x01},
      {0x04, 0}, {0x26, 0, 5, 'k'}, {0x27, 0, 0, 0, 0}, {0x17, 2}, {0x08, 0, 3, 'a', '/', '+'},
      {0x26, 0, 1, 'k', 0, 1, 0x7f}, {0x23, 0, 0}, {0x03, 0, 3, 'a', 0xc0, 0x80}, {0x03, 0, 2, 0xc3, 0xa9},
      {0x08, 0, 3, 'a', 0xc3, 0xa9}, {0x08, 0, 4, 0xc3, 0xa9, '/', '#'}, {0x26, 0, 1, 'k', 0, 2, 0xc3, 0xa9},
      {0x26, 0, 2, 0xc3, 0xa9, 0, 1, 'v'}, {0x1f, 0, 9, 'r', 'e', 'a', 's', 'o', 'n', ' ', 0xc2, 0x85}};
  const mq::property_context contexts[] = {
      mq::property_context::connect,   mq::property_context::will,    mq::property_context::connack,
      mq::property_context::publish,   mq::property_context::puback,  mq::property_context::subscribe,
      mq::property_context::suback,    mq::property_context::unsubscribe, mq::property_context::unsuback,
      mq::property_context::disconnect, mq::property_context::auth};
  std::size_t accepted = 0;
  for (int round = 0; round < 200'000; ++round) {
    std::vector<std::uint8_t> body;
    const std::size_t count = next() % 5;
    for (std::size_t i = 0; i < count; ++i) {
      const auto& p = pieces[next() % pieces.size()];
      body.insert(body.end(), p.begin(), p.end());
    }
    if (next() % 8 == 0 && !body.empty()) body[next() % body.size()] = static_cast<std::uint8_t>(next());
    if (next() % 8 == 0 && !body.empty()) body.resize(next() % body.size());
    std::vector<std::uint8_t> in;
    const std::size_t claimed = next() % 16 == 0 ? body.size() + next() % 3 : body.size();
    if (next() % 16 == 0) {
      in.push_back(static_cast<std::uint8_t>(claimed | 0x80));  // a two-byte length (maybe non-minimal)
      in.push_back(static_cast<std::uint8_t>(claimed >> 7));
    } else {
      in.push_back(static_cast<std::uint8_t>(claimed & 0x7f));
    }
    in.insert(in.end(), body.begin(), body.end());
    if (next() % 4 == 0) in.push_back(0x42);  // (bytes after the block)
    const auto where = contexts[next() % std::size(contexts)];
    const bool strict = next() % 2 == 0;
    std::size_t c1 = 0, c2 = 0;
    std::uint32_t pf1 = 7, pf2 = 7;
    auto a = mq::parse_properties(in, where, c1, strict, 3, &pf1);
    auto b = mq::detail::parse_properties_reference(in, where, c2, strict, 3, &pf2);
    REQUIRE(a.has_value() == b.has_value());
    if (a) {
      ++accepted;
      REQUIRE(c1 == c2);
      REQUIRE(pf1 == pf2);
      REQUIRE(a->raw().size() == b->raw().size());
    } else {
      INFO(a.error().what);
      INFO(b.error().what);
      REQUIRE(a.error().code == b.error().code);
      REQUIRE(a.error().offset == b.error().offset);
      REQUIRE(std::string(a.error().what) == std::string(b.error().what));
      REQUIRE(a.error().value == b.error().value);
    }
  }
  CHECK(accepted > 10'000);
}

TEST_CASE("mqtt text: the one-pass checks (plain_text, plain_topic_name) at every byte and position of 0 to 25 bytes") {
  // They say yes exactly to plain ASCII (strict: 0x20 to 0x7e; lax: 0x01 to 0x7f), and the
  // topic check also not to an empty topic or one with '+' or '#'; a yes must be what
  // check_utf8 and check_topic_name say.
  int yes = 0;
  for (const bool strict : {true, false}) {
    for (std::size_t len = 0; len <= 25; ++len) {
      for (std::size_t at = 0; at < std::max<std::size_t>(len, 1); ++at) {
        for (int b = 0; b < 256; ++b) {
          std::vector<std::uint8_t> t(len, 'x');
          if (len > 0) t[at] = static_cast<std::uint8_t>(b);
          const bool plain = len == 0 || (strict ? (b >= 0x20 && b < 0x7f) : (b >= 0x01 && b < 0x80));
          const bool topic = plain && len > 0 && b != '+' && b != '#';
          const bool text_ok = mq::detail::plain_text(t.data(), t.size(), strict);
          const bool topic_ok = mq::detail::plain_topic_name(t.data(), t.size(), strict);
          INFO(len, " ", at, " ", b, " ", strict);
          REQUIRE(text_ok == plain);
          REQUIRE(topic_ok == topic);
          if (topic_ok) {
            REQUIRE(mq::check_utf8(mq::string_ref(wirespan::bytes(t)), strict).has_value());
            REQUIRE(mq::check_topic_name(mq::string_ref(wirespan::bytes(t))).has_value());
          }
          yes += topic_ok ? 1 : 0;
        }
      }
    }
  }
  CHECK(yes > 50'000);  // (70,850: both answers are exercised)
}

TEST_CASE("mqtt packet: check_topic_name takes every byte but '+' and '#', at every position of 1 to 17 bytes") {
  int wildcards = 0;
  for (std::size_t len = 1; len <= 17; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::vector<std::uint8_t> t(len, 'x');
        t[at] = static_cast<std::uint8_t>(b);
        const bool wildcard = b == '+' || b == '#';
        auto r = mq::check_topic_name(mq::string_ref(wirespan::bytes(t)));
        REQUIRE(r.has_value() == !wildcard);
        if (wildcard) {
          CHECK(r.error().offset == at);
          ++wildcards;
        }
      }
    }
  }
  CHECK(wildcards == 2 * 153);
}

TEST_CASE("mqtt packet: check_topic_name finds a wildcard at every position of strings of 0 to 40 bytes") {
  // (at run time it scans eight bytes at a time; the rule written out is the judge)
  std::uint64_t seed = 0x2545f4914f6cdd1dull;
  auto next = [&] {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    return seed;
  };
  constexpr char alphabet[] = "ab/+#*\x2a\x2c\x22\x24";
  for (int round = 0; round < 40'000; ++round) {
    std::string t(next() % 41, 'x');
    for (char& c : t) {
      const std::uint64_t pick = next() % 8;
      c = pick < 2 ? alphabet[next() % (sizeof alphabet - 1)]
          : pick == 2 ? static_cast<char>(next() % 256)  // (any byte: the test is bytewise)
                      : static_cast<char>('a' + next() % 26);
    }
    std::size_t first = std::string::npos;
    for (std::size_t i = 0; i < t.size() && first == std::string::npos; ++i) {
      if (t[i] == '+' || t[i] == '#') first = i;
    }
    std::vector<std::uint8_t> bytes(t.begin(), t.end());
    for (const mq::string_ref s : {mq::string_ref(std::string_view(t)), mq::string_ref(wirespan::bytes(bytes))}) {
      auto r = mq::check_topic_name(s, 10);
      INFO(t);
      if (t.empty()) {
        CHECK(r.error().what == mq::detail::empty_topic_name);
      } else if (first == std::string::npos) {
        CHECK(r.has_value());
      } else {
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().offset == 10 + first);
      }
    }
  }
}
