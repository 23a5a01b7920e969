#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace mq = wirespan::mqtt;
using wirespan::errc;

namespace {

constexpr mq::protocol_version v31 = mq::protocol_version::v3_1;
constexpr mq::protocol_version v311 = mq::protocol_version::v3_1_1;
constexpr mq::protocol_version v5 = mq::protocol_version::v5;

std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> out(*wirespan::hex_size(text));
  REQUIRE(wirespan::parse_hex(text, out).has_value());
  return out;
}

// A packet written as "30 LL ...": LL becomes the Remaining Length (under 128).
std::vector<std::uint8_t> packet(std::string text) {
  const auto at = text.find("LL");
  if (at == std::string::npos) return hex(text);
  text.replace(at, 2, "00");
  auto out = hex(text);
  REQUIRE(out.size() - 2 < 128);
  out[1] = static_cast<std::uint8_t>(out.size() - 2);
  return out;
}

mq::decode_options opts(mq::protocol_version v, mq::parse_mode m = mq::parse_mode::strict) {
  mq::decode_options o;
  o.version = v;
  o.mode = m;
  return o;
}

std::vector<std::uint8_t> encoded(const mq::control_packet& p) {
  std::vector<std::uint8_t> out(mq::encoded_size(p));
  auto n = mq::encode(p, out);
  REQUIRE(n.has_value());
  REQUIRE(*n == out.size());
  return out;
}

// Decode any packet for version `v`; on success, require that encoding gives the bytes back.
wirespan::result<mq::control_packet> round(const std::vector<std::uint8_t>& in, mq::protocol_version v) {
  auto d = mq::decode(in, opts(v));
  if (d) CHECK(encoded(*d) == in);
  return d;
}

// The error decoding `in` for `v` gives (it must fail).
wirespan::error fails(const std::vector<std::uint8_t>& in, mq::protocol_version v) {
  auto d = mq::decode(in, opts(v));
  REQUIRE_FALSE(d.has_value());
  return d.error();
}

}  // namespace

TEST_CASE("mqtt control: CONNACK for 3.1, 3.1.1 and 5.0") {
  const auto ok_in = hex("20 02 00 00");
  auto ok = round(ok_in, v311);
  REQUIRE(ok.has_value());
  const auto& c = std::get<mq::connack>(*ok);
  CHECK_FALSE(c.session_present);
  CHECK(c.code == 0);
  auto present = round(hex("20 02 01 00"), v311);
  REQUIRE(present.has_value());
  CHECK(std::get<mq::connack>(*present).session_present);
  auto refused = round(hex("20 02 00 05"), v311);
  REQUIRE(refused.has_value());
  CHECK(std::get<mq::connack>(*refused).code == 5);
  CHECK(fails(hex("20 02 00 06"), v311).code == errc::bad_value);            // return code 6 is reserved
  CHECK(mq::decode(hex("20 02 00 06"), opts(v311, mq::parse_mode::lax)).has_value());
  CHECK(fails(hex("20 02 01 05"), v311).code == errc::bad_value);            // session present with a refusal
  CHECK(fails(hex("20 02 02 00"), v311).code == errc::reserved_set);         // reserved flag
  CHECK(fails(hex("20 02 01 00"), v31).code == errc::reserved_set);          // 3.1: the byte is reserved
  CHECK(fails(hex("20 03 00 00 00"), v311).code == errc::malformed);          // trailing byte
  CHECK(fails(hex("20 01 00"), v311).code == errc::malformed);                // too short
  CHECK(fails(hex("21 02 00 00"), v311).code == errc::reserved_set);         // header flags

  // 5.0: properties always there; the reason codes CONNACK may carry.
  auto v5ok = round(hex("20 03 00 00 00"), v5);
  REQUIRE(v5ok.has_value());
  CHECK(std::get<mq::connack>(*v5ok).properties.empty());
  // Assigned client identifier "ab", receive maximum 20, topic alias maximum 10.
  const auto props_in = packet("20 LL 00 00 0b 12 00 02 61 62 21 00 14 22 00 0a");
  auto props = round(props_in, v5);
  REQUIRE(props.has_value());
  mq::property p;
  REQUIRE(std::get<mq::connack>(*props).properties.find(mq::property_id::receive_maximum, p));
  CHECK(p.number == 20);
  CHECK(round(hex("20 03 00 86 00"), v5).has_value());                      // bad user name or password
  CHECK(fails(hex("20 03 00 05 00"), v5).code == errc::bad_value);           // a 3.x code in 5.0
  CHECK(fails(hex("20 02 00 00"), v5).code == errc::malformed);              // no property length
  CHECK(fails(hex("20 05 00 00 02 17 01"), v5).code == errc::malformed);     // request problem info: CONNECT only
}

