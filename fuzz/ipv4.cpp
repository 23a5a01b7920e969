// Fuzz target `ipv4` — the IPv4 view and value type on any input:
//  - parse in every mode and checksum policy never reads out of bounds, and its inline fast
//    path agrees with the full check (`parse_checked`);
//  - whatever parses: every accessor and the options iterator work, the payload lies inside
//    the input, decode then encode gives the datagram back byte for byte;
//  - on a mutable copy, the incremental-checksum setters keep a verifying checksum valid.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ip = wirespan::ipv4;
  const wirespan::bytes in(data, size);
  for (auto mode : {ip::parse_mode::strict, ip::parse_mode::lax, ip::parse_mode::quoted}) {
    for (auto policy : {ip::checksum_policy::verify, ip::checksum_policy::ignore}) {
      auto v = ip::parse(in, {mode, policy});
      // The inline fast path and the full check agree.
      auto full = ip::view<>::parse_checked(in, {mode, policy});
      require(v.has_value() == full.has_value());
      if (v) {
        require(v->payload().data() == full->payload().data() && v->payload().size() == full->payload().size());
        require(v->trailer().size() == full->trailer().size() && v->cut_short() == full->cut_short());
      }
      if (!v) {
        require(v.error().offset <= size);
        continue;
      }
      require(v->version() == 4 && v->header_length() >= 20 && v->header_length() <= size);
      require(v->payload().data() >= data && v->payload().data() + v->payload().size() <= data + size);
      require(v->datagram().size() + v->trailer().size() == size);
      if (policy == ip::checksum_policy::verify) require(v->checksum_ok());
      std::size_t n = 0;
      for (auto o : v->options()) {
        n += o.length();
        if (o.is_route()) (void)o.route().filled();
        if (o.type == ip::option_type::timestamp) {
          auto t = o.timestamp();
          for (std::size_t i = 0; i < t.size(); ++i) (void)t.timestamp_at(i);
        }
      }
      require(n <= v->options_area().size());
      auto h = ip::decode(in, {mode, policy});
      require(h.has_value());
      std::vector<std::uint8_t> out(ip::encoded_size(*h, v->payload().size()));
      auto m = ip::encode(*h, v->payload(), out);
      require(m && *m == out.size());
      // The encoder writes the total length as given; with a cut-short or offloaded
      // datagram that is not the size of what follows, so compare the header and payload.
      require(wirespan::equal(wirespan::bytes(out).first(v->header_length()), v->header()));
      require(wirespan::equal(wirespan::bytes(out).subspan(v->header_length()), v->payload()));

      std::vector<std::uint8_t> copy(data, data + size);
      auto mv = ip::parse_mutable(copy, {mode, ip::checksum_policy::ignore});
      require(mv.has_value());
      const bool was_ok = mv->checksum_ok();
      mv->set_ttl(static_cast<std::uint8_t>(mv->ttl() + 1));
      mv->set_source(ip::address::from_u32(mv->destination().to_u32() ^ 0x01020304u));
      mv->set_identification(static_cast<std::uint16_t>(~mv->identification()));
      mv->set_dscp(static_cast<std::uint8_t>(size & 63));
      if (was_ok) require(mv->checksum_ok());
    }
  }
  return 0;
}
