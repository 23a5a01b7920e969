// wirespan mqtt: an MQTT client on the command line (connect, pub, sub) built on the
// library's codecs; every packet it receives is printed as JSON with Wireshark's names.
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "cli.hpp"
#include "describe.hpp"

namespace wirespan_cli {

const command mqtt_command{
    "mqtt",
    "an MQTT client: connect, publish or subscribe to a broker, printing what it answers",
    "usage: wirespan mqtt connect [OPTIONS]\n"
    "       wirespan mqtt pub --topic T --message M [--qos 0|1|2] [--retain] [--count N] [OPTIONS]\n"
    "       wirespan mqtt sub --topic FILTER [--qos 0|1|2] [--count N] [OPTIONS]\n"
    "\n"
    "Connects over TCP and sends a CONNECT built from OPTIONS:\n"
    "  --host H (default 127.0.0.1)  --port P (default 1883)\n"
    "  --version 3.1|3.1.1|5 (default 3.1.1)  --client-id ID (default wirespan-<pid>)\n"
    "  --keepalive N (default 60)  --clean | --no-clean\n"
    "  --username U  --password P\n"
    "  --will-topic T --will-payload M [--will-qos Q] [--will-retain]\n"
    "  --property NAME=VALUE (5.0; repeatable): session-expiry-interval, receive-maximum,\n"
    "    maximum-packet-size, topic-alias-maximum, request-response-information,\n"
    "    request-problem-information, authentication-method, user-property=KEY=VALUE\n"
    "  --timeout SECONDS (default 10): how long to wait for each answer\n"
    "\n"
    "Every packet received is printed on standard output as one JSON object with\n"
    "Wireshark's field names: the CONNACK ({\"mqtt.msgtype\": 2, ..., \"mqtt.conack.val\": 0}\n"
    "in 3.x, \"mqtt.connack.reason_code\" in 5.0), the acknowledgements, the SUBACK and each\n"
    "PUBLISH (\"mqtt.topic\", \"mqtt.msg\" as hex). Packets are decoded strictly; one\n"
    "longer than 16 MiB ends the session.\n"
    "\n"
    "connect: sends CONNECT, prints the CONNACK, and on success sends DISCONNECT.\n"
    "pub: publishes the message COUNT times (default 1) at the QoS given, completing each\n"
    "  QoS 1 (PUBACK) and QoS 2 (PUBREC, PUBREL, PUBCOMP) exchange, then DISCONNECT.\n"
    "sub: subscribes, prints the SUBACK, then prints COUNT PUBLISH packets (default 1),\n"
    "  acknowledging each as its QoS requires, then DISCONNECT.\n"
    "\n"
    "Exit status: 0 success, 1 refused (CONNACK or SUBACK failure, a bad packet, a timeout,\n"
    "the connection closed), 2 bad usage.\n",
    &run_mqtt};

namespace {

namespace mq = wirespan::mqtt;

struct options {
  std::string host = "127.0.0.1";
  std::string port = "1883";
  mq::protocol_version version = mq::protocol_version::v3_1_1;
  std::string client_id;
  std::uint16_t keepalive = 60;
  bool clean = true;
  std::optional<std::string> username, password;
  std::optional<std::string> will_topic, will_payload;
  std::uint8_t will_qos = 0;
  bool will_retain = false;
  std::vector<std::pair<std::string, std::string>> properties;
  std::string topic, message;
  std::uint8_t qos = 0;
  bool retain = false;
  unsigned count = 1;
  unsigned timeout = 10;
};

constexpr const char* name = "mqtt";
// The longest packet taken from a broker (a claimed longer one ends the session before
// its bytes are waited for).
constexpr std::size_t receive_limit = std::size_t{16} << 20;

std::optional<unsigned> number(std::string_view s, unsigned max) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  unsigned long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > max) return std::nullopt;
  return static_cast<unsigned>(v);
}

