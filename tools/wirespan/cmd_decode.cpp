// wirespan decode: one line, or one JSON object, per frame of a pcap/pcapng file.
#include <algorithm>
#include <cinttypes>
#include <map>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "cli.hpp"
#include "describe.hpp"

namespace wirespan_cli {

const command decode_command{
    "decode",
    "print the frames of a pcap or pcapng file, one line or one JSON object each",
    "usage: wirespan decode [--json] [--filter EXPRESSION] [-d tcp.port==N,mqtt ...] FILE\n"
    "\n"
    "Reads a capture file (classic pcap in either byte order, microsecond or nanosecond\n"
    "timestamps, or pcapng; \"-\" reads standard input) and prints one line per frame:\n"
    "number, seconds since the first frame, source, destination, protocol, captured length\n"
    "and a summary, like tshark's default output.\n"
    "\n"
    "--json prints JSON Lines instead: one object per frame with \"frame\" (1-based) and the\n"
    "decoded fields named by their Wireshark display-filter names (ip.src, tcp.flags, ...).\n"
    "Integers are JSON numbers, addresses strings. The fields of a datagram quoted inside an\n"
    "ICMP or ICMPv6 error are in the object \"icmp.quoted\" (same names); a frame whose\n"
    "dissection stopped early has \"error\": {\"layer\", \"message\"}.\n"
    "\n"
    "--filter EXPRESSION decodes only the frames a tcpdump filter expression accepts (see\n"
    "wirespan filter --help; Ethernet frames only); their numbers stay those of the file.\n"
    "\n"
    "MQTT: the TCP payload to or from port 1883, and any port named with tshark's syntax\n"
    "-d tcp.port==N,mqtt (repeatable), is read as MQTT control packets. With --json they are\n"
    "the array \"mqtt\": one object per packet with Wireshark's field names (mqtt.msgtype,\n"
    "mqtt.len, mqtt.clientid, mqtt.topic, mqtt.msgid, mqtt.msg as lowercase hex, ...); a\n"
    "field that occurs several times is an array. The version of a connection is the one\n"
    "its CONNECT said (3.1.1 until one is seen). A packet that does not decode is\n"
    "{\"error\": \"...\"}; a packet cut off at the end of the segment (split across TCP\n"
    "segments, which are not reassembled) is {\"mqtt.incomplete\": BYTES_MISSING}, and what\n"
    "follows in that connection is not decoded until a segment starts with a packet.\n"
    "\n"
    "Exit status: 0 when the file was read to the end (malformed frames are reported, not\n"
    "fatal), 1 when the file itself is malformed, 2 on bad usage.\n",
    &run_decode};

namespace {

namespace mq = wirespan::mqtt;

// The MQTT connections seen: the version each one's CONNECT said.
struct mqtt_state {
  std::vector<std::uint16_t> ports{1883};
  std::map<std::string, mq::protocol_version> versions;

