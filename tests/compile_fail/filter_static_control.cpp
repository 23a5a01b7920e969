// EXPECT-COMPILES
#include <wirespan/filter/static_filter.hpp>
using good = wirespan::filter::static_filter<"tcp port 443">;
std::uint32_t v = good::match({});
