// Protobuf: wirespan against protozero (pbf_reader / pbf_writer) and libprotobuf's
// generated code, on the same message, in the same binary; and varint decoding of 1M
// values against protozero's decode_varint. Anchors are compiled in when installed.
//
// Record {int32 id = 1; string name = 2 (16 chars); repeated int32 values = 3 (packed,
// 10 values); double score = 4; repeated Entry entries = 5 (3 of {string key = 1;
// int64 value = 2})}. Decoding fills the same C++ struct for wirespan and protozero
// (views into the input, vectors reused); libprotobuf parses into a reused message.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <wirespan/wirespan.hpp>

#if WIRESPAN_BENCH_HAVE_PROTOZERO
#include <protozero/pbf_reader.hpp>
#include <protozero/pbf_writer.hpp>
#include <protozero/varint.hpp>
#endif
#if WIRESPAN_BENCH_HAVE_LIBPROTOBUF
#include "bench.pb.h"
#endif

namespace {

namespace pb = wirespan::protobuf;
namespace pt = wirespan::protobuf::types;

struct entry {
  std::string_view key;
  std::int64_t value = 0;
  using protobuf_schema = pb::schema<pb::member<1, &entry::key, pt::string>, pb::member<2, &entry::value, pt::int64>>;
};

struct record {
  std::int32_t id = 0;
  std::string_view name;
  std::vector<std::int32_t> values;
  double score = 0;
  std::vector<entry> entries;
  using protobuf_schema = pb::schema<pb::member<1, &record::id, pt::int32>, pb::member<2, &record::name, pt::string>,
                                     pb::member<3, &record::values, pt::packed<pt::int32>>,
                                     pb::member<4, &record::score, pt::double_>,
                                     pb::member<5, &record::entries, pt::repeated<pt::message>>>;
};

record sample() {
  record r;
  r.id = 123456;
  r.name = "sensor-0042-east";  // 16 characters
  r.values = {1, 300, 70000, 5, 42, 1000000, 7, 99, 12345, 2};
  r.score = 98.25;
  r.entries = {{"alpha", 1}, {"bravo", -20000}, {"charlie", 1234567890123}};
  return r;
}

const std::vector<std::uint8_t>& sample_bytes() {
  static const std::vector<std::uint8_t> bytes = [] {
    std::vector<std::uint8_t> out;
    (void)pb::encode(sample(), out);
    return out;
  }();
  return bytes;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "bench_protobuf: %s\n", what);
    std::abort();
  }
}

void BM_decode_wirespan(benchmark::State& state) {
  pb::read_options options;
  options.validate_utf8 = state.range(0) == 1;
  const auto& in = sample_bytes();
  record r;
  for (auto _ : state) {
    benchmark::DoNotOptimize(in.data());
    auto ok = pb::decode(in, r, options);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(r);
  }
  check(r.values.size() == 10 && r.entries.size() == 3 && r.entries[2].value == 1234567890123, "wirespan decode");
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
}
BENCHMARK(BM_decode_wirespan)->Arg(1)->Arg(0)->ArgName("utf8");

void BM_encode_wirespan(benchmark::State& state) {
  const record r = sample();
  std::array<std::uint8_t, 256> out{};
  std::size_t n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(r);
    n = pb::encode(r, out).value();
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  check(n == sample_bytes().size(), "wirespan encode");
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_encode_wirespan);

#if WIRESPAN_BENCH_HAVE_PROTOZERO
void decode_protozero(const std::vector<std::uint8_t>& in, record& r) {
  r.values.clear();
  r.entries.clear();
  r.id = 0;
  r.name = {};
  r.score = 0;
  protozero::pbf_reader msg(reinterpret_cast<const char*>(in.data()), in.size());
  while (msg.next()) {
    switch (msg.tag_and_type()) {
      case protozero::tag_and_type(1, protozero::pbf_wire_type::varint): r.id = msg.get_int32(); break;
      case protozero::tag_and_type(2, protozero::pbf_wire_type::length_delimited): {
        auto v = msg.get_view();
        r.name = std::string_view(v.data(), v.size());
        break;
      }
      case protozero::tag_and_type(3, protozero::pbf_wire_type::length_delimited): {
        auto range = msg.get_packed_int32();
        for (auto v : range) r.values.push_back(v);
        break;
      }
      case protozero::tag_and_type(3, protozero::pbf_wire_type::varint): r.values.push_back(msg.get_int32()); break;
      case protozero::tag_and_type(4, protozero::pbf_wire_type::fixed64): r.score = msg.get_double(); break;
      case protozero::tag_and_type(5, protozero::pbf_wire_type::length_delimited): {
        protozero::pbf_reader sub = msg.get_message();
        entry& e = r.entries.emplace_back();
        while (sub.next()) {
          switch (sub.tag_and_type()) {
            case protozero::tag_and_type(1, protozero::pbf_wire_type::length_delimited): {
              auto v = sub.get_view();
              e.key = std::string_view(v.data(), v.size());
              break;
            }
            case protozero::tag_and_type(2, protozero::pbf_wire_type::varint): e.value = sub.get_int64(); break;
            default: sub.skip();
          }
        }
        break;
      }
      default: msg.skip();
    }
  }
}

void BM_decode_protozero(benchmark::State& state) {
  const auto& in = sample_bytes();
  record r;
  for (auto _ : state) {
    benchmark::DoNotOptimize(in.data());
    decode_protozero(in, r);
    benchmark::DoNotOptimize(r);
  }
  check(r.values.size() == 10 && r.entries.size() == 3 && r.entries[2].value == 1234567890123, "protozero decode");
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
}
BENCHMARK(BM_decode_protozero);

