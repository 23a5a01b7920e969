// Text and JSON descriptions of a dissected frame (wirespan decode, wirespan demo).
#include "describe.hpp"

#include <cinttypes>
#include <cstdio>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace wirespan_cli {

namespace {

namespace ws = wirespan;

// A flat JSON object written field by field.
class json_object {
 public:
  void number(const char* key, std::uint64_t v) {
    begin(key);
    out_ += std::to_string(v);
  }
  void string(const char* key, const std::string& v) {
    begin(key);
    out_ += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out_ += buf;
      } else {
        out_ += c;
      }
    }
    out_ += '"';
  }
  void numbers(const char* key, const std::vector<std::uint64_t>& v) {
    begin(key);
    out_ += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out_ += ',';
      out_ += std::to_string(v[i]);
    }
    out_ += ']';
  }
  void raw(const char* key, const std::string& json) {
    begin(key);
    out_ += json;
  }
  bool empty() const { return first_; }
  std::string finish() { return out_ + '}'; }

 private:
  void begin(const char* key) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += key;
    out_ += "\":";
  }
  std::string out_ = "{";
  bool first_ = true;
};

void ipv4_fields(json_object& j, const ws::ipv4::view<>& ip) {
  j.number("ip.version", ip.version());
  j.number("ip.hdr_len", ip.header_length());
  j.number("ip.dsfield.dscp", ip.dscp());
  j.number("ip.dsfield.ecn", ip.ecn());
  j.number("ip.len", ip.total_length());
  j.number("ip.id", ip.identification());
  j.number("ip.flags.rb", ip.reserved_flag());
  j.number("ip.flags.df", ip.dont_fragment());
  j.number("ip.flags.mf", ip.more_fragments());
  // The field's value, as `tshark -T fields` prints it, is in 8-byte units (Wireshark's
  // tree shows it multiplied by 8).
  j.number("ip.frag_offset", ip.fragment_offset());
  j.number("ip.ttl", ip.ttl());
  j.number("ip.proto", ip.protocol());
  j.number("ip.checksum", ip.checksum());
  j.string("ip.src", ip.source().to_string());
  j.string("ip.dst", ip.destination().to_string());
  std::vector<std::uint64_t> types;
  for (auto o : ip.options()) types.push_back(o.type);
  if (!types.empty()) j.numbers("ip.opt.type", types);
}

void ipv6_fields(json_object& j, const ws::ipv6::view<>& ip) {
  j.number("ip.version", ip.version());  // Wireshark's IPv6 dissector adds ip.version too
  j.number("ipv6.plen", ip.payload_length());
  j.number("ipv6.nxt", ip.next_header());
  j.number("ipv6.hlim", ip.hop_limit());
  j.string("ipv6.src", ip.source().to_string());
  j.string("ipv6.dst", ip.destination().to_string());
}

void udp_fields(json_object& j, const ws::udp::view<>& u) {
  j.number("udp.srcport", u.source_port());
  j.number("udp.dstport", u.destination_port());
  if (u.datagram().size() >= 6) j.number("udp.length", u.length());
  if (u.datagram().size() >= 8) j.number("udp.checksum", u.checksum());
}

void tcp_fields(json_object& j, const ws::tcp::view<>& t) {
  j.number("tcp.srcport", t.source_port());
  j.number("tcp.dstport", t.destination_port());
  j.number("tcp.seq_raw", t.sequence());
  if (t.cut_short()) return;
  j.number("tcp.ack_raw", t.acknowledgment());
  j.number("tcp.hdr_len", t.header_length());
  j.number("tcp.flags", t.flags());
  j.number("tcp.window_size_value", t.window());
  j.number("tcp.checksum", t.checksum());
  j.number("tcp.urgent_pointer", t.urgent_pointer());
  for (auto o : t.options()) {
    if (o.kind == ws::tcp::option_kind::mss) j.number("tcp.options.mss_val", o.mss());
    if (o.kind == ws::tcp::option_kind::window_scale) j.number("tcp.options.wscale.shift", o.window_scale());
  }
}

