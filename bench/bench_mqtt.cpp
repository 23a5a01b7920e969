// MQTT benchmarks: CONNECT decode (every rule checked) and encode, for a minimal 3.1.1
// CONNECT and a 5.0 one with a will, properties and will properties; topic filter
// matching. The anchor is the physical limit: a memcpy of the same bytes.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace mq = wirespan::mqtt;

namespace {

void die(const char* what) {
  std::fprintf(stderr, "bench_mqtt: %s\n", what);
  std::exit(1);
}

std::array<std::uint8_t, 256> props_buf{}, will_buf{};

mq::connect minimal() {
  mq::connect c;
  c.client_id = "sensor-device-001";
  return c;
}

mq::connect full() {
  mq::property_writer pw(props_buf);
  pw.number(mq::property_id::session_expiry_interval, 3600)
      .number(mq::property_id::receive_maximum, 20)
      .number(mq::property_id::maximum_packet_size, 1 << 20)
      .number(mq::property_id::topic_alias_maximum, 10)
      .number(mq::property_id::request_problem_information, 1)
      .user_property("site", "lab");
  mq::property_writer ww(will_buf);
  ww.number(mq::property_id::will_delay_interval, 5)
      .number(mq::property_id::payload_format_indicator, 1)
      .text(mq::property_id::content_type, "text/plain")
      .text(mq::property_id::response_topic, "reply/sensor-device-001");
  mq::connect c;
  c.version = mq::protocol_version::v5;
  c.client_id = "sensor-device-001";
  c.properties = pw.finish().value();
  c.will = mq::will_message{ww.finish().value(), "status/sensor-device-001", "offline", 1, true};
  c.username = "sensor";
  c.password = "s3cret";
  return c;
}

std::vector<std::uint8_t> bytes_of(const mq::connect& c) {
  std::vector<std::uint8_t> out(mq::encoded_size(c));
  if (!mq::encode(c, out)) die("encode failed");
  return out;
}

template <mq::connect (*Make)()>
void BM_connect_decode(benchmark::State& state) {
  const auto packet = bytes_of(Make());
  if (!mq::decode_connect(packet)) die("decode failed");
  for (auto _ : state) {
    benchmark::DoNotOptimize(packet.data());
    auto c = mq::decode_connect(packet);
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(packet.size()));
}
BENCHMARK(BM_connect_decode<minimal>)->Name("BM_connect_decode/v311_minimal");
BENCHMARK(BM_connect_decode<full>)->Name("BM_connect_decode/v5_will_properties");

template <mq::connect (*Make)()>
void BM_connect_encode(benchmark::State& state) {
  const mq::connect c = Make();
  const auto want = bytes_of(c);
  std::array<std::uint8_t, 512> out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(&c);
    auto n = mq::encode(c, out);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(out.data());
  }
  if (std::memcmp(out.data(), want.data(), want.size()) != 0) die("encode differs");
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(want.size()));
}
BENCHMARK(BM_connect_encode<minimal>)->Name("BM_connect_encode/v311_minimal");
BENCHMARK(BM_connect_encode<full>)->Name("BM_connect_encode/v5_will_properties");

// The anchor: copying the packet's bytes.
template <mq::connect (*Make)()>
void BM_memcpy(benchmark::State& state) {
  const auto packet = bytes_of(Make());
  std::array<std::uint8_t, 512> out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(packet.data());
    std::memcpy(out.data(), packet.data(), packet.size());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(packet.size()));
}
BENCHMARK(BM_memcpy<minimal>)->Name("BM_memcpy/v311_minimal");
BENCHMARK(BM_memcpy<full>)->Name("BM_memcpy/v5_will_properties");

// A bound for encode below which no encoder of this value can go: the packet's pieces
// copied in order from where they are, the fields from the value's own storage and
// everything an encoder computes (fixed header, protocol name, flags, keep alive, the
// length prefixes) from a copy of the finished packet, adjacent computed bytes as one
// piece; nothing sized, checked or computed. Each piece is at most 64 bytes and is
// copied inline with overlapping word moves (no call).
struct piece {
  const std::uint8_t* data;
  std::size_t size;
};

