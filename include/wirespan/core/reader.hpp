// wirespan/core/reader.hpp — a bounded cursor for reading a byte span.
//
// Every read is checked. A read that would run past the end returns `errc::truncated`
// (offset: the cursor position; value: how many more bytes were needed) and leaves the
// cursor where it was, so a caller can report or retry. Each read takes an optional
// `what` naming the field, which becomes the error's message.
//
// ```cpp
// wirespan::reader r(packet);
// auto type = r.read_u8("icmp: type");
// auto checksum = r.read_be16("icmp: checksum");
// if (!type || !checksum) ...
// ```
#pragma once

#include <cstddef>
#include <cstdint>

#include "bytes.hpp"
#include "endian.hpp"
#include "error.hpp"
#include "result.hpp"

namespace wirespan {

/// A read cursor over `bytes`. It never reads outside the span it was given.
class reader {
 private:
  // Whether `n` more bytes can be read. Written so that it holds without relying on the
  // invariant pos_ <= size: GCC 12 at -O3 does not know that invariant, and with the plain
  // `size - pos_ >= n` it warns (-Warray-bounds) about loads on paths that cannot happen.
  constexpr bool fits(std::size_t n) const noexcept { return n <= data_.size() && pos_ <= data_.size() - n; }

  // The error for a read of `n` bytes that does not fit.
  constexpr error truncated(std::size_t n, const char* what) const noexcept {
    return make_error(errc::truncated, pos_, what, n - (data_.size() - pos_));
  }

  template <class U, std::size_t N, U (*Load)(const std::uint8_t*) noexcept>
  constexpr result<U> read_with(const char* what) noexcept {
    if (!fits(N)) return truncated(N, what);
    // The load is in bounds: fits(N) was just checked. GCC 12 at -Os still reports
    // -Warray-bounds for it on paths it fails to prove dead (it loses the span's size),
    // so the warning is silenced for this one statement.
#if defined(__GNUC__) && !defined(__clang__)
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Warray-bounds"
#endif
    const U v = Load(data_.data() + pos_);
#if defined(__GNUC__) && !defined(__clang__)
#  pragma GCC diagnostic pop
#endif
    pos_ += N;
    return v;
  }

 public:
  static constexpr const char* default_what = "read past the end of the input";

  constexpr reader() noexcept = default;
  constexpr explicit reader(bytes data) noexcept : data_(data) {}

  /// Bytes consumed so far (the offset of the next read).
  constexpr std::size_t position() const noexcept { return pos_; }
  /// Bytes left to read.
  constexpr std::size_t remaining() const noexcept { return data_.size() - pos_; }
  constexpr bool empty() const noexcept { return pos_ == data_.size(); }
  /// The whole span this reader was made from.
  constexpr bytes data() const noexcept { return data_; }
  /// The bytes not yet read.
  constexpr bytes rest() const noexcept { return data_.subspan(pos_); }
  /// The bytes already read.
  constexpr bytes consumed() const noexcept { return data_.first(pos_); }

  constexpr result<std::uint8_t> read_u8(const char* what = default_what) noexcept {
    if (!fits(1)) return truncated(1, what);
    return data_[pos_++];
  }
  constexpr result<std::uint16_t> read_be16(const char* what = default_what) noexcept {
    return read_with<std::uint16_t, 2, load_be16>(what);
  }
  constexpr result<std::uint32_t> read_be24(const char* what = default_what) noexcept {
    return read_with<std::uint32_t, 3, load_be24>(what);
  }
  constexpr result<std::uint32_t> read_be32(const char* what = default_what) noexcept {
    return read_with<std::uint32_t, 4, load_be32>(what);
  }
  constexpr result<std::uint64_t> read_be48(const char* what = default_what) noexcept {
    return read_with<std::uint64_t, 6, load_be48>(what);
  }
  constexpr result<std::uint64_t> read_be64(const char* what = default_what) noexcept {
    return read_with<std::uint64_t, 8, load_be64>(what);
  }
  constexpr result<std::uint16_t> read_le16(const char* what = default_what) noexcept {
    return read_with<std::uint16_t, 2, load_le16>(what);
  }
  constexpr result<std::uint32_t> read_le24(const char* what = default_what) noexcept {
    return read_with<std::uint32_t, 3, load_le24>(what);
  }
  constexpr result<std::uint32_t> read_le32(const char* what = default_what) noexcept {
    return read_with<std::uint32_t, 4, load_le32>(what);
  }
  constexpr result<std::uint64_t> read_le48(const char* what = default_what) noexcept {
    return read_with<std::uint64_t, 6, load_le48>(what);
  }
  constexpr result<std::uint64_t> read_le64(const char* what = default_what) noexcept {
    return read_with<std::uint64_t, 8, load_le64>(what);
  }

  /// The next `n` bytes, as a view into the input (no copy).
  constexpr result<bytes> read_bytes(std::size_t n, const char* what = default_what) noexcept {
    if (!fits(n)) return truncated(n, what);
    bytes out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

  /// Copy the next `out.size()` bytes into `out`.
  constexpr result<void> read_into(mutable_bytes out, const char* what = default_what) noexcept {
    if (!fits(out.size())) return truncated(out.size(), what);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = data_[pos_ + i];
    pos_ += out.size();
    return {};
  }

  /// The next byte without consuming it.
  constexpr result<std::uint8_t> peek_u8(const char* what = default_what) const noexcept {
    if (!fits(1)) return truncated(1, what);
    return data_[pos_];
  }

  /// Skip `n` bytes.
  constexpr result<void> skip(std::size_t n, const char* what = default_what) noexcept {
    if (!fits(n)) return truncated(n, what);
    pos_ += n;
    return {};
  }

  /// Move the cursor to absolute offset `position` (at most the size of the input).
  constexpr result<void> seek(std::size_t position, const char* what = "seek past the end of the input") noexcept {
    if (position > data_.size()) {
      return make_error(errc::truncated, data_.size(), what, position - data_.size());
    }
    pos_ = position;
    return {};
  }

 private:
  bytes data_{};
  std::size_t pos_ = 0;
};

}  // namespace wirespan
