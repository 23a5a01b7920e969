#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace mq = wirespan::mqtt;
using wirespan::errc;

namespace {

std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> out(*wirespan::hex_size(text));
  REQUIRE(wirespan::parse_hex(text, out).has_value());
  return out;
}

// A packet written as "10 LL ...": LL becomes the Remaining Length (under 128).
std::vector<std::uint8_t> packet(std::string text) {
  const auto at = text.find("LL");
  if (at == std::string::npos) return hex(text);
  text.replace(at, 2, "00");
  auto out = hex(text);
  out[1] = static_cast<std::uint8_t>(out.size() - 2);
  REQUIRE(out.size() - 2 < 128);
  return out;
}

std::vector<std::uint8_t> encoded(const mq::connect& c) {
  std::vector<std::uint8_t> out(mq::encoded_size(c));
  auto n = mq::encode(c, out);
  REQUIRE(n.has_value());
  REQUIRE(*n == out.size());
  return out;
}

// Decode, and on success require that encoding gives the same bytes back.
wirespan::result<mq::connect> decode(const std::vector<std::uint8_t>& p, mq::connect_options o = {}) {
  auto c = mq::decode_connect(p, o);
  if (c) CHECK(encoded(*c) == p);
  return c;
}

// The error of decoding `p`, which must fail.
wirespan::error failure(const std::vector<std::uint8_t>& p, mq::connect_options o = {}) {
  auto c = mq::decode_connect(p, o);
  REQUIRE_FALSE(c.has_value());
  return c.error();
}

// The 3.1.1 CONNECT of `wirespan demo` (client id "sensor-device-001", keep alive 60).
constexpr auto demo_connect = wirespan::hex_array<
    "10 1d 00 04 4d 51 54 54 04 02 00 3c 00 11 73 65 6e 73 6f 72 2d 64 65 76 69 63 65 2d 30 30 31">();

constexpr bool demo_encodes() {
  mq::connect c;
  c.client_id = "sensor-device-001";
  std::array<std::uint8_t, 64> buf{};
  auto n = mq::encode(c, buf);
  if (!n || *n != demo_connect.size()) return false;
  for (std::size_t i = 0; i < *n; ++i) {
    if (buf[i] != demo_connect[i]) return false;
  }
  auto back = mq::decode_connect(wirespan::bytes(buf.data(), *n));
  return back && back->client_id == mq::string_ref("sensor-device-001") && back->keep_alive == 60 && back->clean_start;
}
static_assert(demo_encodes());

}  // namespace

TEST_CASE("mqtt connect: the 3.1 minimal CONNECT (MQIsdp, level 3)") {
  const auto p = hex("10 12 00 06 4d 51 49 73 64 70 03 00 00 1e 00 04 74 65 73 74");
  auto c = decode(p);
  REQUIRE(c.has_value());
  CHECK(c->version == mq::protocol_version::v3_1);
  CHECK_FALSE(c->protocol_name.has_value());
  CHECK_FALSE(c->clean_start);
  CHECK(c->keep_alive == 30);
  CHECK(c->client_id.view() == "test");
  CHECK_FALSE(c->will.has_value());
  CHECK_FALSE(c->username.has_value());
  CHECK_FALSE(c->password.has_value());
}

TEST_CASE("mqtt connect: a 3.1.1 CONNECT captured from an ESP8266 client") {
  const auto p = hex("10 19 00 04 4d 51 54 54 04 02 00 0f 00 0d 45 53 50 38 32 36 36 43 6c 69 65 6e 74");
  auto c = decode(p);
  REQUIRE(c.has_value());
  CHECK(c->version == mq::protocol_version::v3_1_1);
  CHECK(c->clean_start);
  CHECK(c->keep_alive == 15);
  CHECK(c->client_id.view() == "ESP8266Client");
}

TEST_CASE("mqtt connect: the demo CONNECT is 31 bytes, encoded and decoded at compile time too") {
  mq::connect c;
  c.client_id = "sensor-device-001";
  const auto p = encoded(c);
  CHECK(p == std::vector<std::uint8_t>(demo_connect.begin(), demo_connect.end()));
  CHECK(p.size() == 31);
}