// A connection: the socket and the bytes received and not yet taken.
class connection {
 public:
  explicit connection(int fd, mq::protocol_version v) : fd_(fd), version_(v) {}
  ~connection() { ::close(fd_); }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  bool send(wirespan::bytes b) {
    std::size_t sent = 0;
    while (sent < b.size()) {
      const ssize_t n = ::send(fd_, b.data() + sent, b.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error_ = std::string("send: ") + std::strerror(errno);
        return false;
      }
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }
  template <class T>
  bool send_packet(const T& v) {
    std::vector<std::uint8_t> out(mq::encoded_size(v));
    auto n = mq::encode(v, out);
    if (!n) {
      error_ = wirespan::to_string(n.error());
      return false;
    }
    return send(out);
  }

  // The next whole packet, decoded (its bytes in `raw`); printed as JSON.
  std::optional<mq::control_packet> receive() {
    while (true) {
      auto size = mq::frame_size(buffer_, receive_limit, mq::parse_mode::strict, version_ == mq::protocol_version::v5);
      if (size) {
        raw_.assign(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(*size));
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(*size));
        mq::decode_options o;
        o.version = version_;
        auto p = mq::decode(raw_, o);
        if (!p) {
          error_ = "bad packet from the broker: " + wirespan::to_string(p.error());
          return std::nullopt;
        }
        const std::string json = mqtt_packet_json(raw_, *p);
        std::printf("%s\n", json.c_str());
        std::fflush(stdout);
        return *p;
      }
      if (size.error().code != wirespan::errc::incomplete) {
        error_ = "bad packet from the broker: " + wirespan::to_string(size.error());
        return std::nullopt;
      }
      std::uint8_t chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error_ = errno == EAGAIN || errno == EWOULDBLOCK ? "timed out waiting for the broker"
                                                          : std::string("recv: ") + std::strerror(errno);
        return std::nullopt;
      }
      if (n == 0) {
        error_ = "the broker closed the connection";
        return std::nullopt;
      }
      buffer_.insert(buffer_.end(), chunk, chunk + n);
    }
  }
  // The next packet of type `t` (others are printed and skipped).
  std::optional<mq::control_packet> expect(mq::packet_type t) {
    while (true) {
      auto p = receive();
      if (!p || mq::type_of(*p) == t) return p;
    }
  }

  const std::string& error() const { return error_; }
  mq::protocol_version version() const { return version_; }

 private:
  int fd_;
  mq::protocol_version version_;
  std::vector<std::uint8_t> buffer_;
  std::vector<std::uint8_t> raw_;
  std::string error_;
};

int open_socket(const options& o, std::string& err) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc = ::getaddrinfo(o.host.c_str(), o.port.c_str(), &hints, &res);
  if (rc != 0) {
    err = "cannot resolve " + o.host + ": " + ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(o.timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    err = "cannot connect to " + o.host + " port " + o.port + ": " + std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  return fd;
}

struct property_name {
  const char* name;
  mq::property_id id;
};
constexpr property_name connect_properties[] = {
    {"session-expiry-interval", mq::property_id::session_expiry_interval},
    {"receive-maximum", mq::property_id::receive_maximum},
    {"maximum-packet-size", mq::property_id::maximum_packet_size},
    {"topic-alias-maximum", mq::property_id::topic_alias_maximum},
    {"request-response-information", mq::property_id::request_response_information},
    {"request-problem-information", mq::property_id::request_problem_information},
    {"authentication-method", mq::property_id::authentication_method},
    {"user-property", mq::property_id::user_property},
};

// Connect and wait for the CONNACK; the connection when it is accepted.
std::unique_ptr<connection> open_session(const options& o, std::deque<std::string>& keep, std::vector<std::uint8_t>& props,
                                        int& status) {
  status = exit_bad_input;
  mq::connect c;
  c.version = o.version;
  c.client_id = mq::string_ref(std::string_view(o.client_id));
  c.keep_alive = o.keepalive;
  c.clean_start = o.clean;
  if (o.username) c.username = mq::string_ref(std::string_view(*o.username));
  if (o.password) c.password = mq::string_ref(std::string_view(*o.password));
  if (o.will_topic) {
    mq::will_message w;
    w.topic = mq::string_ref(std::string_view(*o.will_topic));
    w.payload = mq::string_ref(std::string_view(o.will_payload ? *o.will_payload : std::string()));
    if (o.will_payload) w.payload = mq::string_ref(std::string_view(*o.will_payload));
    w.qos = o.will_qos;
    w.retain = o.will_retain;
    c.will = w;
  }
  if (!o.properties.empty()) {
    props.resize(4096);
    mq::property_writer w(props);
    for (const auto& [k, v] : o.properties) {
      const property_name* found = nullptr;
      for (const property_name& p : connect_properties) {
        if (k == p.name) found = &p;
      }
      if (found == nullptr) {
        status = fail(name, "unknown property '" + k + "' (see wirespan mqtt --help)", exit_usage);
        return nullptr;
      }
      if (found->id == mq::property_id::user_property) {
        const auto eq = v.find('=');
        if (eq == std::string::npos) {
          status = fail(name, "user-property needs KEY=VALUE", exit_usage);
          return nullptr;
        }
        keep.push_back(v.substr(0, eq));
        const std::string& key = keep.back();
        keep.push_back(v.substr(eq + 1));
        w.user_property(mq::string_ref(std::string_view(key)), mq::string_ref(std::string_view(keep.back())));
      } else if (found->id == mq::property_id::authentication_method) {
        w.text(found->id, mq::string_ref(std::string_view(v)));
      } else {
        auto n = number(v, 0xffffffffu);
        if (!n) {
          status = fail(name, "property " + k + " needs a number", exit_usage);
          return nullptr;
        }
        w.number(found->id, *n);
      }
    }
    auto l = w.finish();
    if (!l) {
      status = fail(name, wirespan::to_string(l.error()), exit_usage);
      return nullptr;
    }
    c.properties = *l;
  }
  std::string err;
  const int fd = open_socket(o, err);
  if (fd < 0) {
    fail(name, err, exit_bad_input);
    return nullptr;
  }
  auto conn = std::make_unique<connection>(fd, o.version);
  if (!conn->send_packet(c)) {
    fail(name, conn->error(), exit_bad_input);
    return nullptr;
  }
  auto ack = conn->expect(mq::packet_type::connack);
  if (!ack) {
    fail(name, conn->error(), exit_bad_input);
    return nullptr;
  }
  const auto& ca = std::get<mq::connack>(*ack);
  if (ca.code != 0) {
    fail(name, "the broker refused the connection (code " + std::to_string(ca.code) + ")", exit_bad_input);
    return nullptr;
  }
  status = exit_ok;
  return conn;
}

int finish(std::unique_ptr<connection>& c, bool ok) {
  int status = ok ? exit_ok : exit_bad_input;
  if (!ok) fail(name, c->error(), exit_bad_input);
  mq::disconnect d;
  d.version = c->version();
  if (ok && !c->send_packet(d)) status = fail(name, c->error(), exit_bad_input);
  c.reset();
  return status;
}

}  // namespace

