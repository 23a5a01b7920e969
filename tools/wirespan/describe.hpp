// Text and JSON descriptions of a dissected frame, shared by `decode` and `demo`.
#pragma once

#include <cstddef>
#include <string>

#include <wirespan/wirespan.hpp>

namespace wirespan_cli {

/// One JSON object (no newline): "frame" and the Wireshark-named fields.
/// `mqtt`: a JSON array of the MQTT packets in its TCP payload (see mqtt_packet_json),
/// written as "mqtt" when not empty.
std::string frame_json(std::size_t number, const wirespan::pcap::record& rec, const wirespan::dissect::layers& l,
                       const std::string& mqtt = {});
/// One line like tshark's: number, time, source -> destination, protocol, length, summary.
/// `mqtt`: a summary of the MQTT packets in its TCP payload; when not empty, the protocol
/// is MQTT and it is the summary.
std::string frame_line(std::size_t number, double seconds, const wirespan::pcap::record& rec,
                       const wirespan::dissect::layers& l, const std::string& mqtt = {});

/// One JSON object (no newline) of an MQTT control packet's fields, with Wireshark's names
/// (mqtt.msgtype, mqtt.topic, mqtt.msg as lowercase hex, ...); `packet` its bytes.
std::string mqtt_packet_json(wirespan::bytes packet, const wirespan::mqtt::control_packet& p);

}  // namespace wirespan_cli
