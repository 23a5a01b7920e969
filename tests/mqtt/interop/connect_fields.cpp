// connect_fields FILE PORT — the fields of every MQTT CONNECT sent to TCP port PORT in a
// capture, one line per packet in the form of
//   tshark -r FILE -d tcp.port==PORT,mqtt -Y 'mqtt.msgtype == 1' -T fields -E separator='|' -e ...
// with the fields of `fields` below (several occurrences joined by ',', as tshark does),
// decoded by wirespan (pcap reader, frame dissector, frame_size, decode_connect).
// A CONNECT split across TCP segments is not reassembled (the test's clients send each
// CONNECT in one segment).
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace mq = wirespan::mqtt;

namespace {

std::string hex_of(wirespan::bytes b) { return wirespan::to_hex(b); }
std::string text_of(mq::string_ref s) { return std::string(s.view()); }
std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + v[i];
  return out;
}
std::string hex2(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v);
  return buf;
}

struct props {
  std::vector<std::string> len, id, number, key, value;
};
void add(props& p, const mq::property_list& l) {
  p.len.push_back(std::to_string(l.raw().size()));
  for (const mq::property& q : l) {
    p.id.push_back(hex2(static_cast<unsigned>(q.id)));
    switch (mq::type_of(q.id)) {
      case mq::property_type::byte:
      case mq::property_type::two_byte:
      case mq::property_type::four_byte:
      case mq::property_type::varint: p.number.push_back(std::to_string(q.number)); break;
      case mq::property_type::pair:
        p.key.push_back(text_of(q.text()));
        p.value.push_back(text_of(q.text2()));
        break;
      default: break;
    }
  }
}

}  // namespace

// The fields, in the order printed.
extern const char* const fields[];
const char* const fields[] = {"frame.number", "mqtt.hdrflags", "mqtt.len", "mqtt.proto_len", "mqtt.protoname",
                              "mqtt.ver", "mqtt.conflags", "mqtt.conflag.uname", "mqtt.conflag.passwd",
                              "mqtt.conflag.retain", "mqtt.conflag.qos", "mqtt.conflag.willflag",
                              "mqtt.conflag.cleansess", "mqtt.kalive", "mqtt.property_len", "mqtt.property_id",
                              "mqtt.prop_number", "mqtt.prop_key", "mqtt.prop_value", "mqtt.clientid_len",
                              "mqtt.clientid", "mqtt.willtopic_len", "mqtt.willtopic", "mqtt.willmsg_len",
                              "mqtt.willmsg", "mqtt.username_len", "mqtt.username", "mqtt.passwd_len", "mqtt.passwd",
                              nullptr};

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--fields") {
    for (const char* const* f = fields; *f != nullptr; ++f) std::printf("%s\n", *f);
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: connect_fields FILE PORT | --fields\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::vector<std::uint8_t> file((std::istreambuf_iterator<char>(in)), {});
  const auto port = static_cast<std::uint16_t>(std::stoi(argv[2]));
  auto r = wirespan::capture::reader::open(file);
  if (!r) {
    std::fprintf(stderr, "connect_fields: %s\n", wirespan::to_string(r.error()).c_str());
    return 1;
  }
  wirespan::pcap::record rec;
  std::size_t number = 0;
  int bad = 0;
  while (true) {
    auto more = r->next(rec);
    if (!more) {
      std::fprintf(stderr, "connect_fields: %s\n", wirespan::to_string(more.error()).c_str());
      return 1;
    }
    if (!*more) break;
    ++number;
    const auto l = wirespan::dissect::frame(rec.data, rec.linktype);
    if (!l.tcp || l.tcp->destination_port() != port || l.payload.empty()) continue;
    wirespan::bytes rest = l.payload;
    while (!rest.empty()) {
      auto n = mq::frame_size(rest);
      if (!n) break;
      const wirespan::bytes packet = rest.first(*n);
      rest = rest.subspan(*n);
      if ((packet[0] >> 4) != 1) continue;
      auto c = mq::decode_connect(packet);
      if (!c) {
        std::fprintf(stderr, "connect_fields: frame %zu: %s\n", number, wirespan::to_string(c.error()).c_str());
        ++bad;
        continue;
      }
      const auto h = mq::parse_fixed_header(packet).value();
      const std::uint8_t flags = packet[h.header_size() + 2 + (c->version == mq::protocol_version::v3_1 ? 6 : 4) + 1];
      props p;
      if (c->version == mq::protocol_version::v5) add(p, c->properties);
      if (c->will && c->version == mq::protocol_version::v5) add(p, c->will->properties);
      auto opt = [](bool has, const std::string& s) { return has ? s : std::string(); };
      const std::vector<std::string> v = {
          std::to_string(number),
          hex2(packet[0]),
          std::to_string(h.remaining_length),
          std::to_string(c->version == mq::protocol_version::v3_1 ? 6 : 4),
          c->version == mq::protocol_version::v3_1 ? "MQIsdp" : "MQTT",
          std::to_string(static_cast<unsigned>(c->version)),
          hex2(flags),
          std::to_string((flags >> 7) & 1),
          std::to_string((flags >> 6) & 1),
          std::to_string((flags >> 5) & 1),
          std::to_string((flags >> 3) & 3),
          std::to_string((flags >> 2) & 1),
          std::to_string((flags >> 1) & 1),
          std::to_string(c->keep_alive),
          join(p.len),
          join(p.id),
          join(p.number),
          join(p.key),
          join(p.value),
          std::to_string(c->client_id.size()),
          text_of(c->client_id),
          opt(c->will.has_value(), c->will ? std::to_string(c->will->topic.size()) : ""),
          opt(c->will.has_value(), c->will ? text_of(c->will->topic) : ""),
          opt(c->will.has_value(), c->will ? std::to_string(c->will->payload.size()) : ""),
          opt(c->will.has_value(), c->will ? hex_of(c->will->payload.data()) : ""),
          opt(c->username.has_value(), c->username ? std::to_string(c->username->size()) : ""),
          opt(c->username.has_value(), c->username ? text_of(*c->username) : ""),
          opt(c->password.has_value(), c->password ? std::to_string(c->password->size()) : ""),
          opt(c->password.has_value(), c->password ? text_of(*c->password) : ""),
      };
      std::string line;
      for (std::size_t i = 0; i < v.size(); ++i) line += (i ? "|" : "") + v[i];
      std::printf("%s\n", line.c_str());
    }
  }
  return bad == 0 ? 0 : 1;
}