TEST_CASE("mqtt control: PUBLISH at QoS 0, 1 and 2, with DUP and RETAIN") {
  const auto q0_in = packet("30 LL 00 03 61 2f 62 68 69");
  auto q0 = round(q0_in, v311);
  REQUIRE(q0.has_value());
  const auto& p0 = std::get<mq::publish>(*q0);
  CHECK(p0.qos == 0);
  CHECK(p0.topic.view() == "a/b");
  CHECK(p0.payload.view() == "hi");
  const auto q1_in = packet("3b LL 00 01 74 00 07 78");
  auto q1 = round(q1_in, v311);  // DUP, QoS 1, RETAIN, id 7
  REQUIRE(q1.has_value());
  const auto& p1 = std::get<mq::publish>(*q1);
  CHECK(p1.dup);
  CHECK(p1.retain);
  CHECK(p1.qos == 1);
  CHECK(p1.packet_id == 7);
  CHECK(p1.payload.view() == "x");
  const auto q2_in = packet("34 LL 00 01 74 ff ff");
  auto q2 = round(q2_in, v311);  // QoS 2, empty payload
  REQUIRE(q2.has_value());
  CHECK(std::get<mq::publish>(*q2).packet_id == 0xffff);
  CHECK(std::get<mq::publish>(*q2).payload.empty());

  CHECK(fails(packet("36 LL 00 01 74 00 01"), v311).code == errc::malformed);   // QoS 3
  CHECK(fails(packet("38 LL 00 01 74"), v311).code == errc::malformed);         // DUP at QoS 0
  CHECK(mq::decode(packet("38 LL 00 01 74"), opts(v311, mq::parse_mode::lax)).has_value());
  CHECK(fails(packet("32 LL 00 01 74 00 00"), v311).code == errc::bad_value);   // packet identifier 0
  CHECK(fails(packet("30 LL 00 00 78"), v311).code == errc::bad_value);         // empty topic
  CHECK(fails(packet("30 LL 00 03 61 2f 23"), v311).code == errc::bad_value);   // wildcard in the topic
  CHECK(fails(packet("30 LL 00 03 61 2f 2b"), v311).code == errc::bad_value);
  CHECK(fails(packet("30 LL 00 05 61"), v311).code == errc::malformed);         // topic past the end
  CHECK(fails(packet("32 LL 00 01 74 00"), v311).code == errc::malformed);      // identifier cut short
  CHECK(mq::disconnect_code(fails(packet("30 LL 00 02 c3 28"), v5)) == 0x81);  // ill-formed UTF-8
  auto topic = fails(packet("30 LL 00 02 61 23"), v311);
  CHECK(mq::disconnect_code(topic) == 0x90);

  // 5.0: properties after the identifier; an empty topic with a topic alias.
  const auto v5p_in = packet("32 LL 00 01 74 00 01 05 01 01 23 00 05 68 69");
  auto v5p = round(v5p_in, v5);
  REQUIRE(v5p.has_value());
  const auto& pp = std::get<mq::publish>(*v5p);
  mq::property alias;
  REQUIRE(pp.properties.find(mq::property_id::topic_alias, alias));
  CHECK(alias.number == 5);
  CHECK(pp.payload.view() == "hi");
  CHECK(round(packet("30 LL 00 00 03 23 00 05 78"), v5).has_value());                    // alias only
  CHECK(fails(packet("30 LL 00 00 00 78"), v5).code == errc::bad_value);                 // no alias
  CHECK(mq::disconnect_code(fails(packet("30 LL 00 00 00 78"), v5)) == 0x90);
  CHECK(fails(packet("30 LL 00 01 74 03 23 00 00"), v5).code == errc::bad_value);         // topic alias 0
  CHECK(round(packet("30 LL 00 01 74 04 0b 01 0b 02"), v5).has_value());                 // subscription ids, repeated
  auto bad_payload = fails(packet("30 LL 00 01 74 02 01 01 ff"), v5);                    // format 1, not UTF-8
  CHECK(mq::disconnect_code(bad_payload) == 0x99);
  CHECK(round(packet("30 LL 00 01 74 02 01 00 ff"), v5).has_value());                    // format 0: binary
  CHECK(fails(packet("30 LL 00 01 74 02 11 00"), v5).code == errc::malformed);            // property not in PUBLISH
  CHECK(fails(packet("30 LL 00 01 74"), v5).code == errc::malformed);                    // no property length
}

