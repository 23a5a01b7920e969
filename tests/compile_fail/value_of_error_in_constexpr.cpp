// EXPECT: assertion_failed
// Asking a constant expression for the value of an error result is a compile error.
#include <wirespan/wirespan.hpp>
constexpr wirespan::result<int> failed() { return wirespan::make_error(wirespan::errc::malformed, 0); }
constexpr int value = failed().value();
