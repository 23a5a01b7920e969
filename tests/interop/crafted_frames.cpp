// Writes a pcap (Ethernet) of frames built only with the library's encoders, for
// crafted_tshark.sh to hand to tshark: every checksum must be "good" and tshark must raise
// no expert note, warning or error. The frames: IPv4 + options (Router Alert, Record Route, Timestamp) +
// UDP; IPv4 + TCP SYN with MSS, SACK-permitted, timestamps, window scale; ICMP echo
// request and reply; ICMP port unreachable quoting the UDP datagram; ICMP timestamp
// request; an ARP request with an 802.1Q tag; IPv6 + UDP; IPv6 + ICMPv6 echo request.
// usage: crafted_frames OUT.pcap
#include <cstdio>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace ws = wirespan;

namespace {

const ws::ethernet::mac_address mac_a = ws::ethernet::mac_address::parse("02:00:00:00:00:0a").value();
const ws::ethernet::mac_address mac_b = ws::ethernet::mac_address::parse("02:00:00:00:00:0b").value();
const ws::ipv4::address ip_a{{192, 0, 2, 10}};
const ws::ipv4::address ip_b{{198, 51, 100, 20}};
const ws::ipv6::address ip6_a = ws::ipv6::address::parse("2001:db8::a").value();
const ws::ipv6::address ip6_b = ws::ipv6::address::parse("2001:db8::b").value();

std::vector<std::uint8_t> ethernet(std::uint16_t type, const std::vector<std::uint8_t>& payload, bool tagged = false) {
  ws::ethernet::header h{.destination = mac_b, .source = mac_a, .ethertype = type};
  if (tagged) h.push_tag({ws::ethernet::ethertype::vlan, 5, false, 42});
  std::vector<std::uint8_t> f(h.header_length() + payload.size());
  auto n = ws::ethernet::encode(h, f).value();
  std::copy(payload.begin(), payload.end(), f.begin() + static_cast<std::ptrdiff_t>(n));
  return f;
}

std::vector<std::uint8_t> ipv4(std::uint8_t proto, const std::vector<std::uint8_t>& payload,
                               ws::ipv4::options_buffer options = {}) {
  ws::ipv4::header h{.identification = 0x4242, .dont_fragment = true, .protocol = proto, .source = ip_a,
                     .destination = ip_b, .options = options};
  std::vector<std::uint8_t> d(ws::ipv4::encoded_size(h, payload.size()));
  (void)ws::ipv4::encode(h, payload, d).value();
  return d;
}

std::vector<std::uint8_t> udp4(const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> u(8 + payload.size());
  const ws::ipv4::pseudo_header p{ip_a, ip_b, ws::ipv4::protocol_udp, static_cast<std::uint16_t>(u.size())};
  (void)ws::udp::encode(ws::udp::header{.source_port = 40000, .destination_port = 4242}, payload, u, p).value();
  return u;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: crafted_frames OUT.pcap\n");
    return 2;
  }
  std::vector<std::vector<std::uint8_t>> frames;
  const std::vector<std::uint8_t> text = {'w', 'i', 'r', 'e', 's', 'p', 'a', 'n'};

  // IPv4 with options, carrying UDP.
  auto opts = ws::ipv4::option_builder{}.router_alert().record_route(2).timestamp(ws::ipv4::timestamp_flag::timestamps_only, 2).finish().value();
  const auto udp = udp4(text);
  frames.push_back(ethernet(ws::ethernet::ethertype::ipv4, ipv4(ws::ipv4::protocol_udp, udp, opts)));

