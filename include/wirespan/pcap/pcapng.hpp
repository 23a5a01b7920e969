// wirespan/pcap/pcapng.hpp — pcapng capture files (the IETF draft "PCAP Next Generation"),
// reading: section header blocks (both byte orders, several sections), interface
// description blocks (link type, snaplen, if_tsresol, if_tsoffset), enhanced and simple
// packet blocks, several interfaces; every other block is skipped.
//
// Every block is checked: total length a multiple of 4, at least 12, within the file, and
// equal to the copy at its end; packet data within its block; interface IDs defined.
// Records come out as `pcap::record`, with the interface's link type.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"
#include "pcap.hpp"

namespace wirespan::pcapng {

namespace block_type {
inline constexpr std::uint32_t section_header = 0x0a0d0d0a;
inline constexpr std::uint32_t interface_description = 1;
inline constexpr std::uint32_t packet = 2;  ///< obsolete
inline constexpr std::uint32_t simple_packet = 3;
inline constexpr std::uint32_t name_resolution = 4;
inline constexpr std::uint32_t interface_statistics = 5;
inline constexpr std::uint32_t enhanced_packet = 6;
}  // namespace block_type

inline constexpr std::uint32_t byte_order_magic = 0x1a2b3c4d;
inline constexpr std::size_t max_interfaces = 64;

/// An interface of the current section.
struct interface {
  std::uint32_t linktype = 0;
  std::uint32_t snaplen = 0;
  std::uint8_t tsresol = 6;   ///< if_tsresol as written (bit 7: power of 2)
  std::int64_t tsoffset = 0;  ///< if_tsoffset, seconds
};

class reader {
 public:
  /// Check the first block is a section header. Errors: truncated, malformed.
  static constexpr result<reader> open(bytes file) noexcept {
    reader r;
    r.file_ = file;
    if (file.size() < 12)
      return make_error(errc::truncated, file.size(), "pcapng: {} bytes missing from the first block", 12 - file.size());
    if (load_le32(file.data()) != block_type::section_header)
      return make_error(errc::malformed, 0, "pcapng: the file does not start with a section header block");
    return r;
  }

  /// The interfaces of the current section.
  constexpr std::size_t interface_count() const noexcept { return interfaces_; }
  constexpr const interface& interface_at(std::size_t i) const noexcept { return ifs_[i]; }

  /// Read the next packet into `out`: true, or false at the end of the file.
  constexpr result<bool> next(pcap::record& out) noexcept {
    while (pos_ < file_.size()) {
      const std::size_t at = pos_;
      if (file_.size() - at < 12)
        return make_error(errc::truncated, at, "pcapng: block header cut short ({} bytes left)", file_.size() - at);
      const std::uint32_t type_le = load_le32(file_.data() + at);
      if (type_le == block_type::section_header) {
        if (auto ok = section(at); !ok) return ok.error();
        continue;
      }
      if (!in_section_) return make_error(errc::malformed, at, "pcapng: block before any section header");
      const std::uint32_t type = u32(at);
      const std::uint32_t len = u32(at + 4);
      if (auto ok = check_length(at, len); !ok) return ok.error();
      const bytes body = file_.subspan(at + 8, len - 12);
      pos_ = at + len;
      switch (type) {
        case block_type::interface_description:
          if (auto ok = describe(body, at); !ok) return ok.error();
          break;
        case block_type::enhanced_packet:
          return packet(body, at, len, false, out);
        case block_type::simple_packet: {
          if (body.size() < 4)
            return make_error(errc::bad_length, at + 4, "pcapng: simple packet block of {} bytes < 16", len, 16);
          if (interfaces_ == 0) return make_error(errc::bad_value, at, "pcapng: simple packet block without an interface");
          const std::uint32_t origlen = u32b(body, 0);
          std::size_t caplen = origlen;
          if (ifs_[0].snaplen != 0 && caplen > ifs_[0].snaplen) caplen = ifs_[0].snaplen;
          if (caplen > body.size() - 4)
            return make_error(errc::bad_length, at + 8, "pcapng: packet of {} bytes > the {} bytes of the block", caplen,
                              body.size() - 4);
          out = pcap::record{};
          out.linktype = ifs_[0].linktype;
          out.captured_length = static_cast<std::uint32_t>(caplen);
          out.original_length = origlen;
          out.offset = at;
          out.data = body.subspan(4, caplen);
          return true;
        }
        case block_type::packet:  // the obsolete form: a 16-bit interface ID, then as an EPB
          return packet(body, at, len, true, out);
        default: break;  // unknown and uninteresting blocks are skipped
      }
    }
    return false;
  }

 private:
  constexpr std::uint16_t u16b(bytes b, std::size_t at) const noexcept {
    return little_ ? load_le16(b.data() + at) : load_be16(b.data() + at);
  }
  constexpr std::uint32_t u32b(bytes b, std::size_t at) const noexcept {
    return little_ ? load_le32(b.data() + at) : load_be32(b.data() + at);
  }
  constexpr std::uint32_t u32(std::size_t at) const noexcept { return u32b(file_, at); }

