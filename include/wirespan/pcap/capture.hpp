// wirespan/pcap/capture.hpp — open a capture file whatever its format (classic pcap in
// either byte order and time resolution, or pcapng) and read its packets as
// `pcap::record`s.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "pcap.hpp"
#include "pcapng.hpp"

namespace wirespan::capture {

enum class format : std::uint8_t { pcap, pcapng };

class reader {
 public:
  /// Detect the format by its magic number and check the file header.
  static constexpr result<reader> open(bytes file, pcap::read_options opts = {}) noexcept {
    reader r;
    if (file.size() >= 4 && load_le32(file.data()) == pcapng::block_type::section_header) {
      auto ng = pcapng::reader::open(file);
      if (!ng) return ng.error();
      r.format_ = format::pcapng;
      r.ng_ = *ng;
      return r;
    }
    auto classic = pcap::reader::open(file, opts);
    if (!classic) return classic.error();
    r.format_ = format::pcap;
    r.classic_ = *classic;
    return r;
  }

  constexpr format file_format() const noexcept { return format_; }
  /// The classic file header (meaningful for `format::pcap` only).
  constexpr const pcap::file_header& pcap_header() const noexcept { return classic_.header(); }

  /// The next packet: true, or false at the end.
  constexpr result<bool> next(pcap::record& out) noexcept {
    return format_ == format::pcap ? classic_.next(out) : ng_.next(out);
  }

 private:
  format format_ = format::pcap;
  pcap::reader classic_{};
  pcapng::reader ng_{};
};

}  // namespace wirespan::capture
