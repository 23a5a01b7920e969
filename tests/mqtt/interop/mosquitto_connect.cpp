// The CONNECT codec against a real broker (Debian's mosquitto, started by
// mosquitto.sh on a loopback port with a password file):
//
// - CONNECTs wirespan encodes for 3.1, 3.1.1 and 5.0 (with a will, with properties and
//   will properties, with user name and password) get CONNACK success; with a wrong
//   password, mosquitto's refusal for each version;
// - packets wirespan's decoder rejects (one per rule): mosquitto refuses each too, and
//   where mosquitto answers with a CONNACK, its code is the one connack_code() names,
//   or the test lists the difference (mosquitto may close where a code is allowed).
//
//   mosquitto_connect PORT ANONYMOUS_PORT USER PASSWORD
//
// PORT needs the user name and password; ANONYMOUS_PORT lets anyone in, so that a broker
// that missed a violation would accept the packet.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace mq = wirespan::mqtt;

namespace {

int failures = 0;
void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

// What the broker answered: closed without a CONNACK (code -1), or a CONNACK's code.
struct answer {
  int code = -1;
  bool session_present = false;
};

answer talk(int port, const std::vector<std::uint8_t>& packet) {
  answer a;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) std::exit(2);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    std::perror("connect");
    std::exit(2);
  }
  if (send(fd, packet.data(), packet.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(packet.size())) {
    close(fd);
    return a;
  }
  std::vector<std::uint8_t> in;
  while (true) {
    auto n = mq::frame_size(in);
    if (n) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 3000) <= 0) break;
    std::uint8_t buf[512];
    const ssize_t got = recv(fd, buf, sizeof buf, 0);
    if (got <= 0) break;
    in.insert(in.end(), buf, buf + got);
  }
  close(fd);
  auto n = mq::frame_size(in);
  if (!n || in[0] != 0x20 || *n < 4) return a;
  a.session_present = (in[2] & 1) != 0;
  a.code = in[3];
  return a;
}

std::vector<std::uint8_t> encode(const mq::connect& c) {
  std::vector<std::uint8_t> out(mq::encoded_size(c));
  auto n = mq::encode(c, out);
  if (!n) std::exit(3);
  // (what the broker gets decodes as it was built)
  auto back = mq::decode_connect(out);
  if (!back) {
    std::printf("FAIL our own CONNECT does not decode\n");
    std::exit(3);
  }
  return out;
}

std::vector<std::uint8_t> hex(std::string text) {
  const auto at = text.find("LL");
  if (at != std::string::npos) text.replace(at, 2, "00");
  std::vector<std::uint8_t> out(*wirespan::hex_size(text));
  (void)wirespan::parse_hex(text, out);
  if (at != std::string::npos) out[1] = static_cast<std::uint8_t>(out.size() - 2);
  return out;
}

