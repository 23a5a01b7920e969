// Fuzz target `mqtt_stream` — values to packets to a stream and back. The input drives a
// generator: a version, then packets of every type built from values (topics, filters,
// identifiers, QoS, options, properties, payloads taken from the input), each encoded,
// decoded in strict mode and encoded again to the same bytes (the round trip). The
// packets are sent as one stream cut at points the input picks; a reader that only
// knows `frame_size` takes whole packets off the front as bytes arrive. Every packet is
// recovered, in order and byte for byte, nothing is read twice, and `incomplete` always
// asks for at least one byte and never more than the packet still lacks.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace {

namespace mq = wirespan::mqtt;

void require(bool ok) {
  if (!ok) std::abort();
}

struct source {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  bool empty() const { return n == 0; }
};

// A topic level alphabet without wildcards.
std::string topic(source& in, bool wildcards) {
  std::string t;
  const std::size_t len = 1 + in.byte() % 12;
  static constexpr char alphabet[] = "abcxyz019/-_";
  for (std::size_t i = 0; i < len; ++i) t += alphabet[in.byte() % 12];
  if (wildcards) {
    const std::uint8_t w = in.byte() % 4;
    if (w == 1) t += "/#";
    if (w == 2) t = "+/" + t;
  }
  return t;
}

mq::string_ref text_of(const std::string& s) { return mq::string_ref(std::string_view(s)); }

