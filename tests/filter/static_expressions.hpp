// The expressions the tests compile as static filters (string literals: template
// arguments), shared by the unit test and the libpcap differential.
#pragma once

#define WIRESPAN_STATIC_EXPRESSIONS(X)                                                                         \
  X("host 192.168.1.10") X("tcp port 443") X("udp port 53") X("icmp") X("not port 22")                      \
  X("tcp[tcpflags] & tcp-syn != 0") X("greater 1400") X("net 10.0.0.0/8") X("src host 10.0.0.1 and dst port 80") \
  X("ip") X("ip6") X("arp") X("vlan 100 and tcp") X("vlan and vlan and udp") X("ether broadcast")              \
  X("ether multicast") X("ip multicast") X("ip6 multicast") X("sctp") X("igmp") X("icmp6")                    \
  X("less 60") X("len >= 100") X("portrange 1000-2000") X("tcp[13] & 0x12 = 0x12")                             \
  X("ip[6:2] & 0x1fff = 0") X("host 10.0.0.1 or 10.0.0.2") X("not port 22 and 53") X("ip6 host ::1")         \
  X("ether src 02:00:00:00:00:01") X("icmp[icmptype] = icmp-echo") X("icmp6[icmp6type] = icmp6-echo")        \
  X("tcp[((tcp[12] & 0xf0) >> 2)] & 0xc0 = 0x40") X("ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 0") \
  X("ip[3] % 7 = 2 or ip[4] - 1 = 0") X("ether[ether[14] & 3] > 0") X("10 / 3 = 3") X("-1 = 0xffffffff")       \
  X("(tcp and (port 80 or 8080)) or (udp and port 53)") X("src net 10.0.0.0/8 and dst net 192.168.1.0/24")    \
  X("tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn") X("udp[0:2] = 53 or udp[2:2] = 53") X("ip proto 132")      \
  X("arp host 10.0.0.2") X("ip6 net ff00::/8") X("len - 14 >= ip[2:2]") X("ether proto 0x86dd")
