// wirespan protobuf — protobuf wire-format tools: decode-raw (what `protoc --decode_raw` prints).
#include <cstdio>
#include <string>

#include <wirespan/protobuf/text.hpp>

#include "cli.hpp"

namespace wirespan_cli {

namespace {

constexpr std::string_view usage =
    "usage: wirespan protobuf decode-raw [--why] [FILE]\n"
    "\n"
    "decode-raw  Read one binary protobuf message from FILE (or standard input, or \"-\")\n"
    "            and print its fields without a schema, byte for byte as\n"
    "            `protoc --decode_raw` (libprotobuf 3.21) prints them: field numbers,\n"
    "            varints in decimal, fixed32/fixed64 as 0x-hex, length-delimited fields\n"
    "            as nested blocks when they parse as messages (at most 10 levels) and\n"
    "            as C-escaped strings otherwise, groups as blocks.\n"
    "            Input protoc rejects prints \"Failed to parse input.\" on stderr and\n"
    "            exits 1, as protoc does; --why adds the rule that was broken and its\n"
    "            byte offset on a second line.\n";

}  // namespace

int run_protobuf(std::span<const std::string_view> args) {
  if (args.empty() || args[0] != "decode-raw") {
    std::fprintf(stderr, "%.*s", static_cast<int>(usage.size()), usage.data());
    return exit_usage;
  }
  bool why = false;
  std::string_view path = "-";
  bool have_path = false;
  for (std::string_view a : args.subspan(1)) {
    if (a == "--why") {
      why = true;
    } else if (!have_path && (a == "-" || !a.starts_with("-"))) {
      path = a;
      have_path = true;
    } else {
      return fail("protobuf", "unexpected argument '" + std::string(a) + "' (see wirespan protobuf --help)",
                  exit_usage);
    }
  }
  auto data = read_all(path, "protobuf");
  if (!data) return exit_bad_input;
  std::string text;
  auto r = wirespan::protobuf::format_raw(wirespan::bytes(data->data(), data->size()), text);
  if (!r) {
    std::fputs("Failed to parse input.\n", stderr);
    if (why) std::fprintf(stderr, "%s\n", wirespan::to_string(r.error()).c_str());
    return exit_bad_input;
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return exit_ok;
}

const command protobuf_command{"protobuf", "protobuf wire format: decode-raw (like protoc --decode_raw)", usage,
                               run_protobuf};

}  // namespace wirespan_cli