void icmp_fields(json_object& j, const ws::icmp::view<>& i) {
  namespace t = ws::icmp::type;
  j.number("icmp.type", i.type());
  j.number("icmp.code", i.code());
  j.number("icmp.checksum", i.checksum());
  if (ws::icmp::has_id_and_sequence(i.type()) && i.data().size() >= 8) {
    j.number("icmp.ident", i.identifier());
    j.number("icmp.seq", i.sequence());
  }
  if (i.type() == t::destination_unreachable && i.code() == ws::icmp::unreachable::fragmentation_needed)
    j.number("icmp.mtu", i.next_hop_mtu());
}

// The datagram quoted in an ICMP error: IPv4 and what the first payload bytes show.
std::string quoted_ipv4(const ws::ipv4::view<>& q) {
  json_object j;
  ipv4_fields(j, q);
  if (q.fragment_offset() == 0) {
    const ws::bytes p = q.payload();
    if (q.protocol() == ws::ipv4::protocol_udp) {
      if (auto u = ws::udp::parse(p, {ws::ipv4::parse_mode::quoted})) udp_fields(j, *u);
    } else if (q.protocol() == ws::ipv4::protocol_tcp) {
      if (auto t = ws::tcp::parse(p, {ws::ipv4::parse_mode::quoted})) tcp_fields(j, *t);
    } else if (q.protocol() == ws::ipv4::protocol_icmp) {
      if (auto i = ws::icmp::parse(p, {ws::ipv4::checksum_policy::ignore}); i && p.size() >= 8) icmp_fields(j, *i);
    }
  }
  return j.finish();
}

std::string quoted_ipv6(const ws::ipv6::view<>& q) {
  json_object j;
  ipv6_fields(j, q);
  if (!q.is_later_fragment()) {
    const ws::bytes p = q.upper_payload();
    if (q.upper_protocol() == ws::ipv6::next_header::udp) {
      if (auto u = ws::udp::parse(p, {ws::ipv4::parse_mode::quoted})) udp_fields(j, *u);
    } else if (q.upper_protocol() == ws::ipv6::next_header::tcp) {
      if (auto t = ws::tcp::parse(p, {ws::ipv4::parse_mode::quoted})) tcp_fields(j, *t);
    } else if (q.upper_protocol() == ws::ipv6::next_header::icmpv6) {
      if (auto i = ws::icmpv6::parse(p)) {
        j.number("icmpv6.type", i->type());
        j.number("icmpv6.code", i->code());
      }
    }
  }
  return j.finish();
}

std::string hex16(std::uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

std::string tcp_flag_names(std::uint16_t f) {
  static constexpr struct {
    std::uint16_t bit;
    const char* name;
  } names[] = {{ws::tcp::flag::fin, "FIN"}, {ws::tcp::flag::syn, "SYN"}, {ws::tcp::flag::rst, "RST"},
               {ws::tcp::flag::psh, "PSH"}, {ws::tcp::flag::ack, "ACK"}, {ws::tcp::flag::urg, "URG"},
               {ws::tcp::flag::ece, "ECE"}, {ws::tcp::flag::cwr, "CWR"}, {ws::tcp::flag::ns, "NS"}};  // tshark's order
  std::string s;
  for (const auto& n : names) {
    if (f & n.bit) {
      if (!s.empty()) s += ", ";
      s += n.name;
    }
  }
  return s;
}

}  // namespace

namespace {

namespace mq = ws::mqtt;

std::string hex8(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v);
  return buf;
}

std::string text(mq::string_ref s) { return std::string(s.view()); }

// A field that may occur several times: one value a scalar, several an array.
struct multi {
  std::vector<std::string> values;  // JSON texts
  void number(std::uint64_t v) { values.push_back(std::to_string(v)); }
  void string(const std::string& v) {
    json_object tmp;  // (reuse its escaping)
    tmp.string("x", v);
    const std::string o = tmp.finish();
    values.push_back(o.substr(5, o.size() - 6));
  }
  void put(json_object& j, const char* key) const {
    if (values.empty()) return;
    if (values.size() == 1) return j.raw(key, values[0]);
    std::string a = "[";
    for (std::size_t i = 0; i < values.size(); ++i) a += (i ? "," : "") + values[i];
    j.raw(key, a + "]");
  }
};

