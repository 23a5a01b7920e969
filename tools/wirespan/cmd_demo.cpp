// wirespan demo: the main job on an embedded sample. Each codec adds its section.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "cli.hpp"

namespace wirespan_cli {

const command demo_command{
    "demo",
    "run every codec on an embedded sample and show what it does",
    "usage: wirespan demo\n"
    "\n"
    "Runs the main job on an embedded sample: for now the RFC 1071 Internet checksum of a\n"
    "sample IPv4 header with every checksum kernel this CPU has, the RFC 1624 incremental\n"
    "update a router makes when it decrements the TTL, and the throughput of each kernel on\n"
    "1500-byte packets, measured as the demo runs. Exits non-zero if any result is wrong.\n",
    &run_demo};

namespace {

// The sample: an IPv4 header, 192.168.0.1 -> 192.168.0.199, UDP, TTL 64, checksum b861.
constexpr auto sample_ipv4_header = wirespan::hex_array<"4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7">();

template <class T>
inline void keep(const T& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}

// Bytes per second of `k` over 1500-byte packets, measured for about 50 ms.
double measure(wirespan::checksum::kernel k) {
  std::vector<std::uint8_t> packet(1500);
  for (std::size_t i = 0; i < packet.size(); ++i) packet[i] = static_cast<std::uint8_t>(i * 131 + 17);
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  std::size_t rounds = 0;
  auto elapsed = clock::duration::zero();
  do {
    for (int i = 0; i < 1000; ++i) {
      keep(packet.data());
      keep(wirespan::checksum::sum(packet, k));
    }
    rounds += 1000;
    elapsed = clock::now() - start;
  } while (elapsed < std::chrono::milliseconds(50));
  return static_cast<double>(rounds * packet.size()) / std::chrono::duration<double>(elapsed).count();
}

bool checksum_section() {
  namespace cs = wirespan::checksum;
  bool ok = true;
  std::printf("== checksum: the Internet checksum (RFC 1071, RFC 1624)\n");
  std::printf("sample: IPv4 header 192.168.0.1 -> 192.168.0.199, UDP, TTL 64 (20 bytes)\n");
  const std::uint16_t stored = wirespan::load_be16(sample_ipv4_header.data() + 10);
  const bool verified = cs::verify(sample_ipv4_header);
  ok = ok && verified;
  std::printf("  stored header checksum 0x%04x: %s\n", stored, verified ? "verifies" : "WRONG");

  auto header = sample_ipv4_header;
  wirespan::store_be16(header.data() + 10, 0);
  std::printf("  recomputed with the checksum field zeroed, by each kernel:\n");
  for (cs::kernel k : cs::all_kernels) {
    if (!cs::is_supported(k)) {
      std::printf("    %-7s (not supported by this CPU)\n", cs::to_string(k));
      continue;
    }
    const auto c = static_cast<std::uint16_t>(~cs::sum(header, k));
    ok = ok && c == stored;
    std::printf("    %-7s 0x%04x %s%s\n", cs::to_string(k), c, c == stored ? "ok" : "WRONG",
                k == cs::active_kernel() ? "  (active)" : "");
  }
  constexpr std::uint16_t at_compile_time = wirespan::internet_checksum(
      wirespan::hex_array<"4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7">());
  std::printf("    compile time 0x%04x (static_assert-able: computed by the compiler)\n", at_compile_time);
  ok = ok && at_compile_time == stored;

  // A router decrements the TTL: RFC 1624 updates the checksum without re-summing.
  header = sample_ipv4_header;
  const std::uint16_t old_word = wirespan::load_be16(header.data() + 8);
  header[8] = static_cast<std::uint8_t>(header[8] - 1);
  const std::uint16_t new_word = wirespan::load_be16(header.data() + 8);
  const std::uint16_t updated = cs::update16(stored, old_word, new_word);
  wirespan::store_be16(header.data() + 10, updated);
  const bool update_ok = cs::verify(header);
  ok = ok && update_ok;
  std::printf("  TTL 64 -> 63, incremental update (RFC 1624 eqn. 3): 0x%04x -> 0x%04x, %s\n", stored, updated,
              update_ok ? "verifies" : "WRONG");

  std::printf("  throughput on 1500-byte packets, measured now:\n");
  for (cs::kernel k : cs::all_kernels) {
    if (!cs::is_supported(k)) continue;
    std::printf("    %-7s %6.2f GB/s\n", cs::to_string(k), measure(k) / 1e9);
  }
  std::printf("  checksum: %s\n\n", ok ? "passed" : "FAILED");
  return ok;
}

}  // namespace

int run_demo(std::span<const std::string_view> args) {
  if (!args.empty()) return fail("demo", "takes no arguments (see wirespan demo --help)", exit_usage);
  std::printf("wirespan %s demo: every codec on an embedded sample\n\n", wirespan::version.string);
  const bool ok = checksum_section();
  std::printf("demo: %s\n", ok ? "all sections passed" : "SOME SECTIONS FAILED");
  return ok ? exit_ok : exit_bad_input;
}

}  // namespace wirespan_cli
