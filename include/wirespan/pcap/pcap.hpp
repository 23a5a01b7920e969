// wirespan/pcap/pcap.hpp — classic pcap capture files: reader and writer over spans.
//
// Both byte orders; microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magic. The
// reader checks the file header and every record header: a record longer than the rest
// of the file, or than the snapshot length (strict; lax allows up to 262144 like
// libpcap), is an error with the record's offset. The link type is reported as written
// (Ethernet 1, raw IP 101, Linux cooked SLL 113, BSD loopback 0, ...); the dissector
// knows what to do with each.
//
// ```cpp
// auto r = wirespan::pcap::reader::open(file_bytes);     // file read or mapped by you
// wirespan::pcap::record rec;
// while (auto more = r->next(rec)) { if (!*more) break; use(rec.data); }
// ```
#pragma once

#include <cstddef>
#include <cstdint>

#include "../core/bytes.hpp"
#include "../core/endian.hpp"
#include "../core/error.hpp"
#include "../core/result.hpp"

namespace wirespan::pcap {

/// LINKTYPE_ values (tcpdump.org/linktypes.html) the dissector knows.
namespace linktype {
inline constexpr std::uint32_t null = 0;          ///< BSD loopback: 4-byte AF_ value, host byte order
inline constexpr std::uint32_t ethernet = 1;
inline constexpr std::uint32_t raw = 101;         ///< raw IPv4 or IPv6
inline constexpr std::uint32_t loop = 108;        ///< OpenBSD loopback: AF_ value, network byte order
inline constexpr std::uint32_t linux_sll = 113;   ///< Linux cooked capture v1
inline constexpr std::uint32_t ipv4 = 228;
inline constexpr std::uint32_t ipv6 = 229;
inline constexpr std::uint32_t linux_sll2 = 276;  ///< Linux cooked capture v2
}  // namespace linktype

inline constexpr std::uint32_t magic_microseconds = 0xa1b2c3d4;
inline constexpr std::uint32_t magic_nanoseconds = 0xa1b23c4d;
inline constexpr std::size_t file_header_size = 24;
inline constexpr std::size_t record_header_size = 16;
/// libpcap's largest snapshot length.
inline constexpr std::uint32_t max_snaplen = 262144;

/// The global header of a classic pcap file.
struct file_header {
  bool nanosecond = false;
  bool little_endian = true;  ///< the byte order the file is written in
  std::uint16_t version_major = 2;
  std::uint16_t version_minor = 4;
  std::int32_t thiszone = 0;
  std::uint32_t sigfigs = 0;
  std::uint32_t snaplen = max_snaplen;
  std::uint32_t linktype = linktype::ethernet;  ///< the low 16 bits of the network field
  std::uint32_t network = linktype::ethernet;   ///< the whole field (FCS bits included)
};

/// One packet, from a pcap or pcapng file.
struct record {
  std::uint64_t seconds = 0;         ///< timestamp, seconds since the epoch
  std::uint32_t nanoseconds = 0;     ///< and nanoseconds (microsecond files: usec * 1000)
  std::uint32_t captured_length = 0;
  std::uint32_t original_length = 0;  ///< the length on the wire
  std::uint32_t linktype = 0;
  std::uint32_t interface_id = 0;    ///< pcapng interface; 0 in classic pcap
  std::size_t offset = 0;            ///< offset of the record (block) in the file
  bytes data{};                      ///< the captured bytes
};

struct read_options {
  bool strict = true;  ///< captured length must be <= snaplen (lax: <= 262144) and <= original
};

class reader {
 public:
  /// Check the file header. Errors: truncated (< 24 bytes), malformed (unknown magic),
  /// bad_version (not 2.x).
  static constexpr result<reader> open(bytes file, read_options opts = {}) noexcept {
    if (file.size() < file_header_size)
      return make_error(errc::truncated, file.size(), "pcap: {} bytes missing from the 24-byte file header",
                        file_header_size - file.size());
    reader r;
    r.file_ = file;
    r.opts_ = opts;
    const std::uint32_t le = load_le32(file.data());
    const std::uint32_t be = load_be32(file.data());
    file_header& h = r.header_;
    if (le == magic_microseconds || le == magic_nanoseconds) {
      h.little_endian = true;
      h.nanosecond = le == magic_nanoseconds;
    } else if (be == magic_microseconds || be == magic_nanoseconds) {
      h.little_endian = false;
      h.nanosecond = be == magic_nanoseconds;
    } else {
      return make_error(errc::malformed, 0, "pcap: magic {} is not a pcap magic number", be);
    }
    h.version_major = r.u16(4);
    h.version_minor = r.u16(6);
    if (h.version_major != 2)
      return make_error(errc::bad_version, 4, "pcap: version {}.x is not 2.x", h.version_major, 2);
    h.thiszone = static_cast<std::int32_t>(r.u32(8));
    h.sigfigs = r.u32(12);
    h.snaplen = r.u32(16);
    h.network = r.u32(20);
    h.linktype = h.network & 0xffff;
    r.pos_ = file_header_size;
    return r;
  }

  constexpr const file_header& header() const noexcept { return header_; }

