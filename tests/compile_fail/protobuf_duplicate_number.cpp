// EXPECT: two fields share a field number
#include <wirespan/protobuf/message.hpp>
namespace pb = wirespan::protobuf;
struct M {
  std::int32_t a = 0;
  std::int64_t b = 0;
  using protobuf_schema = pb::schema<pb::member<1, &M::a, pb::types::int32>, pb::member<1, &M::b, pb::types::int64>>;
};
std::size_t n = pb::encoded_size(M{});
