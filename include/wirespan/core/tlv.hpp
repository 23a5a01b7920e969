// wirespan/core/tlv.hpp — option lists in the kind-length-value form of IPv4 and TCP:
// kind 0 (End of Option List) and kind 1 (No-Operation) are one byte; every other option
// is kind, length (counting kind and length), data.
//
// Each protocol supplies its option type and a check for one option (`Check(area, pos,
// base)` returns the option's length or an error whose offset counts from `base`); this
// header walks the list (`validate_tlv`) and iterates it (`tlv_range`), the same way for
// both protocols. The bytes after an End of Option List are padding, not options.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

#include "bytes.hpp"
#include "error.hpp"
#include "result.hpp"

namespace wirespan::detail {

inline constexpr std::uint8_t tlv_end_of_list = 0;
inline constexpr std::uint8_t tlv_nop = 1;

/// The error texts of the generic rules, with the protocol's name in them.
struct tlv_messages {
  const char* no_length;  ///< "{}": the kind
  const char* too_short;  ///< "{}": the length, limit 2
  const char* past_end;   ///< "{}": the length, "{}": the bytes left
};

/// The length of the option at `area[pos]` by the generic rules: 1 for EOL and NOP;
/// otherwise a length octet there, at least 2, within the area.
constexpr result<std::size_t> tlv_length(bytes area, std::size_t pos, std::size_t base,
                                         const tlv_messages& m) noexcept {
  const std::uint8_t kind = area[pos];
  if (kind == tlv_end_of_list || kind == tlv_nop) return std::size_t{1};
  const std::size_t at = base + pos;
  if (area.size() - pos < 2) return make_error(errc::malformed, at, m.no_length, kind);
  const std::size_t len = area[pos + 1];
  if (len < 2) return make_error(errc::bad_length, at + 1, m.too_short, len, 2);
  if (len > area.size() - pos) return make_error(errc::bad_length, at + 1, m.past_end, len, area.size() - pos);
  return len;
}

using tlv_check = result<std::size_t> (*)(bytes area, std::size_t pos, std::size_t base) noexcept;

/// Check every option of `area` up to End of Option List.
template <tlv_check Check>
constexpr result<void> validate_tlv(bytes area, std::size_t base) noexcept {
  std::size_t pos = 0;
  while (pos < area.size()) {
    auto len = Check(area, pos, base);
    if (!len) return len.error();
    if (area[pos] == tlv_end_of_list) break;  // the rest is padding
    pos += *len;
  }
  return {};
}

/// Iterates the options of an area: every option up to and including End of Option List.
/// On an area that does not validate it stops before the first bad option. `Option` is
/// built as `Option{kind, offset, raw}`.
template <class Option, tlv_check Check>
class tlv_range {
 public:
  class iterator {
   public:
    using value_type = Option;
    using difference_type = std::ptrdiff_t;
    using iterator_concept = std::forward_iterator_tag;

    constexpr iterator() noexcept = default;
    constexpr iterator(bytes area, std::size_t pos) noexcept : area_(area), pos_(pos) { settle(); }

    constexpr Option operator*() const noexcept { return Option{area_[pos_], pos_, area_.subspan(pos_, len_)}; }
    constexpr iterator& operator++() noexcept {
      pos_ = area_[pos_] == tlv_end_of_list ? area_.size() : pos_ + len_;
      settle();
      return *this;
    }
    constexpr iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept { return a.pos_ == b.pos_; }

   private:
    constexpr void settle() noexcept {
      if (pos_ >= area_.size()) {
        pos_ = area_.size();
        return;
      }
      auto len = Check(area_, pos_, 0);
      if (!len) {
        pos_ = area_.size();
        return;
      }
      len_ = *len;
    }
    bytes area_;
    std::size_t pos_ = 0;
    std::size_t len_ = 0;
  };

  constexpr explicit tlv_range(bytes area) noexcept : area_(area) {}
  constexpr iterator begin() const noexcept { return iterator(area_, 0); }
  constexpr iterator end() const noexcept { return iterator(area_, area_.size()); }

 private:
  bytes area_;
};

}  // namespace wirespan::detail