  /// Read the next record into `out`: true, or false at the end of the file. Errors:
  /// truncated (a record header or its data runs past the end of the file), bad_length
  /// (captured length > snaplen or > original length, strict).
  constexpr result<bool> next(record& out) noexcept {
    if (pos_ == file_.size()) return false;
    if (file_.size() - pos_ < record_header_size)
      return make_error(errc::truncated, pos_, "pcap: record header cut short ({} bytes missing)",
                        record_header_size - (file_.size() - pos_));
    const std::uint32_t caplen = u32(pos_ + 8);
    const std::uint32_t origlen = u32(pos_ + 12);
    const std::uint32_t limit = opts_.strict ? header_.snaplen : (header_.snaplen > max_snaplen ? header_.snaplen : max_snaplen);
    if (caplen > limit)
      return make_error(errc::bad_length, pos_ + 8, "pcap: captured length {} > snapshot length {}", caplen, limit);
    if (opts_.strict && caplen > origlen)
      return make_error(errc::bad_length, pos_ + 8, "pcap: captured length {} > original length {}", caplen, origlen);
    if (caplen > file_.size() - pos_ - record_header_size)
      return make_error(errc::truncated, pos_ + 8, "pcap: record of {} bytes runs past the end of the file", caplen,
                        file_.size() - pos_ - record_header_size);
    out.seconds = u32(pos_);
    const std::uint32_t frac = u32(pos_ + 4);
    out.nanoseconds = header_.nanosecond ? frac : frac * 1000u;
    out.captured_length = caplen;
    out.original_length = origlen;
    out.linktype = header_.linktype;
    out.interface_id = 0;
    out.offset = pos_;
    out.data = file_.subspan(pos_ + record_header_size, caplen);
    pos_ += record_header_size + caplen;
    return true;
  }

  /// Offset of the next record.
  constexpr std::size_t position() const noexcept { return pos_; }

 private:
  constexpr std::uint16_t u16(std::size_t at) const noexcept {
    return header_.little_endian ? load_le16(file_.data() + at) : load_be16(file_.data() + at);
  }
  constexpr std::uint32_t u32(std::size_t at) const noexcept {
    return header_.little_endian ? load_le32(file_.data() + at) : load_be32(file_.data() + at);
  }
  bytes file_{};
  std::size_t pos_ = 0;
  file_header header_{};
  read_options opts_{};
};

// ---- writing ---------------------------------------------------------------------------

/// Write a file header (in `h.little_endian` order). Returns 24.
constexpr result<std::size_t> write_file_header(const file_header& h, mutable_bytes out) noexcept {
  if (out.size() < file_header_size)
    return make_error(errc::buffer_too_small, 0, "pcap: the file header needs {} bytes", file_header_size, out.size());
  auto put32 = [&](std::size_t at, std::uint32_t v) {
    h.little_endian ? store_le32(out.data() + at, v) : store_be32(out.data() + at, v);
  };
  auto put16 = [&](std::size_t at, std::uint16_t v) {
    h.little_endian ? store_le16(out.data() + at, v) : store_be16(out.data() + at, v);
  };
  put32(0, h.nanosecond ? magic_nanoseconds : magic_microseconds);
  put16(4, h.version_major);
  put16(6, h.version_minor);
  put32(8, static_cast<std::uint32_t>(h.thiszone));
  put32(12, h.sigfigs);
  put32(16, h.snaplen);
  put32(20, h.linktype | (h.network & 0xffff0000u));
  return file_header_size;
}

/// Bytes `write_record` writes for `data`.
constexpr std::size_t record_size(bytes data) noexcept { return record_header_size + data.size(); }

/// Write one record: timestamp from `seconds`/`nanoseconds`, original length
/// `original_length` (or the data size when 0). Returns the bytes written.
constexpr result<std::size_t> write_record(const file_header& h, std::uint64_t seconds, std::uint32_t nanoseconds,
                                           bytes data, std::uint32_t original_length, mutable_bytes out) noexcept {
  const std::size_t n = record_size(data);
  if (data.size() > h.snaplen)
    return make_error(errc::invalid_argument, 0, "pcap: {} bytes > snapshot length {}", data.size(), h.snaplen);
  if (seconds > 0xffffffffu || nanoseconds >= 1000000000u)
    return make_error(errc::invalid_argument, 0, "pcap: timestamp out of range");
  if (out.size() < n) return make_error(errc::buffer_too_small, 0, "pcap: the record needs {} bytes", n, out.size());
  auto put32 = [&](std::size_t at, std::uint32_t v) {
    h.little_endian ? store_le32(out.data() + at, v) : store_be32(out.data() + at, v);
  };
  put32(0, static_cast<std::uint32_t>(seconds));
  put32(4, h.nanosecond ? nanoseconds : nanoseconds / 1000u);
  put32(8, static_cast<std::uint32_t>(data.size()));
  put32(12, original_length ? original_length : static_cast<std::uint32_t>(data.size()));
  for (std::size_t i = 0; i < data.size(); ++i) out[record_header_size + i] = data[i];
  return n;
}

}  // namespace wirespan::pcap