TEST_CASE("mqtt connect: 3.1.1 with will, user name and password round-trips") {
  mq::connect c;
  c.client_id = "c1";
  c.clean_start = false;
  c.keep_alive = 0;
  c.will = mq::will_message{{}, "status/c1", "offline", 1, true};
  c.username = "user";
  c.password = mq::string_ref(std::string_view("p\0ss", 4));
  const auto p = encoded(c);
  // flags: username, password, will retain, will QoS 1, will, no clean session
  CHECK(p[9] == (0x80 | 0x40 | 0x20 | 0x08 | 0x04));
  auto d = decode(p);
  REQUIRE(d.has_value());
  REQUIRE(d->will.has_value());
  CHECK(d->will->topic.view() == "status/c1");
  CHECK(d->will->payload.view() == "offline");
  CHECK(d->will->qos == 1);
  CHECK(d->will->retain);
  CHECK(d->username->view() == "user");
  CHECK(d->password->size() == 4);
  CHECK(d->keep_alive == 0);
}

TEST_CASE("mqtt connect: 5.0 with properties and will properties, order kept") {
  std::array<std::uint8_t, 128> pbuf{}, wbuf{};
  mq::property_writer pw(pbuf);
  pw.number(mq::property_id::session_expiry_interval, 3600)
      .user_property("site", "lab")
      .number(mq::property_id::receive_maximum, 20)
      .user_property("site", "lab2")
      .number(mq::property_id::maximum_packet_size, 1 << 20)
      .number(mq::property_id::topic_alias_maximum, 10)
      .number(mq::property_id::request_response_information, 1)
      .number(mq::property_id::request_problem_information, 0)
      .text(mq::property_id::authentication_method, "SCRAM-SHA-1")
      .text(mq::property_id::authentication_data, "xyz");
  auto props = pw.finish();
  REQUIRE(props.has_value());
  mq::property_writer ww(wbuf);
  ww.number(mq::property_id::will_delay_interval, 5)
      .number(mq::property_id::payload_format_indicator, 1)
      .number(mq::property_id::message_expiry_interval, 60)
      .text(mq::property_id::content_type, "text/plain")
      .text(mq::property_id::response_topic, "reply/c5")
      .text(mq::property_id::correlation_data, "42")
      .user_property("k", "v");
  auto wprops = ww.finish();
  REQUIRE(wprops.has_value());
  mq::connect c;
  c.version = mq::protocol_version::v5;
  c.client_id = "";
  c.properties = *props;
  c.will = mq::will_message{*wprops, "status/c5", "gone", 2, false};
  c.username = "u";
  c.password = "pw";
  const auto p = encoded(c);
  auto d = decode(p);
  REQUIRE(d.has_value());
  CHECK(d->version == mq::protocol_version::v5);
  CHECK(d->client_id.empty());
  std::vector<std::string> seen;
  for (const mq::property& q : d->properties) seen.push_back(mq::name_of(q.id));
  CHECK(seen == std::vector<std::string>{"session expiry interval", "user property", "receive maximum", "user property",
                                         "maximum packet size", "topic alias maximum", "request response information",
                                         "request problem information", "authentication method", "authentication data"});
  mq::property q;
  REQUIRE(d->properties.find(mq::property_id::session_expiry_interval, q));
  CHECK(q.number == 3600);
  REQUIRE(d->will.has_value());
  REQUIRE(d->will->properties.find(mq::property_id::response_topic, q));
  CHECK(q.text().view() == "reply/c5");
  CHECK(d->will->qos == 2);
  // 5.0 allows a password without a user name
  c.username.reset();
  CHECK(decode(encoded(c)).has_value());
}