  // TCP SYN with the usual options.
  {
    ws::tcp::header t{.source_port = 40001, .destination_port = 80, .sequence = 1000, .flags = ws::tcp::flag::syn,
                      .window = 64240};
    t.options = ws::ipv4::options_buffer::from(ws::hex_array<"020405b4" "0402" "080a0000000100000000" "01" "030307">()).value();
    std::vector<std::uint8_t> seg(t.header_length());
    const ws::ipv4::pseudo_header p{ip_a, ip_b, ws::ipv4::protocol_tcp, static_cast<std::uint16_t>(seg.size())};
    (void)ws::tcp::encode(t, {}, seg, p).value();
    frames.push_back(ethernet(ws::ethernet::ethertype::ipv4, ipv4(ws::ipv4::protocol_tcp, seg)));
  }
  // ICMP echo request and reply, timestamp request.
  for (bool reply : {false, true}) {
    std::vector<std::uint8_t> m(8 + text.size());
    (void)ws::icmp::encode(ws::icmp::echo{.id = 7, .sequence = 1, .payload = text, .reply = reply}, m).value();
    frames.push_back(ethernet(ws::ethernet::ethertype::ipv4, ipv4(ws::ipv4::protocol_icmp, m)));
  }
  {
    std::vector<std::uint8_t> m(20);
    (void)ws::icmp::encode(ws::icmp::timestamp{.id = 9, .sequence = 2, .originate = 1000}, m).value();
    frames.push_back(ethernet(ws::ethernet::ethertype::ipv4, ipv4(ws::ipv4::protocol_icmp, m)));
  }
  // Port unreachable, quoting the UDP datagram of the first frame.
  {
    const auto original = ipv4(ws::ipv4::protocol_udp, udp, opts);
    std::vector<std::uint8_t> m(8 + original.size());
    (void)ws::icmp::encode(ws::icmp::destination_unreachable{.code = ws::icmp::unreachable::port, .original = original}, m).value();
    ws::ipv4::header h{.protocol = ws::ipv4::protocol_icmp, .source = ip_b, .destination = ip_a};
    std::vector<std::uint8_t> d(ws::ipv4::encoded_size(h, m.size()));
    (void)ws::ipv4::encode(h, m, d).value();
    frames.push_back(ethernet(ws::ethernet::ethertype::ipv4, d));
  }
  // ARP request, VLAN-tagged, padded to the Ethernet minimum.
  {
    std::vector<std::uint8_t> a(28);
    (void)ws::arp::encode(ws::arp::packet{ws::arp::opcode::request, mac_a, ip_a, {}, ip_b}, a).value();
    auto f = ethernet(ws::ethernet::ethertype::arp, a, true);
    f.resize(60, 0);
    std::fill(f.begin(), f.begin() + 6, std::uint8_t{0xff});
    frames.push_back(f);
  }
  // IPv6 + UDP, IPv6 + ICMPv6 echo.
  {
    std::vector<std::uint8_t> u(8 + text.size());
    const ws::ipv6::pseudo_header p{ip6_a, ip6_b, static_cast<std::uint32_t>(u.size()), 17};
    (void)ws::udp::encode(ws::udp::header{.source_port = 40002, .destination_port = 4242}, text, u, p).value();
    std::vector<std::uint8_t> d(40 + u.size());
    (void)ws::ipv6::encode(ws::ipv6::header{.next_header = 17, .source = ip6_a, .destination = ip6_b}, u, d).value();
    frames.push_back(ethernet(ws::ethernet::ethertype::ipv6, d));
  }
  {
    std::vector<std::uint8_t> m(8 + text.size());
    const ws::ipv6::pseudo_header p{ip6_a, ip6_b, static_cast<std::uint32_t>(m.size()), 58};
    (void)ws::icmpv6::encode(ws::icmpv6::echo{.id = 3, .sequence = 4, .payload = text}, m, p).value();
    std::vector<std::uint8_t> d(40 + m.size());
    (void)ws::ipv6::encode(ws::ipv6::header{.next_header = 58, .source = ip6_a, .destination = ip6_b}, m, d).value();
    frames.push_back(ethernet(ws::ethernet::ethertype::ipv6, d));
  }

  ws::pcap::file_header fh;
  std::vector<std::uint8_t> file(ws::pcap::file_header_size);
  (void)ws::pcap::write_file_header(fh, file).value();
  std::uint64_t t = 1700000000;
  for (const auto& f : frames) {
    std::vector<std::uint8_t> rec(ws::pcap::record_size(f));
    (void)ws::pcap::write_record(fh, t++, 0, f, 0, rec).value();
    file.insert(file.end(), rec.begin(), rec.end());
  }
  std::FILE* out = std::fopen(argv[1], "wb");
  if (!out) return 1;
  const bool ok = std::fwrite(file.data(), 1, file.size(), out) == file.size();
  return std::fclose(out) == 0 && ok ? 0 : 1;
}
