// The wirespan tool's command table and shared helpers. Each subcommand lives in its own
// cmd_<name>.cpp and registers itself here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <wirespan/filter/bpf.hpp>
#include <wirespan/filter/compile.hpp>

namespace wirespan_cli {

struct command {
  std::string_view name;
  std::string_view summary;  // one line for `wirespan --help`
  std::string_view usage;    // the full text of `wirespan <name> --help`
  int (*run)(std::span<const std::string_view> args);
};

int run_checksum(std::span<const std::string_view> args);
int run_demo(std::span<const std::string_view> args);
int run_decode(std::span<const std::string_view> args);
int run_craft(std::span<const std::string_view> args);
int run_protobuf(std::span<const std::string_view> args);
int run_filter(std::span<const std::string_view> args);
int run_match(std::span<const std::string_view> args);
int run_mqtt(std::span<const std::string_view> args);

extern const command checksum_command;
extern const command demo_command;
extern const command decode_command;
extern const command craft_command;
extern const command protobuf_command;
extern const command filter_command;
extern const command match_command;
extern const command mqtt_command;

/// Exit codes: 0 success, 1 bad input data, 2 bad usage.
inline constexpr int exit_ok = 0;
inline constexpr int exit_bad_input = 1;
inline constexpr int exit_usage = 2;

/// Print "wirespan <cmd>: <message>" to stderr and return `code`.
int fail(std::string_view cmd, const std::string& message, int code);

/// Compile a tcpdump expression for a command; prints the error with a caret under its
/// column and returns nothing on failure.
std::optional<std::vector<wirespan::filter::instruction>> compile_expression(std::string_view cmd,
                                                                            std::string_view expr,
                                                                            bool optimize = true,
                                                                            wirespan::filter::link_type link =
                                                                                wirespan::filter::link_type::ethernet);

/// Read a whole file ("-" is standard input). Empty optional on error (errno is reported).
std::optional<std::vector<std::uint8_t>> read_all(std::string_view path, std::string_view cmd);

}  // namespace wirespan_cli