TEST_CASE("mqtt connect: lax mode takes mosquitto's bridge bit and a mismatched name") {
  auto p = hex("10 0e 00 04 4d 51 54 54 84 02 00 3c 00 02 62 31");
  CHECK(failure(p).code == errc::bad_version);
  mq::connect_options lax{mq::parse_mode::lax};
  auto c = decode(p, lax);
  REQUIRE(c.has_value());
  CHECK(c->bridge);
  CHECK(c->version == mq::protocol_version::v3_1_1);
  auto q = hex("10 10 00 06 4d 51 49 73 64 70 04 02 00 3c 00 02 62 31");  // MQIsdp with level 4
  CHECK(failure(q).code == errc::bad_version);
  auto d = decode(q, lax);
  REQUIRE(d.has_value());
  REQUIRE(d->protocol_name.has_value());
  CHECK(d->protocol_name->view() == "MQIsdp");
}

TEST_CASE("mqtt connect: lax mode keeps a non-minimal Remaining Length, byte for byte") {
  // 8c 00: 12 in two bytes (found by the fuzz target mqtt_connect: it encoded one byte)
  const auto p = hex("10 8c 00 00 04 4d 51 54 54 04 02 00 3c 00 00");
  CHECK(failure(p).code == errc::non_canonical);
  auto c = decode(p, {mq::parse_mode::lax});
  REQUIRE(c.has_value());
  CHECK(c->length_size == std::optional<std::uint8_t>(2));
  CHECK(mq::encoded_size(*c) == p.size());
}