  bool is_port(std::uint16_t p) const { return std::find(ports.begin(), ports.end(), p) != ports.end(); }
};

std::string address_of(const wirespan::dissect::layers& l, bool source) {
  if (l.ip4) return (source ? l.ip4->source() : l.ip4->destination()).to_string();
  if (l.ip6) return (source ? l.ip6->source() : l.ip6->destination()).to_string();
  return "";
}

// An error text inside a JSON string: its quotes and backslashes made apostrophes.
std::string json_text(std::string e) {
  for (char& c : e) {
    if (c == '"' || c == '\\') c = '\'';
  }
  return e;
}

// The MQTT packets of a frame: a JSON array (`json`) and a summary (`info`).
void mqtt_packets(const wirespan::dissect::layers& l, mqtt_state& st, std::string& json, std::string& info) {
  json.clear();
  info.clear();
  if (!l.tcp || l.fragment || l.tcp->payload().empty()) return;
  const std::uint16_t sport = l.tcp->source_port(), dport = l.tcp->destination_port();
  const bool to_server = st.is_port(dport);
  if (!to_server && !st.is_port(sport)) return;
  // The connection, named from the client's side.
  const std::string key = to_server ? address_of(l, true) + " " + std::to_string(sport) + " " + address_of(l, false) + " " +
                                          std::to_string(dport)
                                    : address_of(l, false) + " " + std::to_string(dport) + " " + address_of(l, true) + " " +
                                          std::to_string(sport);
  mq::decode_options o;
  o.mode = mq::parse_mode::lax;
  if (auto it = st.versions.find(key); it != st.versions.end()) o.version = it->second;
  wirespan::bytes rest = l.tcp->payload();
  json = "[";
  bool first = true;
  auto add = [&](const std::string& obj, const std::string& what) {
    json += (first ? "" : ",") + obj;
    info += (first ? "" : ", ") + what;
    first = false;
  };
  while (!rest.empty()) {
    auto n = mq::frame_size(rest, mq::max_packet_size, mq::parse_mode::lax);
    if (!n) {
      if (n.error().code == wirespan::errc::incomplete) {
        add("{\"mqtt.incomplete\":" + std::to_string(n.error().value) + "}", "[packet continues in a later segment]");
      } else {
        add("{\"error\":\"" + json_text(wirespan::to_string(n.error())) + "\"}", "[malformed]");
      }
      break;
    }
    const wirespan::bytes packet = rest.first(*n);
    rest = rest.subspan(*n);
    auto p = mq::decode(packet, o);
    if (!p) {
      add("{\"mqtt.msgtype\":" + std::to_string(packet[0] >> 4) + ",\"error\":\"" +
              json_text(wirespan::to_string(p.error())) + "\"}",
          "[malformed]");
      continue;
    }
    if (const auto* c = std::get_if<mq::connect>(&*p)) {
      st.versions[key] = c->version;
      o.version = c->version;
    }
    add(mqtt_packet_json(packet, *p), mq::to_string(mq::type_of(*p)));
  }
  json += "]";
}

}  // namespace

int run_decode(std::span<const std::string_view> args) {
  bool json = false;
  mqtt_state mqtt;
  std::string_view path;
  std::optional<std::vector<wirespan::filter::instruction>> filter;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--filter") {
      if (i + 1 == args.size()) return fail("decode", "--filter needs an expression", exit_usage);
      filter = compile_expression("decode", args[++i]);
      if (!filter) return exit_bad_input;
    } else if (a == "-d") {
      if (i + 1 == args.size()) return fail("decode", "-d needs tcp.port==N,mqtt", exit_usage);
      const std::string_view d = args[++i];
      constexpr std::string_view prefix = "tcp.port==", suffix = ",mqtt";
      unsigned port = 0;
      bool ok = d.size() > prefix.size() + suffix.size() && d.substr(0, prefix.size()) == prefix &&
                d.substr(d.size() - suffix.size()) == suffix;
      if (ok) {
        const std::string_view num = d.substr(prefix.size(), d.size() - prefix.size() - suffix.size());
        ok = !num.empty() && num.size() <= 5;
        for (char c : num) {
          if (c < '0' || c > '9') ok = false;
          else port = port * 10 + static_cast<unsigned>(c - '0');
        }
        ok = ok && port >= 1 && port <= 65535;
      }
      if (!ok) return fail("decode", "-d: only tcp.port==N,mqtt is known, not '" + std::string(d) + "'", exit_usage);
      mqtt.ports.push_back(static_cast<std::uint16_t>(port));
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return fail("decode", "unknown option '" + std::string(a) + "'", exit_usage);
    } else if (path.empty()) {
      path = a;
    } else {
      return fail("decode", "more than one file given", exit_usage);
    }
  }
  if (path.empty()) return fail("decode", "no capture file given (see wirespan decode --help)", exit_usage);
  auto file = read_all(path, "decode");
  if (!file) return exit_bad_input;
  auto reader = wirespan::capture::reader::open(*file, {.strict = false});
  if (!reader) return fail("decode", wirespan::to_string(reader.error()), exit_bad_input);
  wirespan::pcap::record rec;
  std::size_t number = 0;
  std::optional<double> first_time;
  while (true) {
    auto more = reader->next(rec);
    if (!more) {
      std::fflush(stdout);
      return fail("decode", wirespan::to_string(more.error()), exit_bad_input);
    }
    if (!*more) break;
    ++number;
    const double t = static_cast<double>(rec.seconds) + rec.nanoseconds / 1e9;
    if (!first_time) first_time = t;  // (the file's first frame, filtered out or not)
    if (filter && (rec.linktype != 1 || wirespan::filter::run(*filter, rec.data, rec.original_length) == 0)) continue;
    const auto layers = wirespan::dissect::frame(rec.data, rec.linktype, {.verify_checksums = true});
    std::string mqtt_json, mqtt_info;
    mqtt_packets(layers, mqtt, mqtt_json, mqtt_info);
    const std::string line = json ? frame_json(number, rec, layers, mqtt_json)
                                  : frame_line(number, t - *first_time, rec, layers, mqtt_info);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
  return exit_ok;
}

}  // namespace wirespan_cli