struct property_fields {
  multi len, id, number, string, key, value, content_type, topic_alias, max_qos;
  void add(const mq::property_list& l) {
    len.number(l.raw().size());
    for (const mq::property& p : l) {
      id.string(hex8(static_cast<unsigned>(p.id)));
      // (Wireshark's own fields for three of them; binary data shown as a string.)
      if (p.id == mq::property_id::content_type) {
        content_type.string(text(p.text()));
        continue;
      }
      if (p.id == mq::property_id::topic_alias) {
        topic_alias.number(p.number);
        continue;
      }
      if (p.id == mq::property_id::maximum_qos) {
        max_qos.number(p.number);
        continue;
      }
      switch (mq::type_of(p.id)) {
        case mq::property_type::byte:
        case mq::property_type::two_byte:
        case mq::property_type::four_byte:
        case mq::property_type::varint: number.number(p.number); break;
        case mq::property_type::utf8:
        case mq::property_type::binary: string.string(text(p.text())); break;
        case mq::property_type::pair:
          key.string(text(p.text()));
          value.string(text(p.text2()));
          break;
        default: break;
      }
    }
  }
  void put(json_object& j) const {
    len.put(j, "mqtt.property_len");
    id.put(j, "mqtt.property_id");
    number.put(j, "mqtt.prop_number");
    string.put(j, "mqtt.prop_string");
    key.put(j, "mqtt.prop_key");
    value.put(j, "mqtt.prop_value");
    content_type.put(j, "mqtt.property.content_type");
    topic_alias.put(j, "mqtt.property.topic_alias");
    max_qos.put(j, "mqtt.property.max_qos");
  }
};

const char* reason_field(mq::packet_type t) {
  switch (t) {
    case mq::packet_type::puback: return "mqtt.puback.reason_code";
    case mq::packet_type::pubrec: return "mqtt.pubrec.reason_code";
    case mq::packet_type::pubrel: return "mqtt.pubrel.reason_code";
    default: return "mqtt.pubcomp.reason_code";
  }
}

}  // namespace

