// everything.proto described to wirespan: the same messages as C++ structs and schemas.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <wirespan/wirespan.hpp>

namespace everything {

namespace pb = wirespan::protobuf;
namespace pt = wirespan::protobuf::types;

enum class color : std::int32_t { red = 0, green = 1, blue = 2 };

struct nested {
  std::int32_t a = 0;
  std::string b;
  std::vector<nested> children;
  using protobuf_schema = pb::schema<pb::member<1, &nested::a, pt::int32>, pb::member<2, &nested::b, pt::string>,
                                     pb::member<3, &nested::children, pt::repeated<pt::message>>>;
};

struct message {
  std::int32_t f_int32 = 0;
  std::int64_t f_int64 = 0;
  std::uint32_t f_uint32 = 0;
  std::uint64_t f_uint64 = 0;
  std::int32_t f_sint32 = 0;
  std::int64_t f_sint64 = 0;
  bool f_bool = false;
  color f_enum = color::red;
  std::uint32_t f_fixed32 = 0;
  std::uint64_t f_fixed64 = 0;
  std::int32_t f_sfixed32 = 0;
  std::int64_t f_sfixed64 = 0;
  float f_float = 0;
  double f_double = 0;
  std::string f_string;
  std::vector<std::uint8_t> f_bytes;
  std::optional<nested> f_nested;
  std::vector<std::int32_t> r_int32;
  std::vector<std::int64_t> r_sint64;
  std::vector<double> r_double;
  std::vector<std::string> r_string;
  std::vector<nested> r_nested;
  std::map<std::string, std::int32_t> m_string_int32;
  std::map<std::int64_t, nested> m_int64_nested;
  std::variant<std::monostate, std::string, std::int32_t, nested> choice;
  std::optional<std::int32_t> p_int32;
  std::vector<std::uint32_t> r_fixed32;
  std::int32_t far = 0;

  using protobuf_schema = pb::schema<
      pb::member<1, &message::f_int32, pt::int32>, pb::member<2, &message::f_int64, pt::int64>,
      pb::member<3, &message::f_uint32, pt::uint32>, pb::member<4, &message::f_uint64, pt::uint64>,
      pb::member<5, &message::f_sint32, pt::sint32>, pb::member<6, &message::f_sint64, pt::sint64>,
      pb::member<7, &message::f_bool, pt::bool_>, pb::member<8, &message::f_enum, pt::enum_>,
      pb::member<9, &message::f_fixed32, pt::fixed32>, pb::member<10, &message::f_fixed64, pt::fixed64>,
      pb::member<11, &message::f_sfixed32, pt::sfixed32>, pb::member<12, &message::f_sfixed64, pt::sfixed64>,
      pb::member<13, &message::f_float, pt::float_>, pb::member<14, &message::f_double, pt::double_>,
      pb::member<15, &message::f_string, pt::string>, pb::member<16, &message::f_bytes, pt::bytes>,
      pb::member<17, &message::f_nested, pt::message>, pb::member<18, &message::r_int32, pt::packed<pt::int32>>,
      pb::member<19, &message::r_sint64, pt::repeated<pt::sint64>>,
      pb::member<20, &message::r_double, pt::packed<pt::double_>>,
      pb::member<21, &message::r_string, pt::repeated<pt::string>>,
      pb::member<22, &message::r_nested, pt::repeated<pt::message>>,
      pb::member<23, &message::m_string_int32, pt::map<pt::string, pt::int32>>,
      pb::member<24, &message::m_int64_nested, pt::map<pt::int64, pt::message>>,
      pb::oneof<&message::choice, pb::alternative<25, pt::string>, pb::alternative<26, pt::int32>,
                pb::alternative<27, pt::message>>,
      pb::member<28, &message::p_int32, pt::int32>, pb::member<29, &message::r_fixed32, pt::packed<pt::fixed32>>,
      pb::member<536870911, &message::far, pt::int32>>;
};

}  // namespace everything
