// wirespan filter / match — tcpdump expressions compiled to classic BPF, printed like
// `tcpdump -d/-dd/-ddd`, and run over the frames of a capture file.
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>
#include <string>

#include <wirespan/filter/compile.hpp>
#include <wirespan/filter/interpret.hpp>
#include <wirespan/filter/text.hpp>
#include <wirespan/pcap/capture.hpp>

#include "cli.hpp"

namespace wirespan_cli {

namespace {

constexpr std::string_view filter_usage =
    "usage: wirespan filter [-d | -dd | -ddd] [-O] [-y EN10MB | RAW | LINUX_SLL] [--] EXPRESSION...\n"
    "\n"
    "Compile a tcpdump filter expression (pcap-filter(7); the words are joined with spaces,\n"
    "as tcpdump does) to classic BPF for Ethernet frames and print the program: -d (the\n"
    "default) as mnemonics, -dd as C initialisers, -ddd as decimal numbers, in tcpdump's\n"
    "formats. The program accepts with 262144 and rejects with 0; it passes the Linux\n"
    "kernel's checks (SO_ATTACH_FILTER). A syntax error names the column. The program is\n"
    "optimized (with the verdicts of the unoptimized one on every packet, whole or cut)\n"
    "unless -O is given, as tcpdump does; an optimized program that rejects every packet\n"
    "is an error, as it is for tcpdump. Host names are looked up with getaddrinfo, as\n"
    "libpcap does (each address the name has is tested). Every argument after -- is a word\n"
    "of the expression (for one that starts with '-').\n"
    "Link types (-y, as tcpdump names them): EN10MB (Ethernet, the default), RAW (raw IPv4\n"
    "or IPv6), LINUX_SLL (Linux cooked capture).\n"
    "\n"
    "Exit status: 0 compiled, 1 the expression does not compile, 2 bad usage.\n";

constexpr std::string_view match_usage =
    "usage: wirespan match EXPRESSION FILE\n"
    "\n"
    "Print the 1-based numbers of the frames of the capture FILE (pcap or pcapng) that the\n"
    "tcpdump filter EXPRESSION accepts, one per line; the expression is compiled for each\n"
    "frame's link type: Ethernet, raw IP, Linux cooked capture. Frames of other link types\n"
    "are not matched (and counted on standard error).\n"
    "\n"
    "Exit status: 0 read to the end, 1 the expression or the file is bad, 2 bad usage.\n";

// Host names, looked up as libpcap does: getaddrinfo for TCP stream sockets (each address
// once), IPv4 and IPv6, in the order it gives them.
std::size_t system_resolver(std::string_view name, std::span<wirespan::filter::host_address> out, void*) {
  const std::string host(name);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  addrinfo* list = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &list) != 0) return 0;
  std::size_t n = 0;
  for (const addrinfo* a = list; a != nullptr && n < out.size(); a = a->ai_next) {
    if (a->ai_family == AF_INET) {
      sockaddr_in sin{};
      std::memcpy(&sin, a->ai_addr, sizeof sin);
      out[n].ipv6 = false;
      std::memcpy(out[n].octets.data(), &sin.sin_addr, 4);
      ++n;
    } else if (a->ai_family == AF_INET6) {
      sockaddr_in6 sin6{};
      std::memcpy(&sin6, a->ai_addr, sizeof sin6);
      out[n].ipv6 = true;
      std::memcpy(out[n].octets.data(), &sin6.sin6_addr, 16);
      ++n;
    }
  }
  freeaddrinfo(list);
  return n;
}

wirespan::filter::compile_options tool_options(wirespan::filter::link_type link, bool optimize = true) {
  wirespan::filter::compile_options options;
  options.optimize = optimize;
  options.link = link;
  options.resolve = &system_resolver;
  return options;
}

}  // namespace

const command filter_command{"filter", "compile a tcpdump expression to classic BPF (like tcpdump -d/-dd/-ddd)",
                             filter_usage, &run_filter};
const command match_command{"match", "the frames of a capture file that a tcpdump expression accepts", match_usage,
                            &run_match};

std::optional<std::vector<wirespan::filter::instruction>> compile_expression(std::string_view cmd,
                                                                            std::string_view expr, bool optimize,
                                                                            wirespan::filter::link_type link) {
  auto prog = wirespan::filter::compile(expr, tool_options(link, optimize));
  if (!prog) {
    fail(cmd, wirespan::to_string(prog.error()), exit_bad_input);
    std::fprintf(stderr, "  %.*s\n  %*s^\n", static_cast<int>(expr.size()), expr.data(),
                 static_cast<int>(prog.error().offset), "");
    return std::nullopt;
  }
  return std::move(*prog);
}

