// wirespan craft: build packets with the library's encoders.
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "cli.hpp"

namespace wirespan_cli {

const command craft_command{
    "craft",
    "build a packet (IPv4 + ICMP echo request) and print it as hex or write a pcap",
    "usage: wirespan craft icmp-echo --src A --dst B [--id N] [--seq N] [--ttl N]\n"
    "                                [--payload TEXT] [--pcap OUT]\n"
    "\n"
    "Builds an IPv4 datagram carrying an ICMP echo request from A to B (dotted quads),\n"
    "with identifier N (default 1), sequence number N (default 1), TTL N (default 64) and\n"
    "the payload TEXT (default empty); both checksums are computed. Prints the datagram as\n"
    "hex, or with --pcap writes it to OUT as a one-packet pcap file (link type raw IP).\n",
    &run_craft};

namespace {

template <class T>
bool number(std::string_view text, T& out) {
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && p == end;
}

}  // namespace

int run_craft(std::span<const std::string_view> args) {
  if (args.empty() || args[0] != "icmp-echo")
    return fail("craft", "the only packet kind is icmp-echo (see wirespan craft --help)", exit_usage);
  std::optional<wirespan::ipv4::address> src, dst;
  std::uint16_t id = 1, seq = 1;
  std::uint8_t ttl = 64;
  std::string payload;
  std::string pcap_path;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (i + 1 >= args.size()) return fail("craft", "option '" + std::string(a) + "' needs a value", exit_usage);
    const std::string_view v = args[++i];
    if (a == "--src" || a == "--dst") {
      auto addr = wirespan::ipv4::address::parse(v);
      if (!addr) return fail("craft", std::string(a) + ": '" + std::string(v) + "' is not an IPv4 address", exit_usage);
      (a == "--src" ? src : dst) = *addr;
    } else if (a == "--id") {
      if (!number(v, id)) return fail("craft", "--id: '" + std::string(v) + "' is not 0..65535", exit_usage);
    } else if (a == "--seq") {
      if (!number(v, seq)) return fail("craft", "--seq: '" + std::string(v) + "' is not 0..65535", exit_usage);
    } else if (a == "--ttl") {
      if (!number(v, ttl)) return fail("craft", "--ttl: '" + std::string(v) + "' is not 0..255", exit_usage);
    } else if (a == "--payload") {
      payload = std::string(v);
    } else if (a == "--pcap") {
      pcap_path = std::string(v);
    } else {
      return fail("craft", "unknown option '" + std::string(a) + "'", exit_usage);
    }
  }
  if (!src || !dst) return fail("craft", "--src and --dst are required", exit_usage);

  const wirespan::icmp::echo echo{.id = id, .sequence = seq, .payload = wirespan::as_bytes(payload)};
  std::vector<std::uint8_t> icmp(wirespan::icmp::encoded_size(echo));
  if (auto n = wirespan::icmp::encode(echo, icmp); !n) return fail("craft", wirespan::to_string(n.error()), exit_usage);
  wirespan::ipv4::header h;
  h.ttl = ttl;
  h.protocol = wirespan::ipv4::protocol_icmp;
  h.source = *src;
  h.destination = *dst;
  std::vector<std::uint8_t> packet(wirespan::ipv4::encoded_size(h, icmp.size()));
  if (auto n = wirespan::ipv4::encode(h, icmp, packet); !n)
    return fail("craft", wirespan::to_string(n.error()), exit_usage);

  if (pcap_path.empty()) {
    std::printf("%s\n", wirespan::to_hex(packet).c_str());
    return exit_ok;
  }
  wirespan::pcap::file_header fh;
  fh.linktype = fh.network = wirespan::pcap::linktype::raw;
  std::vector<std::uint8_t> file(wirespan::pcap::file_header_size + wirespan::pcap::record_size(packet));
  (void)wirespan::pcap::write_file_header(fh, file).value();
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  auto rec = wirespan::pcap::write_record(fh, static_cast<std::uint64_t>(now.tv_sec), static_cast<std::uint32_t>(now.tv_nsec),
                                          packet, 0, wirespan::mutable_bytes(file).subspan(wirespan::pcap::file_header_size));
  if (!rec) return fail("craft", wirespan::to_string(rec.error()), exit_bad_input);
  std::FILE* f = std::fopen(pcap_path.c_str(), "wb");
  if (!f) return fail("craft", pcap_path + ": " + std::strerror(errno), exit_bad_input);
  const bool written = std::fwrite(file.data(), 1, file.size(), f) == file.size();
  if (std::fclose(f) != 0 || !written) return fail("craft", pcap_path + ": write failed", exit_bad_input);
  return exit_ok;
}

}  // namespace wirespan_cli