TEST_CASE("mqtt control: PUBACK, PUBREC, PUBREL, PUBCOMP and the 5.0 short forms") {
  for (const char* text : {"40 02 00 01", "50 02 12 34", "62 02 00 01", "70 02 ff ff"}) {
    INFO(text);
    auto a = round(hex(text), v311);
    REQUIRE(a.has_value());
    CHECK(mq::type_of(*a) == static_cast<mq::packet_type>(hex(text)[0] >> 4));
  }
  CHECK(fails(hex("60 02 00 01"), v311).code == errc::reserved_set);   // PUBREL needs flags 0010
  CHECK(fails(hex("42 02 00 01"), v311).code == errc::reserved_set);
  CHECK(fails(hex("40 02 00 00"), v311).code == errc::bad_value);      // identifier 0
  CHECK(fails(hex("40 03 00 01 00"), v311).code == errc::malformed);   // 3.1.1: exactly two bytes
  CHECK(fails(hex("40 01 00"), v311).code == errc::malformed);

  // 5.0: the identifier alone, with a reason, with a reason and properties.
  for (const char* text : {"40 02 00 01", "40 03 00 01 00", "40 04 00 01 00 00", "40 03 00 01 10", "50 03 00 01 80",
                           "62 03 00 01 92", "70 04 00 01 00 00", "40 0b 00 01 87 07 1f 00 04 6e 6f 70 65"}) {
    INFO(text);
    auto a = round(hex(text), v5);
    REQUIRE(a.has_value());
  }
  const auto reason_in = hex("40 0b 00 01 87 07 1f 00 04 6e 6f 70 65");
  auto reason = round(reason_in, v5);
  REQUIRE(reason.has_value());
  const auto& a = std::get<mq::pub_ack>(*reason);
  CHECK(a.reason == 0x87);
  mq::property rs;
  REQUIRE(a.properties.find(mq::property_id::reason_string, rs));
  CHECK(rs.text().view() == "nope");
  CHECK(fails(hex("40 03 00 01 92"), v5).code == errc::bad_value);     // 0x92 is PUBREL/PUBCOMP's
  CHECK(fails(hex("62 03 00 01 10"), v5).code == errc::bad_value);     // 0x10 is PUBACK/PUBREC's
  CHECK(fails(hex("40 05 00 01 00 00 00"), v5).code == errc::malformed);  // a byte after the properties
  CHECK(fails(hex("40 06 00 01 00 02 23 01"), v5).code == errc::malformed);  // topic alias: not here

  // Built from values: the shortest form unless the value says the field was written.
  mq::pub_ack built;
  built.version = v5;
  built.type = mq::packet_type::pubrel;
  built.packet_id = 9;
  CHECK(encoded(built) == hex("62 02 00 09"));
  built.reason = 0x92;
  CHECK(encoded(built) == hex("62 03 00 09 92"));
  built.type = mq::packet_type::connack;
  std::uint8_t buf[8];
  CHECK(mq::encode(built, buf).error().code == errc::invalid_argument);
}

