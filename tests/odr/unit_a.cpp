#include <wirespan/wirespan.hpp>

std::uint16_t checksum_from_unit_a(const std::uint8_t* data, std::size_t size) {
  return wirespan::internet_checksum(wirespan::bytes(data, size));
}
const char* kernel_from_unit_a() { return wirespan::checksum::to_string(wirespan::checksum::active_kernel()); }
