// Built with -mavx2 (see tests/CMakeLists.txt).
#include <wirespan/wirespan.hpp>

std::uint16_t checksum_from_unit_b(const std::uint8_t* data, std::size_t size) {
  wirespan::checksum::accumulator acc;
  acc.add(wirespan::bytes(data, 1)).add(wirespan::bytes(data + 1, size - 1));
  return acc.finish();
}
