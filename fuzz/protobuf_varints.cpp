// Fuzz target `protobuf_varints` — the bulk varint decoder on any input: the kernel
// picked at run time, the scalar loop and the SSSE3 kernel (where the CPU has it) stop
// at the same byte with the same values, for output buffers of every size the first
// byte picks; and `decode_varints` equals `decode_varint` called value by value, errors
// and their offsets included.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace {

namespace pb = wirespan::protobuf;

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t room = std::size_t{1} + data[0] % 64u + (data[0] >= 192 ? 4096u : 0u);
  const wirespan::bytes in(data + 1, size - 1);
  const std::uint8_t* const end = in.data() + in.size();

  std::vector<std::uint64_t> a(room), b(room);
  std::uint64_t* pa = a.data();
  const std::uint8_t* stop = pb::detail::decode_varints_scalar(in.data(), end, pa, pa + room);
#if WIRESPAN_HAS_X86_KERNELS
  __builtin_cpu_init();
  if (__builtin_cpu_supports("ssse3")) {
    std::uint64_t* pb_ = b.data();
    require(pb::detail::decode_varints_ssse3(in.data(), end, pb_, pb_ + room) == stop);
    require(pb_ - b.data() == pa - a.data());
    for (std::uint64_t* q = a.data(); q != pa; ++q) require(*q == b[static_cast<std::size_t>(q - a.data())]);
  }
#endif

  // The public function, a buffer at a time, against decode_varint value by value.
  std::vector<std::uint64_t> buffer(room);
  wirespan::bytes rest = in;
  wirespan::bytes one = in;
  while (!rest.empty()) {
    auto r = pb::decode_varints(rest, buffer);
    if (!r) {
      auto v = pb::decode_varint(rest.subspan(r.error().offset));
      require(!v && v.error().code == r.error().code);
      // Every value before the bad one decodes one by one.
      while (one.data() != rest.data() + r.error().offset) {
        auto w = pb::decode_varint(one);
        require(w.has_value());
        one = one.subspan(w->size);
      }
      return 0;
    }
    require(r->count > 0);
    for (std::size_t i = 0; i < r->count; ++i) {
      auto w = pb::decode_varint(one);
      require(w && w->value == buffer[i]);
      one = one.subspan(w->size);
    }
    rest = rest.subspan(r->size);
    require(rest.data() == one.data());
  }
  return 0;
}
