// Filter benchmarks: wirespan against libpcap, in one binary.
//
// - compile: wirespan::filter::compile (parse, generate, optimize) vs pcap_compile (with
//   its optimizer, as tcpdump runs it) on the same expressions;
// - verdicts: the same programs (libpcap's own, from pcap_compile) run over a mixed set of
//   frames by wirespan's interpreter and by libpcap's bpf_filter; wirespan's interpreter on
//   wirespan's program; and static_filter<"..."> (the native predicate), called through a
//   function pointer and called directly (inlined into the loop over the frames).
// Every benchmark first checks that its verdicts are libpcap's.
#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace f = wirespan::filter;

namespace {

// The tutorials' expressions (as the issue lists them), and a few longer ones.
#define WIRESPAN_BENCH_EXPRESSIONS(X)                                                          \
  X("host 192.168.1.10") X("tcp port 443") X("udp port 53") X("icmp") X("not port 22")         \
  X("tcp[tcpflags] & tcp-syn != 0") X("greater 1400") X("net 10.0.0.0/8")                      \
  X("src host 10.0.0.1 and dst port 80") X("(tcp and (port 80 or 8080)) or (udp and port 53)") \
  X("vlan and tcp port 80") X("ip6 and not icmp6 and not tcp")

#define WIRESPAN_TEXT(t) t,
const char* const expressions[] = {WIRESPAN_BENCH_EXPRESSIONS(WIRESPAN_TEXT)};
#undef WIRESPAN_TEXT
constexpr std::size_t n_expressions = sizeof expressions / sizeof expressions[0];

void die(const char* what) {
  std::fprintf(stderr, "bench_filter: %s\n", what);
  std::exit(1);
}

// A mix of frames: IPv4 and IPv6 TCP/UDP/ICMP to and from a handful of addresses and
// ports, ARP, VLAN-tagged; 60 to 1514 bytes.
std::vector<std::vector<std::uint8_t>> make_frames() {
  std::mt19937 rng(42);
  std::vector<std::vector<std::uint8_t>> out;
  const std::uint32_t v4[] = {0xc0a8010a, 0x0a000001, 0x0a000002, 0x08080808};
  const std::uint16_t ports[] = {443, 80, 53, 22, 8080, 51000};
  for (int n = 0; n < 512; ++n) {
    std::vector<std::uint8_t> fr(12, 0x02);
    const int kind = static_cast<int>(rng() % 10);
    auto put16 = [&](std::uint32_t v) {
      fr.push_back(static_cast<std::uint8_t>(v >> 8));
      fr.push_back(static_cast<std::uint8_t>(v));
    };
    auto put32 = [&](std::uint32_t v) {
      put16(v >> 16);
      put16(v & 0xffff);
    };
    if (kind == 9) put16(0x8100), put16(100);
    const bool v6 = kind == 7;
    if (kind == 8) {  // ARP
      put16(0x0806);
      for (int i = 0; i < 28; ++i) fr.push_back(static_cast<std::uint8_t>(rng()));
    } else {
      const std::uint8_t protos[] = {6, 6, 6, 17, 17, 1};
      const std::uint8_t proto = protos[rng() % 6];
      const std::size_t payload = rng() % 4 == 0 ? 1400 : rng() % 200;
      if (v6) {
        put16(0x86dd);
        put32(0x60000000), put16(static_cast<std::uint32_t>(20 + payload));
        fr.push_back(proto == 1 ? 58 : proto), fr.push_back(64);
        for (int i = 0; i < 32; ++i) fr.push_back(static_cast<std::uint8_t>(i == 15 || i == 31 ? 1 : 0));
      } else {
        put16(0x0800);
        put32(0x45000000 | static_cast<std::uint32_t>(20 + 20 + payload));
        put32(0x00014000), fr.push_back(64), fr.push_back(proto), put16(0);
        put32(v4[rng() % 4]), put32(v4[rng() % 4]);
      }
      put16(ports[rng() % 6]), put16(ports[rng() % 6]);
      put32(static_cast<std::uint32_t>(rng())), put32(0);
      const std::uint8_t flags[] = {0x02, 0x12, 0x10, 0x18, 0x11};
      fr.push_back(0x50), fr.push_back(flags[rng() % 5]), put16(0xffff), put32(0);
      fr.resize(fr.size() + payload, 0xab);
    }
    if (fr.size() < 60) fr.resize(60, 0);
    out.push_back(std::move(fr));
  }
  return out;
}

const std::vector<std::vector<std::uint8_t>>& frames() {
  static const auto f = make_frames();
  return f;
}

pcap_t* dead() {
  static pcap_t* p = pcap_open_dead(DLT_EN10MB, 262144);
  return p;
}

const std::vector<bpf_program>& libpcap_programs() {
  static const auto progs = [] {
    std::vector<bpf_program> v(n_expressions);
    for (std::size_t i = 0; i < n_expressions; ++i) {
      if (pcap_compile(dead(), &v[i], expressions[i], 1, PCAP_NETMASK_UNKNOWN) != 0) die(pcap_geterr(dead()));
    }
    return v;
  }();
  return progs;
}

void BM_compile_wirespan(benchmark::State& state) {
  for (auto _ : state) {
    for (const char* e : expressions) {
      auto p = f::compile(e);
      if (!p) die("compile failed");
      benchmark::DoNotOptimize(p->data());
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n_expressions));
}
BENCHMARK(BM_compile_wirespan);

void BM_compile_pcap(benchmark::State& state) {
  for (auto _ : state) {
    for (const char* e : expressions) {
      bpf_program p{};
      if (pcap_compile(dead(), &p, e, 1, PCAP_NETMASK_UNKNOWN) != 0) die(pcap_geterr(dead()));
      benchmark::DoNotOptimize(p.bf_insns);
      pcap_freecode(&p);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n_expressions));
}
BENCHMARK(BM_compile_pcap);

// Verdicts: every expression on every frame, per iteration.
template <class Verdict>
void verdicts(benchmark::State& state, Verdict&& verdict) {
  const auto& fs = frames();
  // Check first: the verdicts are libpcap's.
  for (std::size_t e = 0; e < n_expressions; ++e) {
    for (const auto& fr : fs) {
      const auto len = static_cast<std::uint32_t>(fr.size());
      if (verdict(e, fr) != bpf_filter(libpcap_programs()[e].bf_insns, fr.data(), len, len)) die("verdicts differ");
    }
  }
  std::uint64_t hits = 0;
  for (auto _ : state) {
    for (std::size_t e = 0; e < n_expressions; ++e) {
      for (const auto& fr : fs) hits += verdict(e, fr) != 0 ? 1u : 0u;
    }
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n_expressions * fs.size()));
}