int run_mqtt(std::span<const std::string_view> args) {
  if (args.empty()) return fail(name, "which: connect, pub or sub? (see wirespan mqtt --help)", exit_usage);
  const std::string_view verb = args[0];
  if (verb != "connect" && verb != "pub" && verb != "sub") {
    return fail(name, "unknown subcommand '" + std::string(verb) + "' (connect, pub or sub)", exit_usage);
  }
  options o;
  o.client_id = "wirespan-" + std::to_string(::getpid());
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 == args.size()) return std::nullopt;
      return std::string(args[++i]);
    };
    auto need = [&](std::optional<std::string> v) -> std::optional<std::string> {
      if (!v) fail(name, std::string(a) + " needs a value", exit_usage);
      return v;
    };
    auto num = [&](unsigned max) -> std::optional<unsigned> {
      auto v = need(value());
      if (!v) return std::nullopt;
      auto n = number(*v, max);
      if (!n) fail(name, std::string(a) + ": '" + *v + "' is not a number up to " + std::to_string(max), exit_usage);
      return n;
    };
    if (a == "--host") {
      auto v = need(value());
      if (!v) return exit_usage;
      o.host = *v;
    } else if (a == "--port") {
      auto n = num(65535);
      if (!n) return exit_usage;
      o.port = std::to_string(*n);
    } else if (a == "--version") {
      auto v = need(value());
      if (!v) return exit_usage;
      if (*v == "3.1") o.version = mq::protocol_version::v3_1;
      else if (*v == "3.1.1" || *v == "4") o.version = mq::protocol_version::v3_1_1;
      else if (*v == "5" || *v == "5.0") o.version = mq::protocol_version::v5;
      else return fail(name, "--version: 3.1, 3.1.1 or 5", exit_usage);
    } else if (a == "--client-id") {
      auto v = need(value());
      if (!v) return exit_usage;
      o.client_id = *v;
    } else if (a == "--keepalive") {
      auto n = num(65535);
      if (!n) return exit_usage;
      o.keepalive = static_cast<std::uint16_t>(*n);
    } else if (a == "--clean") {
      o.clean = true;
    } else if (a == "--no-clean") {
      o.clean = false;
    } else if (a == "--username") {
      o.username = need(value());
      if (!o.username) return exit_usage;
    } else if (a == "--password") {
      o.password = need(value());
      if (!o.password) return exit_usage;
    } else if (a == "--will-topic") {
      o.will_topic = need(value());
      if (!o.will_topic) return exit_usage;
    } else if (a == "--will-payload") {
      o.will_payload = need(value());
      if (!o.will_payload) return exit_usage;
    } else if (a == "--will-qos") {
      auto n = num(2);
      if (!n) return exit_usage;
      o.will_qos = static_cast<std::uint8_t>(*n);
    } else if (a == "--will-retain") {
      o.will_retain = true;
    } else if (a == "--property") {
      auto v = need(value());
      if (!v) return exit_usage;
      const auto eq = v->find('=');
      if (eq == std::string::npos) return fail(name, "--property NAME=VALUE", exit_usage);
      o.properties.emplace_back(v->substr(0, eq), v->substr(eq + 1));
    } else if (a == "--topic" || a == "-t") {
      auto v = need(value());
      if (!v) return exit_usage;
      o.topic = *v;
    } else if (a == "--message" || a == "-m") {
      auto v = need(value());
      if (!v) return exit_usage;
      o.message = *v;
    } else if (a == "--qos" || a == "-q") {
      auto n = num(2);
      if (!n) return exit_usage;
      o.qos = static_cast<std::uint8_t>(*n);
    } else if (a == "--retain") {
      o.retain = true;
    } else if (a == "--count") {
      auto n = num(1'000'000);
      if (!n) return exit_usage;
      o.count = *n;
    } else if (a == "--timeout") {
      auto n = num(3600);
      if (!n) return exit_usage;
      o.timeout = *n;
    } else {
      return fail(name, "unknown option '" + std::string(a) + "'", exit_usage);
    }
  }
  if (o.will_payload && !o.will_topic) return fail(name, "--will-payload needs --will-topic", exit_usage);
  if (!o.properties.empty() && o.version != mq::protocol_version::v5) {
    return fail(name, "--property needs --version 5", exit_usage);
  }
  if (verb != "connect" && o.topic.empty()) return fail(name, "--topic is required", exit_usage);
  if (verb == "pub" && !mq::check_topic_name(mq::string_ref(std::string_view(o.topic))).has_value()) {
    return fail(name, "--topic: not a valid topic name", exit_usage);
  }
  if (verb == "sub" && !mq::check_topic_filter(mq::string_ref(std::string_view(o.topic))).has_value()) {
    return fail(name, "--topic: not a valid topic filter", exit_usage);
  }

  std::deque<std::string> keep;
  std::vector<std::uint8_t> props;
  int status = exit_ok;
  auto c = open_session(o, keep, props, status);
  if (!c) return status;
  const mq::string_ref topic(std::string_view(o.topic));
  std::uint16_t next_id = 1;
  if (verb == "pub") {
    for (unsigned i = 0; i < o.count; ++i) {
      mq::publish p;
      p.version = o.version;
      p.qos = o.qos;
      p.retain = o.retain;
      p.topic = topic;
      p.payload = mq::string_ref(std::string_view(o.message));
      if (o.qos > 0) p.packet_id = next_id++;
      if (!c->send_packet(p)) return finish(c, false);
      if (o.qos == 1 && !c->expect(mq::packet_type::puback)) return finish(c, false);
      if (o.qos == 2) {
        if (!c->expect(mq::packet_type::pubrec)) return finish(c, false);
        mq::pub_ack rel;
        rel.version = o.version;
        rel.type = mq::packet_type::pubrel;
        rel.packet_id = p.packet_id;
        if (!c->send_packet(rel) || !c->expect(mq::packet_type::pubcomp)) return finish(c, false);
      }
    }
  } else if (verb == "sub") {
    const mq::subscription list[] = {{topic, o.qos, false, false, 0}};
    mq::subscribe s;
    s.version = o.version;
    s.packet_id = next_id++;
    s.subscriptions = mq::subscription_list(list);
    if (!c->send_packet(s)) return finish(c, false);
    auto ack = c->expect(mq::packet_type::suback);
    if (!ack) return finish(c, false);
    for (std::uint8_t code : std::get<mq::suback>(*ack).codes) {
      if (code >= 0x80) {
        return fail(name, "the broker refused the subscription (code " + std::to_string(code) + ")", exit_bad_input);
      }
    }
    unsigned pending = 0;  // QoS 2 messages whose PUBREL has not come yet
    for (unsigned got = 0; got < o.count || pending > 0;) {
      auto p = c->receive();
      if (!p) return finish(c, false);
      if (const auto* pub = std::get_if<mq::publish>(&*p)) {
        ++got;
        if (pub->qos > 0) {
          mq::pub_ack a;
          a.version = o.version;
          a.type = pub->qos == 1 ? mq::packet_type::puback : mq::packet_type::pubrec;
          a.packet_id = pub->packet_id;
          if (pub->qos == 2) ++pending;
          if (!c->send_packet(a)) return finish(c, false);
        }
      } else if (const auto* rel = std::get_if<mq::pub_ack>(&*p); rel != nullptr && rel->type == mq::packet_type::pubrel) {
        mq::pub_ack comp;
        comp.version = o.version;
        comp.type = mq::packet_type::pubcomp;
        comp.packet_id = rel->packet_id;
        if (pending > 0) --pending;
        if (!c->send_packet(comp)) return finish(c, false);
      }
    }
  }
  return finish(c, true);
}

}  // namespace wirespan_cli
