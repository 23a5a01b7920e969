// Misuse is an assertion, not an error value: value() of an error result must abort with
// a message naming the broken precondition. CTest expects this program to fail.
#include <wirespan/wirespan.hpp>

int main() {
  wirespan::result<int> r = wirespan::make_error(wirespan::errc::truncated, 0);
  return r.value();
}
