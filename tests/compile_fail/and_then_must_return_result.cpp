// EXPECT: and_then: the function must return a wirespan::result
#include <wirespan/wirespan.hpp>
constexpr wirespan::result<int> one() { return 1; }
auto r = one().and_then([](int v) { return v + 1; });
