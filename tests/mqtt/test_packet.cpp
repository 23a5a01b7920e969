#include <doctest/doctest.h>

#include <cstdint>
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
