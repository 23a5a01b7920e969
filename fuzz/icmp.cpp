// Fuzz target `icmp` — ICMP messages on any input: parse (checksum verified or not),
// every accessor, the quoted datagram and its transport bytes, and decode then encode
// byte-identical for every message of 8 bytes or more.
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
  namespace icmp = wirespan::icmp;
  const wirespan::bytes in(data, size);
  auto v = icmp::parse(in, {wirespan::ipv4::checksum_policy::ignore});
  if (!v) return 0;
  (void)v->identifier();
  (void)v->sequence();
  (void)v->next_hop_mtu();
  (void)v->gateway();
  (void)v->pointer();
  if (v->type() == icmp::type::timestamp_request || v->type() == icmp::type::timestamp_reply) {
    (void)v->transmit_timestamp();
  }
  if (v->type() == icmp::type::address_mask_request || v->type() == icmp::type::address_mask_reply) {
    (void)v->address_mask();
  }
  require(v->original_datagram().size() <= v->body().size());
  if (auto q = v->quoted()) {
    require(q->payload().data() + q->payload().size() <= data + size);
    require(v->quoted_transport().size() <= 8);
  }
  if (icmp::parse(in)) require(v->checksum_ok());
  if (size >= 8) {
    auto m = icmp::decode(in, {wirespan::ipv4::checksum_policy::ignore});
    require(m.has_value());
    std::vector<std::uint8_t> out(icmp::encoded_size(*m));
    require(icmp::encode(*m, out).has_value());
    require(wirespan::equal(out, in));
  }
  return 0;
}
