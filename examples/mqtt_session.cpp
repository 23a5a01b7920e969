// The broker's side of an MQTT 5.0 session, without a socket: a client's bytes arrive in
// chunks of any size; frame_size cuts whole packets off the front, decode checks each
// one, and the answers (CONNACK, SUBACK, PUBACK, PINGRESP) are encoded into one buffer.
// A packet that breaks a rule gets the DISCONNECT reason code the error maps to.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <variant>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace mq = wirespan::mqtt;

int main() {
  // What the client sends, built with the same codecs.
  std::vector<std::uint8_t> client;
  auto send = [&](const auto& packet) {
    std::vector<std::uint8_t> out(mq::encoded_size(packet));
    if (!mq::encode(packet, out)) std::abort();
    client.insert(client.end(), out.begin(), out.end());
  };
  mq::connect c;
  c.version = mq::protocol_version::v5;
  c.client_id = "sensor-device-001";
  send(c);
  const mq::subscription subs[] = {{"cmd/sensor-device-001/#", 1}};
  send(mq::subscribe{mq::protocol_version::v5, 1, {}, subs});
  mq::publish p;
  p.version = mq::protocol_version::v5;
  p.qos = 1;
  p.packet_id = 2;
  p.topic = "sensor/room1/temperature";
  p.payload = "21.5";
  send(p);
  send(mq::pingreq{});
  // A PUBLISH to a wildcard topic: a 5.0 broker disconnects with 0x90.
  const std::uint8_t bad[] = {0x30, 0x05, 0x00, 0x02, 'a', '#', 0x00};
  client.insert(client.end(), std::begin(bad), std::end(bad));

  // The broker: bytes arrive seven at a time.
  std::vector<std::uint8_t> buffer, answers;
  mq::decode_options o{.version = mq::protocol_version::v5, .max_packet_size = 1 << 16};
  int handled = 0, disconnect_reason = -1;
  auto answer = [&](const auto& packet) {
    std::vector<std::uint8_t> out(mq::encoded_size(packet));
    if (mq::encode(packet, out)) answers.insert(answers.end(), out.begin(), out.end());
  };
  for (std::size_t at = 0; at < client.size() && disconnect_reason < 0; at += 7) {
    buffer.insert(buffer.end(), client.begin() + static_cast<std::ptrdiff_t>(at),
                  client.begin() + static_cast<std::ptrdiff_t>(std::min(client.size(), at + 7)));
    while (disconnect_reason < 0) {
      auto n = mq::frame_size(buffer, o.max_packet_size);
      if (!n) break;  // incomplete: wait for more (limit_exceeded would close the connection)
      auto packet = mq::decode(wirespan::bytes(buffer.data(), *n), o);
      if (!packet) {
        disconnect_reason = mq::disconnect_code(packet.error());
        std::printf("rejected: %s -> DISCONNECT 0x%02x\n", wirespan::to_string(packet.error()).c_str(),
                    static_cast<unsigned>(disconnect_reason));
        answer(mq::disconnect{mq::protocol_version::v5, static_cast<std::uint8_t>(disconnect_reason)});
        break;
      }
      ++handled;
      std::printf("%s\n", mq::to_string(mq::type_of(*packet)));
      if (std::holds_alternative<mq::connect>(*packet)) answer(mq::connack{mq::protocol_version::v5, false, 0, {}});
      if (const auto* s = std::get_if<mq::subscribe>(&*packet)) {
        static const std::uint8_t granted[] = {1};
        answer(mq::suback{mq::protocol_version::v5, s->packet_id, {}, granted});
      }
      if (const auto* pub = std::get_if<mq::publish>(&*packet); pub && pub->qos == 1) {
        mq::pub_ack ack;
        ack.version = mq::protocol_version::v5;
        ack.packet_id = pub->packet_id;
        answer(ack);
      }
      if (std::holds_alternative<mq::pingreq>(*packet)) answer(mq::pingresp{});
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
    }
  }
  std::printf("%d packets handled, %zu bytes of answers: %s\n", handled, answers.size(),
              wirespan::to_hex(answers).c_str());
  // CONNACK (20 03 00 00 00), SUBACK (90 04 00 01 00 01), PUBACK (40 02 00 02),
  // PINGRESP (d0 00), DISCONNECT 0x90 (e0 01 90).
  const bool ok = handled == 4 && disconnect_reason == 0x90 &&
                  wirespan::to_hex(answers) == "200300000090040001000140020002d000e00190";
  return ok ? 0 : 1;
}
