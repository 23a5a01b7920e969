// Fuzz target `protobuf_roundtrip` — for a schema with every field kind (scalars of each
// type, strings and bytes as views, submessages, packed and unpacked repeated, a map, a
// oneof, kept unknown fields): whatever decodes, encodes to exactly encoded_size bytes,
// and decoding that again gives a value that encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace {

namespace pb = wirespan::protobuf;
namespace pt = wirespan::protobuf::types;

void require(bool ok) {
  if (!ok) std::abort();
}

struct inner {
  std::int32_t a = 0;
  wirespan::bytes s;
  std::vector<inner> children;
  using protobuf_schema = pb::schema<pb::member<1, &inner::a, pt::sint32>, pb::member<2, &inner::s, pt::string>,
                                     pb::member<3, &inner::children, pt::repeated<pt::message>>>;
};

struct everything {
  std::int32_t i32 = 0;
  std::uint64_t u64 = 0;
  bool b = false;
  std::int32_t e = 0;
  float f = 0;
  double d = 0;
  std::uint32_t fx = 0;
  std::int64_t sfx = 0;
  std::string_view text;
  std::vector<std::uint8_t> blob;
  std::optional<inner> sub;
  std::vector<std::int64_t> packed;
  std::vector<std::uint32_t> unpacked;
  std::vector<std::string_view> strings;
  std::map<std::int32_t, inner> map;
  std::variant<std::monostate, std::uint64_t, inner, wirespan::bytes> choice;
  std::optional<std::int64_t> present;
  std::vector<wirespan::bytes> unknown;
  using protobuf_schema = pb::schema<
      pb::member<1, &everything::i32, pt::int32>, pb::member<2, &everything::u64, pt::uint64>,
      pb::member<3, &everything::b, pt::bool_>, pb::member<4, &everything::e, pt::enum_>,
      pb::member<5, &everything::f, pt::float_>, pb::member<6, &everything::d, pt::double_>,
      pb::member<7, &everything::fx, pt::fixed32>, pb::member<8, &everything::sfx, pt::sfixed64>,
      pb::member<9, &everything::text, pt::string>, pb::member<10, &everything::blob, pt::bytes>,
      pb::member<11, &everything::sub, pt::message>, pb::member<12, &everything::packed, pt::packed<pt::sint64>>,
      pb::member<13, &everything::unpacked, pt::repeated<pt::uint32>>,
      pb::member<14, &everything::strings, pt::repeated<pt::bytes>>,
      pb::member<15, &everything::map, pt::map<pt::int32, pt::message>>,
      pb::oneof<&everything::choice, pb::alternative<16, pt::fixed64>, pb::alternative<17, pt::message>,
                pb::alternative<18, pt::bytes>>,
      pb::member<19, &everything::present, pt::int64>, pb::unknown_fields<&everything::unknown>>;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto first = pb::decode<everything>(wirespan::bytes(data, size));
  if (!first) return 0;
  std::vector<std::uint8_t> once(pb::encoded_size(*first));
  require(pb::encode(*first, wirespan::mutable_bytes(once)).value() == once.size());
  auto second = pb::decode<everything>(once);
  require(second.has_value());
  std::vector<std::uint8_t> twice;
  require(pb::encode(*second, twice).value() == twice.size());
  require(once == twice);
  return 0;
}
