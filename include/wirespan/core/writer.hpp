// wirespan/core/writer.hpp — a bounded cursor for writing into a caller's byte span.
//
// Every write is checked. A write that does not fit returns `errc::buffer_too_small`
// (offset: the cursor position; value: the buffer size this write needed) and writes
// nothing, leaving the cursor unchanged. `reserve(n)` hands out a sub-span to fill
// later: encoders reserve a length field, write the body, then back-patch it.
//
// ```cpp
// std::array<std::uint8_t, 64> buf;
// wirespan::writer w(buf);
// auto len = w.reserve(2);      // length prefix, patched below
// w.write_bytes(body);
// wirespan::store_be16(len->data(), static_cast<std::uint16_t>(w.position() - 2));
// ```
#pragma once

#include <cstddef>
#include <cstdint>

#include "bytes.hpp"
#include "endian.hpp"
#include "error.hpp"
#include "result.hpp"

namespace wirespan {

/// A write cursor over `mutable_bytes`. It never writes outside the span it was given.
class writer {
 private:
  constexpr result<void> room(std::size_t n, const char* what) const noexcept {
    // Not `size - pos_ >= n`: see reader::fits for the GCC -Warray-bounds reason.
    if (n <= out_.size() && pos_ <= out_.size() - n) return {};
    // The size needed; saturates instead of wrapping for absurd n.
    std::size_t needed = n > SIZE_MAX - pos_ ? SIZE_MAX : pos_ + n;
    return make_error(errc::buffer_too_small, pos_, what, needed, out_.size());
  }

  template <class U, std::size_t N, void (*Store)(std::uint8_t*, U) noexcept>
  constexpr result<void> write_with(U v, const char* what) noexcept {
    if (auto e = room(N, what); !e) return e;
    Store(out_.data() + pos_, v);
    pos_ += N;
    return {};
  }


 public:
  static constexpr const char* default_what = "output buffer too small";

  constexpr writer() noexcept = default;
  constexpr explicit writer(mutable_bytes out) noexcept : out_(out) {}

  /// Bytes written so far (the offset of the next write).
  constexpr std::size_t position() const noexcept { return pos_; }
  /// Room left.
  constexpr std::size_t remaining() const noexcept { return out_.size() - pos_; }
  /// The bytes written so far.
  constexpr mutable_bytes written() const noexcept { return out_.first(pos_); }
  /// The whole output span.
  constexpr mutable_bytes buffer() const noexcept { return out_; }

  constexpr result<void> write_u8(std::uint8_t v, const char* what = default_what) noexcept {
    if (auto e = room(1, what); !e) return e;
    out_[pos_++] = v;
    return {};
  }
  constexpr result<void> write_be16(std::uint16_t v, const char* what = default_what) noexcept {
    return write_with<std::uint16_t, 2, store_be16>(v, what);
  }
  constexpr result<void> write_be24(std::uint32_t v, const char* what = default_what) noexcept {
    WIRESPAN_ASSERT(v <= 0xffffffu);
    return write_with<std::uint32_t, 3, store_be24>(v, what);
  }
  constexpr result<void> write_be32(std::uint32_t v, const char* what = default_what) noexcept {
    return write_with<std::uint32_t, 4, store_be32>(v, what);
  }
  constexpr result<void> write_be48(std::uint64_t v, const char* what = default_what) noexcept {
    WIRESPAN_ASSERT(v <= 0xffffffffffffull);
    return write_with<std::uint64_t, 6, store_be48>(v, what);
  }
  constexpr result<void> write_be64(std::uint64_t v, const char* what = default_what) noexcept {
    return write_with<std::uint64_t, 8, store_be64>(v, what);
  }
  constexpr result<void> write_le16(std::uint16_t v, const char* what = default_what) noexcept {
    return write_with<std::uint16_t, 2, store_le16>(v, what);
  }
  constexpr result<void> write_le24(std::uint32_t v, const char* what = default_what) noexcept {
    WIRESPAN_ASSERT(v <= 0xffffffu);
    return write_with<std::uint32_t, 3, store_le24>(v, what);
  }
  constexpr result<void> write_le32(std::uint32_t v, const char* what = default_what) noexcept {
    return write_with<std::uint32_t, 4, store_le32>(v, what);
  }
  constexpr result<void> write_le48(std::uint64_t v, const char* what = default_what) noexcept {
    WIRESPAN_ASSERT(v <= 0xffffffffffffull);
    return write_with<std::uint64_t, 6, store_le48>(v, what);
  }
  constexpr result<void> write_le64(std::uint64_t v, const char* what = default_what) noexcept {
    return write_with<std::uint64_t, 8, store_le64>(v, what);
  }

  /// Copy `data` to the output.
  constexpr result<void> write_bytes(bytes data, const char* what = default_what) noexcept {
    if (auto e = room(data.size(), what); !e) return e;
    for (std::size_t i = 0; i < data.size(); ++i) out_[pos_ + i] = data[i];
    pos_ += data.size();
    return {};
  }

  /// Write `n` copies of `value`.
  constexpr result<void> fill(std::size_t n, std::uint8_t value = 0, const char* what = default_what) noexcept {
    if (auto e = room(n, what); !e) return e;
    for (std::size_t i = 0; i < n; ++i) out_[pos_ + i] = value;
    pos_ += n;
    return {};
  }

  /// Advance over `n` bytes and return them for the caller to fill in later
  /// (length prefixes, checksums). Their content is left as it was.
  constexpr result<mutable_bytes> reserve(std::size_t n, const char* what = default_what) noexcept {
    if (auto e = room(n, what); !e) return e.error();
    mutable_bytes out = out_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

  /// Move the cursor back to `position` (at most the current position), dropping what
  /// was written after it: how an encoder rolls back an empty optional part.
  constexpr void rewind(std::size_t position) noexcept {
    WIRESPAN_ASSERT(position <= pos_);
    pos_ = position;
  }

 private:
  mutable_bytes out_{};
  std::size_t pos_ = 0;
};

}  // namespace wirespan