TEST_CASE("mqtt connect: every rule, with its offset and CONNACK code") {
  using v = mq::protocol_version;
  struct bad {
    const char* name;
    const char* packet;
    errc code;
    std::uint32_t offset;
    int v3;  // 3.x return code; -1: close without CONNACK
    int v5;
  };
  const bad cases[] = {
      {"header flags not 0", "11 LL 00 04 4d 51 54 54 04 02 00 3c 00 00", errc::reserved_set, 0, -1, 0x81},
      {"not CONNECT", "20 02 00 00", errc::malformed, 0, -1, 0x81},
      {"reserved connect flag", "10 LL 00 04 4d 51 54 54 04 03 00 3c 00 00", errc::reserved_set, 9, -1, 0x81},
      {"will QoS 3", "10 LL 00 04 4d 51 54 54 04 1e 00 3c 00 00", errc::malformed, 9, -1, 0x81},
      {"will retain without will", "10 LL 00 04 4d 51 54 54 04 22 00 3c 00 00", errc::malformed, 9, -1, 0x81},
      {"will QoS without will", "10 LL 00 04 4d 51 54 54 04 0a 00 3c 00 00", errc::malformed, 9, -1, 0x81},
      {"password without user name (3.1.1)", "10 LL 00 04 4d 51 54 54 04 42 00 3c 00 00 00 02 70 77",
       errc::malformed, 9, -1, 0x81},
      {"wrong protocol name", "10 LL 00 04 4d 51 54 58 04 02 00 3c 00 00", errc::bad_version, 2, -1, 0x84},
      {"name and level mismatch", "10 LL 00 04 4d 51 54 54 03 02 00 3c 00 00", errc::bad_version, 8, 0x01, 0x84},
      {"protocol level 6", "10 LL 00 04 4d 51 54 54 06 02 00 3c 00 00", errc::bad_version, 8, 0x01, 0x84},
      {"client id longer than the packet", "10 LL 00 04 4d 51 54 54 04 02 00 3c 00 05 61 62", errc::malformed, 12, -1,
       0x81},
      {"protocol name longer than the packet", "10 04 00 09 4d 51", errc::malformed, 2, -1, 0x81},
      {"bytes after the last field", "10 LL 00 04 4d 51 54 54 04 02 00 3c 00 00 ff ff", errc::malformed, 14, -1, 0x81},
      {"bytes after the packet", "10 0c 00 04 4d 51 54 54 04 02 00 3c 00 00 00", errc::malformed, 14, -1, 0x81},
      {"packet cut short", "10 0c 00 04 4d 51 54 54 04 02 00 3c", errc::truncated, 12, -1, 0x81},
      {"5-byte remaining length", "10 80 80 80 80 01", errc::malformed, 5, -1, 0x81},
      {"non-minimal remaining length", "10 8c 00 00 04 4d 51 54 54 04 02 00 3c 00 00", errc::non_canonical, 1, -1, 0x81},
      {"empty client id without clean session (3.1.1)", "10 LL 00 04 4d 51 54 54 04 00 00 3c 00 00", errc::bad_value,
       12, 0x02, 0x85},
      {"3.1 client id of 24 bytes",
       "10 LL 00 06 4d 51 49 73 64 70 03 02 00 3c 00 18 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 "
       "61 61",
       errc::bad_value, 14, 0x02, 0x85},
      {"3.1 empty client id", "10 LL 00 06 4d 51 49 73 64 70 03 02 00 3c 00 00", errc::bad_value, 14, 0x02, 0x85},
      {"bad UTF-8 in the client id", "10 LL 00 04 4d 51 54 54 04 02 00 3c 00 02 c3 28", errc::malformed, 14, -1, 0x81},
      {"U+0000 in the client id", "10 LL 00 04 4d 51 54 54 04 02 00 3c 00 02 61 00", errc::malformed, 15, -1, 0x81},
      {"a surrogate in the user name", "10 LL 00 04 4d 51 54 54 04 82 00 3c 00 00 00 03 ed a0 80", errc::malformed, 16,
       -1, 0x81},
      {"a control character (strict)", "10 LL 00 04 4d 51 54 54 04 02 00 3c 00 02 61 01", errc::bad_value, 15, -1,
       0x81},
      {"will topic with a wildcard", "10 LL 00 04 4d 51 54 54 04 06 00 3c 00 00 00 01 23 00 00", errc::bad_value, 16,
       -1, 0x90},
      {"empty will topic", "10 LL 00 04 4d 51 54 54 04 06 00 3c 00 00 00 00 00 00", errc::bad_value, 16, -1, 0x90},
      {"will topic of one wildcard after two bytes", "10 LL 00 04 4d 51 54 54 04 06 00 3c 00 00 00 03 61 2f 2b 00 00",
       errc::bad_value, 18, -1, 0x90},
      {"bad UTF-8 in the will topic", "10 LL 00 04 4d 51 54 54 04 06 00 3c 00 00 00 02 c3 28 00 00", errc::malformed, 16,
       -1, 0x81},
      {"bad UTF-8 in the will topic before a wildcard (UTF-8 judged first)",
       "10 LL 00 04 4d 51 54 54 04 06 00 3c 00 00 00 0a 61 62 63 64 65 66 67 c3 28 23 00 00", errc::malformed, 23, -1,
       0x81},
      {"a control character in the will topic before a wildcard (strict)",
       "10 LL 00 04 4d 51 54 54 04 06 00 3c 00 00 00 03 61 01 2b 00 00", errc::bad_value, 17, -1, 0x81},
      {"5.0 duplicate property", "10 LL 00 04 4d 51 54 54 05 02 00 3c 0a 11 00 00 00 01 11 00 00 00 02 00 00",
       errc::bad_value, 18, -1, 0x82},
      {"5.0 property not allowed in CONNECT", "10 LL 00 04 4d 51 54 54 05 02 00 3c 02 23 00 00 00", errc::malformed, 13,
       -1, 0x81},
      {"5.0 will property in CONNECT", "10 LL 00 04 4d 51 54 54 05 02 00 3c 05 18 00 00 00 01 00 00",
       errc::malformed, 13, -1, 0x81},
      {"5.0 unknown property", "10 LL 00 04 4d 51 54 54 05 02 00 3c 01 7f 00 00", errc::malformed, 13, -1, 0x81},
      {"5.0 receive maximum 0", "10 LL 00 04 4d 51 54 54 05 02 00 3c 03 21 00 00 00 00", errc::bad_value, 13, -1,
       0x82},
      {"5.0 maximum packet size 0", "10 LL 00 04 4d 51 54 54 05 02 00 3c 05 27 00 00 00 00 00 00", errc::bad_value, 13,
       -1, 0x82},
      {"5.0 request problem information 2", "10 LL 00 04 4d 51 54 54 05 02 00 3c 02 17 02 00 00", errc::bad_value, 13,
       -1, 0x82},
      {"5.0 authentication data without a method", "10 LL 00 04 4d 51 54 54 05 02 00 3c 04 16 00 01 78 00 00",
       errc::bad_value, 13, -1, 0x82},
      {"5.0 property length past the packet", "10 LL 00 04 4d 51 54 54 05 02 00 3c 09 00 00", errc::malformed, 12, -1,
       0x81},
      {"5.0 property value past the block", "10 LL 00 04 4d 51 54 54 05 02 00 3c 02 11 00 00 00", errc::malformed, 13,
       -1, 0x81},
      {"5.0 will payload not UTF-8 as indicated",
       "10 LL 00 04 4d 51 54 54 05 06 00 3c 00 00 00 02 01 01 00 01 74 00 02 ff fe", errc::bad_value, 23, -1, 0x99},
  };
  for (const bad& b : cases) {
    INFO(b.name);
    const auto e = failure(packet(b.packet));
    CHECK(e.code == b.code);
    CHECK(e.offset == b.offset);
    CHECK(e.what != nullptr);
    CHECK(mq::connack_code(e, v::v3_1_1).value_or(0xff) == (b.v3 < 0 ? 0xff : b.v3));
    CHECK(mq::connack_code(e, v::v5).value_or(0xff) == b.v5);
  }
}

