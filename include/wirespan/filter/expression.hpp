// wirespan/filter/expression.hpp — the pcap-filter(7) language: lexer, parser, AST.
//
// `parse(text)` turns a tcpdump expression into an `expression`: a tree of and/or/not over
// primitives (`host 10.0.0.1`, `tcp port 443`, `net 10.0.0.0/8`, `ether broadcast`,
// `greater 1400`, ...) and relations over packet data (`tcp[tcpflags] & tcp-syn != 0`).
// The grammar is libpcap's: `not` binds tightest, `and` and `or` have equal precedence and
// group left to right; arithmetic is unsigned 32-bit with libpcap's precedences (unary
// minus, then `* / %`, `+ -`, `<< >>`, `&`, `^`, `|`); a bare value after `and`/`or`
// takes the qualifiers of the primitive before it (`host 10.0.0.1 or 10.0.0.2`).
// Well-known port and protocol names are built in; a host name is kept as a name, which
// the compiler looks up through the resolver its caller passes (compile.hpp).
//
// Errors are `malformed` with the column (0-based byte offset) where the parser stopped and
// what it expected there. Constexpr, so that compile-time filters run the same parser.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "../core/result.hpp"
#include "../ip/ipv4_address.hpp"
#include "../ip/ipv6_address.hpp"