std::vector<piece> pieces_of(const mq::connect& c, const std::vector<std::uint8_t>& packet) {
  std::vector<piece> out;
  std::size_t at = 0;
  auto computed = [&](std::size_t n) {
    if (!out.empty() && out.back().data + out.back().size == packet.data() + at) {
      out.back().size += n;
    } else {
      out.push_back({packet.data() + at, n});
    }
    at += n;
  };
  auto field = [&](wirespan::bytes b) {
    if (!b.empty()) out.push_back({b.data(), b.size()});
    at += b.size();
  };
  const bool v5 = c.version == mq::protocol_version::v5;
  auto prefix = [](std::size_t n) -> std::size_t { return n < 128 ? 1 : n < 16384 ? 2 : 3; };
  computed(1 + prefix(packet.size() - 2) + 2 + 4 + 4);  // (MQTT 3.1.1 and 5.0: "MQTT")
  if (v5) computed(prefix(c.properties.raw().size())), field(c.properties.raw());
  computed(2), field(c.client_id.data());
  if (c.will) {
    if (v5) computed(prefix(c.will->properties.raw().size())), field(c.will->properties.raw());
    computed(2), field(c.will->topic.data());
    computed(2), field(c.will->payload.data());
  }
  if (c.username) computed(2), field(c.username->data());
  if (c.password) computed(2), field(c.password->data());
  if (at != packet.size()) die("pieces do not add up to the packet");
  for (const piece& p : out) {
    if (p.size > 64) die("a piece longer than 64 bytes");
  }
  return out;
}

inline void copy_small(std::uint8_t* to, const std::uint8_t* from, std::size_t n) {
  struct chunk {
    unsigned char b[16];
  };
  if (n >= 16) {
    chunk a, b;
    std::memcpy(&a, from, 16);
    std::memcpy(&b, from + n - 16, 16);
    if (n > 32) {
      chunk c, d;
      std::memcpy(&c, from + 16, 16);
      std::memcpy(&d, from + n - 32, 16);
      std::memcpy(to + 16, &c, 16);
      std::memcpy(to + n - 32, &d, 16);
    }
    std::memcpy(to, &a, 16);
    std::memcpy(to + n - 16, &b, 16);
  } else if (n >= 8) {
    std::uint64_t a, b;
    std::memcpy(&a, from, 8);
    std::memcpy(&b, from + n - 8, 8);
    std::memcpy(to, &a, 8);
    std::memcpy(to + n - 8, &b, 8);
  } else if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, from, 4);
    std::memcpy(&b, from + n - 4, 4);
    std::memcpy(to, &a, 4);
    std::memcpy(to + n - 4, &b, 4);
  } else {
    for (std::size_t i = 0; i < n; ++i) to[i] = from[i];
  }
}

template <mq::connect (*Make)()>
void BM_connect_pieces(benchmark::State& state) {
  const mq::connect c = Make();
  const auto packet = bytes_of(c);
  const auto pieces = pieces_of(c, packet);
  std::array<std::uint8_t, 512> out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(pieces.data());
    std::uint8_t* o = out.data();
    for (const piece& p : pieces) {
      copy_small(o, p.data, p.size);
      o += p.size;
    }
    benchmark::DoNotOptimize(out.data());
  }
  if (std::memcmp(out.data(), packet.data(), packet.size()) != 0) die("pieces differ from the packet");
  state.counters["pieces"] = static_cast<double>(pieces.size());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(packet.size()));
}
BENCHMARK(BM_connect_pieces<minimal>)->Name("BM_connect_pieces/v311_minimal");
BENCHMARK(BM_connect_pieces<full>)->Name("BM_connect_pieces/v5_will_properties");

// A bound for decode below which no decoder that reads the fields in order can go: the
// chain of lengths followed through the packet and nothing else (each field's place
// depends on the lengths before it, each property's on the identifier and value before
// it). Nothing is checked: the packet is trusted to be the valid one built above, with
// one-byte property lengths and a Remaining Length of at most two bytes.
struct walk_sizes {
  enum : std::uint8_t { text = 0xfe, pair = 0xfd, varint = 0xfc };
  std::uint8_t size[256]{};  // value bytes of a fixed-size property, or one of the above
  walk_sizes() {
    for (int id = 0; id < 256; ++id) {
      switch (mq::type_of(static_cast<mq::property_id>(id))) {
        case mq::property_type::byte: size[id] = 1; break;
        case mq::property_type::two_byte: size[id] = 2; break;
        case mq::property_type::four_byte: size[id] = 4; break;
        case mq::property_type::varint: size[id] = varint; break;
        case mq::property_type::utf8:
        case mq::property_type::binary: size[id] = text; break;
        case mq::property_type::pair: size[id] = pair; break;
        case mq::property_type::none: break;
      }
    }
  }
};
const walk_sizes sizes;

