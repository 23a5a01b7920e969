// writer::rewind past the current position must abort (see value_of_error.cpp).
#include <array>

#include <wirespan/wirespan.hpp>

int main() {
  std::array<std::uint8_t, 4> out{};
  wirespan::writer w(out);
  w.rewind(3);
  return 0;
}
