// wirespan decode: one line, or one JSON object, per frame of a pcap/pcapng file.
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "cli.hpp"
#include "describe.hpp"

namespace wirespan_cli {

const command decode_command{
    "decode",
    "print the frames of a pcap or pcapng file, one line or one JSON object each",
    "usage: wirespan decode [--json] [--filter EXPRESSION] FILE\n"
    "\n"
    "Reads a capture file (classic pcap in either byte order, microsecond or nanosecond\n"
    "timestamps, or pcapng; \"-\" reads standard input) and prints one line per frame:\n"
    "number, seconds since the first frame, source, destination, protocol, captured length\n"
    "and a summary, like tshark's default output.\n"
    "\n"
    "--json prints JSON Lines instead: one object per frame with \"frame\" (1-based) and the\n"
    "decoded fields named by their Wireshark display-filter names (ip.src, tcp.flags, ...).\n"
    "Integers are JSON numbers, addresses strings. The fields of a datagram quoted inside an\n"
    "ICMP or ICMPv6 error are in the object \"icmp.quoted\" (same names); a frame whose\n"
    "dissection stopped early has \"error\": {\"layer\", \"message\"}.\n"
    "\n"
    "--filter EXPRESSION decodes only the frames a tcpdump filter expression accepts (see\n"
    "wirespan filter --help; Ethernet frames only); their numbers stay those of the file.\n"
    "\n"
    "Exit status: 0 when the file was read to the end (malformed frames are reported, not\n"
    "fatal), 1 when the file itself is malformed, 2 on bad usage.\n",
    &run_decode};

int run_decode(std::span<const std::string_view> args) {
  bool json = false;
  std::string_view path;
  std::optional<std::vector<wirespan::filter::instruction>> filter;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--filter") {
      if (i + 1 == args.size()) return fail("decode", "--filter needs an expression", exit_usage);
      filter = compile_expression("decode", args[++i]);
      if (!filter) return exit_bad_input;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return fail("decode", "unknown option '" + std::string(a) + "'", exit_usage);
    } else if (path.empty()) {
      path = a;
    } else {
      return fail("decode", "more than one file given", exit_usage);
    }
  }
  if (path.empty()) return fail("decode", "no capture file given (see wirespan decode --help)", exit_usage);
  auto file = read_all(path, "decode");
  if (!file) return exit_bad_input;
  auto reader = wirespan::capture::reader::open(*file, {.strict = false});
  if (!reader) return fail("decode", wirespan::to_string(reader.error()), exit_bad_input);
  wirespan::pcap::record rec;
  std::size_t number = 0;
  std::optional<double> first_time;
  while (true) {
    auto more = reader->next(rec);
    if (!more) {
      std::fflush(stdout);
      return fail("decode", wirespan::to_string(more.error()), exit_bad_input);
    }
    if (!*more) break;
    ++number;
    const double t = static_cast<double>(rec.seconds) + rec.nanoseconds / 1e9;
    if (!first_time) first_time = t;  // (the file's first frame, filtered out or not)
    if (filter && (rec.linktype != 1 || wirespan::filter::run(*filter, rec.data, rec.original_length) == 0)) continue;
    const auto layers = wirespan::dissect::frame(rec.data, rec.linktype, {.verify_checksums = true});
    const std::string line = json ? frame_json(number, rec, layers) : frame_line(number, t - *first_time, rec, layers);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
  return exit_ok;
}

}  // namespace wirespan_cli
