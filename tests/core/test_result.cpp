#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <utility>

#include <wirespan/wirespan.hpp>

using namespace wirespan;

namespace {
constexpr result<int> half(int x) {
  if (x % 2 != 0) return make_error(errc::bad_value, 0, "odd");
  return x / 2;
}
constexpr result<void> check_positive(int x) {
  if (x <= 0) return make_error(errc::bad_value, 1, "not positive");
  return {};
}
}  // namespace

static_assert(half(8).has_value());
static_assert(*half(8) == 4);
static_assert(!half(7));
static_assert(half(7).error().code == errc::bad_value);
static_assert(half(7).value_or(-1) == -1);
static_assert(half(8).value_or(-1) == 4);
static_assert(half(8).and_then(half).value() == 2);
static_assert(half(8).and_then(half).and_then(half).and_then(half).error().code == errc::bad_value);
static_assert(half(7).and_then(half).error().offset == 0);
static_assert(half(8).transform([](int v) { return v * 3; }).value() == 12);
static_assert(!half(7).transform([](int v) { return v * 3; }));
static_assert(half(7).or_else([](const error&) { return result<int>(0); }).value() == 0);
static_assert(half(8).or_else([](const error&) { return result<int>(0); }).value() == 4);
static_assert(check_positive(1).has_value());
static_assert(!check_positive(0));
static_assert(check_positive(0).error().offset == 1);
static_assert(check_positive(1).and_then([] { return half(4); }).value() == 2);
static_assert(!check_positive(0).and_then([] { return half(4); }));
static_assert(check_positive(2).transform([] { return 5; }).value() == 5);
static_assert(!check_positive(-2).transform([] { return 5; }));
static_assert(check_positive(-2).or_else([](const error&) { return result<void>(); }).has_value());
static_assert(check_positive(2).or_else([](const error& e) { return result<void>(e); }).has_value());

// Non-trivial value types work in constant expressions too (C++20 constexpr destructors).
namespace {
struct tracked {
  int v;
  constexpr explicit tracked(int x) : v(x) {}
  constexpr tracked(const tracked& o) : v(o.v + 100) {}
  constexpr tracked(tracked&& o) noexcept : v(o.v + 1) {}
  constexpr tracked& operator=(const tracked&) = default;
  constexpr tracked& operator=(tracked&&) = default;
  constexpr ~tracked() {}
};
constexpr int nontrivial_in_constexpr() {
  result<tracked> a(std::in_place, 1);
  result<tracked> b = a;             // copy: +100
  result<tracked> c = std::move(a);  // move: +1
  result<tracked> d = make_error(errc::malformed, 0);
  d = b;  // error -> value
  b = make_error(errc::truncated, 0);  // value -> error
  return c->v + d->v + (b ? 1000 : 0);
}
}  // namespace
static_assert(nontrivial_in_constexpr() == 2 + 201);

TEST_CASE("result: owning values copy, move and assign across states") {
  result<std::string> a = std::string("hello");
  result<std::string> e = make_error(errc::truncated, 3);
  result<std::string> b = a;
  CHECK(*b == "hello");
  result<std::string> c = std::move(b);
  CHECK(*c == "hello");
  CHECK(c->size() == 5);
  c = e;
  CHECK(!c);
  CHECK(c.error().offset == 3);
  c = a;
  CHECK(*c == "hello");
  e = std::move(a);
  CHECK(*e == "hello");
  result<std::string> self = std::string("x");
  auto& alias = self;
  self = alias;
  CHECK(*self == "x");
  self = std::move(alias);
  CHECK(self.has_value());
  CHECK(std::move(self).value_or("y") == "x");
  result<std::string> err = make_error(errc::malformed, 0);
  CHECK(std::move(err).value_or("fallback") == "fallback");
  result<std::string> mv = std::string("moved");
  std::string taken = *std::move(mv);
  CHECK(taken == "moved");
  result<std::string> mv2 = std::string("moved2");
  CHECK(std::move(mv2).value() == "moved2");
}

TEST_CASE("result: move-only values") {
  result<std::unique_ptr<int>> p = std::make_unique<int>(7);
  CHECK(**p == 7);
  result<std::unique_ptr<int>> q = std::move(p);
  CHECK(**q == 7);
  result<std::unique_ptr<int>> r = make_error(errc::incomplete, 0);
  r = std::move(q);
  CHECK(**r == 7);
}

TEST_CASE("result: accessors on mutable results") {
  result<int> r = 5;
  *r = 6;
  r.value() += 1;
  CHECK(r.value() == 7);
  const result<int>& cr = r;
  CHECK(*cr == 7);
  struct point {
    int x;
  };
  result<point> p = point{3};
  p->x = 4;
  CHECK(p->x == 4);
  const result<point>& cp = p;
  CHECK(cp->x == 4);
  result<void> ok;
  ok.value();
  CHECK(ok);
}