int run_filter(std::span<const std::string_view> args) {
  auto format = wirespan::filter::text_format::mnemonics;
  bool optimize = true;
  auto link = wirespan::filter::link_type::ethernet;
  std::string expr;
  bool options_end = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (options_end) {
      if (!expr.empty()) expr += ' ';
      expr += a;
    } else if (a == "--") {
      options_end = true;
    } else if (a == "-d") {
      format = wirespan::filter::text_format::mnemonics;
    } else if (a == "-dd") {
      format = wirespan::filter::text_format::c_array;
    } else if (a == "-ddd") {
      format = wirespan::filter::text_format::decimal;
    } else if (a == "-O") {
      optimize = false;
    } else if (a == "-y") {
      if (i + 1 == args.size()) return fail("filter", "-y needs a link type", exit_usage);
      const std::string_view type = args[++i];
      if (type == "EN10MB") {
        link = wirespan::filter::link_type::ethernet;
      } else if (type == "RAW") {
        link = wirespan::filter::link_type::raw;
      } else if (type == "LINUX_SLL") {
        link = wirespan::filter::link_type::linux_sll;
      } else {
        return fail("filter", "link type '" + std::string(type) + "' is not supported (EN10MB, RAW, LINUX_SLL)",
                    exit_usage);
      }
    } else {
      if (!expr.empty()) expr += ' ';
      expr += a;
    }
  }
  auto prog = compile_expression("filter", expr, optimize, link);
  if (!prog) return exit_bad_input;
  const std::string text = wirespan::filter::dump(*prog, format);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return exit_ok;
}

int run_match(std::span<const std::string_view> args) {
  if (args.size() != 2) {
    return fail("match", "an expression and a capture file are needed (see wirespan match --help)", exit_usage);
  }
  auto prog = compile_expression("match", args[0]);
  if (!prog) return exit_bad_input;
  // The other link types' programs, compiled when a frame of theirs comes (an expression
  // that does not compile for one, such as `ether host` on raw IP, matches none of its).
  std::optional<std::vector<wirespan::filter::instruction>> raw, sll;
  bool raw_tried = false, sll_tried = false;
  auto for_link = [&](wirespan::filter::link_type l, std::optional<std::vector<wirespan::filter::instruction>>& slot,
                      bool& tried) -> const std::vector<wirespan::filter::instruction>* {
    if (!tried) {
      tried = true;
      auto r = wirespan::filter::compile(args[0], tool_options(l));
      if (r) slot = std::move(*r);
    }
    return slot ? &*slot : nullptr;
  };
  auto file = read_all(args[1], "match");
  if (!file) return exit_bad_input;
  auto reader = wirespan::capture::reader::open(*file, {.strict = false});
  if (!reader) return fail("match", wirespan::to_string(reader.error()), exit_bad_input);
  wirespan::pcap::record rec;
  std::size_t number = 0, other_links = 0;
  while (true) {
    auto more = reader->next(rec);
    if (!more) {
      std::fflush(stdout);
      return fail("match", wirespan::to_string(more.error()), exit_bad_input);
    }
    if (!*more) break;
    ++number;
    const std::vector<wirespan::filter::instruction>* p = nullptr;
    if (rec.linktype == 1) {  // LINKTYPE_ETHERNET
      p = &*prog;
    } else if (rec.linktype == 101) {  // LINKTYPE_RAW
      p = for_link(wirespan::filter::link_type::raw, raw, raw_tried);
    } else if (rec.linktype == 113) {  // LINKTYPE_LINUX_SLL
      p = for_link(wirespan::filter::link_type::linux_sll, sll, sll_tried);
    } else {
      ++other_links;
      continue;
    }
    if (p != nullptr && wirespan::filter::run(*p, rec.data, rec.original_length) != 0) std::printf("%zu\n", number);
  }
  if (other_links != 0) {
    std::fprintf(stderr, "wirespan match: %zu frames of other link types than Ethernet, raw IP and Linux cooked "
                 "capture, not matched\n", other_links);
  }
  return exit_ok;
}

}  // namespace wirespan_cli
