// Frames the filter unit tests share.
#pragma once

#include <array>
#include <cstdint>

namespace wirespan_test {

// An IPv4 TCP SYN from 10.0.0.1:51000 to 10.0.0.2:443 in Ethernet, from 02:00:00:00:00:01
// to 02:00:00:00:00:02.
inline constexpr std::array<std::uint8_t, 54> syn = {
    0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,                                 // Ethernet
    0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,                  // IPv4
    0xc7, 0x38, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};    // TCP SYN

}  // namespace wirespan_test