TEST_CASE("mqtt control: SUBSCRIBE and its options in 3.1.1 and 5.0") {
  const auto s_in = packet("82 LL 00 0a 00 03 61 2f 23 01 00 01 2b 02");
  auto s = round(s_in, v311);
  REQUIRE(s.has_value());
  const auto& sub = std::get<mq::subscribe>(*s);
  CHECK(sub.packet_id == 10);
  REQUIRE(sub.subscriptions.size() == 2);
  std::vector<std::string> filters;
  std::vector<int> qos;
  for (const mq::subscription& x : sub.subscriptions) {
    filters.emplace_back(x.filter.view());
    qos.push_back(x.qos);
  }
  CHECK(filters == std::vector<std::string>{"a/#", "+"});
  CHECK(qos == std::vector<int>{1, 2});

  CHECK(fails(packet("80 LL 00 0a 00 01 61 00"), v311).code == errc::reserved_set);  // flags must be 0010
  CHECK(fails(packet("82 LL 00 0a"), v311).code == errc::malformed);                 // no subscription
  CHECK(fails(packet("82 LL 00 00 00 01 61 00"), v311).code == errc::bad_value);      // identifier 0
  CHECK(fails(packet("82 LL 00 0a 00 01 61 03"), v311).code == errc::malformed);      // QoS 3
  CHECK(fails(packet("82 LL 00 0a 00 01 61 04"), v311).code == errc::reserved_set);   // no local: 5.0 only
  CHECK(fails(packet("82 LL 00 0a 00 01 61"), v311).code == errc::malformed);         // options missing
  CHECK(fails(packet("82 LL 00 0a 00 02 61 23 00"), v311).code == errc::bad_value);   // "a#"
  CHECK(fails(packet("82 LL 00 0a 00 03 23 2f 61 00"), v311).code == errc::bad_value);  // "#/a"
  CHECK(fails(packet("82 LL 00 0a 00 00 00"), v311).code == errc::bad_value);         // empty filter
  // 3.1.1 knows nothing of shared subscriptions: "$share/x" is a filter like any other.
  CHECK(fails(packet("82 LL 00 0a 00 08 24 73 68 61 72 65 2f 78 04"), v311).code == errc::reserved_set);
  CHECK(round(packet("82 LL 00 0a 00 08 24 73 68 61 72 65 2f 78 00"), v311).has_value());

  // 5.0: no local, retain as published, retain handling; subscription identifier.
  const auto s5_in = packet("82 LL 00 0a 02 0b 05 00 01 61 2e");
  auto s5 = round(s5_in, v5);
  REQUIRE(s5.has_value());
  const mq::subscription first = *std::get<mq::subscribe>(*s5).subscriptions.begin();
  CHECK(first.qos == 2);
  CHECK(first.no_local);
  CHECK(first.retain_as_published);
  CHECK(first.retain_handling == 2);
  CHECK(fails(packet("82 LL 00 0a 00 00 01 61 30"), v5).code == errc::malformed);     // retain handling 3
  CHECK(fails(packet("82 LL 00 0a 00 00 01 61 40"), v5).code == errc::reserved_set);  // bit 6
  CHECK(fails(packet("82 LL 00 0a 02 0b 00 00 01 61 00"), v5).code == errc::bad_value);  // subscription id 0
  CHECK(fails(packet("82 LL 00 0a 00"), v5).code == errc::malformed);
  // Shared subscriptions: "$share/g/a/b" fine; without No Local; with a name and a filter.
  CHECK(round(packet("82 LL 00 0a 00 00 0c 24 73 68 61 72 65 2f 67 2f 61 2f 62 01"), v5).has_value());
  CHECK(fails(packet("82 LL 00 0a 00 00 0c 24 73 68 61 72 65 2f 67 2f 61 2f 62 04"), v5).code == errc::bad_value);
  CHECK(fails(packet("82 LL 00 0a 00 00 08 24 73 68 61 72 65 2f 67 00"), v5).code == errc::bad_value);   // no filter
  CHECK(fails(packet("82 LL 00 0a 00 00 09 24 73 68 61 72 65 2f 2f 61 00"), v5).code == errc::bad_value);  // no name
  CHECK(fails(packet("82 LL 00 0a 00 00 0a 24 73 68 61 72 65 2f 2b 2f 61 00"), v5).code == errc::bad_value);
  // "$shared/a" and "$sabcd/x" are not shared subscriptions: No Local is allowed.
  CHECK(round(packet("82 LL 00 0a 00 00 09 24 73 68 61 72 65 64 2f 61 04"), v5).has_value());
  CHECK(round(packet("82 LL 00 0a 00 00 08 24 73 61 62 63 64 2f 78 04"), v5).has_value());

  // Built from a span of values.
  const mq::subscription list[] = {{"sensor/#", 1, false, false, 0}, {"a/+", 2, true, true, 1}};
  mq::subscribe built;
  built.version = v5;
  built.packet_id = 3;
  built.subscriptions = mq::subscription_list(list);
  const auto bytes = encoded(built);
  CHECK(bytes == packet("82 LL 00 03 00 00 08 73 65 6e 73 6f 72 2f 23 01 00 03 61 2f 2b 1e"));
  auto back = mq::decode_subscribe(bytes, opts(v5));
  REQUIRE(back.has_value());
  CHECK(back->subscriptions.size() == 2);
  const mq::subscription bad[] = {{"a", 3, false, false, 0}};
  built.subscriptions = mq::subscription_list(bad);
  std::uint8_t buf[32];
  CHECK(mq::encode(built, buf).error().code == errc::invalid_argument);
}