std::string mqtt_packet_json(ws::bytes packet, const ws::mqtt::control_packet& p) {
  json_object j;
  const auto h = mq::parse_fixed_header(packet, mq::parse_mode::lax).value();
  j.string("mqtt.hdrflags", hex8(packet[0]));
  j.number("mqtt.msgtype", packet[0] >> 4);
  if (h.type == mq::packet_type::publish) {
    j.number("mqtt.dupflag", (packet[0] >> 3) & 1);
    j.number("mqtt.qos", (packet[0] >> 1) & 3);
    j.number("mqtt.retain", packet[0] & 1);
  }
  j.number("mqtt.len", h.remaining_length);
  property_fields props;
  auto bytes_of = [](mq::string_ref s) { return ws::to_hex(s.data()); };
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, mq::connect>) {
          const bool v31 = v.version == mq::protocol_version::v3_1;
          const std::size_t name_len = v.protocol_name ? v.protocol_name->size() : (v31 ? 6 : 4);
          const std::uint8_t flags = packet[h.header_size() + 2 + name_len + 1];
          j.number("mqtt.proto_len", name_len);
          j.string("mqtt.protoname", v.protocol_name ? text(*v.protocol_name) : (v31 ? "MQIsdp" : "MQTT"));
          j.number("mqtt.ver", static_cast<unsigned>(v.version) | (v.bridge ? 0x80u : 0u));
          j.string("mqtt.conflags", hex8(flags));
          j.number("mqtt.conflag.uname", (flags >> 7) & 1);
          j.number("mqtt.conflag.passwd", (flags >> 6) & 1);
          j.number("mqtt.conflag.retain", (flags >> 5) & 1);
          j.number("mqtt.conflag.qos", (flags >> 3) & 3);
          j.number("mqtt.conflag.willflag", (flags >> 2) & 1);
          j.number("mqtt.conflag.cleansess", (flags >> 1) & 1);
          j.number("mqtt.kalive", v.keep_alive);
          if (v.version == mq::protocol_version::v5) {
            props.add(v.properties);
            if (v.will) props.add(v.will->properties);
          }
          props.put(j);
          j.number("mqtt.clientid_len", v.client_id.size());
          j.string("mqtt.clientid", text(v.client_id));
          if (v.will) {
            j.number("mqtt.willtopic_len", v.will->topic.size());
            j.string("mqtt.willtopic", text(v.will->topic));
            j.number("mqtt.willmsg_len", v.will->payload.size());
            j.string("mqtt.willmsg", bytes_of(v.will->payload));
          }
          if (v.username) {
            j.number("mqtt.username_len", v.username->size());
            j.string("mqtt.username", text(*v.username));
          }
          if (v.password) {
            j.number("mqtt.passwd_len", v.password->size());
            j.string("mqtt.passwd", text(*v.password));
          }
        } else if constexpr (std::is_same_v<T, mq::connack>) {
          if (v.version != mq::protocol_version::v3_1) {  // (3.1: a reserved byte, not shown)
            j.string("mqtt.conack.flags", hex8(packet[h.header_size()]));
            j.number("mqtt.conack.flags.sp", v.session_present ? 1 : 0);
          }
          if (v.version == mq::protocol_version::v5) {
            j.number("mqtt.connack.reason_code", v.code);
            props.add(v.properties);
            props.put(j);
          } else {
            j.number("mqtt.conack.val", v.code);
          }
        } else if constexpr (std::is_same_v<T, mq::publish>) {
          j.number("mqtt.topic_len", v.topic.size());
          j.string("mqtt.topic", text(v.topic));
          if (v.qos > 0) j.number("mqtt.msgid", v.packet_id);
          if (v.version == mq::protocol_version::v5) {
            props.add(v.properties);
            props.put(j);
          }
          j.string("mqtt.msg", bytes_of(v.payload));
        } else if constexpr (std::is_same_v<T, mq::pub_ack>) {
          j.number("mqtt.msgid", v.packet_id);
          if (v.version == mq::protocol_version::v5 && (v.reason_written || v.reason != 0)) {
            j.number(reason_field(v.type), v.reason);
          }
          if (v.properties_written || !v.properties.empty()) {
            props.add(v.properties);
            props.put(j);
          }
        } else if constexpr (std::is_same_v<T, mq::subscribe>) {
          j.number("mqtt.msgid", v.packet_id);
          if (v.version == mq::protocol_version::v5) {
            props.add(v.properties);
            props.put(j);
          }
          multi len, topic, qos, options;
          for (const mq::subscription& s : v.subscriptions) {
            len.number(s.filter.size());
            topic.string(text(s.filter));
            qos.number(s.qos);
            options.string(hex8(s.options()));
          }
          len.put(j, "mqtt.topic_len");
          topic.put(j, "mqtt.topic");
          if (v.version == mq::protocol_version::v5) options.put(j, "mqtt.subscription_options");
          else qos.put(j, "mqtt.sub.qos");
        } else if constexpr (std::is_same_v<T, mq::suback>) {
          j.number("mqtt.msgid", v.packet_id);
          if (v.version == mq::protocol_version::v5) {
            props.add(v.properties);
            props.put(j);
          }
          multi codes;
          for (std::uint8_t c : v.codes) codes.number(c);
          codes.put(j, v.version == mq::protocol_version::v5 ? "mqtt.suback.reason_code" : "mqtt.suback.qos");
        } else if constexpr (std::is_same_v<T, mq::unsubscribe>) {
          j.number("mqtt.msgid", v.packet_id);
          if (v.version == mq::protocol_version::v5) {
            props.add(v.properties);
            props.put(j);
          }
          multi len, topic;
          for (const mq::string_ref& f : v.filters) {
            len.number(f.size());
            topic.string(text(f));
          }
          len.put(j, "mqtt.topic_len");
          topic.put(j, "mqtt.topic");
        } else if constexpr (std::is_same_v<T, mq::unsuback>) {
          j.number("mqtt.msgid", v.packet_id);
          if (v.version == mq::protocol_version::v5) {
            props.add(v.properties);
            props.put(j);
            multi codes;
            for (std::uint8_t c : v.codes) codes.number(c);
            codes.put(j, "mqtt.unsuback.reason_code");
          }
        } else if constexpr (std::is_same_v<T, mq::disconnect> || std::is_same_v<T, mq::auth>) {
          const bool v5 = [&] {
            if constexpr (std::is_same_v<T, mq::auth>) return true;
            else return v.version == mq::protocol_version::v5;
          }();
          if (v5 && (v.reason_written || v.reason != 0)) {
            j.number(std::is_same_v<T, mq::auth> ? "mqtt.auth.reason_code" : "mqtt.disconnect.reason_code", v.reason);
          }
          if (v.properties_written || !v.properties.empty()) {
            props.add(v.properties);
            props.put(j);
          }
        }
      },
      p);
  return j.finish();
}