void BM_encode_protozero(benchmark::State& state) {
  const record r = sample();
  std::string out;
  out.reserve(256);
  for (auto _ : state) {
    benchmark::DoNotOptimize(r);
    out.clear();
    protozero::pbf_writer w(out);
    if (r.id != 0) w.add_int32(1, r.id);
    if (!r.name.empty()) w.add_string(2, r.name.data(), r.name.size());
    w.add_packed_int32(3, r.values.begin(), r.values.end());
    if (r.score != 0) w.add_double(4, r.score);
    for (const auto& e : r.entries) {
      protozero::pbf_writer sub(w, 5);
      sub.add_string(1, e.key.data(), e.key.size());
      sub.add_int64(2, e.value);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  check(out.size() == sample_bytes().size() && std::equal(out.begin(), out.end(), sample_bytes().begin(),
                                                          [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; }),
        "protozero encode");
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
}
BENCHMARK(BM_encode_protozero);
#endif

#if WIRESPAN_BENCH_HAVE_LIBPROTOBUF
void BM_decode_libprotobuf(benchmark::State& state) {
  const auto& in = sample_bytes();
  wirespan_bench::Record m;
  for (auto _ : state) {
    benchmark::DoNotOptimize(in.data());
    bool ok = m.ParseFromArray(in.data(), static_cast<int>(in.size()));
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(m);
  }
  check(m.values_size() == 10 && m.entries_size() == 3 && m.entries(2).value() == 1234567890123, "libprotobuf decode");
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
}
BENCHMARK(BM_decode_libprotobuf);

void BM_encode_libprotobuf(benchmark::State& state) {
  wirespan_bench::Record m;
  check(m.ParseFromArray(sample_bytes().data(), static_cast<int>(sample_bytes().size())), "libprotobuf parse");
  std::array<std::uint8_t, 256> out{};
  int n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(m);
    n = static_cast<int>(m.ByteSizeLong());
    bool ok = m.SerializeToArray(out.data(), n);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  check(static_cast<std::size_t>(n) == sample_bytes().size() &&
            std::equal(out.begin(), out.begin() + n, sample_bytes().begin()),
        "libprotobuf encode");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * n);
}
BENCHMARK(BM_encode_libprotobuf);
#endif

// 1M varints: "mixed" draws each length 1..10 bytes uniformly; "small" is 90% one byte,
// 10% two bytes.
const std::vector<std::uint8_t>& varints(bool mixed) {
  static const auto make = [](bool m) {
    std::mt19937_64 rng(42);
    std::vector<std::uint8_t> out;
    out.reserve(11'000'000);
    std::uint8_t buf[10];
    for (int i = 0; i < 1'000'000; ++i) {
      std::uint64_t v;
      if (m) {
        const unsigned len = 1 + static_cast<unsigned>(rng() % 10);
        v = len == 10 ? (rng() | (1ull << 63)) : (rng() & ((1ull << (7 * len)) - 1)) | (1ull << (7 * (len - 1)));
        if (len == 1) v = rng() & 0x7f;
      } else {
        v = rng() % 10 == 0 ? 128 + rng() % 16000 : rng() % 128;
      }
      const std::size_t n = pb::encode_varint(buf, v);
      out.insert(out.end(), buf, buf + n);
    }
    return out;
  };
  static const std::vector<std::uint8_t> a = make(true), b = make(false);
  return mixed ? a : b;
}

// The sum of the 1M values, decoded one by one.
std::uint64_t expected_sum(bool mixed) {
  std::uint64_t sum = 0;
  wirespan::bytes rest(varints(mixed));
  while (!rest.empty()) {
    auto v = pb::decode_varint(rest);
    sum += v->value;
    rest = rest.subspan(v->size);
  }
  return sum;
}

void BM_varint_wirespan(benchmark::State& state) {
  const auto& in = varints(state.range(0) == 1);
  std::uint64_t sum = 0;
  for (auto _ : state) {
    sum = 0;
    wirespan::bytes rest(in);
    while (!rest.empty()) {
      auto v = pb::decode_varint(rest);
      sum += v->value;
      rest = rest.subspan(v->size);
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1'000'000);
}
BENCHMARK(BM_varint_wirespan)->Arg(1)->Arg(0)->ArgName("mixed");

// The same values through the bulk decoder, 512 at a time into a buffer that is then
// summed (what a packed-field or column reader does).
void BM_varints_wirespan(benchmark::State& state) {
  const auto& in = varints(state.range(0) == 1);
  std::uint64_t sum = 0;
  std::array<std::uint64_t, 512> buffer{};
  for (auto _ : state) {
    sum = 0;
    wirespan::bytes rest(in);
    while (!rest.empty()) {
      auto r = pb::decode_varints(rest, buffer);
      for (std::size_t i = 0; i < r->count; ++i) sum += buffer[i];
      rest = rest.subspan(r->size);
    }
    benchmark::DoNotOptimize(sum);
  }
  check(sum == expected_sum(state.range(0) == 1), "wirespan decode_varints");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1'000'000);
}
BENCHMARK(BM_varints_wirespan)->Arg(1)->Arg(0)->ArgName("mixed");

#if WIRESPAN_BENCH_HAVE_PROTOZERO
void BM_varint_protozero(benchmark::State& state) {
  const auto& in = varints(state.range(0) == 1);
  std::uint64_t sum = 0;
  for (auto _ : state) {
    sum = 0;
    const char* p = reinterpret_cast<const char*>(in.data());
    const char* end = p + in.size();
    while (p != end) sum += protozero::decode_varint(&p, end);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1'000'000);
}
BENCHMARK(BM_varint_protozero)->Arg(1)->Arg(0)->ArgName("mixed");
#endif

}  // namespace

BENCHMARK_MAIN();