// Where the walk ends (the packet's size), and the sum of the field ends passed (so
// that no step can be dropped).
struct walked {
  std::size_t end, sum;
};
inline walked walk_connect(const std::uint8_t* p) {
  auto be16 = [&](std::size_t at) { return std::size_t{p[at]} << 8 | p[at + 1]; };
  std::size_t pos = (p[1] & 0x80) != 0 ? 3 : 2;
  std::size_t sum = 0;
  pos += 2 + be16(pos);  // protocol name
  const std::uint8_t level = p[pos], flags = p[pos + 1];
  pos += 4;
  auto properties = [&] {
    const std::size_t end = pos + 1 + p[pos];
    ++pos;
    while (pos < end) {
      const std::uint8_t k = sizes.size[p[pos]];
      if (k == walk_sizes::text) {
        pos += 3 + be16(pos + 1);
      } else if (k == walk_sizes::pair) {
        pos += 3 + be16(pos + 1);
        pos += 2 + be16(pos);
      } else if (k == walk_sizes::varint) {
        pos += 2;
        while ((p[pos - 1] & 0x80) != 0) ++pos;
      } else {
        pos += 1 + std::size_t{k};
      }
      sum += pos;
    }
  };
  auto field = [&] {
    pos += 2 + be16(pos);
    sum += pos;
  };
  if (level == 5) properties();
  field();  // client identifier
  if ((flags & 0x04) != 0) {
    if (level == 5) properties();
    field(), field();  // will topic, will payload
  }
  if ((flags & 0x80) != 0) field();  // user name
  if ((flags & 0x40) != 0) field();  // password
  return {pos, sum};
}

template <mq::connect (*Make)()>
void BM_connect_walk(benchmark::State& state) {
  const auto packet = bytes_of(Make());
  if (walk_connect(packet.data()).end != packet.size()) die("the walk does not end where the packet does");
  for (auto _ : state) {
    benchmark::DoNotOptimize(packet.data());
    const walked w = walk_connect(packet.data());
    benchmark::DoNotOptimize(w.end);
    benchmark::DoNotOptimize(w.sum);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(packet.size()));
}
BENCHMARK(BM_connect_walk<minimal>)->Name("BM_connect_walk/v311_minimal");
BENCHMARK(BM_connect_walk<full>)->Name("BM_connect_walk/v5_will_properties");

// PUBLISH: 3.1.1 at QoS 1 with a 64-byte payload; 5.0 at QoS 1 with four properties.
std::vector<std::uint8_t> publish_bytes(bool v5) {
  static std::array<std::uint8_t, 128> pbuf{};
  static const std::string payload(64, 'x');
  mq::publish p;
  p.qos = 1;
  p.packet_id = 42;
  p.topic = "sensor/room1/temperature";
  p.payload = mq::string_ref(std::string_view(payload));
  if (v5) {
    p.version = mq::protocol_version::v5;
    mq::property_writer w(pbuf);
    w.number(mq::property_id::payload_format_indicator, 0)
        .number(mq::property_id::message_expiry_interval, 60)
        .text(mq::property_id::content_type, "application/json")
        .user_property("unit", "celsius");
    p.properties = w.finish().value();
  }
  std::vector<std::uint8_t> out(mq::encoded_size(p));
  if (!mq::encode(p, out)) die("publish encode failed");
  return out;
}

template <bool V5>
void BM_publish_decode(benchmark::State& state) {
  const auto packet = publish_bytes(V5);
  mq::decode_options o;
  if (V5) o.version = mq::protocol_version::v5;
  if (!mq::decode_publish(packet, o)) die("publish decode failed");
  for (auto _ : state) {
    benchmark::DoNotOptimize(packet.data());
    auto p = mq::decode_publish(packet, o);
    benchmark::DoNotOptimize(p);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(packet.size()));
}
BENCHMARK(BM_publish_decode<false>)->Name("BM_publish_decode/v311_qos1");
BENCHMARK(BM_publish_decode<true>)->Name("BM_publish_decode/v5_properties");

template <bool V5>
void BM_publish_memcpy(benchmark::State& state) {
  const auto packet = publish_bytes(V5);
  std::array<std::uint8_t, 512> out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(packet.data());
    std::memcpy(out.data(), packet.data(), packet.size());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(packet.size()));
}
BENCHMARK(BM_publish_memcpy<false>)->Name("BM_memcpy/publish_v311_qos1");
BENCHMARK(BM_publish_memcpy<true>)->Name("BM_memcpy/publish_v5_properties");

void BM_topic_match(benchmark::State& state) {
  struct pair {
    std::string_view filter, topic;
  };
  const pair pairs[] = {{"sensor/temp/#", "sensor/temp/room1"}, {"sensor/+/room1", "sensor/temp/room1"},
                        {"sensor/+/room1", "sensor/temp/room2"}, {"sensor/#", "sensor/humidity/room1"},
                        {"#", "$SYS/broker/uptime"},             {"a/b/c/d", "a/b/c/e"}};
  std::size_t hits = 0;
  for (auto _ : state) {
    for (const pair& p : pairs) {
      benchmark::DoNotOptimize(p.filter.data());
      hits += mq::topic_matches(p.filter, p.topic) ? 1u : 0u;
    }
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations() * 6);
}
BENCHMARK(BM_topic_match);

}  // namespace

BENCHMARK_MAIN();