TEST_CASE("mqtt connect: a remaining length beyond the caller's cap is refused before it is read") {
  // 256 MB claimed, 6 bytes given
  const auto p = hex("10 ff ff ff 7f 00");
  mq::connect_options o;
  o.max_packet_size = 1 << 20;
  const auto e = failure(p, o);
  CHECK(e.code == errc::limit_exceeded);
  CHECK(mq::connack_code(e, mq::protocol_version::v5) == std::optional<std::uint8_t>(0x95));
  CHECK_FALSE(mq::connack_code(e, mq::protocol_version::v3_1_1).has_value());
}

TEST_CASE("mqtt connect: every cut of valid packets fails cleanly, and every byte flipped decodes or fails") {
  mq::connect c;
  c.version = mq::protocol_version::v5;
  c.client_id = "id";
  std::array<std::uint8_t, 32> wbuf{};
  mq::property_writer ww(wbuf);
  ww.number(mq::property_id::will_delay_interval, 1).user_property("a", "b");
  c.will = mq::will_message{*ww.finish(), "t", "m", 1, false};
  c.username = "u";
  c.password = "p";
  const auto p = encoded(c);
  for (std::size_t cut = 0; cut < p.size(); ++cut) {
    CAPTURE(cut);
    CHECK_FALSE(mq::decode_connect(wirespan::bytes(p.data(), cut)).has_value());
  }
  for (std::size_t i = 0; i < p.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto q = p;
      q[i] = static_cast<std::uint8_t>(q[i] ^ (1u << bit));
      auto d = mq::decode_connect(q, {mq::parse_mode::lax});
      if (d) CHECK(encoded(*d) == q);
    }
  }
}

TEST_CASE("mqtt connect: encode errors") {
  mq::connect c;
  c.client_id = "x";
  std::array<std::uint8_t, 8> small{};
  auto r = mq::encode(c, small);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::buffer_too_small);
  CHECK(r.error().value == mq::encoded_size(c));
  c.will = mq::will_message{{}, "t", "m", 3, false};
  std::array<std::uint8_t, 64> buf{};
  CHECK(mq::encode(c, buf).error().code == errc::invalid_argument);
  std::string big(70000, 'a');
  mq::connect d;
  d.client_id = std::string_view(big);
  std::vector<std::uint8_t> out(mq::encoded_size(d));
  CHECK(mq::encode(d, out).error().code == errc::invalid_argument);
}

