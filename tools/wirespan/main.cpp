// wirespan — the command-line front door of the library.
#include <array>
#include <cstdio>
#include <string_view>
#include <vector>

#include <wirespan/version.hpp>

#include "cli.hpp"

namespace {

constexpr std::array commands{&wirespan_cli::checksum_command, &wirespan_cli::craft_command,
                               &wirespan_cli::decode_command, &wirespan_cli::demo_command,
                               &wirespan_cli::filter_command,   &wirespan_cli::match_command,
                               &wirespan_cli::mqtt_command,     &wirespan_cli::protobuf_command};

void print_help(std::FILE* out) {
  std::fprintf(out,
               "wirespan %s — protocol codecs on the command line\n\n"
               "usage: wirespan <command> [options]\n"
               "       wirespan <command> --help\n"
               "       wirespan --version\n\n"
               "commands:\n",
               wirespan::version.string);
  for (const auto* c : commands) {
    std::fprintf(out, "  %-10.*s %.*s\n", static_cast<int>(c->name.size()), c->name.data(),
                 static_cast<int>(c->summary.size()), c->summary.data());
  }
  std::fprintf(out, "\nExit status: 0 success, 1 bad input data, 2 bad usage.\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_help(stderr);
    return wirespan_cli::exit_usage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_help(stdout);
    return wirespan_cli::exit_ok;
  }
  if (args[0] == "--version") {
    std::printf("wirespan %s\n", wirespan::version.string);
    return wirespan_cli::exit_ok;
  }
  for (const auto* c : commands) {
    if (c->name != args[0]) continue;
    const std::span<const std::string_view> rest(args.data() + 1, args.size() - 1);
    for (std::string_view a : rest) {
      if (a == "--help" || a == "-h") {
        std::printf("%.*s", static_cast<int>(c->usage.size()), c->usage.data());
        return wirespan_cli::exit_ok;
      }
    }
    return c->run(rest);
  }
  std::fprintf(stderr, "wirespan: unknown command '%.*s' (see wirespan --help)\n", static_cast<int>(args[0].size()),
               args[0].data());
  return wirespan_cli::exit_usage;
}
