// EXPECT: does not fit its protobuf type
#include <wirespan/protobuf/message.hpp>
namespace pb = wirespan::protobuf;
struct M {
  std::int64_t a = 0;  // declared int32 below: a mismatch
  using protobuf_schema = pb::schema<pb::member<1, &M::a, pb::types::int32>>;
};
std::size_t n = pb::encoded_size(M{});