TEST_CASE("mqtt control: SUBACK, UNSUBSCRIBE and UNSUBACK") {
  const auto s_in = hex("90 05 00 0a 00 01 80");
  auto s = round(s_in, v311);
  REQUIRE(s.has_value());
  CHECK(std::get<mq::suback>(*s).codes.size() == 3);
  CHECK(fails(hex("90 03 00 0a 03"), v311).code == errc::bad_value);   // 3 is not a return code
  CHECK(fails(hex("90 03 00 0a 87"), v311).code == errc::bad_value);   // a 5.0 reason code in 3.1.1
  CHECK(fails(hex("90 02 00 0a"), v311).code == errc::malformed);      // no code
  CHECK(round(hex("90 05 00 0a 00 02 87"), v5).has_value());
  CHECK(round(hex("90 09 00 0a 05 1f 00 02 6e 6f a2"), v5).has_value());
  CHECK(fails(hex("90 04 00 0a 00 05"), v5).code == errc::bad_value);

  const auto u_in = packet("a2 LL 00 0b 00 03 61 2f 62 00 01 23");
  auto u = round(u_in, v311);
  REQUIRE(u.has_value());
  const auto& un = std::get<mq::unsubscribe>(*u);
  REQUIRE(un.filters.size() == 2);
  std::vector<std::string> filters;
  for (const mq::string_ref& f : un.filters) filters.emplace_back(f.view());
  CHECK(filters == std::vector<std::string>{"a/b", "#"});
  CHECK(fails(packet("a0 LL 00 0b 00 01 61"), v311).code == errc::reserved_set);
  CHECK(fails(packet("a2 LL 00 0b"), v311).code == errc::malformed);
  CHECK(fails(packet("a2 LL 00 0b 00 02 23 61"), v311).code == errc::bad_value);
  CHECK(round(packet("a2 LL 00 0b 00 00 01 61"), v5).has_value());
  CHECK(fails(packet("a2 LL 00 0b 02 0b 01 00 01 61"), v5).code == errc::malformed);  // subscription id: not here

  CHECK(round(hex("b0 02 00 0b"), v311).has_value());
  CHECK(fails(hex("b0 03 00 0b 00"), v311).code == errc::malformed);
  const auto u5_in = hex("b0 05 00 0b 00 00 11");
  auto u5 = round(u5_in, v5);
  REQUIRE(u5.has_value());
  CHECK(std::get<mq::unsuback>(*u5).codes.size() == 2);
  CHECK(fails(hex("b0 03 00 0b 00"), v5).code == errc::malformed);     // 5.0: at least one reason code
  CHECK(fails(hex("b0 04 00 0b 00 01"), v5).code == errc::bad_value);
}

TEST_CASE("mqtt control: PINGREQ, PINGRESP, DISCONNECT and AUTH") {
  CHECK(std::holds_alternative<mq::pingreq>(*round(hex("c0 00"), v311)));
  CHECK(std::holds_alternative<mq::pingresp>(*round(hex("d0 00"), v5)));
  CHECK(fails(hex("c0 01 00"), v311).code == errc::bad_length);
  CHECK(fails(hex("c1 00"), v311).code == errc::reserved_set);
  CHECK(fails(hex("d0 00 00"), v311).code == errc::malformed);
  CHECK(fails(hex("c0"), v311).code == errc::truncated);

  CHECK(round(hex("e0 00"), v311).has_value());
  CHECK(fails(hex("e0 01 00"), v311).code == errc::bad_length);
  for (const char* text : {"e0 00", "e0 01 00", "e0 01 04", "e0 02 8e 00", "e0 07 82 05 11 00 00 00 0a"}) {
    INFO(text);
    CHECK(round(hex(text), v5).has_value());
  }
  const auto d_in = hex("e0 07 82 05 11 00 00 00 0a");
  auto d = mq::decode_disconnect(d_in, opts(v5));
  REQUIRE(d.has_value());
  CHECK(d->reason == 0x82);
  CHECK(fails(hex("e0 01 05"), v5).code == errc::bad_value);
  CHECK(fails(hex("e0 03 00 00 00"), v5).code == errc::malformed);

  CHECK(fails(hex("f0 00"), v311).code == errc::malformed);  // AUTH: 5.0 only
  CHECK(round(hex("f0 00"), v5).has_value());
  const auto a_in = packet("f0 LL 18 0b 15 00 05 53 43 52 41 4d 16 00 00");
  auto a = round(a_in, v5);
  REQUIRE(a.has_value());
  CHECK(std::get<mq::auth>(*a).reason == 0x18);
  CHECK(fails(packet("f0 LL 18 04 16 00 01 61"), v5).code == errc::bad_value);   // data without a method
  CHECK(fails(hex("f0 01 01"), v5).code == errc::bad_value);
}

