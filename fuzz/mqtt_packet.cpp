// Fuzz target `mqtt_packet` — every MQTT packet decoder on any bytes. The first byte picks
// the version (3.1, 3.1.1 or 5.0), the rest is one packet, which `decode` hands to the
// decoder of its type. No crash, no read out of bounds; what strict mode accepts lax mode
// accepts; a packet strict mode accepts encodes back to exactly its bytes and decodes
// again; a packet lax mode accepts encodes to a packet lax mode accepts, which encodes
// the same again; iterating properties, subscriptions and topic filters walks their bytes
// exactly; every rejection has an offset inside the input and a rule. The same bytes as a
// property block (for the context the first byte also picks): parse_properties, with its
// quick pass, gives what the plain reference gives (verdict, size, error), strict and lax.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace {

namespace mq = wirespan::mqtt;

void require(bool ok) {
  if (!ok) std::abort();
}

std::vector<std::uint8_t> encoded(const mq::control_packet& p) {
  std::vector<std::uint8_t> out(mq::encoded_size(p));
  auto n = mq::encode(p, out);
  require(n.has_value() && *n == out.size());
  return out;
}

void walk(const mq::property_list& l) {
  std::size_t walked = 0;
  for (const mq::property& p : l) walked += mq::detail::property_size(p);
  require(walked == l.raw().size());
}

// The properties and entries of a decoded packet, iterated.
void walk_all(const mq::control_packet& p) {
  std::visit(
      [](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (requires { v.properties; }) walk(v.properties);
        if constexpr (std::is_same_v<T, mq::subscribe>) {
          std::size_t n = 0, bytes = 0;
          for (const mq::subscription& s : v.subscriptions) {
            ++n;
            bytes += 3 + s.filter.size();
            require(s.qos < 3 && s.retain_handling < 3);
          }
          require(n == v.subscriptions.size() && n > 0 && bytes == v.subscriptions.wire_size());
        }
        if constexpr (std::is_same_v<T, mq::unsubscribe>) {
          std::size_t n = 0, bytes = 0;
          for (const mq::string_ref& f : v.filters) {
            ++n;
            bytes += 2 + f.size();
            require(mq::check_topic_filter(f).has_value());
          }
          require(n == v.filters.size() && n > 0 && bytes == v.filters.wire_size());
        }
        if constexpr (std::is_same_v<T, mq::connect>) {
          if (v.will) walk(v.will->properties);
        }
      },
      p);
}

void same_properties(wirespan::bytes in, mq::property_context where) {
  for (const bool strict : {true, false}) {
    std::size_t c1 = 0, c2 = 0;
    std::uint32_t pf1 = 7, pf2 = 7;
    auto a = mq::parse_properties(in, where, c1, strict, 1, &pf1);
    auto b = mq::detail::parse_properties_reference(in, where, c2, strict, 1, &pf2);
    require(a.has_value() == b.has_value());
    if (a) {
      require(c1 == c2 && pf1 == pf2 && a->raw().data() == b->raw().data() && a->raw().size() == b->raw().size());
    } else {
      require(a.error().code == b.error().code && a.error().offset == b.error().offset && a.error().what == b.error().what &&
              a.error().value == b.error().value);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto version = static_cast<mq::protocol_version>(3 + data[0] % 3);
  const wirespan::bytes in(data + 1, size - 1);
  same_properties(in, static_cast<mq::property_context>(1u << (data[0] / 3 % 11)));
  mq::decode_options strict;
  strict.version = version;
  mq::decode_options lax = strict;
  lax.mode = mq::parse_mode::lax;
  auto s = mq::decode(in, strict);
  auto l = mq::decode(in, lax);
  if (s) {
    require(l.has_value());
    walk_all(*s);
    const auto out = encoded(*s);
    require(std::equal(out.begin(), out.end(), in.begin(), in.end()));
    auto again = mq::decode(out, strict);
    require(again.has_value() && mq::type_of(*again) == mq::type_of(*s));
  } else {
    require(s.error().what != nullptr && s.error().offset <= in.size());
    (void)mq::disconnect_code(s.error());
  }
  if (l) {
    walk_all(*l);
    const auto out = encoded(*l);
    auto again = mq::decode(out, lax);
    require(again.has_value() && mq::type_of(*again) == mq::type_of(*l));
    require(encoded(*again) == out);
  } else {
    require(l.error().what != nullptr && l.error().offset <= in.size());
  }
  return 0;
}
