// wirespan demo: the main job on an embedded sample. Each codec adds its section.
#include <array>
#include <chrono>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "cli.hpp"
#include "describe.hpp"
#include "sample_capture.hpp"

namespace wirespan_cli {

const command demo_command{
    "demo",
    "run every codec on an embedded sample and show what it does",
    "usage: wirespan demo\n"
    "\n"
    "Runs the main job on an embedded sample: the RFC 1071 Internet checksum of a sample\n"
    "IPv4 header with every checksum kernel this CPU has, the RFC 1624 incremental update a\n"
    "router makes when it decrements the TTL, and each kernel's throughput on 1500-byte\n"
    "packets; crafting an IPv4 header and an ICMP echo request, printed as hex and decoded\n"
    "back field by field; and decoding an embedded capture of real traffic (12 frames)\n"
    "with the frame dissector; protobuf schemas; tcpdump filters over the capture; an MQTT\n"
    "CONNECT built and decoded, and topic filters matched. Exits non-zero if any result is\n"
    "wrong.\n",
    &run_demo};

namespace {

// The sample: an IPv4 header, 192.168.0.1 -> 192.168.0.199, UDP, TTL 64, checksum b861.
constexpr auto sample_ipv4_header = wirespan::hex_array<"4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7">();

template <class T>
inline void keep(const T& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}

// Bytes per second of `k` over 1500-byte packets, measured for about 50 ms.
double measure(wirespan::checksum::kernel k) {
  std::vector<std::uint8_t> packet(1500);
  for (std::size_t i = 0; i < packet.size(); ++i) packet[i] = static_cast<std::uint8_t>(i * 131 + 17);
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  std::size_t rounds = 0;
  auto elapsed = clock::duration::zero();
  do {
    for (int i = 0; i < 1000; ++i) {
      keep(packet.data());
      keep(wirespan::checksum::sum(packet, k));
    }
    rounds += 1000;
    elapsed = clock::now() - start;
  } while (elapsed < std::chrono::milliseconds(50));
  return static_cast<double>(rounds * packet.size()) / std::chrono::duration<double>(elapsed).count();
}

bool checksum_section() {
  namespace cs = wirespan::checksum;
  bool ok = true;
  std::printf("== checksum: the Internet checksum (RFC 1071, RFC 1624)\n");
  std::printf("sample: IPv4 header 192.168.0.1 -> 192.168.0.199, UDP, TTL 64 (20 bytes)\n");
  const std::uint16_t stored = wirespan::load_be16(sample_ipv4_header.data() + 10);
  const bool verified = cs::verify(sample_ipv4_header);
  ok = ok && verified;
  std::printf("  stored header checksum 0x%04x: %s\n", stored, verified ? "verifies" : "WRONG");

  auto header = sample_ipv4_header;
  wirespan::store_be16(header.data() + 10, 0);
  std::printf("  recomputed with the checksum field zeroed, by each kernel:\n");
  for (cs::kernel k : cs::all_kernels) {
    if (!cs::is_supported(k)) {
      std::printf("    %-7s (not supported by this CPU)\n", cs::to_string(k));
      continue;
    }
    const auto c = static_cast<std::uint16_t>(~cs::sum(header, k));
    ok = ok && c == stored;
    std::printf("    %-7s 0x%04x %s%s\n", cs::to_string(k), c, c == stored ? "ok" : "WRONG",
                k == cs::active_kernel() ? "  (active)" : "");
  }
  constexpr std::uint16_t at_compile_time = wirespan::internet_checksum(
      wirespan::hex_array<"4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7">());
  std::printf("    compile time 0x%04x (static_assert-able: computed by the compiler)\n", at_compile_time);
  ok = ok && at_compile_time == stored;

  // A router decrements the TTL: RFC 1624 updates the checksum without re-summing.
  header = sample_ipv4_header;
  const std::uint16_t old_word = wirespan::load_be16(header.data() + 8);
  header[8] = static_cast<std::uint8_t>(header[8] - 1);
  const std::uint16_t new_word = wirespan::load_be16(header.data() + 8);
  const std::uint16_t updated = cs::update16(stored, old_word, new_word);
  wirespan::store_be16(header.data() + 10, updated);
  const bool update_ok = cs::verify(header);
  ok = ok && update_ok;
  std::printf("  TTL 64 -> 63, incremental update (RFC 1624 eqn. 3): 0x%04x -> 0x%04x, %s\n", stored, updated,
              update_ok ? "verifies" : "WRONG");

  std::printf("  throughput on 1500-byte packets, measured now:\n");
  for (cs::kernel k : cs::all_kernels) {
    if (!cs::is_supported(k)) continue;
    std::printf("    %-7s %6.2f GB/s\n", cs::to_string(k), measure(k) / 1e9);
  }
  std::printf("  checksum: %s\n\n", ok ? "passed" : "FAILED");
  return ok;
}

bool ipv4_icmp_section() {
  namespace ws = wirespan;
  bool ok = true;
  std::printf("== ipv4 + icmp: crafting and decoding\n");
  ws::ipv4::header h;
  h.identification = 0xabcd;
  h.dont_fragment = true;
  h.ttl = 64;
  h.protocol = ws::ipv4::protocol_udp;
  h.source = ws::ipv4::address::parse("192.168.1.10").value();
  h.destination = ws::ipv4::address::parse("10.0.0.1").value();
  const std::array<std::uint8_t, 8> payload{0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00};
  std::array<std::uint8_t, 28> datagram{};
  auto n = ws::ipv4::encode(h, payload, datagram);
  ok = ok && n && *n == 28;
  std::printf("  IPv4 192.168.1.10 -> 10.0.0.1, protocol 17, ID 0xabcd, DF, TTL 64, 8 bytes of payload:\n    %s\n",
              ws::to_hex(ws::bytes(datagram).first(20)).c_str());
  auto v = ws::ipv4::parse(datagram);
  if (!v) {
    std::printf("  parse: %s\n", ws::to_string(v.error()).c_str());
    return false;
  }
  std::printf("  decoded: version %u, header %zu bytes, total length %u, ID 0x%04x, DF %d, MF %d, TTL %u,\n"
              "           protocol %u, checksum 0x%04x (%s), %s -> %s\n",
              v->version(), v->header_length(), v->total_length(), v->identification(), v->dont_fragment(),
              v->more_fragments(), v->ttl(), v->protocol(), v->checksum(), v->checksum_ok() ? "good" : "BAD",
              v->source().to_string().c_str(), v->destination().to_string().c_str());
  ok = ok && v->total_length() == 28 && v->checksum_ok() && v->checksum() == v->computed_checksum();

  const auto ping = ws::literal_bytes("PingPayload");
  std::array<std::uint8_t, 8 + ping.size()> echo{};
  auto m = ws::icmp::encode(ws::icmp::echo{.id = 1234, .sequence = 1, .payload = ping}, echo);
  ok = ok && m && *m == echo.size();
  std::printf("  ICMP echo request, id 1234, seq 1, payload \"PingPayload\":\n    %s\n", ws::to_hex(echo).c_str());
  auto e = ws::icmp::parse(echo);
  if (!e) {
    std::printf("  parse: %s\n", ws::to_string(e.error()).c_str());
    return false;
  }
  std::printf("  decoded: type %u (%s), code %u, checksum 0x%04x (%s), id %u, seq %u, payload \"%.*s\"\n",
              e->type(), ws::icmp::type_name(e->type()), e->code(), e->checksum(), e->checksum_ok() ? "good" : "BAD",
              e->identifier(), e->sequence(), static_cast<int>(e->payload().size()),
              reinterpret_cast<const char*>(e->payload().data()));
  ok = ok && e->checksum_ok() && e->identifier() == 1234 && e->sequence() == 1;
  std::printf("  ipv4 + icmp: %s\n\n", ok ? "passed" : "FAILED");
  return ok;
}

bool capture_section() {
  namespace ws = wirespan;
  std::printf("== capture: decoding an embedded pcap of real traffic (12 frames)\n");
  auto r = ws::capture::reader::open(sample_capture);
  if (!r) {
    std::printf("  %s\n", ws::to_string(r.error()).c_str());
    return false;
  }
  ws::pcap::record rec;
  std::size_t frames = 0, complete = 0;
  double first = -1;
  while (true) {
    auto more = r->next(rec);
    if (!more) {
      std::printf("  %s\n", ws::to_string(more.error()).c_str());
      return false;
    }
    if (!*more) break;
    ++frames;
    const auto layers = ws::dissect::frame(rec.data, rec.linktype);
    complete += layers.complete();
    const double t = static_cast<double>(rec.seconds) + rec.nanoseconds / 1e9;
    if (first < 0) first = t;
    std::printf("%s\n", frame_line(frames, t - first, rec, layers).c_str());
  }
  const bool ok = frames == 12 && complete == 12;
  std::printf("  capture: %zu frames, %zu dissected to the end: %s\n\n", frames, complete, ok ? "passed" : "FAILED");
  return ok;
}

namespace demo_pb {

namespace pb = wirespan::protobuf;
namespace pt = wirespan::protobuf::types;

struct hello_request {
  std::string_view name;
  using protobuf_schema = pb::schema<pb::member<1, &hello_request::name, pt::string>>;
};

struct reading {
  std::string_view sensor;
  double value = 0;
  using protobuf_schema =
      pb::schema<pb::member<1, &reading::sensor, pt::string>, pb::member<2, &reading::value, pt::double_>>;
};

struct report {
  std::int32_t id = 0;
  std::int64_t delta = 0;
  std::vector<std::int32_t> samples;
  std::vector<reading> readings;
  std::variant<std::monostate, std::string_view, std::uint32_t> source;
  using protobuf_schema = pb::schema<
      pb::member<1, &report::id, pt::int32>, pb::member<2, &report::delta, pt::sint64>,
      pb::member<3, &report::samples, pt::packed<pt::int32>>,
      pb::member<4, &report::readings, pt::repeated<pt::message>>,
      pb::oneof<&report::source, pb::alternative<5, pt::string>, pb::alternative<6, pt::fixed32>>>;
};

// The issue's compile-time example, checked by the compiler.
constexpr auto hello_bytes() {
  std::array<std::uint8_t, 7> out{};
  (void)pb::encode(hello_request{"World"}, out);
  return out;
}
static_assert(hello_bytes() == std::array<std::uint8_t, 7>{0x0a, 0x05, 0x57, 0x6f, 0x72, 0x6c, 0x64});

}  // namespace demo_pb

bool protobuf_section() {
  namespace pb = wirespan::protobuf;
  std::printf("== protobuf: compile-time schemas, encode, decode, raw dump (protoc --decode_raw format)\n");
  bool ok = true;
  std::vector<std::uint8_t> hello;
  ok = ok && pb::encode(demo_pb::hello_request{"World"}, hello).has_value();
  std::printf("  HelloRequest{name: \"World\"} -> %s\n", wirespan::to_hex(hello).c_str());
  ok = ok && wirespan::to_hex(hello) == "0a05576f726c64";
  std::string text;
  ok = ok && pb::format_raw(hello, text).has_value();
  std::printf("  decode-raw:\n    %s", text.c_str());

  demo_pb::report r;
  r.id = 150;
  r.delta = -2;
  r.samples = {3, 270, 86942};
  r.readings = {{"east", 21.5}, {"west", -3.25}};
  r.source = std::string_view("gateway-7");
  std::vector<std::uint8_t> bytes;
  ok = ok && pb::encode(r, bytes).has_value() && bytes.size() == pb::encoded_size(r);
  std::printf("  Report (int32, sint64, packed int32, repeated message, oneof): %zu bytes\n    %s\n", bytes.size(),
              wirespan::to_hex(bytes).c_str());
  auto back = pb::decode<demo_pb::report>(bytes);
  ok = ok && back && back->id == 150 && back->delta == -2 && back->samples == r.samples &&
       back->readings.size() == 2 && back->readings[1].value == -3.25 &&
       std::get<1>(back->source) == "gateway-7";
  text.clear();
  ok = ok && pb::format_raw(bytes, text).has_value();
  std::printf("  decode-raw:\n");
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    std::printf("    %s\n", text.substr(start, nl - start).c_str());
    start = nl + 1;
  }
  std::printf("  protobuf: %s\n\n", ok ? "passed" : "FAILED");
  return ok;
}

// The tutorials' expressions, and a few more, over the embedded capture; the counts are
// what `tcpdump -r` prints for the same file.
bool filter_section() {
  namespace ws = wirespan;
  namespace f = wirespan::filter;
  std::printf("== filter: tcpdump expressions compiled to classic BPF, run over the embedded capture\n");
  auto prog = f::compile("tcp port 443");
  if (!prog) return false;
  std::printf("  tcp port 443 (%zu instructions, as tcpdump -d):\n%s", prog->size(), f::dump(*prog).c_str());
  struct expectation {
    const char* expression;
    std::size_t matches;  // tcpdump 4.99.3 -r on the same capture
  };
  constexpr expectation expected[] = {
      {"host 192.168.1.10", 0}, {"tcp port 443", 0}, {"udp port 53", 1}, {"icmp", 4}, {"not port 22", 12},
      {"tcp[tcpflags] & tcp-syn != 0", 2}, {"greater 1400", 0}, {"net 10.0.0.0/8", 9},
      {"src host 10.0.0.1 and dst port 80", 0}, {"arp", 2}, {"vlan", 2}, {"vlan and udp", 1}, {"icmp6", 1}};
  bool ok = f::validate(*prog).has_value();
  for (const auto& x : expected) {
    auto p = f::compile(x.expression);
    if (!p || !f::validate(*p)) {
      std::printf("  %s: does not compile\n", x.expression);
      ok = false;
      continue;
    }
    auto r = ws::capture::reader::open(sample_capture);
    if (!r) return false;
    ws::pcap::record rec;
    std::size_t matches = 0;
    while (true) {
      auto more = r->next(rec);
      if (!more || !*more) break;
      if (f::run(*p, rec.data, rec.original_length) != 0) ++matches;
    }
    const bool same = matches == x.matches;
    ok = ok && same;
    std::printf("  %-36s %2zu of 12 frames (%zu instructions)%s\n", x.expression, matches, p->size(),
                same ? "" : "  MISMATCH with tcpdump");
  }
  std::printf("  filter: %s\n\n", ok ? "passed" : "FAILED");
  return ok;
}

// The CONNECT of the issue's sample: client id "sensor-device-001", keep alive 60, clean
// session, MQTT 3.1.1; built, printed, decoded; then topic filters against topics.
bool mqtt_section() {
  namespace mq = wirespan::mqtt;
  std::printf("== mqtt: a CONNECT built and decoded, topic filters matched\n");
  mq::connect c;
  c.client_id = "sensor-device-001";
  std::array<std::uint8_t, 64> buf{};
  auto n = mq::encode(c, buf);
  if (!n) return false;
  const wirespan::bytes packet(buf.data(), *n);
  const std::string hex = wirespan::to_hex(packet);
  std::printf("  CONNECT (3.1.1, client id \"sensor-device-001\", keep alive 60, clean session): %zu bytes\n    %s\n",
              *n, hex.c_str());
  bool ok = *n == 31 && hex.rfind("101d00044d5154540402003c0011", 0) == 0;
  auto d = mq::decode_connect(packet);
  ok = ok && d.has_value();
  if (d) {
    std::printf("  decoded: protocol level %u, clean session %d, keep alive %u, client id \"%.*s\", will %s\n",
                static_cast<unsigned>(d->version), d->clean_start ? 1 : 0, static_cast<unsigned>(d->keep_alive),
                static_cast<int>(d->client_id.size()), d->client_id.view().data(), d->will ? "yes" : "no");
    ok = ok && d->client_id.view() == "sensor-device-001" && d->keep_alive == 60 && d->clean_start;
  }
  struct match {
    const char* filter;
    const char* topic;
    bool want;
  };
  constexpr match matches[] = {
      {"sensor/temp/#", "sensor/temp/room1", true},  {"sensor/temp/#", "sensor/temp", true},
      {"sensor/temp/#", "sensor/humidity/room1", false}, {"sensor/+/room1", "sensor/temp/room1", true},
      {"sensor/+/room1", "sensor/temp/room2", false}, {"sensor/#", "sensor/humidity/room1", true},
      {"#", "$SYS/broker/uptime", false},
  };
  for (const match& m : matches) {
    const bool got = mq::topic_matches(m.filter, m.topic);
    ok = ok && got == m.want;
    std::printf("  %-16s %-24s %s\n", m.filter, m.topic, got ? "matches" : "does not match");
  }
  std::printf("  mqtt: %s\n\n", ok ? "passed" : "FAILED");
  return ok;
}

}  // namespace

int run_demo(std::span<const std::string_view> args) {
  if (!args.empty()) return fail("demo", "takes no arguments (see wirespan demo --help)", exit_usage);
  std::printf("wirespan %s demo: every codec on an embedded sample\n\n", wirespan::version.string);
  bool ok = checksum_section();
  ok = ipv4_icmp_section() && ok;
  ok = capture_section() && ok;
  ok = protobuf_section() && ok;
  ok = filter_section() && ok;
  ok = mqtt_section() && ok;
  std::printf("demo: %s\n", ok ? "all sections passed" : "SOME SECTIONS FAILED");
  return ok ? exit_ok : exit_bad_input;
}

}  // namespace wirespan_cli
