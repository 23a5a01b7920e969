#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli.hpp"

namespace wirespan_cli {

int fail(std::string_view cmd, const std::string& message, int code) {
  std::fprintf(stderr, "wirespan %.*s: %s\n", static_cast<int>(cmd.size()), cmd.data(), message.c_str());
  return code;
}

std::optional<std::vector<std::uint8_t>> read_all(std::string_view path, std::string_view cmd) {
  const bool is_stdin = path == "-";
  const std::string name(path);
  std::FILE* f = is_stdin ? stdin : std::fopen(name.c_str(), "rb");
  if (f == nullptr) {
    fail(cmd, "cannot open " + name + ": " + std::strerror(errno), exit_bad_input);
    return std::nullopt;
  }
  std::vector<std::uint8_t> data;
  std::uint8_t chunk[65536];
  std::size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) data.insert(data.end(), chunk, chunk + got);
  const bool error = std::ferror(f) != 0;
  if (!is_stdin) std::fclose(f);
  if (error) {
    fail(cmd, "cannot read " + (is_stdin ? std::string("standard input") : name), exit_bad_input);
    return std::nullopt;
  }
  return data;
}

}  // namespace wirespan_cli
