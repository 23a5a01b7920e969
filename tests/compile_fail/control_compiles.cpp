// EXPECT-COMPILES
// The control: the same harness must accept valid code, or every other case proves nothing.
#include <wirespan/wirespan.hpp>
constexpr auto bytes = wirespan::hex_array<"0001 f203 f4f5 f6f7">();
static_assert(wirespan::internet_checksum(bytes) == 0x220d);
constexpr wirespan::result<int> one() { return 1; }
static_assert(one().value() == 1);
