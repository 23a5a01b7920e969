// Text and JSON descriptions of a dissected frame, shared by `decode` and `demo`.
#pragma once

#include <cstddef>
#include <string>

#include <wirespan/wirespan.hpp>

namespace wirespan_cli {

/// One JSON object (no newline): "frame" and the Wireshark-named fields.
std::string frame_json(std::size_t number, const wirespan::pcap::record& rec, const wirespan::dissect::layers& l);
/// One line like tshark's: number, time, source -> destination, protocol, length, summary.
std::string frame_line(std::size_t number, double seconds, const wirespan::pcap::record& rec,
                       const wirespan::dissect::layers& l);

/// One JSON object (no newline) of an MQTT control packet's fields, with Wireshark's names
/// (mqtt.msgtype, mqtt.topic, mqtt.msg as lowercase hex, ...); `packet` its bytes.
std::string mqtt_packet_json(wirespan::bytes packet, const wirespan::mqtt::control_packet& p);

}  // namespace wirespan_cli