std::string frame_json(std::size_t number, const ws::pcap::record& rec, const ws::dissect::layers& l,
                       const std::string& mqtt) {
  json_object j;
  j.number("frame", number);
  j.number("frame.len", rec.original_length);
  j.number("frame.cap_len", rec.captured_length);
  if (l.eth) {
    j.string("eth.dst", l.eth->destination().to_string());
    j.string("eth.src", l.eth->source().to_string());
    j.number("eth.type", l.eth->outer_ethertype());
    // 802.1ad service tags are Wireshark's ieee8021ad.id; 802.1Q tags (and 0x9100) vlan.id.
    std::vector<std::uint64_t> ids, service_ids;
    for (std::size_t i = 0; i < l.eth->tag_count(); ++i) {
      const auto tag = l.eth->tag(i);
      (tag.tpid == ws::ethernet::ethertype::qinq ? service_ids : ids).push_back(tag.id);
    }
    if (!service_ids.empty()) j.numbers("ieee8021ad.id", service_ids);
    if (!ids.empty()) j.numbers("vlan.id", ids);
  }
  if (l.sll) j.number("sll.etype", l.sll->protocol);
  if (l.arp) {
    j.number("arp.opcode", l.arp->operation());
    if (l.arp->is_ethernet_ipv4()) {
      j.string("arp.src.proto_ipv4", l.arp->sender_ip().to_string());
      j.string("arp.dst.proto_ipv4", l.arp->target_ip().to_string());
    }
  }
  if (l.ip4) ipv4_fields(j, *l.ip4);
  if (l.ip6) ipv6_fields(j, *l.ip6);
  if (l.icmp) {
    icmp_fields(j, *l.icmp);
    if (ws::icmp::is_error(l.icmp->type())) {
      if (auto q = l.icmp->quoted()) j.raw("icmp.quoted", quoted_ipv4(*q));
    }
  }
  if (l.icmp6) {
    j.number("icmpv6.type", l.icmp6->type());
    j.number("icmpv6.code", l.icmp6->code());
    j.number("icmpv6.checksum", l.icmp6->checksum());
    if (l.icmp6->type() == ws::icmpv6::type::echo_request || l.icmp6->type() == ws::icmpv6::type::echo_reply) {
      j.number("icmpv6.echo.identifier", l.icmp6->identifier());
      j.number("icmpv6.echo.sequence_number", l.icmp6->sequence());
    }
    if (l.icmp6->type() == ws::icmpv6::type::packet_too_big) j.number("icmpv6.mtu", l.icmp6->mtu());
    if (ws::icmpv6::is_error(l.icmp6->type())) {
      if (auto q = l.icmp6->quoted()) j.raw("icmp.quoted", quoted_ipv6(*q));
    }
  }
  if (l.udp) udp_fields(j, *l.udp);
  if (l.tcp) tcp_fields(j, *l.tcp);
  if (!mqtt.empty()) j.raw("mqtt", mqtt);
  if (l.ip4_checksum_ok) j.number("wirespan.ip_checksum_ok", *l.ip4_checksum_ok);
  if (l.transport_checksum_ok) j.number("wirespan.checksum_ok", *l.transport_checksum_ok);
  if (l.stop) {
    json_object e;
    e.string("layer", ws::dissect::to_string(l.stop->at));
    e.string("message", ws::to_string(l.stop->why));
    j.raw("error", e.finish());
  }
  return j.finish();
}

