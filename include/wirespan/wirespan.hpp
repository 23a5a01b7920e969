// wirespan/wirespan.hpp — the umbrella header: every codec, no adapter.
//
// Adapters (raw sockets, AF_XDP, DPDK) are opt-in: include them from wirespan/adapters/.
#pragma once

#include "config.hpp"
#include "version.hpp"

#include "core/bytes.hpp"
#include "core/checksum.hpp"
#include "core/endian.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/reader.hpp"
#include "core/result.hpp"
#include "core/tlv.hpp"
#include "core/writer.hpp"

#include "link/arp.hpp"
#include "link/ethernet.hpp"

#include "ip/icmp.hpp"
#include "ip/icmpv6.hpp"
#include "ip/ipv4.hpp"
#include "ip/ipv4_address.hpp"
#include "ip/ipv6.hpp"
#include "ip/ipv6_address.hpp"
#include "ip/pseudo_header.hpp"
#include "ip/tcp.hpp"
#include "ip/udp.hpp"

#include "pcap/capture.hpp"
#include "pcap/pcap.hpp"
#include "pcap/pcapng.hpp"

#include "protobuf/message.hpp"
#include "protobuf/reader.hpp"
#include "protobuf/text.hpp"
#include "protobuf/types.hpp"
#include "protobuf/varint.hpp"
#include "protobuf/writer.hpp"

#include "mqtt/connect.hpp"
#include "mqtt/control.hpp"
#include "mqtt/packet.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/text.hpp"
#include "dissect/frame.hpp"
#include "filter/bpf.hpp"
#include "filter/compile.hpp"
#include "filter/decoded.hpp"
#include "filter/expression.hpp"
#include "filter/interpret.hpp"
#include "filter/optimize.hpp"
#include "filter/static_filter.hpp"
#include "filter/text.hpp"
#include "filter/validate.hpp"
