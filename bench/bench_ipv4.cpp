// IPv4 / ICMP / dissector benchmarks, each against its anchor in the same binary:
//  - IPv4 parse with full validation including the header checksum: wirespan vs a minimal
//    hand-written parse (the lower bound: the same checks, straight-line code) vs libtins
//    (`Tins::IP` constructed from the buffer, as its users parse; it does not verify the
//    checksum, so that row is flattering to libtins);
//  - building an IPv4 + ICMP echo request with both checksums: wirespan vs libtins
//    (`Tins::IP / Tins::ICMP / Tins::RawPDU`, serialised);
//  - the frame dissector over an in-memory capture (frames per second).
// bench/run_ipv4.sh prints the ratios; bench/README.md records them.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "../tools/wirespan/sample_capture.hpp"

#ifdef WIRESPAN_BENCH_HAVE_LIBTINS
#include <tins/tins.h>
#endif

namespace {

template <class T>
inline void keep(const T& v) {
  asm volatile("" : : "r,m"(v) : "memory");
}
inline void clobber() { asm volatile("" : : : "memory"); }

// A 60-byte datagram: 20-byte header + 40 bytes of UDP (the size the issue names).
const std::array<std::uint8_t, 60> datagram = [] {
  std::array<std::uint8_t, 60> d{};
  wirespan::ipv4::header h;
  h.identification = 0x1234;
  h.dont_fragment = true;
  h.protocol = 17;
  h.source = wirespan::ipv4::address{{192, 168, 1, 10}};
  h.destination = wirespan::ipv4::address{{10, 0, 0, 1}};
  std::array<std::uint8_t, 40> payload{};
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i);
  (void)wirespan::ipv4::encode(h, payload, d).value();
  return d;
}();

// The lower bound: the checks `ipv4::parse` makes, written plainly.
struct hand_parsed {
  std::uint32_t src, dst;
  std::uint16_t total;
  std::uint8_t proto, ttl;
};
inline bool hand_parse(const std::uint8_t* p, std::size_t n, hand_parsed& out) {
  if (n < 20 || (p[0] >> 4) != 4) return false;
  const std::size_t hlen = std::size_t{p[0] & 0x0fu} * 4;
  const std::size_t total = std::size_t{p[2]} << 8 | p[3];
  if (hlen < 20 || total < hlen || total != n) return false;
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < hlen; i += 2) sum += std::uint32_t{p[i]} << 8 | p[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  if (sum != 0xffff) return false;
  if (hlen > 20) return false;  // options: not in this sample
  out.total = static_cast<std::uint16_t>(total);
  out.ttl = p[8];
  out.proto = p[9];
  std::memcpy(&out.src, p + 12, 4);  // host-order numbers, as wirespan's to_u32() gives
  std::memcpy(&out.dst, p + 16, 4);
  out.src = __builtin_bswap32(out.src);
  out.dst = __builtin_bswap32(out.dst);
  return true;
}

void BM_ipv4_parse_wirespan(benchmark::State& state) {
  for (auto _ : state) {
    keep(datagram.data());
    clobber();
    auto v = wirespan::ipv4::parse(datagram);
    if (!v) state.SkipWithError("parse failed");
    keep(v->source().to_u32() ^ v->destination().to_u32() ^ v->ttl() ^ v->protocol() ^ v->total_length());
  }
}
BENCHMARK(BM_ipv4_parse_wirespan);

void BM_ipv4_parse_handwritten(benchmark::State& state) {
  for (auto _ : state) {
    keep(datagram.data());
    clobber();
    hand_parsed h{};
    if (!hand_parse(datagram.data(), datagram.size(), h)) state.SkipWithError("parse failed");
    keep(h.src ^ h.dst ^ h.ttl ^ h.proto ^ h.total);
  }
}
BENCHMARK(BM_ipv4_parse_handwritten);

#ifdef WIRESPAN_BENCH_HAVE_LIBTINS
void BM_ipv4_parse_libtins(benchmark::State& state) {
  for (auto _ : state) {
    keep(datagram.data());
    clobber();
    Tins::IP ip(datagram.data(), static_cast<std::uint32_t>(datagram.size()));
    keep(static_cast<std::uint32_t>(ip.src_addr()) ^ static_cast<std::uint32_t>(ip.dst_addr()) ^ ip.ttl() ^
         ip.protocol() ^ ip.tot_len());
  }
}
BENCHMARK(BM_ipv4_parse_libtins);
#endif

constexpr auto ping_payload = wirespan::literal_bytes("0123456789abcdef0123456789abcdef0123456789abcdef01234567");

void BM_icmp_echo_build_wirespan(benchmark::State& state) {
  std::array<std::uint8_t, 128> out{};
  std::uint16_t seq = 0;
  for (auto _ : state) {
    const wirespan::icmp::echo e{.id = 1234, .sequence = seq++, .payload = ping_payload};
    wirespan::ipv4::header h;
    h.protocol = wirespan::ipv4::protocol_icmp;
    h.source = wirespan::ipv4::address{{10, 0, 0, 1}};
    h.destination = wirespan::ipv4::address{{10, 0, 0, 2}};
    const std::size_t icmp_size = wirespan::icmp::encoded_size(e);
    auto hdr = wirespan::ipv4::encode_header(h, icmp_size, out);
    auto n = wirespan::icmp::encode(e, wirespan::mutable_bytes(out).subspan(*hdr));
    keep(n);
    keep(out);
  }
}
BENCHMARK(BM_icmp_echo_build_wirespan);

#ifdef WIRESPAN_BENCH_HAVE_LIBTINS
void BM_icmp_echo_build_libtins(benchmark::State& state) {
  std::uint16_t seq = 0;
  for (auto _ : state) {
    Tins::IP ip = Tins::IP("10.0.0.2", "10.0.0.1") / Tins::ICMP(Tins::ICMP::ECHO_REQUEST) /
                  Tins::RawPDU(ping_payload.data(), static_cast<std::uint32_t>(ping_payload.size()));
    ip.rfind_pdu<Tins::ICMP>().id(1234);
    ip.rfind_pdu<Tins::ICMP>().sequence(seq++);
    auto bytes = ip.serialize();
    keep(bytes.data());
  }
}
BENCHMARK(BM_icmp_echo_build_libtins);
#endif

void BM_dissect_capture(benchmark::State& state) {
  std::vector<wirespan::pcap::record> records;
  auto r = wirespan::capture::reader::open(wirespan_cli::sample_capture).value();
  wirespan::pcap::record rec;
  while (r.next(rec).value()) records.push_back(rec);
  std::size_t frames = 0;
  for (auto _ : state) {
    for (const auto& x : records) {
      keep(x.data.data());
      auto l = wirespan::dissect::frame(x.data, x.linktype, {.verify_checksums = true});
      keep(l.payload.size());
    }
    frames += records.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(frames));
}
BENCHMARK(BM_dissect_capture);

}  // namespace

BENCHMARK_MAIN();
