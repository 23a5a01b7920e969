// EXPECT: expression_error_at_column<9>
#include <wirespan/filter/static_filter.hpp>
// "port" wants a number or a name: compile() stops at column 9, the end of the text.
using bad = wirespan::filter::static_filter<"tcp port ">;
std::uint32_t v = bad::match({});