void BM_verdict_bpf_filter(benchmark::State& state) {
  const auto& progs = libpcap_programs();
  verdicts(state, [&](std::size_t e, const std::vector<std::uint8_t>& fr) {
    const auto len = static_cast<std::uint32_t>(fr.size());
    return bpf_filter(progs[e].bf_insns, fr.data(), len, len);
  });
}
BENCHMARK(BM_verdict_bpf_filter);

void BM_verdict_wirespan_run_libpcap_program(benchmark::State& state) {
  std::vector<f::program> progs;
  for (const auto& p : libpcap_programs()) progs.emplace_back(reinterpret_cast<const f::instruction*>(p.bf_insns), p.bf_len);
  verdicts(state, [&](std::size_t e, const std::vector<std::uint8_t>& fr) { return f::run(progs[e], fr); });
}
BENCHMARK(BM_verdict_wirespan_run_libpcap_program);

void BM_verdict_wirespan_run(benchmark::State& state) {
  std::vector<std::vector<f::instruction>> progs;
  for (const char* e : expressions) progs.push_back(f::compile(e).value());
  verdicts(state, [&](std::size_t e, const std::vector<std::uint8_t>& fr) { return f::run(progs[e], fr); });
}
BENCHMARK(BM_verdict_wirespan_run);

// The decoded form of a validated program (decoded.hpp): what a capture loop that keeps
// one filter runs.
void BM_verdict_decoded_libpcap_program(benchmark::State& state) {
  std::vector<f::decoded_program> progs;
  for (const auto& p : libpcap_programs()) {
    progs.push_back(f::decoded_program::make(f::program(reinterpret_cast<const f::instruction*>(p.bf_insns), p.bf_len),
                                             f::validation::userland)
                        .value());
  }
  verdicts(state, [&](std::size_t e, const std::vector<std::uint8_t>& fr) { return progs[e].run(fr); });
}
BENCHMARK(BM_verdict_decoded_libpcap_program);

void BM_verdict_decoded(benchmark::State& state) {
  std::vector<f::decoded_program> progs;
  for (const char* e : expressions) progs.push_back(f::decoded_program::make(f::compile(e).value()).value());
  verdicts(state, [&](std::size_t e, const std::vector<std::uint8_t>& fr) { return progs[e].run(fr); });
}
BENCHMARK(BM_verdict_decoded);

using static_match = std::uint32_t (*)(wirespan::bytes);
#define WIRESPAN_STATIC(t) static_cast<static_match>(&f::static_filter<t>::match),
const static_match static_filters[] = {WIRESPAN_BENCH_EXPRESSIONS(WIRESPAN_STATIC)};
#undef WIRESPAN_STATIC

// Through a function pointer per expression, as the interpreters get a program per
// expression: what a program picking one of several filters pays.
void BM_verdict_static_filter(benchmark::State& state) {
  verdicts(state, [&](std::size_t e, const std::vector<std::uint8_t>& fr) { return static_filters[e](fr); });
}
BENCHMARK(BM_verdict_static_filter);

// Called directly, inlined into the loop over the frames, as a capture loop that names
// its filter where it is compiled calls it: one loop per expression.
template <class Filter>
std::uint64_t count_inlined(const std::vector<std::vector<std::uint8_t>>& fs) {
  std::uint64_t hits = 0;
  for (const auto& fr : fs) hits += Filter::match(fr) != 0 ? 1u : 0u;
  return hits;
}
using inlined_loop = std::uint64_t (*)(const std::vector<std::vector<std::uint8_t>>&);
#define WIRESPAN_INLINED(t) &count_inlined<f::static_filter<t>>,
const inlined_loop inlined_loops[] = {WIRESPAN_BENCH_EXPRESSIONS(WIRESPAN_INLINED)};
#undef WIRESPAN_INLINED

void BM_verdict_static_filter_inlined(benchmark::State& state) {
  const auto& fs = frames();
  // Check first: per expression, as many matches as bpf_filter finds (the frame-by-frame
  // check of the same match() is BM_verdict_static_filter's).
  for (std::size_t e = 0; e < n_expressions; ++e) {
    std::uint64_t want = 0;
    for (const auto& fr : fs) {
      const auto len = static_cast<std::uint32_t>(fr.size());
      want += bpf_filter(libpcap_programs()[e].bf_insns, fr.data(), len, len) != 0 ? 1u : 0u;
    }
    if (inlined_loops[e](fs) != want) die("verdicts differ");
  }
  std::uint64_t hits = 0;
  for (auto _ : state) {
    for (std::size_t e = 0; e < n_expressions; ++e) hits += inlined_loops[e](fs);
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n_expressions * fs.size()));
}
BENCHMARK(BM_verdict_static_filter_inlined);

}  // namespace

BENCHMARK_MAIN();