TEST_CASE("mqtt control: framing errors of every packet, and the maximum size") {
  const char* packets[] = {"20 02 00 00", "30 04 00 01 74 78", "40 02 00 01", "82 06 00 01 00 01 61 00",
                           "90 03 00 01 00", "a2 05 00 01 00 01 61", "b0 02 00 01", "c0 00", "d0 00", "e0 00"};
  for (const char* text : packets) {
    INFO(text);
    auto p = hex(text);
    REQUIRE(round(p, v311).has_value());
    // Cut short anywhere: truncated (or, at the fixed header, the header's own error).
    for (std::size_t n = 0; n < p.size(); ++n) {
      auto cut = mq::decode(std::vector<std::uint8_t>(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n)), opts(v311));
      REQUIRE_FALSE(cut.has_value());
      CHECK(cut.error().code == errc::truncated);
    }
    auto longer = p;
    longer.push_back(0);
    CHECK(fails(longer, v311).code == errc::malformed);
    mq::decode_options small = opts(v311);
    small.max_packet_size = p.size() - 1;
    if (p.size() > 2) CHECK(mq::decode(p, small).error().code == errc::limit_exceeded);
    // A Remaining Length not minimally encoded: lax only.
    auto padded = p;
    padded[1] |= 0x80;
    padded.insert(padded.begin() + 2, 0x00);
    CHECK(fails(padded, v311).code == errc::non_canonical);
    CHECK(mq::decode(padded, opts(v311, mq::parse_mode::lax)).has_value());
  }
  CHECK(fails(hex("00 00"), v311).code == errc::malformed);
  CHECK(fails(hex("30 ff ff ff ff 7f"), v311).code == errc::malformed);  // a fifth length byte
  auto huge = mq::decode(hex("30 ff ff ff 7f"), opts(v311));
  CHECK(huge.error().code == errc::truncated);  // (max_packet_size is the whole protocol's by default)
  CHECK(mq::decode_publish(hex("20 02 00 00")).error().code == errc::malformed);  // wrong decoder
  CHECK(mq::decode_pub_ack(hex("30 02 00 00")).error().code == errc::malformed);
}

TEST_CASE("mqtt control: every packet type encodes and decodes in constant expressions") {
  constexpr auto check = [] {
    std::uint8_t buf[64]{};
    mq::decode_options o;
    o.version = mq::protocol_version::v5;
    mq::publish p;
    p.version = mq::protocol_version::v5;
    p.topic = "t/1";
    p.qos = 2;
    p.packet_id = 4;
    p.payload = "x";
    auto n = mq::encode(p, buf);
    if (!n) return false;
    auto d = mq::decode(wirespan::bytes(buf, *n), o);
    if (!d || mq::type_of(*d) != mq::packet_type::publish) return false;
    const mq::subscription subs[] = {{"t/#", 1, false, false, 0}};
    mq::subscribe s;
    s.version = mq::protocol_version::v5;
    s.packet_id = 1;
    s.subscriptions = mq::subscription_list(subs);
    n = mq::encode(s, buf);
    if (!n) return false;
    auto ds = mq::decode_subscribe(wirespan::bytes(buf, *n), o);
    if (!ds || ds->subscriptions.size() != 1 || !(ds->subscriptions.begin()->filter == mq::string_ref("t/#"))) return false;
    mq::disconnect dc;
    dc.version = mq::protocol_version::v5;
    dc.reason = 4;
    n = mq::encode(dc, buf);
    return n && *n == 3 && mq::decode_disconnect(wirespan::bytes(buf, *n), o)->reason == 4;
  };
  static_assert(check());
  CHECK(check());
}
