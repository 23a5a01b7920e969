// EXPECT: result<error> is ambiguous
#include <wirespan/wirespan.hpp>
wirespan::result<wirespan::error> r = wirespan::error{};
