// Example: fill in and verify the checksum of a UDP datagram over IPv4 (RFC 768), then let
// a NAT rewrite the source port and update the checksum incrementally (RFC 1624).
//
//   build/dev/examples/example_udp_checksum  (built with the tests; run by CTest)
#include <array>
#include <cstdio>

#include <wirespan/wirespan.hpp>

int main() {
  // 10.0.0.1:5000 -> 10.0.0.2:53, payload "abc".
  auto datagram = wirespan::hex_array<"1388 0035 000b 0000 616263">();
  constexpr std::uint32_t source = 0x0a000001;
  constexpr std::uint32_t destination = 0x0a000002;
  constexpr std::uint8_t udp_protocol = 17;

  // The pseudo-header is an explicit input: source, destination, zero, protocol, UDP length.
  auto sum_with_pseudo_header = [&] {
    wirespan::checksum::accumulator acc;
    acc.add_be32(source).add_be32(destination).add_be16(udp_protocol);
    acc.add_be16(static_cast<std::uint16_t>(datagram.size())).add(datagram);
    return acc;
  };
  std::uint16_t checksum = sum_with_pseudo_header().finish();
  if (checksum == 0) checksum = 0xffff;  // RFC 768: a computed 0 is sent as all ones
  wirespan::store_be16(datagram.data() + 6, checksum);
  std::printf("UDP checksum: 0x%04x\n", checksum);

  const bool verified = sum_with_pseudo_header().verify();
  std::printf("verifies: %s\n", verified ? "yes" : "no");

  // NAT: source port 5000 -> 40000, checksum updated in O(1).
  const std::uint16_t old_port = wirespan::load_be16(datagram.data());
  const std::uint16_t new_port = 40000;
  wirespan::store_be16(datagram.data(), new_port);
  checksum = wirespan::checksum::update16(checksum, old_port, new_port);
  wirespan::store_be16(datagram.data() + 6, checksum);

  const bool verified_after = sum_with_pseudo_header().verify();
  std::printf("after NAT: 0x%04x, verifies: %s\n", checksum, verified_after ? "yes" : "no");
  return verified && verified_after ? 0 : 1;
}