std::string frame_line(std::size_t number, double seconds, const ws::pcap::record& rec, const ws::dissect::layers& l,
                       const std::string& mqtt) {
  std::string src = "", dst = "", proto = "", info;
  if (l.eth) {
    src = l.eth->source().to_string();
    dst = l.eth->destination().to_string();
    proto = "ETH";
  }
  if (l.arp) {
    proto = "ARP";
    if (l.arp->is_ethernet_ipv4()) {
      if (l.arp->operation() == ws::arp::opcode::request)
        info = "Who has " + l.arp->target_ip().to_string() + "? Tell " + l.arp->sender_ip().to_string();
      else if (l.arp->operation() == ws::arp::opcode::reply)
        info = l.arp->sender_ip().to_string() + " is at " + l.arp->sender_mac().to_string();
    }
    if (info.empty()) info = "opcode " + std::to_string(l.arp->operation());
  }
  if (l.ip4) {
    src = l.ip4->source().to_string();
    dst = l.ip4->destination().to_string();
    proto = "IPv4";
    info = "proto " + std::to_string(l.ip4->protocol());
    if (l.ip4->is_fragment()) {
      info = "Fragmented IP protocol (proto " + std::to_string(l.ip4->protocol()) + ", off=" +
             std::to_string(l.ip4->fragment_offset_bytes()) + ", ID=" + hex16(l.ip4->identification()).substr(2) + ")";
    }
  }
  if (l.ip6) {
    src = l.ip6->source().to_string();
    dst = l.ip6->destination().to_string();
    proto = "IPv6";
    info = "next header " + std::to_string(l.ip6->upper_protocol());
  }
  if (l.icmp) {
    proto = "ICMP";
    const char* name = ws::icmp::type_name(l.icmp->type());
    info = name ? name : "type " + std::to_string(l.icmp->type());
    if (ws::icmp::has_id_and_sequence(l.icmp->type()) && l.icmp->data().size() >= 8)
      info += "  id=" + hex16(l.icmp->identifier()) + ", seq=" + std::to_string(l.icmp->sequence());
    else
      info += " (code " + std::to_string(l.icmp->code()) + ")";
    if (l.ip4) info += ", ttl=" + std::to_string(l.ip4->ttl());
  }
  if (l.icmp6) {
    proto = "ICMPv6";
    const char* name = ws::icmpv6::type_name(l.icmp6->type());
    info = name ? name : "type " + std::to_string(l.icmp6->type());
    if (l.icmp6->type() == ws::icmpv6::type::echo_request || l.icmp6->type() == ws::icmpv6::type::echo_reply)
      info += " id=" + hex16(l.icmp6->identifier()) + ", seq=" + std::to_string(l.icmp6->sequence());
  }
  if (l.udp) {
    proto = l.application ? l.application->name : "UDP";
    info = std::to_string(l.udp->source_port()) + " -> " + std::to_string(l.udp->destination_port()) +
           " Len=" + std::to_string(l.udp->payload().size());
  }
  if (l.tcp) {
    proto = l.application ? l.application->name : "TCP";
    info = std::to_string(l.tcp->source_port()) + " -> " + std::to_string(l.tcp->destination_port()) + " [" +
           tcp_flag_names(l.tcp->flags()) + "] Seq=" + std::to_string(l.tcp->sequence());
    if (l.tcp->ack()) info += " Ack=" + std::to_string(l.tcp->acknowledgment());
    info += " Win=" + std::to_string(l.tcp->window()) + " Len=" + std::to_string(l.tcp->payload().size());
    if (!mqtt.empty()) {
      proto = "MQTT";
      info = mqtt;
    }
  }
  if (l.stop) {
    if (proto.empty()) proto = "?";
    info += (info.empty() ? "" : " ") + std::string("[malformed ") + ws::dissect::to_string(l.stop->at) + ": " +
            ws::to_string(l.stop->why) + "]";
  }
  char head[96];
  std::snprintf(head, sizeof head, "%5zu %11.6f ", number, seconds);
  return std::string(head) + src + " -> " + dst + " " + proto + " " + std::to_string(rec.original_length) + " " + info;
}

}  // namespace wirespan_cli
