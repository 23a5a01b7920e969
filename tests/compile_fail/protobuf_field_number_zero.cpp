// EXPECT: field number outside 1 .. 2^29 - 1
#include <wirespan/protobuf/message.hpp>
namespace pb = wirespan::protobuf;
struct M {
  std::int32_t a = 0;
  using protobuf_schema = pb::schema<pb::member<0, &M::a, pb::types::int32>>;
};
std::size_t n = pb::encoded_size(M{});