std::uint16_t id(source& in) { return static_cast<std::uint16_t>(1 + (in.byte() << 8 | in.byte()) % 65535); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  source in{data, size};
  const auto version = static_cast<mq::protocol_version>(3 + in.byte() % 3);
  const bool v5 = version == mq::protocol_version::v5;
  mq::decode_options o;
  o.version = version;
  std::deque<std::string> strings;  // (stay where they are while the values view them)
  std::vector<std::vector<std::uint8_t>> packets;
  std::uint8_t props_buf[64];
  while (!in.empty() && packets.size() < 64) {
    mq::control_packet value;
    const std::uint8_t kind = in.byte() % 12;
    mq::property_list props;
    if (v5 && (in.byte() & 1) != 0) {
      mq::property_writer w(props_buf);
      strings.push_back(topic(in, false));
      w.user_property(text_of(strings.back()), "v");
      props = *w.finish();
    }
    mq::subscription subs[3];
    mq::string_ref filters[3];
    switch (kind) {
      case 0: {
        mq::connect c;
        c.version = version;
        strings.push_back(topic(in, false));
        c.client_id = text_of(strings.back());
        c.keep_alive = in.byte();
        if ((in.byte() & 1) != 0) c.username = mq::string_ref("user");
        if (c.username && (in.byte() & 1) != 0) c.password = mq::string_ref("pw");
        value = c;
        break;
      }
      case 1: {
        mq::connack c;
        c.version = version;
        c.code = static_cast<std::uint8_t>(v5 ? ((in.byte() & 1) != 0 ? 0x87 : 0) : in.byte() % 6);
        c.session_present = c.code == 0 && version != mq::protocol_version::v3_1 && (in.byte() & 1) != 0;
        c.properties = props;
        value = c;
        break;
      }
      case 2: {
        mq::publish p;
        p.version = version;
        p.qos = in.byte() % 3;
        p.dup = p.qos > 0 && (in.byte() & 1) != 0;
        p.retain = (in.byte() & 1) != 0;
        strings.push_back(topic(in, false));
        p.topic = text_of(strings.back());
        if (p.qos > 0) p.packet_id = id(in);
        p.properties = props;
        // A payload of up to 300 bytes (a two-byte Remaining Length past 127).
        std::string payload(in.byte() + in.byte() % 48, 'p');
        strings.push_back(payload);
        p.payload = text_of(strings.back());
        value = p;
        break;
      }
      case 3: {
        mq::pub_ack a;
        a.version = version;
        a.type = static_cast<mq::packet_type>(4 + in.byte() % 4);
        a.packet_id = id(in);
        if (v5) {
          a.reason_written = (in.byte() & 1) != 0;
          a.properties = props;
          a.properties_written = a.reason_written && (in.byte() & 1) != 0;
        }
        value = a;
        break;
      }
      case 4: {
        mq::subscribe s;
        s.version = version;
        s.packet_id = id(in);
        s.properties = props;
        const std::size_t n = 1 + in.byte() % 3;
        for (std::size_t i = 0; i < n; ++i) {
          strings.push_back(topic(in, true));
          subs[i].filter = text_of(strings.back());
          subs[i].qos = in.byte() % 3;
          if (v5) {
            subs[i].no_local = (in.byte() & 1) != 0;
            subs[i].retain_handling = in.byte() % 3;
          }
        }
        s.subscriptions = mq::subscription_list(std::span<const mq::subscription>(subs, n));
        value = s;
        break;
      }
      case 5: {
        mq::suback s;
        s.version = version;
        s.packet_id = id(in);
        s.properties = props;
        static constexpr std::uint8_t codes[] = {0, 1, 2, 0x80};
        s.codes = wirespan::bytes(codes, 1 + in.byte() % 4);
        value = s;
        break;
      }
      case 6: {
        mq::unsubscribe u;
        u.version = version;
        u.packet_id = id(in);
        u.properties = props;
        const std::size_t n = 1 + in.byte() % 3;
        for (std::size_t i = 0; i < n; ++i) {
          strings.push_back(topic(in, true));
          filters[i] = text_of(strings.back());
        }
        u.filters = mq::topic_filter_list(std::span<const mq::string_ref>(filters, n));
        value = u;
        break;
      }
      case 7: {
        mq::unsuback u;
        u.version = version;
        u.packet_id = id(in);
        u.properties = props;
        static constexpr std::uint8_t codes[] = {0, 0x11, 0x80};
        if (v5) u.codes = wirespan::bytes(codes, 1 + in.byte() % 3);
        value = u;
        break;
      }
      case 8: value = mq::pingreq{}; break;
      case 9: value = mq::pingresp{}; break;
      case 10: {
        mq::disconnect d;
        d.version = version;
        if (v5) {
          d.reason = (in.byte() & 1) != 0 ? 0x04 : 0;
          d.properties = props;
        }
        value = d;
        break;
      }
      default: {
        if (!v5) continue;
        mq::auth a;
        a.reason = 0x18;
        a.properties = props;
        value = a;
        break;
      }
    }
    std::vector<std::uint8_t> bytes(mq::encoded_size(value));
    auto n = mq::encode(value, bytes);
    require(n.has_value() && *n == bytes.size());
    auto back = mq::decode(bytes, o);
    require(back.has_value());
    require(mq::type_of(*back) == mq::type_of(value));
    std::vector<std::uint8_t> again(mq::encoded_size(*back));
    require(mq::encode(*back, again).has_value() && again == bytes);
    packets.push_back(std::move(bytes));
  }
  // The stream, cut at points taken from the generator's bytes.
  std::vector<std::uint8_t> stream;
  for (const auto& p : packets) stream.insert(stream.end(), p.begin(), p.end());
  std::vector<std::uint8_t> buffer;
  std::size_t sent = 0, next = 0, seed = size;
  while (sent < stream.size() || !buffer.empty()) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    const std::size_t chunk = std::min<std::size_t>(stream.size() - sent, 1 + (seed >> 33) % 40);
    buffer.insert(buffer.end(), stream.begin() + static_cast<std::ptrdiff_t>(sent),
                  stream.begin() + static_cast<std::ptrdiff_t>(sent + chunk));
    sent += chunk;
    while (!buffer.empty()) {
      auto f = mq::frame_size(buffer, 1 << 16, mq::parse_mode::strict, v5);
      if (!f) {
        require(f.error().code == wirespan::errc::incomplete);
        require(f.error().value >= 1 && next < packets.size() &&
                f.error().value <= packets[next].size() - std::min(buffer.size(), packets[next].size()) + 1);
        break;
      }
      require(next < packets.size() && *f == packets[next].size());
      require(std::equal(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*f), packets[next].begin()));
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*f));
      ++next;
    }
    if (sent == stream.size() && !buffer.empty()) require(false);  // bytes left that make no packet
  }
  require(next == packets.size());
  return 0;
}
