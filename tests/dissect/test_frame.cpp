#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include <wirespan/wirespan.hpp>

using namespace wirespan;

namespace {

// Ethernet (one 802.1Q tag) + IPv4 + UDP to port 53 with `payload`, all checksums right.
std::vector<std::uint8_t> udp_frame(std::vector<std::uint8_t> payload, std::uint16_t dport = 53) {
  ethernet::header eth;
  eth.destination = ethernet::mac_address::parse("02:00:00:00:00:02").value();
  eth.source = ethernet::mac_address::parse("02:00:00:00:00:01").value();
  eth.push_tag({ethernet::ethertype::vlan, 0, false, 100});
  ipv4::header ip;
  ip.protocol = ipv4::protocol_udp;
  ip.source = ipv4::address{{10, 0, 0, 1}};
  ip.destination = ipv4::address{{10, 0, 0, 2}};
  std::vector<std::uint8_t> udp(8 + payload.size());
  const auto len = static_cast<std::uint16_t>(udp.size());
  REQUIRE(udp::encode(udp::header{.source_port = 5353, .destination_port = dport}, payload, udp,
                      ipv4::pseudo_header{ip.source, ip.destination, ipv4::protocol_udp, len}));
  std::vector<std::uint8_t> frame(eth.header_length() + 20 + udp.size());
  auto n = ethernet::encode(eth, frame).value();
  REQUIRE(ipv4::encode(ip, udp, mutable_bytes(frame).subspan(n)));
  return frame;
}

result<void> dns_check(bytes payload) {
  if (payload.size() < 12) return make_error(errc::truncated, payload.size(), "dns: header is 12 bytes");
  return {};
}
constexpr dissect::app_protocol table[] = {{ipv4::protocol_udp, 53, "DNS", &dns_check}};

}  // namespace

TEST_CASE("dissect: layer by layer, with the application table") {
  auto frame = udp_frame(std::vector<std::uint8_t>(12, 0));
  frame.resize(frame.size() + 6, 0);  // Ethernet padding: IPv4 is read laxly
  auto l = dissect::frame(frame, pcap::linktype::ethernet, {.verify_checksums = true, .applications = table});
  CHECK(l.complete());
  REQUIRE(l.eth);
  CHECK(l.eth->tag(0).id == 100);
  REQUIRE(l.ip4);
  CHECK(l.ip4->trailer().size() == 6);
  REQUIRE(l.udp);
  CHECK(l.udp->destination_port() == 53);
  REQUIRE(l.application);
  CHECK(std::string(l.application->name) == "DNS");
  CHECK(l.payload.size() == 12);
  CHECK(l.ip4_checksum_ok == true);
  CHECK(l.transport_checksum_ok == true);

  auto short_dns = udp_frame({1, 2, 3});
  auto s = dissect::frame(short_dns, pcap::linktype::ethernet, {.applications = table});
  REQUIRE(s.stop);
  CHECK(s.stop->at == dissect::layer::application);
  CHECK(s.stop->why.offset == 18 + 20 + 8 + 3);
}

TEST_CASE("dissect: stops at the first malformed layer with the reason") {
  auto frame = udp_frame({1, 2, 3, 4});
  SUBCASE("VLAN tag stack running off the frame") {
    auto l = dissect::frame(bytes(frame).first(16), pcap::linktype::ethernet);
    REQUIRE(l.stop);
    CHECK(l.stop->at == dissect::layer::ethernet);
    CHECK_FALSE(l.ip4);
  }
  SUBCASE("IHL < 5") {
    frame[18] = 0x44;
    auto l = dissect::frame(frame, pcap::linktype::ethernet);
    REQUIRE(l.stop);
    CHECK(l.stop->at == dissect::layer::ipv4);
    CHECK(l.stop->why.offset == 18);
    CHECK(l.eth);
  }
  SUBCASE("UDP length > IP payload") {
    frame[18 + 20 + 5] = 200;
    auto l = dissect::frame(frame, pcap::linktype::ethernet);
    REQUIRE(l.stop);
    CHECK(l.stop->at == dissect::layer::udp);
    CHECK(l.stop->why.offset == 18 + 20 + 4);
    CHECK(l.ip4);
  }
  SUBCASE("a bad checksum is reported, not a stop") {
    frame[frame.size() - 1] ^= 0xff;
    auto l = dissect::frame(frame, pcap::linktype::ethernet, {.verify_checksums = true});
    CHECK(l.complete());
    CHECK(l.transport_checksum_ok == false);
  }
  SUBCASE("every cut of the frame") {
    for (std::size_t n = 0; n < frame.size(); ++n) {
      auto l = dissect::frame(bytes(frame).first(n), pcap::linktype::ethernet);
      CHECK_FALSE(l.complete());
    }
  }
}

TEST_CASE("dissect: other link types, IPv6, fragments") {
  auto eth = udp_frame({1, 2, 3, 4});
  const bytes ip(eth.data() + 18, eth.size() - 18);
  CHECK(dissect::frame(ip, pcap::linktype::raw).udp);
  std::vector<std::uint8_t> sll(16, 0);
  sll[14] = 0x08;
  sll.insert(sll.end(), ip.begin(), ip.end());
  auto s = dissect::frame(sll, pcap::linktype::linux_sll);
  CHECK(s.sll);
  CHECK(s.udp);
  std::vector<std::uint8_t> null = {2, 0, 0, 0};  // AF_INET, little-endian writer
  null.insert(null.end(), ip.begin(), ip.end());
  auto z = dissect::frame(null, pcap::linktype::null);
  CHECK(z.loopback_family == 2u);
  CHECK(z.udp);
  CHECK(dissect::frame(ip, 9999).stop->why.code == errc::unsupported);

  // A non-first IPv4 fragment: no transport layer.
  std::vector<std::uint8_t> frag(ip.begin(), ip.end());
  store_be16(frag.data() + 6, 0x0001);
  store_be16(frag.data() + 10, 0);
  store_be16(frag.data() + 10, internet_checksum(bytes(frag).first(20)));
  auto f = dissect::frame(frag, pcap::linktype::raw);
  CHECK(f.fragment);
  CHECK_FALSE(f.udp);
  CHECK(f.complete());

  // IPv6 + TCP.
  tcp::header th{.source_port = 1, .destination_port = 80, .flags = tcp::flag::syn};
  std::array<std::uint8_t, 20> seg{};
  ipv6::pseudo_header p6{ipv6::address::parse("::1").value(), ipv6::address::parse("::1").value(), 20, 6};
  REQUIRE(tcp::encode(th, {}, seg, p6));
  std::array<std::uint8_t, 60> v6{};
  REQUIRE(ipv6::encode(ipv6::header{.next_header = 6, .source = p6.source, .destination = p6.destination}, seg, v6));
  auto t = dissect::frame(v6, pcap::linktype::raw, {.verify_checksums = true});
  REQUIRE(t.tcp);
  CHECK(t.tcp->syn());
  CHECK(t.transport_checksum_ok == true);
}
