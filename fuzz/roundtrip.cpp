// Fuzz target `roundtrip` — decode then encode is byte-identical for every input that
// decodes, for each value type: the first byte picks Ethernet, ARP, IPv4, IPv6, UDP, TCP,
// ICMP or ICMPv6, the rest is the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}
void same(const std::vector<std::uint8_t>& out, wirespan::bytes want) { require(wirespan::equal(out, want)); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  namespace ws = wirespan;
  const ws::bytes in(data + 1, size - 1);
  std::vector<std::uint8_t> out(in.size() + 64, 0xa5);
  switch (data[0] % 8) {
    case 0:
      if (auto h = ws::ethernet::decode(in)) {
        auto n = ws::ethernet::encode(*h, out).value();
        out.resize(n);
        same(out, in.first(n));
      }
      break;
    case 1:
      if (auto h = ws::arp::decode(in)) {
        auto n = ws::arp::encode(*h, out).value();
        out.resize(n);
        same(out, in.first(n));
      }
      break;
    case 2:
      if (auto h = ws::ipv4::decode(in, {ws::ipv4::parse_mode::strict, ws::ipv4::checksum_policy::ignore})) {
        auto v = ws::ipv4::parse(in, {ws::ipv4::parse_mode::strict, ws::ipv4::checksum_policy::ignore}).value();
        auto n = ws::ipv4::encode(*h, v.payload(), out).value();
        out.resize(n);
        same(out, in);
      }
      break;
    case 3:
      if (auto h = ws::ipv6::decode(in)) {
        auto n = ws::ipv6::encode(*h, ws::ipv6::parse(in).value().payload(), out).value();
        out.resize(n);
        same(out, in);
      }
      break;
    case 4:
      if (auto h = ws::udp::decode(in)) {
        auto n = ws::udp::encode(*h, ws::udp::parse(in).value().payload(), out).value();
        out.resize(n);
        same(out, in);
      }
      break;
    case 5:
      if (auto h = ws::tcp::decode(in)) {
        auto n = ws::tcp::encode(*h, ws::tcp::parse(in).value().payload(), out).value();
        out.resize(n);
        same(out, in);
      }
      break;
    case 6:
      if (auto m = ws::icmp::decode(in, {ws::ipv4::checksum_policy::ignore})) {
        auto n = ws::icmp::encode(*m, out).value();
        out.resize(n);
        same(out, in);
      }
      break;
    case 7:
      if (auto m = ws::icmpv6::decode(in)) {
        auto n = ws::icmpv6::encode(*m, out, ws::ipv6::pseudo_header{}).value();
        out.resize(n);
        same(out, in);
      }
      break;
  }
  return 0;
}