TEST_CASE("mqtt connect: encode writes the same bytes on its short and general paths, into exactly encoded_size bytes") {
  // The general path written out by hand: what every CONNECT below must encode to.
  auto reference = [](const mq::connect& c) {
    std::vector<std::uint8_t> body;
    auto put = [&](std::string_view s) {
      body.push_back(static_cast<std::uint8_t>(s.size() >> 8));
      body.push_back(static_cast<std::uint8_t>(s.size()));
      body.insert(body.end(), s.begin(), s.end());
    };
    put(c.protocol_name ? c.protocol_name->view() : c.version == mq::protocol_version::v3_1 ? "MQIsdp" : "MQTT");
    body.push_back(static_cast<std::uint8_t>(static_cast<std::uint8_t>(c.version) | (c.bridge ? 0x80 : 0)));
    std::uint8_t flags = c.clean_start ? 0x02 : 0;
    if (c.username) flags |= 0x80;
    if (c.password) flags |= 0x40;
    body.push_back(flags);
    body.push_back(static_cast<std::uint8_t>(c.keep_alive >> 8));
    body.push_back(static_cast<std::uint8_t>(c.keep_alive));
    put(c.client_id.view());
    if (c.username) put(c.username->view());
    if (c.password) put(c.password->view());
    std::vector<std::uint8_t> out{0x10};
    std::uint8_t len[4]{};
    const std::size_t k = mq::write_varint_padded(len, static_cast<std::uint32_t>(body.size()),
                                                  std::max<std::size_t>(mq::varint_size(static_cast<std::uint32_t>(body.size())),
                                                                        c.length_size.value_or(1)));
    out.insert(out.end(), len, len + k);
    out.insert(out.end(), body.begin(), body.end());
    return out;
  };
  std::string letters;  // (no two neighbours alike: a copy from the wrong place shows)
  for (int i = 0; i < 300; ++i) letters.push_back(static_cast<char>('a' + i * 7 % 26));
  int cases = 0, decoded = 0;
  for (std::size_t id = 0; id <= 130; ++id) {                      // every copy length to 32, and bodies past 127
    for (int shape = 0; shape < 5; ++shape) {
      mq::connect c;
      c.client_id = std::string_view(letters).substr(0, id);
      c.keep_alive = static_cast<std::uint16_t>(0x1234 + id);
      c.clean_start = id % 2 == 0;
      if (shape == 1) c.version = mq::protocol_version::v3_1;      // "MQIsdp": the general path
      if (shape == 2) c.protocol_name = mq::string_ref("MQTX");   // a name given: the general path
      if (shape == 3) c.length_size = 3, c.bridge = true;         // a padded length: the general path
      if (shape == 4) {  // the short path with a user name, a password and the bridge bit too
        c.username = mq::string_ref(std::string_view(letters).substr(0, id % 40));
        if (id % 3 == 0) c.password = mq::string_ref(std::string_view(letters).substr(7, id % 11));
        c.bridge = id % 4 == 1;
      }
      const auto want = reference(c);
      REQUIRE(mq::encoded_size(c) == want.size());
      std::vector<std::uint8_t> out(want.size() + 8, 0xee);
      auto n = mq::encode(c, out);
      REQUIRE(n.has_value());
      CHECK(*n == want.size());
      CHECK(std::equal(want.begin(), want.end(), out.begin()));
      CHECK(out[want.size()] == 0xee);  // nothing written past the packet
      // And back (a given name and a padded length only in lax mode), across the one- and
      // two-byte Remaining Lengths. (MQTT 3.1 takes client ids of 1 to 23 characters.)
      const bool lax = shape == 2 || shape == 3 || c.bridge;
      auto back = mq::decode_connect(wirespan::bytes(out.data(), want.size()), {lax ? mq::parse_mode::lax : mq::parse_mode::strict});
      REQUIRE(back.has_value() == (shape != 1 || (id >= 1 && id <= 23)));
      if (back) {
        CHECK(back->client_id == c.client_id);
        CHECK(encoded(*back) == want);
        ++decoded;
      }
      // One byte less: buffer_too_small with the size needed, on either path.
      auto r = mq::encode(c, wirespan::mutable_bytes(out.data(), want.size() - 1));
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == errc::buffer_too_small);
      CHECK(r.error().value == want.size());
      ++cases;
    }
  }
  CHECK(cases == 655);
  CHECK(decoded == 655 - 131 + 23);
}
