// error() of a result that holds a value must abort (see value_of_error.cpp).
#include <wirespan/wirespan.hpp>

int main() {
  wirespan::result<void> r;
  return static_cast<int>(r.error().code);
}