  // An enhanced packet block, or the obsolete packet block (`short_id`: a 16-bit interface
  // ID and 16 bits of drop count): interface ID, 64-bit timestamp, captured and original
  // lengths, data.
  constexpr result<bool> packet(bytes body, std::size_t at, std::uint32_t len, bool short_id,
                                pcap::record& out) const noexcept {
    if (body.size() < 20)
      return make_error(errc::bad_length, at + 4, "pcapng: packet block of {} bytes < 32", len, 32);
    const std::uint32_t id = short_id ? u16b(body, 0) : u32b(body, 0);
    if (id >= interfaces_)
      return make_error(errc::bad_value, at + 8, "pcapng: interface {} is not described", id, interfaces_);
    const std::uint32_t caplen = u32b(body, 12);
    if (caplen > body.size() - 20)
      return make_error(errc::bad_length, at + 20, "pcapng: captured length {} > the {} bytes of the block", caplen,
                        body.size() - 20);
    fill(out, ifs_[id], std::uint64_t{u32b(body, 4)} << 32 | u32b(body, 8));
    out.captured_length = caplen;
    out.original_length = u32b(body, 16);
    out.interface_id = id;
    out.offset = at;
    out.data = body.subspan(20, caplen);
    return true;
  }

  constexpr result<void> check_length(std::size_t at, std::uint32_t len) const noexcept {
    if (len % 4 != 0)
      return make_error(errc::bad_length, at + 4, "pcapng: block length {} is not a multiple of 4", len);
    if (len < 12) return make_error(errc::bad_length, at + 4, "pcapng: block length {} < 12", len, 12);
    if (len > file_.size() - at)
      return make_error(errc::truncated, at + 4, "pcapng: block of {} bytes runs past the end of the file", len,
                        file_.size() - at);
    if (u32(at + len - 4) != len)
      return make_error(errc::malformed, at + len - 4, "pcapng: trailing block length {} != {}", u32(at + len - 4), len);
    return {};
  }

  constexpr result<void> section(std::size_t at) noexcept {
    if (file_.size() - at < 28)
      return make_error(errc::truncated, at, "pcapng: section header block cut short");
    const std::uint32_t magic = load_le32(file_.data() + at + 8);
    if (magic == byte_order_magic) {
      little_ = true;
    } else if (load_be32(file_.data() + at + 8) == byte_order_magic) {
      little_ = false;
    } else {
      return make_error(errc::malformed, at + 8, "pcapng: byte-order magic {} is wrong", magic);
    }
    const std::uint32_t len = u32(at + 4);
    if (len < 28) return make_error(errc::bad_length, at + 4, "pcapng: section header block length {} < 28", len, 28);
    if (auto ok = check_length(at, len); !ok) return ok.error();
    const std::uint16_t major = u16b(file_, at + 12);
    if (major != 1) return make_error(errc::bad_version, at + 12, "pcapng: version {}.x is not 1.x", major, 1);
    in_section_ = true;
    interfaces_ = 0;
    pos_ = at + len;
    return {};
  }

  constexpr result<void> describe(bytes body, std::size_t at) noexcept {
    if (body.size() < 8)
      return make_error(errc::bad_length, at + 4, "pcapng: interface description block of {} bytes < 20", body.size() + 12,
                        20);
    if (interfaces_ == max_interfaces)
      return make_error(errc::limit_exceeded, at, "pcapng: more than {} interfaces", max_interfaces);
    interface i;
    i.linktype = u16b(body, 0);
    i.snaplen = u32b(body, 4);
    // Options: code, length, value padded to 4.
    std::size_t o = 8;
    while (o <= body.size() && body.size() - o >= 4) {
      const std::uint16_t code = u16b(body, o);
      const std::size_t olen = u16b(body, o + 2);
      if (code == 0) break;
      if (olen > body.size() - o - 4)
        return make_error(errc::bad_length, at + 8 + o + 2, "pcapng: option length {} runs past the block", olen);
      if (code == 9 && olen >= 1) i.tsresol = body[o + 4];
      if (code == 14 && olen == 8) i.tsoffset = static_cast<std::int64_t>(little_ ? load_le64(body.data() + o + 4)
                                                                                 : load_be64(body.data() + o + 4));
      o += 4 + (olen + 3) / 4 * 4;
    }
    ifs_[interfaces_++] = i;
    return {};
  }

  static constexpr void fill(pcap::record& out, const interface& i, std::uint64_t ts) noexcept {
    out = pcap::record{};
    out.linktype = i.linktype;
    std::uint64_t units = 1;  // units per second
    if (i.tsresol & 0x80) {
      const unsigned e = i.tsresol & 0x7fu;
      units = e < 64 ? std::uint64_t{1} << e : 0;
    } else {
      for (unsigned k = 0; k < i.tsresol && k < 19; ++k) units *= 10;
    }
    if (units == 0) units = 1;
    const std::uint64_t secs = ts / units;
    const std::uint64_t frac = ts % units;
    // frac / units * 1e9 without overflow for units up to 1e19 / 2^63.
    std::uint64_t ns = 0;
    if (units <= 1000000000u) {
      ns = frac * (1000000000u / units) + frac * (1000000000u % units) / units;
    } else {
      ns = frac / (units / 1000000000u);
    }
    // (if_tsoffset is signed; added modulo 2^64, as a hostile file may make the sum
    // overflow: no undefined behaviour)
    out.seconds = secs + static_cast<std::uint64_t>(i.tsoffset);
    out.nanoseconds = static_cast<std::uint32_t>(ns);
  }

  bytes file_{};
  std::size_t pos_ = 0;
  std::array<interface, max_interfaces> ifs_{};
  std::size_t interfaces_ = 0;
  bool little_ = true;
  bool in_section_ = false;
};

}  // namespace wirespan::pcapng
