// Fuzz target `mqtt_connect` — the CONNECT decoder and MQTT stream framing on any bytes:
// no crash, no read out of bounds; a packet decoded (strict or lax) encodes back to
// exactly its bytes, and decodes again to the same; what strict mode accepts lax mode
// accepts; every rejection has an offset inside the input and a rule; frame_size walks
// the input as a stream and never claims more than it holds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace {

namespace mq = wirespan::mqtt;

void require(bool ok) {
  if (!ok) std::abort();
}

void round_trip(wirespan::bytes in, const mq::connect& c, mq::connect_options o) {
  std::vector<std::uint8_t> out(mq::encoded_size(c));
  auto n = mq::encode(c, out);
  require(n.has_value() && *n == in.size());
  require(std::equal(out.begin(), out.end(), in.begin(), in.end()));
  auto again = mq::decode_connect(out, o);
  require(again.has_value());
  require(again->client_id == c.client_id && again->version == c.version && again->will.has_value() == c.will.has_value());
  // Iterating the properties walks their bytes exactly.
  for (const mq::property_list* l : {&c.properties, c.will ? &c.will->properties : &c.properties}) {
    std::size_t walked = 0;
    for (const mq::property& p : *l) walked += mq::detail::property_size(p);
    require(walked == l->raw().size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const wirespan::bytes in(data, size);
  const mq::connect_options strict{};
  const mq::connect_options lax{mq::parse_mode::lax};
  auto s = mq::decode_connect(in, strict);
  auto l = mq::decode_connect(in, lax);
  if (s) {
    require(l.has_value());
    round_trip(in, *s, strict);
  } else {
    require(s.error().what != nullptr && s.error().offset <= size);
    for (auto v : {mq::protocol_version::v3_1, mq::protocol_version::v3_1_1, mq::protocol_version::v5}) {
      (void)mq::connack_code(s.error(), v);
    }
  }
  if (l) round_trip(in, *l, lax);
  // The input as a stream of packets.
  std::size_t at = 0;
  while (at < size) {
    auto n = mq::frame_size(in.subspan(at), 4096);
    if (!n) {
      require(n.error().code != wirespan::errc::incomplete || n.error().value >= 1);
      break;
    }
    require(*n >= 2 && *n <= size - at && *n <= 4096);
    at += *n;
  }
  return 0;
}
