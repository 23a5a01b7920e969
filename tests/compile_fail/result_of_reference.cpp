// EXPECT: result<T&> is not supported
#include <wirespan/wirespan.hpp>
int x = 0;
wirespan::result<int&> r(x);
