// Fuzz target `frame` — the frame dissector on any input: the first byte picks the link
// type (Ethernet, raw IP, Linux SLL, SLL2, BSD loopback), the rest is the frame. Every
// view it returns lies inside the input and its accessors work; it never crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <wirespan/wirespan.hpp>

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}
void inside(wirespan::bytes part, const std::uint8_t* data, std::size_t size) {
  require(part.empty() || (part.data() >= data && part.data() + part.size() <= data + size));
}
wirespan::result<void> check_dns(wirespan::bytes payload) {
  if (payload.size() < 12) return wirespan::make_error(wirespan::errc::truncated, payload.size(), "dns: short");
  return {};
}
constexpr wirespan::dissect::app_protocol apps[] = {{17, 53, "DNS", &check_dns}, {6, 80, "HTTP", nullptr}};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::uint32_t types[] = {1, 101, 113, 276, 0, 108, 228, 229};
  const std::uint32_t linktype = types[data[0] % 8];
  const wirespan::bytes frame(data + 1, size - 1);
  const auto l = wirespan::dissect::frame(frame, linktype, {.verify_checksums = true, .applications = apps});
  inside(l.payload, data, size);
  if (l.eth) {
    for (std::size_t i = 0; i < l.eth->tag_count(); ++i) (void)l.eth->tag(i);
    inside(l.eth->payload(), data, size);
  }
  if (l.arp) inside(l.arp->target_protocol(), data, size);
  if (l.ip4) {
    inside(l.ip4->payload(), data, size);
    for (auto o : l.ip4->options()) inside(o.raw, data, size);
  }
  if (l.ip6) {
    inside(l.ip6->upper_payload(), data, size);
    for (auto e : l.ip6->extensions()) inside(e.raw, data, size);
  }
  if (l.icmp) {
    if (auto q = l.icmp->quoted()) inside(q->payload(), data, size);
  }
  if (l.icmp6) {
    if (auto q = l.icmp6->quoted()) inside(q->upper_payload(), data, size);
  }
  if (l.tcp) {
    for (auto o : l.tcp->options()) {
      inside(o.raw, data, size);
      if (o.kind == wirespan::tcp::option_kind::sack) {
        for (std::size_t i = 0; i < o.sack_count(); ++i) (void)o.sack(i);
      }
    }
    inside(l.tcp->payload(), data, size);
  }
  if (l.udp) inside(l.udp->payload(), data, size);
  if (l.stop) require(l.stop->why.offset <= size);
  return 0;
}
