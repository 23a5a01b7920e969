// EXPECT: not valid hex
#include <wirespan/wirespan.hpp>
constexpr auto bytes = wirespan::hex_array<"012">();