namespace wirespan::filter {

/// Protocol qualifiers.
enum class proto : std::uint8_t { none, ether, ip, ip6, arp, rarp, tcp, udp, sctp, icmp, icmp6, igmp };
/// Direction qualifiers.
enum class direction : std::uint8_t { none, src, dst, src_or_dst, src_and_dst };
/// What a primitive tests.
enum class primitive_kind : std::uint8_t {
  host,         ///< host A (IPv4 or IPv6 address, or MAC with ether)
  net,          ///< net A/len, net A mask M
  port,         ///< port N
  portrange,    ///< portrange A-B
  protocol,     ///< ip proto N, ether proto N, proto N
  abbreviation, ///< tcp, ip, arp, ... alone
  greater,      ///< greater N: the wire length >= N
  less,         ///< less N: the wire length <= N
  broadcast,    ///< ether / ip broadcast
  multicast,    ///< ether / ip / ip6 multicast
  vlan,         ///< vlan [id]: an 802.1Q/802.1ad tag (the headers after it move by 4 bytes)
};

/// One primitive with its qualifiers and value.
struct primitive {
  primitive_kind kind = primitive_kind::host;
  proto protocol = proto::none;
  direction dir = direction::none;
  /// `name`: a host name, looked up when compiling through `compile_options::resolve`.
  enum class value_kind : std::uint8_t { none, number, ipv4, ipv6, mac, name } value = value_kind::none;
  std::uint32_t number = 0;   ///< port, protocol number, length; portrange: the low end
  std::uint32_t high = 0;     ///< portrange: the high end
  std::array<std::uint8_t, 16> address{};  ///< IPv4 (4 bytes), IPv6 (16), MAC (6)
  std::uint8_t prefix = 0;   ///< net: prefix length in bits
  std::string_view name;     ///< a host name (a view into the parsed text)
  std::size_t column = 0;
};

/// Arithmetic: numbers, `len`, packet accessors, operators.
enum class arith_kind : std::uint8_t {
  number, length, load, plus, minus, times, quotient, remainder, bit_and, bit_or, bit_xor, shift_left, shift_right, negate
};

struct arith_node {
  arith_kind kind = arith_kind::number;
  std::uint32_t value = 0;      ///< number; load: its size (1, 2, 4)
  proto base = proto::ether;    ///< load: whose header the index counts from
  std::int32_t left = -1;       ///< operands (indices into expression::ariths); load: the index
  std::int32_t right = -1;
  std::size_t column = 0;
};

/// Relations between two arithmetic expressions.
enum class relop : std::uint8_t { gt, ge, eq, lt, le, ne };

/// A node of the boolean tree.
struct node {
  enum class kind_t : std::uint8_t { and_node, or_node, not_node, primitive, relation } kind = kind_t::primitive;
  std::int32_t left = -1;   ///< and/or: operands; not: the operand; relation: left arith
  std::int32_t right = -1;  ///< relation: right arith
  std::int32_t prim = -1;   ///< primitive: index into expression::primitives
  relop op = relop::eq;
};

/// A parsed expression: its boolean tree (root last), its primitives and arithmetic.
struct expression {
  std::vector<node> nodes;
  std::vector<filter::primitive> primitives;
  std::vector<arith_node> ariths;
  std::int32_t root = -1;  ///< -1: the empty expression (matches everything)
};

namespace detail {


enum class tok : std::uint8_t {
  end, id, number, lparen, rparen, lbracket, rbracket, colon, plus, minus, star, slash, percent, amp, pipe, caret,
  shl, shr, gt, ge, eq, lt, le, ne, bang, andand, oror
};

struct token {
  tok kind = tok::end;
  std::string_view text;
  std::uint32_t number = 0;
  std::size_t column = 0;
  bool escaped = false;  // written with a backslash (\tcp): a keyword used as a name
};

constexpr bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The same word. (string_view's == calls the C library's memcmp for text not known at
// compile time; for the parser's short words, comparing here is several times cheaper.)
constexpr bool same_word(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Words: libpcap's identifiers and addresses ([A-Za-z0-9] then [-_.:/A-Za-z0-9]*), which
// also take in IPv4/IPv6/MAC addresses and prefixes; a word of digits is a number.
constexpr bool is_word_char(char c) noexcept { return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == ':'; }

constexpr int hex_digit(char c) noexcept {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

// A MAC address in one of libpcap's forms: six groups of one or two hex digits separated
// by ':', by '-' or by '.'; three groups of four separated by '.'; twelve hex digits.
constexpr bool parse_mac(std::string_view w, std::array<std::uint8_t, 16>& out) noexcept {
  const auto all_hex = [](std::string_view g) {
    for (char c : g) {
      if (hex_digit(c) < 0) return false;
    }
    return true;
  };
  if (w.size() == 12 && all_hex(w)) {
    for (std::size_t k = 0; k < 6; ++k) {
      out[k] = static_cast<std::uint8_t>(hex_digit(w[2 * k]) * 16 + hex_digit(w[2 * k + 1]));
    }
    return true;
  }
  if (w.size() == 14 && w[4] == '.' && w[9] == '.' && all_hex(w.substr(0, 4)) && all_hex(w.substr(5, 4)) &&
      all_hex(w.substr(10, 4))) {
    std::size_t k = 0;
    for (std::size_t g = 0; g < 3; ++g) {
      for (std::size_t h = 0; h < 4; h += 2) {
        out[k++] = static_cast<std::uint8_t>(hex_digit(w[g * 5 + h]) * 16 + hex_digit(w[g * 5 + h + 1]));
      }
    }
    return true;
  }
  char sep = 0;
  for (char c : w) {
    if (c == ':' || c == '-' || c == '.') {
      sep = c;
      break;
    }
  }
  if (sep == 0) return false;
  std::size_t k = 0;
  std::uint32_t v = 0;
  int digits = 0;
  for (std::size_t i = 0; i <= w.size(); ++i) {
    const char c = i < w.size() ? w[i] : sep;
    const int d = hex_digit(c);
    if (d >= 0) {
      v = v * 16 + static_cast<std::uint32_t>(d);
      if (++digits > 2) return false;
    } else if (c == sep) {
      if (digits == 0 || k == 6) return false;
      out[k++] = static_cast<std::uint8_t>(v);
      v = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return k == 6;
}

struct lexer {
  std::string_view s;
  std::size_t i = 0;
  bool failed = false;
  std::size_t fail_column = 0;

  constexpr token next() noexcept {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    token t;
    t.column = i;
    if (i >= s.size()) return t;
    const char c = s[i];
    auto one = [&](tok k, std::size_t n) {
      t.kind = k;
      t.text = s.substr(i, n);
      i += n;
      return t;
    };
    auto peek = [&](std::size_t k) { return i + k < s.size() ? s[i + k] : '\0'; };
    switch (c) {
      case '(': return one(tok::lparen, 1);
      case ')': return one(tok::rparen, 1);
      case '[': return one(tok::lbracket, 1);
      case ']': return one(tok::rbracket, 1);
      case '+': return one(tok::plus, 1);
      case '-': return one(tok::minus, 1);
      case '*': return one(tok::star, 1);
      case '/': return one(tok::slash, 1);
      case '%': return one(tok::percent, 1);
      case '^': return one(tok::caret, 1);
      case '&': return peek(1) == '&' ? one(tok::andand, 2) : one(tok::amp, 1);
      case '|': return peek(1) == '|' ? one(tok::oror, 2) : one(tok::pipe, 1);
      case '>': return peek(1) == '>' ? one(tok::shr, 2) : peek(1) == '=' ? one(tok::ge, 2) : one(tok::gt, 1);
      case '<': return peek(1) == '<' ? one(tok::shl, 2) : peek(1) == '=' ? one(tok::le, 2) : one(tok::lt, 1);
      case '=': return peek(1) == '=' ? one(tok::eq, 2) : one(tok::eq, 1);
      case '!': return peek(1) == '=' ? one(tok::ne, 2) : one(tok::bang, 1);
      case ':':
        // An IPv6 address may start with "::"; a lone ':' is the accessor's size separator.
        if (peek(1) != ':') return one(tok::colon, 1);
        break;
      default: break;
    }
    // An escaped word (\tcp) runs, as in libpcap's scanner, to the next blank, '!', '('
    // or ')': `\0000000&&0000000` is one name (libpcap: "unknown port").
    const auto ends_escape = [](char e) { return e == ' ' || e == '!' || e == '(' || e == ')' || e == '\n' || e == '\t'; };
    if (c == '\\' && i + 1 < s.size() && !ends_escape(s[i + 1])) {
      const std::size_t from = ++i;
      while (i < s.size() && !ends_escape(s[i])) ++i;
      t.text = s.substr(from, i - from);
      t.kind = tok::id;
      t.escaped = true;
      return t;
    }
    if (!is_word_char(s[i])) {
      t.kind = tok::end;
      failed = true;
      fail_column = i;
      return t;
    }
    const std::size_t start = i;
    while (i < s.size() && is_word_char(s[i])) ++i;
    // A ':' belongs to the word only in an IPv6 or MAC address; otherwise ("0:2" in an
    // accessor) the word ends before it.
    const std::string_view greedy = s.substr(start, i - start);
    if (greedy.find(':') != std::string_view::npos) {
      std::array<std::uint8_t, 16> mac{};
      if (!ipv6::address::parse(greedy) && !parse_mac(greedy, mac)) i = start + greedy.find(':');
    }
    t.text = s.substr(start, i - start);
    t.kind = tok::id;
    // Numbers: decimal, 0x hex, leading-0 octal (libpcap's stoulen).
    const std::string_view w = t.text;
    bool digits = true;
    for (char d : w) digits = digits && d >= '0' && d <= '9';
    if (w.size() > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
      std::uint64_t v = 0;
      bool ok = true;
      for (std::size_t k = 2; k < w.size(); ++k) {
        const char d = w[k];
        const int digit = d >= '0' && d <= '9' ? d - '0' : d >= 'a' && d <= 'f' ? d - 'a' + 10 : d >= 'A' && d <= 'F' ? d - 'A' + 10 : -1;
        if (digit < 0) ok = false;
        v = v * 16 + static_cast<std::uint64_t>(digit < 0 ? 0 : digit);
        if (v > 0xffffffffu) ok = false;
      }
      if (ok) {
        t.kind = tok::number;
        t.number = static_cast<std::uint32_t>(v);
      }
    } else if (digits && w.size() != 12) {  // (twelve digits: a MAC address, as in libpcap)
      std::uint64_t v = 0;
      const unsigned base = w.size() > 1 && w[0] == '0' ? 8 : 10;
      bool ok = true;
      for (char d : w) {
        if (base == 8 && d > '7') ok = false;
        v = v * base + static_cast<std::uint64_t>(d - '0');
        if (v > 0xffffffffu) ok = false;
      }
      if (ok) {
        t.kind = tok::number;
        t.number = static_cast<std::uint32_t>(v);
      } else {
        failed = true;
        fail_column = start;
      }
    }
    return t;
  }
};

struct named_number {
  std::string_view name;
  std::uint32_t value;
};

// Names usable as numbers in arithmetic (pcap-filter(7)).
inline constexpr named_number arith_names[] = {
    {"tcpflags", 13}, {"tcp-fin", 0x01}, {"tcp-syn", 0x02}, {"tcp-rst", 0x04}, {"tcp-push", 0x08},
    {"tcp-ack", 0x10}, {"tcp-urg", 0x20}, {"tcp-ece", 0x40}, {"tcp-cwr", 0x80},
    {"icmptype", 0}, {"icmpcode", 1}, {"icmp-echoreply", 0}, {"icmp-unreach", 3}, {"icmp-sourcequench", 4},
    {"icmp-redirect", 5}, {"icmp-echo", 8}, {"icmp-routeradvert", 9}, {"icmp-routersolicit", 10},
    {"icmp-timxceed", 11}, {"icmp-paramprob", 12}, {"icmp-tstamp", 13}, {"icmp-tstampreply", 14},
    {"icmp-ireq", 15}, {"icmp-ireqreply", 16}, {"icmp-maskreq", 17}, {"icmp-maskreply", 18},
    {"icmp6type", 0}, {"icmp6code", 1}, {"icmp6-destinationunreach", 1}, {"icmp6-packettoobig", 2},
    {"icmp6-timeexceeded", 3}, {"icmp6-parameterproblem", 4}, {"icmp6-echo", 128}, {"icmp6-echoreply", 129},
    {"icmp6-multicastlistenerquery", 130}, {"icmp6-multicastlistenerreportv1", 131},
    {"icmp6-multicastlistenerdone", 132}, {"icmp6-routersolicit", 133}, {"icmp6-routeradvert", 134},
    {"icmp6-neighborsolicit", 135}, {"icmp6-neighboradvert", 136}, {"icmp6-redirect", 137},
    {"icmp6-routerrenum", 138}, {"icmp6-nodeinformationquery", 139}, {"icmp6-nodeinformationresponse", 140},
    {"icmp6-ineighbordiscoverysolicit", 141}, {"icmp6-ineighbordiscoveryadvert", 142},
    {"icmp6-multicastlistenerreportv2", 143}, {"icmp6-homeagentdiscoveryrequest", 144},
    {"icmp6-homeagentdiscoveryreply", 145}, {"icmp6-mobileprefixsolicit", 146},
    {"icmp6-mobileprefixadvert", 147}, {"icmp6-certpathsolicit", 148}, {"icmp6-certpathadvert", 149},
    {"icmp6-multicastrouteradvert", 151}, {"icmp6-multicastroutersolicit", 152},
    {"icmp6-multicastrouterterm", 153},
};

// Well-known ports: Debian 12's /etc/services (netbase), with the transports each is
// listed for. As in libpcap, a name listed for TCP only (or UDP only) makes an unqualified
// `port NAME` that transport's port.
struct named_port {
  std::string_view name;
  std::uint32_t value;
  bool tcp;
  bool udp;
};
inline constexpr named_port port_names[] = {
    {"echo", 7, true, true}, {"discard", 9, true, true}, {"ftp-data", 20, true, false}, {"ftp", 21, true, false},
    {"ssh", 22, true, false}, {"telnet", 23, true, false}, {"smtp", 25, true, false}, {"domain", 53, true, true},
    {"bootps", 67, false, true}, {"bootpc", 68, false, true}, {"tftp", 69, false, true}, {"gopher", 70, true, false},
    {"finger", 79, true, false}, {"http", 80, true, false}, {"www", 80, true, false}, {"kerberos", 88, true, true},
    {"pop3", 110, true, false}, {"sunrpc", 111, true, true}, {"auth", 113, true, false}, {"nntp", 119, true, false},
    {"ntp", 123, false, true}, {"netbios-ns", 137, false, true}, {"netbios-dgm", 138, false, true},
    {"netbios-ssn", 139, true, false}, {"imap2", 143, true, false}, {"imap", 143, true, false},
    {"snmp", 161, true, true}, {"snmp-trap", 162, true, true}, {"bgp", 179, true, false}, {"ldap", 389, true, true},
    {"https", 443, true, true}, {"microsoft-ds", 445, true, false}, {"isakmp", 500, false, true},
    {"syslog", 514, true, true}, {"submission", 587, true, false}, {"ldaps", 636, true, true},
    {"rsync", 873, true, false}, {"imaps", 993, true, false}, {"pop3s", 995, true, false}, {"socks", 1080, true, false},
    {"openvpn", 1194, true, true}, {"mysql", 3306, true, false}, {"sip", 5060, true, true},
    {"postgresql", 5432, true, false}, {"http-alt", 8080, true, false},
};

// Primitives of pcap-filter(7) that wirespan does not compile (yet).
inline constexpr std::string_view unsupported_words[] = {
    "mpls", "pppoed", "pppoes", "geneve", "protochain", "gateway", "llc", "decnet", "iso", "atalk", "aarp",
    "ipx", "netbeui", "stp", "wlan", "type", "subtype", "inbound", "outbound", "ifname", "on", "rnr", "rulenum",
    "reason", "rset", "srnr", "subrulenum", "action", "fddi", "tr", "ppp", "slip", "radio", "lat", "mopdl",
    "moprc", "sca", "clnp", "esis", "isis", "carp", "vrrp", "ah", "esp", "pim", "igrp", "atm"
};
// Words that are never a value after a qualifier.
inline constexpr std::string_view value_keywords[] = {
    "and", "or", "not", "host", "net", "port", "portrange", "proto", "src", "dst", "greater", "less",
    "broadcast", "multicast", "len", "vlan"
};
// Protocol names (as libpcap's scanner knows them).
inline constexpr std::string_view protocol_keywords[] = {
    "tcp", "udp", "icmp", "icmp6", "igmp", "sctp", "ah", "esp", "pim", "vrrp", "carp", "igrp", "ip", "ip6",
    "arp", "rarp"
};
// Every word libpcap's scanner makes a keyword (scanner.l, libpcap 1.10): unescaped, none
// of them is a host name.
inline constexpr std::string_view libpcap_keywords[] = {
    "dst", "src", "link", "ether", "ppp", "slip", "fddi", "tr", "wlan", "arp", "rarp", "ip", "sctp", "tcp", "udp",
    "icmp", "igmp", "igrp", "pim", "vrrp", "carp", "radio", "ip6", "icmp6", "ah", "esp", "atalk", "aarp", "decnet",
    "lat", "sca", "moprc", "mopdl", "iso", "esis", "es-is", "isis", "is-is", "l1", "l2", "iih", "lsp", "snp", "csnp",
    "psnp", "clnp", "stp", "ipx", "netbeui", "host", "net", "mask", "port", "portrange", "proto", "protochain",
    "gateway", "type", "subtype", "direction", "dir", "address1", "addr1", "address2", "addr2", "address3", "addr3",
    "address4", "addr4", "ra", "ta", "less", "greater", "byte", "broadcast", "multicast", "and", "or", "not", "len",
    "length", "inbound", "outbound", "ifindex", "vlan", "mpls", "pppoed", "pppoes", "geneve", "lane", "llc", "metac",
    "bcc", "oam", "oamf4", "oamf4ec", "oamf4sc", "sc", "ilmic", "vpi", "vci", "connectmsg", "metaconnect", "on",
    "ifname", "rset", "ruleset", "rnr", "rulenum", "srnr", "subrulenum", "reason", "action", "fisu", "lssu", "lsu",
    "msu", "hfisu", "hlssu", "hmsu", "sio", "opc", "dpc", "sls", "hsio", "hopc", "hdpc", "hsls"};

inline constexpr named_number protocol_names[] = {
    {"icmp", 1}, {"igmp", 2}, {"tcp", 6}, {"udp", 17}, {"ipv6", 41}, {"gre", 47}, {"esp", 50}, {"ah", 51},
    {"ipv6-icmp", 58}, {"pim", 103}, {"vrrp", 112}, {"sctp", 132},  // (Debian 12 /etc/protocols)
};

// The words the parser asks about at almost every token (is it a protocol, a name for a
// number, a keyword that is never a value, a primitive not supported?), in one table
// made at compile time: one probe per question, not a walk over the lists above.
struct word_info {
  std::string_view text;  // (empty: a free slot)
  proto protocol = proto::none;
  bool value_keyword = false;
  bool unsupported = false;
  bool arith = false;
  std::uint32_t arith_value = 0;
};
inline constexpr std::size_t word_slots = 512;  // (a power of two, over twice the words)
// The slot of t that holds w, or the free one where it would go.
constexpr std::size_t word_slot(const std::array<word_info, word_slots>& t, std::string_view w) noexcept {
  std::uint32_t h = 2166136261u;
  for (char c : w) h = (h ^ static_cast<std::uint8_t>(c)) * 16777619u;
  std::size_t s = (h ^ (h >> 16)) & (word_slots - 1);
  while (!t[s].text.empty() && !same_word(t[s].text, w)) s = (s + 1) & (word_slots - 1);
  return s;
}
constexpr std::array<word_info, word_slots> make_word_table() noexcept {
  std::array<word_info, word_slots> t{};
  auto entry = [&t](std::string_view w) -> word_info& {
    word_info& e = t[word_slot(t, w)];
    e.text = w;
    return e;
  };
  for (const named_number& n : arith_names) {
    word_info& e = entry(n.name);
    e.arith = true;
    e.arith_value = n.value;
  }
  for (std::string_view w : unsupported_words) entry(w).unsupported = true;
  for (std::string_view w : value_keywords) entry(w).value_keyword = true;
  const std::pair<std::string_view, proto> protocols[] = {
      {"ether", proto::ether}, {"link", proto::ether}, {"ip", proto::ip},     {"ip6", proto::ip6},
      {"arp", proto::arp},     {"rarp", proto::rarp},  {"tcp", proto::tcp},   {"udp", proto::udp},
      {"sctp", proto::sctp},   {"icmp", proto::icmp},  {"icmp6", proto::icmp6}, {"igmp", proto::igmp}};
  for (const auto& [w, q] : protocols) entry(w).protocol = q;
  return t;
}
inline constexpr std::array<word_info, word_slots> word_table = make_word_table();
// What the table knows of w (all false and none when it is not there).
constexpr const word_info& word_of(std::string_view w) noexcept { return word_table[word_slot(word_table, w)]; }
// A name for a number in arithmetic (tcpflags, tcp-syn, icmp-echo, ...).
constexpr bool arith_name(std::string_view w, std::uint32_t& out) noexcept {
  const word_info& e = word_of(w);
  out = e.arith_value;
  return e.arith;
}

constexpr bool lookup(const named_number* table, std::size_t n, std::string_view name, std::uint32_t& out) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    if (same_word(table[i].name, name)) {
      out = table[i].value;
      return true;
    }
  }
  return false;
}

struct parser {
  lexer lex;
  token cur;
  expression out;
  error err{};
  bool failed = false;
  // The qualifiers of the last primitive, for a bare value after and/or.
  primitive last{};
  bool have_last = false;

  constexpr void advance() noexcept {
    cur = lex.next();
    if (lex.failed && !failed) fail(lex.fail_column, "filter: expected a word, a number or an operator");
  }
  // `what`: "filter: expected ..." (the column is the error's offset).
  constexpr void fail(std::size_t column, const char* what) noexcept {
    if (failed) return;
    failed = true;
    err = make_error(errc::malformed, column, what);
  }
  // (An escaped word, \tcp, is a name: never a keyword or a protocol qualifier.)
  constexpr bool is_word(std::string_view w) const noexcept {
    return cur.kind == tok::id && !cur.escaped && same_word(cur.text, w);
  }
  constexpr proto cur_proto() const noexcept { return cur.escaped ? proto::none : proto_of(cur.text); }

  // Nesting: the parser's recursion (parentheses, not, unary minus, '%' and '^') and the
  // depth of the trees it builds (a chain of and/or, or of + - * /, is as deep as it is
  // long) are bounded, so that neither the parser nor the compiler's recursion can exhaust
  // the stack on any input.
  static constexpr std::size_t max_depth = 256;       // the parser's recursion
  static constexpr std::size_t max_tree_depth = 4096;  // the trees' (so: 4096 hosts or'ed)
  std::size_t depth = 0;
  std::vector<std::uint16_t> node_depth;
  std::vector<std::uint16_t> arith_depth;
  struct nesting {
    parser& p;
    constexpr explicit nesting(parser& q) : p(q) { ++p.depth; }
    constexpr ~nesting() { --p.depth; }
    nesting(const nesting&) = delete;
    nesting& operator=(const nesting&) = delete;
  };
  constexpr bool too_deep() {
    if (depth <= max_depth) return false;
    if (!failed) {
      failed = true;
      err = make_error(errc::limit_exceeded, cur.column, "filter: expression nested more than {} levels deep", max_depth);
    }
    return true;
  }
  constexpr bool deepen(std::vector<std::uint16_t>& depths, std::size_t d, std::size_t column) {
    depths.push_back(static_cast<std::uint16_t>(d > max_tree_depth ? max_tree_depth + 1 : d));
    if (d <= max_tree_depth || failed) return true;
    failed = true;
    err = make_error(errc::limit_exceeded, column, "filter: expression more than {} terms deep", max_tree_depth);
    return false;
  }
  static constexpr std::size_t depth_of(const std::vector<std::uint16_t>& depths, std::int32_t i) noexcept {
    return i < 0 || static_cast<std::size_t>(i) >= depths.size() ? 0 : depths[static_cast<std::size_t>(i)];
  }

  constexpr std::int32_t add_node(node n) {
    std::size_t d = 1;
    if (n.kind == node::kind_t::relation) {
      const std::size_t l = depth_of(arith_depth, n.left), r = depth_of(arith_depth, n.right);
      d += l > r ? l : r;
    } else if (n.kind != node::kind_t::primitive) {
      const std::size_t l = depth_of(node_depth, n.left), r = depth_of(node_depth, n.right);
      d += l > r ? l : r;
    }
    deepen(node_depth, d, cur.column);
    out.nodes.push_back(n);
    return static_cast<std::int32_t>(out.nodes.size() - 1);
  }
  constexpr std::int32_t add_arith(arith_node a) {
    const std::size_t l = depth_of(arith_depth, a.left), r = depth_of(arith_depth, a.right);
    deepen(arith_depth, 1 + (l > r ? l : r), a.column);
    out.ariths.push_back(a);
    return static_cast<std::int32_t>(out.ariths.size() - 1);
  }

  // expr: term ((and|or) term)*
  constexpr std::int32_t parse_expr() {
    std::int32_t left = parse_term();
    while (!failed) {
      node::kind_t k;
      if (is_word("and") || cur.kind == tok::andand) {
        k = node::kind_t::and_node;
      } else if (is_word("or") || cur.kind == tok::oror) {
        k = node::kind_t::or_node;
      } else {
        break;
      }
      advance();
      std::int32_t right = parse_term(true);
      node n;
      n.kind = k;
      n.left = left;
      n.right = right;
      left = add_node(n);
    }
    return left;
  }

  // After and/or, libpcap's grammar takes either a term (a primitive with its qualifiers,
  // a protocol, a relation, `not` term, a parenthesized expression) or an "id": a bare
  // value, `not` id, a parenthesized list of ids, which takes the qualifiers in force
  // (`host 10.0.0.1 or not (10.0.0.2 or 10.0.0.3)`). Which one is decided by the first
  // token past any `not` and `(`: a value word starts an id; a number starts one unless
  // an operator follows it (and the `)` after it), which makes it a relation.
  constexpr bool id_follows() const noexcept {
    lexer l = lex;
    token t = cur;
    while ((t.kind == tok::id && !t.escaped && same_word(t.text, "not")) || t.kind == tok::bang || t.kind == tok::lparen) {
      t = l.next();
    }
    if (number_like(t)) {
      t = l.next();
      while (t.kind == tok::rparen) t = l.next();
      return !(level_of(t.kind) != 0 || t.kind == tok::percent || t.kind == tok::caret || t.kind == tok::gt ||
               t.kind == tok::ge || t.kind == tok::eq || t.kind == tok::lt || t.kind == tok::le || t.kind == tok::ne ||
               t.kind == tok::lbracket);
    }
    return value_word(t);
  }

  // term: not term | primary (or, after and/or, an id)
  constexpr std::int32_t parse_term(bool after_connective = false) {
    if (failed) return -1;
    nesting guard(*this);
    if (too_deep()) return -1;
    if (after_connective && id_follows()) return parse_id(last, last_has_value());
    if (is_word("not") || cur.kind == tok::bang) {
      advance();
      node n;
      n.kind = node::kind_t::not_node;
      n.left = parse_term();
      return add_node(n);
    }
    return parse_primary();
  }

  // id: a value | not id | '(' list ')', with the qualifiers `ctx` (valid: there are
  // some; libpcap: a syntax error otherwise).
  constexpr std::int32_t parse_id(const primitive& ctx, bool valid) {
    if (failed) return -1;
    nesting guard(*this);
    if (too_deep()) return -1;
    if (is_word("not") || cur.kind == tok::bang) {
      advance();
      node n;
      n.kind = node::kind_t::not_node;
      n.left = parse_id(ctx, valid);
      return add_node(n);
    }
    if (cur.kind == tok::lparen) {
      bool single_number = false;
      return parse_id_list(ctx, valid, single_number);
    }
    return parse_leaf(ctx, valid);
  }

  // '(' ... ')' in an id: a number in parentheses, `(443)` or `((443))`; or a list of ids
  // joined by and/or, which starts with a value, a number, or not (libpcap's grammar
  // rejects `((10.0.0.1) or 10.0.0.2)` and `((10.0.0.1))`).
  constexpr std::int32_t parse_id_list(const primitive& ctx, bool valid, bool& single_number) {
    nesting guard(*this);
    if (too_deep()) return -1;
    advance();
    std::int32_t left = -1;
    bool number_first = false;
    if (cur.kind == tok::lparen) {
      const std::size_t col = cur.column;
      bool inner = false;
      left = parse_id_list(ctx, valid, inner);
      if (failed) return -1;
      if (!inner) {
        fail(col, "filter: expected a value or not (a parenthesized list cannot begin with another)");
        return -1;
      }
      number_first = true;
    } else if (cur.kind == tok::number) {
      left = parse_leaf(ctx, valid);
      number_first = true;
    } else {
      left = parse_id(ctx, valid);
    }
    if (failed) return -1;
    single_number = false;
    if (number_first && cur.kind == tok::rparen) {
      advance();
      single_number = true;
      return left;
    }
    while (!failed && (is_word("and") || cur.kind == tok::andand || is_word("or") || cur.kind == tok::oror)) {
      node n;
      n.kind = is_word("and") || cur.kind == tok::andand ? node::kind_t::and_node : node::kind_t::or_node;
      advance();
      n.left = left;
      n.right = parse_id(ctx, valid);
      left = add_node(n);
    }
    if (failed) return -1;
    if (cur.kind != tok::rparen) {
      fail(cur.column, "filter: expected ')' or and/or (a parenthesized list of values)");
      return -1;
    }
    advance();
    return left;
  }

  // A value with the qualifiers `ctx`; those stay in force after it (not those the value
  // narrowed them to: `port http or 443` is tcp port 80 or port 443, as in libpcap).
  constexpr std::int32_t parse_leaf(const primitive& ctx, bool valid) {
    if (failed) return -1;
    if (!valid) {
      fail(cur.column, "filter: expected a primitive (a value needs a qualifier: host, net, port, ...)");
      return -1;
    }
    primitive q = ctx;
    q.column = cur.column;
    if (!parse_value(q)) return -1;
    const primitive keep = ctx;
    const std::int32_t id = add_primitive(q);
    last = keep;
    have_last = true;
    return id;
  }

  constexpr bool starts_arith() const noexcept {
    if (cur.kind == tok::number || cur.kind == tok::minus || cur.kind == tok::lparen) return true;
    if (cur.kind != tok::id || cur.escaped) return false;
    std::uint32_t v = 0;
    return cur.text == "len" || arith_name(cur.text, v);
  }

  // A relation, if the input from here is one: tried first, undone otherwise.
  constexpr bool try_relation(std::int32_t& result) {
    const lexer saved_lex = lex;
    const token saved_cur = cur;
    const std::size_t saved_ariths = out.ariths.size();
    const bool was_failed = failed;
    // Past a number, `len`, a unary minus or an accessor's '[' it can only be a relation:
    // its errors stand. (A '(' may open either, so that is tried and undone.)
    bool committed = cur.kind == tok::number || cur.kind == tok::minus ||
                     (cur.kind == tok::id && cur_proto() == proto::none);
    if (cur.kind == tok::id && cur_proto() != proto::none) {
      lexer peek = lex;
      committed = peek.next().kind == tok::lbracket;
      if (!committed) return false;  // (a protocol with no '[': a primitive, `tcp`)
    }
    std::int32_t l = parse_arith(0);
    if (failed && committed) return true;
    relop op{};
    bool is_rel = !failed;
    if (is_rel) {
      switch (cur.kind) {
        case tok::gt: op = relop::gt; break;
        case tok::ge: op = relop::ge; break;
        case tok::eq: op = relop::eq; break;
        case tok::lt: op = relop::lt; break;
        case tok::le: op = relop::le; break;
        case tok::ne: op = relop::ne; break;
        default: is_rel = false;
      }
    }
    if (!is_rel && committed) {
      fail(cur.column, "filter: expected a relation (> >= = == != < <=)");
      return true;
    }
    if (!is_rel) {
      lex = saved_lex;
      cur = saved_cur;
      out.ariths.resize(saved_ariths);
      arith_depth.resize(saved_ariths);
      failed = was_failed;
      err = error{};
      return false;
    }
    advance();
    std::int32_t r = parse_arith(0);
    node n;
    n.kind = node::kind_t::relation;
    n.left = l;
    n.right = r;
    n.op = op;
    result = add_node(n);
    return true;
  }

  // Arithmetic by precedence climbing; levels from loosest: | & <</>> +- */ (% and ^ in
  // parse_unary).
  static constexpr int level_of(tok k) noexcept {
    switch (k) {
      case tok::pipe: return 1;
      case tok::amp: return 3;
      case tok::shl: case tok::shr: return 4;
      case tok::plus: case tok::minus: return 5;
      case tok::star: case tok::slash: return 6;
      default: return 0;
    }
  }
  static constexpr arith_kind op_of(tok k) noexcept {
    switch (k) {
      case tok::pipe: return arith_kind::bit_or;
      case tok::caret: return arith_kind::bit_xor;
      case tok::amp: return arith_kind::bit_and;
      case tok::shl: return arith_kind::shift_left;
      case tok::shr: return arith_kind::shift_right;
      case tok::plus: return arith_kind::plus;
      case tok::minus: return arith_kind::minus;
      case tok::star: return arith_kind::times;
      case tok::slash: return arith_kind::quotient;
      default: return arith_kind::remainder;
    }
  }

  constexpr std::int32_t parse_arith(int min_level) {
    std::int32_t left = parse_unary();
    while (!failed) {
      const int lv = level_of(cur.kind);
      if (lv == 0 || lv <= min_level) break;
      const tok op = cur.kind;
      const std::size_t col = cur.column;
      advance();
      std::int32_t right = parse_arith(lv);
      arith_node a;
      a.kind = op_of(op);
      a.left = left;
      a.right = right;
      a.column = col;
      left = add_arith(a);
    }
    return left;
  }

  // '%' and '^' have no precedence in libpcap's grammar (1.10), so its parser always
  // shifts them: each binds to the operand just before it, and its right operand is all
  // the arithmetic that follows. `len * 3 % 4 + 1` is len * (3 % (4 + 1)), `len + 3 ^ 4`
  // is len + (3 ^ 4), `-len ^ 3` is -(len ^ 3).
  constexpr std::int32_t parse_unary() {
    if (failed) return -1;
    nesting guard(*this);
    if (too_deep()) return -1;
    if (cur.kind == tok::minus) {
      const std::size_t col = cur.column;
      advance();
      arith_node a;
      a.kind = arith_kind::negate;
      a.left = parse_unary();
      a.column = col;
      return add_arith(a);
    }
    std::int32_t left = parse_operand();
    while (!failed && (cur.kind == tok::percent || cur.kind == tok::caret)) {
      arith_node a;
      a.kind = cur.kind == tok::percent ? arith_kind::remainder : arith_kind::bit_xor;
      a.column = cur.column;
      advance();
      a.left = left;
      a.right = parse_arith(0);
      left = add_arith(a);
    }
    return left;
  }

  constexpr std::int32_t parse_operand() {
    if (failed) return -1;
    if (cur.kind == tok::lparen) {
      advance();
      std::int32_t inner = parse_arith(0);
      if (cur.kind != tok::rparen) {
        fail(cur.column, "filter: expected ')'");
        return -1;
      }
      advance();
      return inner;
    }
    if (cur.kind == tok::number) {
      arith_node a;
      a.kind = arith_kind::number;
      a.value = cur.number;
      a.column = cur.column;
      advance();
      return add_arith(a);
    }
    if (cur.kind == tok::id && !cur.escaped) {
      std::uint32_t v = 0;
      if (cur.text == "len") {
        arith_node a;
        a.kind = arith_kind::length;
        a.column = cur.column;
        advance();
        return add_arith(a);
      }
      if (arith_name(cur.text, v)) {
        arith_node a;
        a.kind = arith_kind::number;
        a.value = v;
        a.column = cur.column;
        advance();
        return add_arith(a);
      }
      const proto p = cur_proto();
      if (p != proto::none) {
        const std::size_t col = cur.column;
        advance();
        if (cur.kind != tok::lbracket) {
          fail(cur.column, "filter: expected '[' (a packet accessor)");
          return -1;
        }
        advance();
        std::int32_t index = parse_arith(0);
        std::uint32_t size = 1;
        if (!failed && cur.kind == tok::colon) {
          advance();
          if (cur.kind != tok::number || (cur.number != 1 && cur.number != 2 && cur.number != 4)) {
            fail(cur.column, "filter: expected a size of 1, 2 or 4");
            return -1;
          }
          size = cur.number;
          advance();
        }
        if (failed) return -1;
        if (cur.kind != tok::rbracket) {
          fail(cur.column, "filter: expected ']'");
          return -1;
        }
        advance();
        arith_node a;
        a.kind = arith_kind::load;
        a.base = p;
        a.value = size;
        a.left = index;
        a.column = col;
        return add_arith(a);
      }
    }
    fail(cur.column, "filter: expected a number, len, or a packet accessor");
    return -1;
  }

  static constexpr proto proto_of(std::string_view w) noexcept { return word_of(w).protocol; }

  constexpr std::int32_t add_primitive(primitive p) {
    out.primitives.push_back(p);
    node n;
    n.kind = node::kind_t::primitive;
    n.prim = static_cast<std::int32_t>(out.primitives.size() - 1);
    last = p;
    have_last = true;
    return add_node(n);
  }

  constexpr std::int32_t parse_primary() {
    if (failed) return -1;
    if (cur.kind == tok::end) {
      fail(cur.column, "filter: expected a primitive");
      return -1;
    }
    // A relation (which may start with '(' too). Its qualifiers are none: a bare value
    // cannot follow it (`len > 10 or 10.0.0.1` is a syntax error in libpcap).
    if (starts_arith() || (cur.kind == tok::id && cur_proto() != proto::none)) {
      std::int32_t rel = -1;
      if (try_relation(rel)) {
        have_last = false;
        return rel;
      }
    }
    if (cur.kind == tok::lparen) {
      // After `(expr)` the qualifiers in force are those before it: `(host 10.0.0.1) or
      // 10.0.0.2` is a syntax error, `host 10.0.0.1 or (tcp) or 10.0.0.2` is not.
      const primitive saved_last = last;
      const bool saved_have = have_last;
      advance();
      std::int32_t inner = parse_expr();
      if (failed) return -1;
      if (cur.kind != tok::rparen) {
        fail(cur.column, "filter: expected ')' or and/or");
        return -1;
      }
      advance();
      last = saved_last;
      have_last = saved_have;
      return inner;
    }
    if (cur.kind != tok::id && cur.kind != tok::number) {
      fail(cur.column, "filter: expected a primitive");
      return -1;
    }
    if (cur.kind == tok::id && !cur.escaped && word_of(cur.text).unsupported) {
      failed = true;
      err = make_error(errc::unsupported, cur.column, "filter: this primitive is not supported yet");
      return -1;
    }
    primitive p;
    p.column = cur.column;
    if (is_word("vlan")) {
      p.kind = primitive_kind::vlan;
      advance();
      if (cur.kind == tok::number) {
        if (cur.number > 0x0fff) {
          failed = true;
          err = make_error(errc::bad_value, cur.column, "filter: VLAN tag {} greater than maximum 4095", cur.number);
          return -1;
        }
        p.value = primitive::value_kind::number;
        p.number = cur.number;
        advance();
      }
      return add_primitive(p);
    }
    // Qualifiers: [proto] [dir] [type].
    bool any = false;
    if (cur.kind == tok::id) {
      const proto q = cur_proto();
      if (q != proto::none) {
        p.protocol = q;
        any = true;
        advance();
      }
    }
    if (is_word("src") || is_word("dst")) {
      const bool src = is_word("src");
      advance();
      p.dir = src ? direction::src : direction::dst;
      if ((is_word("or") || is_word("and")) && lookahead_is_other_dir(src)) {
        p.dir = is_word("or") ? direction::src_or_dst : direction::src_and_dst;
        advance();
        advance();
      }
      any = true;
    }
    if (is_word("host")) {
      p.kind = primitive_kind::host;
    } else if (is_word("net")) {
      p.kind = primitive_kind::net;
    } else if (is_word("port")) {
      p.kind = primitive_kind::port;
    } else if (is_word("portrange")) {
      p.kind = primitive_kind::portrange;
    } else if (is_word("proto")) {
      p.kind = primitive_kind::protocol;
    } else if ((is_word("greater") || is_word("less")) && !any) {  // (libpcap: no qualifiers before them)
      p.kind = is_word("greater") ? primitive_kind::greater : primitive_kind::less;
      advance();
      if (cur.kind != tok::number) {
        fail(cur.column, "filter: expected a length");
        return -1;
      }
      p.number = cur.number;
      advance();
      return add_primitive(p);
    } else if ((is_word("broadcast") || is_word("multicast")) && p.dir == direction::none) {
      p.kind = is_word("broadcast") ? primitive_kind::broadcast : primitive_kind::multicast;
      if (p.protocol == proto::none) p.protocol = proto::ether;
      advance();
      return add_primitive(p);
    } else if (any && p.dir == direction::none) {
      // A protocol alone: tcp, ip, ...
      p.kind = primitive_kind::abbreviation;
      return add_primitive(p);
    } else if (!any || p.dir != direction::none) {
      // A value with no type: host (or a direction and a value).
      if (!is_value_word() && !(any && (cur.kind == tok::lparen || cur.kind == tok::bang || is_word("not")))) {
        fail(cur.column, "filter: expected a primitive (host, net, port, portrange, proto, a protocol, ...)");
        return -1;
      }
      if (!any) {
        // No qualifier at all where a term is expected (at the start, after `not` or
        // `(`): libpcap's grammar has no rule for it. (After and/or, parse_term takes
        // the value as an id, with the qualifiers in force.)
        fail(cur.column, "filter: expected a primitive (a value needs a qualifier: host, net, port, ...)");
        return -1;
      }
      p.kind = primitive_kind::host;
      return parse_id(p, true);
    }
    advance();
    // The value is an id: `host 10.0.0.1`, `port (80 or 443)`, `host not 10.0.0.1`.
    return parse_id(p, true);
  }

  // Is there a primitive before, with a value whose qualifiers a bare value takes?
  constexpr bool last_has_value() const noexcept {
    return have_last && (last.kind == primitive_kind::host || last.kind == primitive_kind::net ||
                         last.kind == primitive_kind::port || last.kind == primitive_kind::portrange ||
                         last.kind == primitive_kind::protocol);
  }

  constexpr bool lookahead_is_other_dir(bool src) const noexcept {
    lexer l = lex;
    token t = l.next();
    return t.kind == tok::id && t.text == (src ? "dst" : "src");
  }

  constexpr bool is_value_word() const noexcept { return value_word(cur); }

  // A word that is a value (an address, a number, a name), not a keyword or a protocol.
  static constexpr bool value_word(const token& t) noexcept {
    if (t.kind == tok::number) return true;
    if (t.kind != tok::id) return false;
    if (t.escaped) return true;
    const word_info& e = word_of(t.text);
    return !e.value_keyword && e.protocol == proto::none;
  }

  // A number, or a name libpcap's scanner turns into one (tcpflags, tcp-syn, icmp-echo).
  static constexpr bool number_like(const token& t) noexcept {
    if (t.kind == tok::number) return true;
    std::uint32_t v = 0;
    return t.kind == tok::id && !t.escaped &&
           arith_name(t.text, v);
  }

  // The value of a primitive of kind p.kind.
  constexpr bool parse_value(primitive& p) {
    if (failed) return false;
    const std::size_t col = cur.column;
    if (cur.kind == tok::end) {
      fail(col, p.kind == primitive_kind::port        ? "filter: expected a port number or name"
                : p.kind == primitive_kind::portrange ? "filter: expected a port range (low-high)"
                : p.kind == primitive_kind::protocol  ? "filter: expected a protocol number or name"
                                                      : "filter: expected an address");
      return false;
    }
    const std::string_view w = cur.text;
    if (cur.kind == tok::id && !cur.escaped && !(p.protocol == proto::ether && p.kind == primitive_kind::host)) {
      // libpcap's scanner makes a MAC address a token of its own, good only after `ether host`.
      std::array<std::uint8_t, 16> mac{};
      if (parse_mac(w, mac)) return fail(col, "filter: ethernet address used in non-ether expression"), false;
    }
    switch (p.kind) {
      case primitive_kind::port:
      case primitive_kind::portrange: {
        std::uint32_t lo = 0, hi = 0;
        if (cur.kind == tok::number) {
          // A number (octal 010 and hex 0x10 as libpcap reads them); `portrange 80` is 80-80.
          lo = hi = cur.number;
        } else if (p.kind == primitive_kind::port) {
          if (!port_value(w, lo)) return fail(col, "filter: expected a port number or name"), false;
          if (!port_transport(w, p, col)) return false;
          hi = lo;
        } else {
          const std::size_t dash = w.find('-');
          if (dash == std::string_view::npos || !port_value(w.substr(0, dash), lo) ||
              !port_value(w.substr(dash + 1), hi)) {
            return fail(col, "filter: expected a port range (low-high)"), false;
          }
          if (lo > hi) {
            const std::uint32_t t = lo;
            lo = hi;
            hi = t;
          }
        }
        if (hi > 65535) {
          err = make_error(errc::bad_value, col, "filter: illegal port number {} > 65535", hi);
          failed = true;
          return false;
        }
        p.value = primitive::value_kind::number;
        p.number = lo;
        p.high = hi;
        advance();
        return true;
      }
      case primitive_kind::protocol: {
        std::uint32_t v = 0;
        if (cur.kind == tok::number) {
          v = cur.number;
        } else if (!lookup(protocol_names, sizeof protocol_names / sizeof protocol_names[0], w, v)) {
          return fail(col, "filter: expected a protocol number or name"), false;
        } else if (!cur.escaped && is_keyword(w)) {
          // libpcap: a protocol name that is also a keyword must be escaped (ip proto \tcp)
          return fail(col, "filter: expected a protocol number or an escaped name (\\tcp)"), false;
        }
        p.value = primitive::value_kind::number;
        p.number = v;
        advance();
        return true;
      }
      default: break;
    }
    // host / net: an address. An escaped word is a name for libpcap, which it looks up:
    // host names by getaddrinfo (which takes `\10.0.0.1` and `\::1` as they are), network
    // and Ethernet host names in their databases (which do not).
    if (cur.escaped && (p.kind == primitive_kind::net || p.protocol == proto::ether)) {
      return fail(col, p.kind == primitive_kind::net ? "filter: unknown network (an escaped word is a name)"
                                                     : "filter: unknown Ethernet host (an escaped word is a name)"),
             false;
    }
    if (p.protocol == proto::ether) {
      if (p.kind != primitive_kind::host || !parse_mac(w, p.address)) return fail(col, "filter: expected a MAC address"), false;
      p.value = primitive::value_kind::mac;
      advance();
      return true;
    }
    std::uint32_t named = 0;
    const bool named_number =
        cur.kind == tok::id && !cur.escaped && arith_name(w, named);
    if (cur.kind == tok::number || named_number) {
      // A number as an IPv4 address: `host 10` is 0.0.0.10; `net 10` is 10.0.0.0/8 and
      // `net 0x0a0b` 10.11.0.0/16 (libpcap moves a short net number to the top bytes); a
      // prefix or mask after a number is a syntax error there. (`host tcp-syn` is 0.0.0.2:
      // libpcap's scanner makes those names numbers.)
      std::uint32_t v = named_number ? named : cur.number;
      std::uint32_t mask = ~std::uint32_t{0};
      if (p.kind == primitive_kind::net) {
        while (v != 0 && (v & 0xff000000u) == 0) {
          v <<= 8;
          mask <<= 8;
        }
      }
      advance();
      if (cur.kind == tok::slash || is_word("mask")) {
        return fail(cur.column, "filter: expected and, or, or the end (a number takes no prefix or mask)"), false;
      }
      int len = 0;
      while (len < 32 && (mask & (0x80000000u >> len)) != 0) ++len;
      p.address[0] = static_cast<std::uint8_t>(v >> 24);
      p.address[1] = static_cast<std::uint8_t>(v >> 16);
      p.address[2] = static_cast<std::uint8_t>(v >> 8);
      p.address[3] = static_cast<std::uint8_t>(v);
      p.value = primitive::value_kind::ipv4;
      p.prefix = static_cast<std::uint8_t>(len);
      return true;
    }
    const std::string_view addr = w;
    const bool escaped = cur.escaped;
    int prefix = -1;
    advance();
    if (p.kind == primitive_kind::net && cur.kind == tok::slash) {
      advance();
      if (cur.kind != tok::number) return fail(cur.column, "filter: expected a prefix length"), false;
      prefix = static_cast<int>(cur.number);
      advance();
    }
    if (addr.find(':') != std::string_view::npos) {
      auto a6 = ipv6::address::parse(addr);
      if (!a6) return fail(col, "filter: expected an IPv6 address"), false;
      for (std::size_t i = 0; i < 16; ++i) p.address[i] = a6->octets[i];
      p.value = primitive::value_kind::ipv6;
      if (prefix > 128) return fail(col, "filter: expected a prefix length of at most 128"), false;
      p.prefix = static_cast<std::uint8_t>(prefix < 0 ? 128 : prefix);
      for (std::size_t bit = p.prefix; bit < 128; ++bit) {
        if ((p.address[bit / 8] & (0x80u >> (bit % 8))) != 0) {
          err = make_error(errc::bad_value, col, "filter: non-network bits set in the net address");
          failed = true;
          return false;
        }
      }
    } else if (p.kind == primitive_kind::host && prefix < 0 && !numeric_word(addr)) {
      // A host name (libpcap asks getaddrinfo): the compiler looks it up through the
      // resolver its caller passes; the parser does no I/O. A keyword is not one (libpcap:
      // a syntax error), nor a word ending in '-' or '_', which its scanner splits.
      if (!escaped) {
        for (std::string_view k : libpcap_keywords) {
          if (k == addr) return fail(col, "filter: expected a host name or address (a keyword is one only escaped: \\host)"), false;
        }
      }
      if (addr.back() == '-' || addr.back() == '_') return fail(col, "filter: expected a host name or address"), false;
      p.value = primitive::value_kind::name;
      p.name = addr;
    } else {
      // IPv4: a.b.c.d, or for net the short forms a, a.b, a.b.c (prefix 8, 16, 24).
      std::uint32_t parts[4] = {};
      int n = 0;
      std::uint32_t v = 0;
      bool digit = false;
      for (std::size_t i = 0; i <= addr.size(); ++i) {
        const char c = i < addr.size() ? addr[i] : '.';
        if (c >= '0' && c <= '9') {
          v = v * 10 + static_cast<std::uint32_t>(c - '0');
          digit = true;
          if (v > 255) return fail(col, "filter: expected an IPv4 address"), false;
        } else if (c == '.' && digit && n < 4) {
          parts[n++] = v;
          v = 0;
          digit = false;
        } else {
          return fail(col, "filter: expected a network address (network names are not looked up)"), false;
        }
      }
      if (n != 4 && p.kind != primitive_kind::net) return fail(col, "filter: expected an IPv4 address a.b.c.d"), false;
      const std::uint32_t a4 = (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3];
      int len = prefix < 0 ? n * 8 : prefix;
      if (prefix < 0 && cur.kind == tok::id && cur.text == "mask") {
        advance();
        std::uint32_t m = 0;
        if (!ipv4_word(cur, m)) return fail(cur.column, "filter: expected a netmask a.b.c.d"), false;
        advance();
        // libpcap accepts any mask; a contiguous one becomes a prefix length.
        len = 0;
        while (len < 32 && (m & (0x80000000u >> len)) != 0) ++len;
        if (len < 32 && (m << len) != 0) return fail(col, "filter: expected a contiguous netmask"), false;
      }
      if (len > 32) return fail(col, "filter: expected a prefix length of at most 32"), false;
      const std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
      if ((a4 & ~mask) != 0) {
        err = make_error(errc::bad_value, col, "filter: non-network bits set in the net address");
        failed = true;
        return false;
      }
      p.address[0] = static_cast<std::uint8_t>(a4 >> 24);
      p.address[1] = static_cast<std::uint8_t>(a4 >> 16);
      p.address[2] = static_cast<std::uint8_t>(a4 >> 8);
      p.address[3] = static_cast<std::uint8_t>(a4);
      p.value = primitive::value_kind::ipv4;
      p.prefix = static_cast<std::uint8_t>(len);
    }
    return true;
  }

  // Digits and dots only: an IPv4 address (or a malformed one), never a name.
  static constexpr bool numeric_word(std::string_view w) noexcept {
    for (char c : w) {
      if (c != '.' && (c < '0' || c > '9')) return false;
    }
    return true;
  }

  static constexpr bool is_keyword(std::string_view w) noexcept {
    for (std::string_view k : protocol_keywords) {
      if (w == k) return true;
    }
    return false;
  }

  static constexpr bool ipv4_word(const token& t, std::uint32_t& out) noexcept {
    if (t.kind != tok::id) return false;
    auto a = ipv4::address::parse(t.text);
    if (!a) return false;
    out = a->to_u32();
    return true;
  }

  static constexpr bool port_value(std::string_view w, std::uint32_t& out) noexcept {
    if (w.empty()) return false;
    bool digits = true;
    for (char c : w) digits = digits && c >= '0' && c <= '9';
    if (digits) {
      std::uint64_t v = 0;
      for (char c : w) {
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
        if (v > 0xffffffffu) return false;
      }
      out = static_cast<std::uint32_t>(v);
      return true;
    }
    for (const auto& n : port_names) {
      if (same_word(n.name, w)) {
        out = n.value;
        return true;
      }
    }
    return false;
  }

  // A port given by name narrows an unqualified primitive to the transports the name is
  // listed for; a qualifier the name is not listed for is an error, as in libpcap.
  constexpr bool port_transport(std::string_view w, primitive& p, std::size_t col) {
    for (const auto& n : port_names) {
      if (n.name != w) continue;
      if (p.protocol == proto::none) {
        if (n.tcp != n.udp) p.protocol = n.tcp ? proto::tcp : proto::udp;
      } else if ((p.protocol == proto::tcp && !n.tcp) || (p.protocol == proto::udp && !n.udp) ||
                 p.protocol == proto::sctp) {
        fail(col, "filter: expected a port name listed for that protocol");
        return false;
      }
      return true;
    }
    return true;
  }
};

}  // namespace detail

/// Parse a tcpdump filter expression. An empty (or all-blank) expression matches every
/// packet (root -1).
constexpr result<expression> parse(std::string_view text) {
  detail::parser p;
  p.lex.s = text;
  // (room for a typical expression at once, rather than growing by doubling)
  p.out.nodes.reserve(8);
  p.out.primitives.reserve(4);
  p.node_depth.reserve(8);
  p.advance();
  if (p.failed) return p.err;
  if (p.cur.kind == detail::tok::end) return std::move(p.out);
  p.out.root = p.parse_expr();
  if (!p.failed && p.cur.kind != detail::tok::end) p.fail(p.cur.column, "filter: expected and, or, or the end of the expression");
  if (p.failed) return p.err;
  return std::move(p.out);
}

}  // namespace wirespan::filter