const char* name_of(mq::protocol_version v) {
  return v == mq::protocol_version::v3_1 ? "3.1" : v == mq::protocol_version::v3_1_1 ? "3.1.1" : "5.0";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: mosquitto_connect PORT ANONYMOUS_PORT USER PASSWORD\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int anonymous_port = std::atoi(argv[2]);
  const std::string user = argv[3], password = argv[4];

  std::array<std::uint8_t, 256> pbuf{}, wbuf{};
  mq::property_writer pw(pbuf);
  pw.number(mq::property_id::session_expiry_interval, 0)
      .number(mq::property_id::receive_maximum, 20)
      .number(mq::property_id::maximum_packet_size, 1 << 20)
      .number(mq::property_id::topic_alias_maximum, 10)
      .number(mq::property_id::request_response_information, 1)
      .number(mq::property_id::request_problem_information, 1)
      .user_property("site", "lab")
      .user_property("site", "lab2");
  mq::property_writer ww(wbuf);
  ww.number(mq::property_id::will_delay_interval, 5)
      .number(mq::property_id::payload_format_indicator, 1)
      .number(mq::property_id::message_expiry_interval, 60)
      .text(mq::property_id::content_type, "text/plain")
      .text(mq::property_id::response_topic, "reply/w")
      .text(mq::property_id::correlation_data, "42")
      .user_property("k", "v");

  for (auto version : {mq::protocol_version::v3_1, mq::protocol_version::v3_1_1, mq::protocol_version::v5}) {
    const std::string v = name_of(version);
    mq::connect c;
    c.version = version;
    c.client_id = "wirespan-plain";
    c.username = std::string_view(user);
    c.password = std::string_view(password);
    check(talk(port, encode(c)).code == 0, v + ": CONNECT with user name and password accepted");
    c.client_id = "wirespan-will";
    c.keep_alive = 30;
    c.will = mq::will_message{{}, "status/wirespan", "offline", 1, true};
    if (version == mq::protocol_version::v5) {
      c.properties = *pw.finish();
      c.will->properties = *ww.finish();
    }
    check(talk(port, encode(c)).code == 0, v + ": CONNECT with a will" +
                                                   (version == mq::protocol_version::v5 ? ", properties and will properties" : "") +
                                                   " accepted");
    c.password = "wrong";
    const int want = version == mq::protocol_version::v5 ? 0x87 : 0x05;
    const answer a = talk(port, encode(c));
    check(a.code == want, v + ": a wrong password refused with " + std::to_string(want) + " (got " + std::to_string(a.code) + ")");
    c.password.reset();
    c.username.reset();
    c.will.reset();
    const answer b = talk(port, encode(c));
    check(b.code == want, v + ": no user name refused with " + std::to_string(want) + " (got " + std::to_string(b.code) + ")");
  }

  // Packets wirespan rejects, sent to the listener that lets anyone in: mosquitto must
  // not accept one, but for the rules it does not check (listed).
  struct bad {
    const char* name;
    const char* packet;
    bool mosquitto_accepts = false;  // a rule mosquitto 2.0 does not check: it must accept it
  };
  const bad cases[] = {
      {"3.1.1 header flags not 0", "11 LL 00 04 4d 51 54 54 04 02 00 3c 00 01 61"},
      {"3.1.1 reserved connect flag", "10 LL 00 04 4d 51 54 54 04 03 00 3c 00 01 61"},
      {"3.1.1 will QoS 3", "10 LL 00 04 4d 51 54 54 04 1e 00 3c 00 01 61 00 01 74 00 00"},
      {"3.1.1 will retain without will", "10 LL 00 04 4d 51 54 54 04 22 00 3c 00 01 61"},
      {"3.1.1 password without user name", "10 LL 00 04 4d 51 54 54 04 42 00 3c 00 01 61 00 02 70 77"},
      {"3.1.1 wrong protocol name", "10 LL 00 04 4d 51 54 58 04 02 00 3c 00 01 61"},
      {"3.1.1 protocol level 6", "10 LL 00 04 4d 51 54 54 06 02 00 3c 00 01 61"},
      {"3.1.1 client id longer than the packet", "10 LL 00 04 4d 51 54 54 04 02 00 3c 00 05 61 62"},
      {"3.1.1 bytes after the last field", "10 LL 00 04 4d 51 54 54 04 02 00 3c 00 01 61 ff ff"},
      {"3.1.1 empty client id without clean session", "10 LL 00 04 4d 51 54 54 04 00 00 3c 00 00"},
      {"3.1 client id of 24 bytes",
       "10 LL 00 06 4d 51 49 73 64 70 03 02 00 3c 00 18 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 "
       "61 61",
       true},  // (3.1 allows 23; mosquitto allows more, as 3.1.1 does)
      {"3.1.1 bad UTF-8 in the client id", "10 LL 00 04 4d 51 54 54 04 02 00 3c 00 02 c3 28"},
      {"3.1.1 U+0000 in the client id", "10 LL 00 04 4d 51 54 54 04 02 00 3c 00 02 61 00"},
      {"3.1.1 a control character in the client id", "10 LL 00 04 4d 51 54 54 04 02 00 3c 00 02 61 01"},
      {"3.1.1 will topic with a wildcard", "10 LL 00 04 4d 51 54 54 04 06 00 3c 00 01 61 00 01 23 00 00"},
      {"5.0 header flags not 0", "11 LL 00 04 4d 51 54 54 05 02 00 3c 00 00 01 61"},
      {"5.0 reserved connect flag", "10 LL 00 04 4d 51 54 54 05 03 00 3c 00 00 01 61"},
      {"5.0 will QoS 3", "10 LL 00 04 4d 51 54 54 05 1e 00 3c 00 00 01 61 00 00 01 74 00 00"},
      {"5.0 duplicate property", "10 LL 00 04 4d 51 54 54 05 02 00 3c 0a 11 00 00 00 01 11 00 00 00 02 00 01 61"},
      {"5.0 property not allowed in CONNECT", "10 LL 00 04 4d 51 54 54 05 02 00 3c 03 23 00 01 00 01 61"},
      {"5.0 will property in CONNECT", "10 LL 00 04 4d 51 54 54 05 02 00 3c 05 18 00 00 00 01 00 01 61"},
      {"5.0 unknown property", "10 LL 00 04 4d 51 54 54 05 02 00 3c 02 7f 00 00 01 61"},
      {"5.0 receive maximum 0", "10 LL 00 04 4d 51 54 54 05 02 00 3c 03 21 00 00 00 01 61"},
      {"5.0 maximum packet size 0", "10 LL 00 04 4d 51 54 54 05 02 00 3c 05 27 00 00 00 00 00 01 61"},
      {"5.0 request problem information 2", "10 LL 00 04 4d 51 54 54 05 02 00 3c 02 17 02 00 01 61"},
      {"5.0 authentication data without a method", "10 LL 00 04 4d 51 54 54 05 02 00 3c 04 16 00 01 78 00 01 61",
       true},  // (a protocol error, 5.0 3.1.2.11.10; mosquitto ignores the data)
      {"5.0 property length past the packet", "10 LL 00 04 4d 51 54 54 05 02 00 3c 09 00 01 61"},
      {"5.0 bad UTF-8 in a user property", "10 LL 00 04 4d 51 54 54 05 02 00 3c 07 26 00 01 ff 00 01 76 00 01 61"},
      {"5.0 will topic with a wildcard", "10 LL 00 04 4d 51 54 54 05 06 00 3c 00 00 01 61 00 00 01 23 00 00"},
  };
  int agree = 0, closes = 0, differ = 0;
  for (const bad& b : cases) {
    const auto p = hex(b.packet);
    auto d = mq::decode_connect(p);
    check(!d.has_value(), std::string(b.name) + ": wirespan rejects it");
    if (d) continue;
    const auto version = std::string(b.name).substr(0, 3) == "5.0" ? mq::protocol_version::v5
                         : std::string(b.name).substr(0, 4) == "3.1 " ? mq::protocol_version::v3_1
                                                                      : mq::protocol_version::v3_1_1;
    const auto ours = mq::connack_code(d.error(), version);
    const answer a = talk(anonymous_port, p);
    const int want = ours ? *ours : -1;
    if (b.mosquitto_accepts) {
      check(a.code == 0, std::string(b.name) + ": mosquitto accepts it (it does not check this rule; wirespan's code " +
                             std::to_string(want) + ")");
      continue;
    }
    check(a.code != 0, std::string(b.name) + ": mosquitto refuses it");
    std::string how = "mosquitto " + (a.code < 0 ? std::string("closes") : "CONNACK " + std::to_string(a.code)) +
                      ", wirespan's connack_code " + (want < 0 ? std::string("close") : std::to_string(want));
    if (a.code == want) {
      ++agree;
      how += ": equal";
    } else if (a.code < 0 && version == mq::protocol_version::v5) {
      ++closes;
      how += ": mosquitto closes where 5.0 lets a broker send the code first";
    } else {
      ++differ;
      how += ": DIFFERENT";
    }
    std::printf("     %s: %s\n", b.name, how.c_str());
  }
  std::printf("%d cases: %d with mosquitto's answer, %d where mosquitto closes where a code may be sent, %d different\n",
              static_cast<int>(sizeof cases / sizeof cases[0]), agree, closes, differ);
  check(differ == 0, "no rejection where mosquitto sends a different CONNACK code");
  std::printf("%s\n", failures == 0 ? "all checks passed" : "FAILED");
  return failures == 0 ? 0 : 1;
}
