// wirespan checksum: the RFC 1071 Internet checksum of some bytes.
#include <cstdio>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "cli.hpp"

namespace wirespan_cli {

const command checksum_command{
    "checksum",
    "the RFC 1071 Internet checksum of hex text, a file or standard input",
    "usage: wirespan checksum [--kernel scalar|sse2|avx2] (--hex HEX | FILE | -)\n"
    "\n"
    "Prints the Internet checksum (RFC 1071) of the input as 4 lowercase hex digits: the\n"
    "one's complement of the one's complement sum of its 16-bit big-endian words, an odd\n"
    "last byte padded with zero. Over data that includes a correct checksum it prints 0000.\n"
    "\n"
    "  --hex HEX      the input as hex digits; spaces and ':' between bytes are ignored\n"
    "  FILE           read the input from FILE; '-' or no argument reads standard input\n"
    "  --kernel K     compute with kernel K instead of the fastest one this CPU supports\n"
    "\n"
    "example: wirespan checksum --hex 0001f203f4f5f6f7   prints 220d (RFC 1071 §3)\n",
    &run_checksum};

int run_checksum(std::span<const std::string_view> args) {
  const std::string_view cmd = "checksum";
  std::optional<std::string_view> hex;
  std::optional<std::string_view> file;
  std::optional<wirespan::checksum::kernel> kernel;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--hex" || a == "--kernel") {
      if (i + 1 >= args.size()) return fail(cmd, std::string(a) + " needs a value", exit_usage);
      const std::string_view v = args[++i];
      if (a == "--hex") {
        hex = v;
      } else {
        for (auto k : wirespan::checksum::all_kernels) {
          if (v == wirespan::checksum::to_string(k)) kernel = k;
        }
        if (!kernel) return fail(cmd, "unknown kernel '" + std::string(v) + "' (scalar, sse2, avx2)", exit_usage);
        if (!wirespan::checksum::is_supported(*kernel)) {
          return fail(cmd, "kernel " + std::string(v) + " is not supported by this CPU", exit_usage);
        }
      }
    } else if (a.size() > 1 && a[0] == '-') {
      return fail(cmd, "unknown option '" + std::string(a) + "' (see wirespan checksum --help)", exit_usage);
    } else if (file) {
      return fail(cmd, "more than one input file", exit_usage);
    } else {
      file = a;
    }
  }
  if (hex && file) return fail(cmd, "give --hex or a file, not both", exit_usage);

  std::vector<std::uint8_t> data;
  if (hex) {
    auto size = wirespan::hex_size(*hex);
    if (!size) return fail(cmd, wirespan::to_string(size.error()), exit_bad_input);
    data.resize(*size);
    (void)wirespan::parse_hex(*hex, data);
  } else {
    auto read = read_all(file.value_or("-"), cmd);
    if (!read) return exit_bad_input;
    data = std::move(*read);
  }
  const std::uint16_t sum = kernel ? wirespan::checksum::sum(data, *kernel) : wirespan::checksum::sum(data);
  std::printf("%04x\n", static_cast<unsigned>(static_cast<std::uint16_t>(~sum)));
  return exit_ok;
}

}  // namespace wirespan_cli
