#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <wirespan/wirespan.hpp>

#include "pb_test_util.hpp"

namespace pb = wirespan::protobuf;
using pbtest::hex;

namespace {
std::string raw(const std::vector<std::uint8_t>& m) {
  std::string out;
  auto r = pb::format_raw(m, out);
  return r ? out : "ERROR";
}
}  // namespace

// Expected texts are `protoc --decode_raw` output (libprotobuf 3.21.12, Debian 12).
TEST_CASE("protobuf format_raw: what protoc --decode_raw prints") {
  CHECK(raw(hex("08 96 01")) == "1: 150\n");
  CHECK(raw(hex("12 07 74 65 73 74 69 6e 67")) == "2: \"testing\"\n");
  CHECK(raw(hex("1a 03 08 96 01")) == "3 {\n  1: 150\n}\n");
  CHECK(raw(hex("0d 01 02 03 04 11 01 02 03 04 05 06 07 08")) == "1: 0x04030201\n2: 0x0807060504030201\n");
  CHECK(raw(hex("0b 08 01 0c")) == "1 {\n  1: 1\n}\n");
  CHECK(raw(hex("12 00")) == "2: \"\"\n");
  CHECK(raw(hex("12 02 08 ff")) == "2: \"\\010\\377\"\n");
  CHECK(raw(hex("12 05 61 22 27 5c 0a")) == "2: \"a\\\"\\'\\\\\\n\"\n");
  CHECK(raw(hex("12 02 0b 0c")) == "2 {\n  1 {\n  }\n}\n");
  CHECK(raw(hex("12 01 0c")) == "2: \"\\014\"\n");
  CHECK(raw(hex("08 ff ff ff ff ff ff ff ff ff 7f")) == "1: 18446744073709551615\n");
  CHECK(raw(hex("f8 ff ff ff 1f 01")) == "536870911: 1\n");  // tag bits beyond 32 dropped, as protoc
  CHECK(raw(hex("0a 07 88 80 80 80 80 00 01")) == "1 {\n  1: 1\n}\n");  // a 6-byte tag inside a guess
  CHECK(raw(hex("0a 07 0a 81 80 80 80 10 61")) == "1 {\n  1: \"a\"\n}\n");  // length 2^32 + 1 kept as 1
  CHECK(raw({}) == "");
  for (auto bad : {"0c", "00 01", "08", "0b 14", "88 80 80 80 80 00 01", "0e", "0d 01 02", "12 01 08 12 02 08"}) {
    CHECK(raw(hex(bad)) == "ERROR");
  }
}

TEST_CASE("protobuf format_raw: the message guess stops 10 levels down") {
  auto nest = [](int n) {
    std::vector<std::uint8_t> m{0x08, 0x01};
    for (int i = 0; i < n; ++i) {
      m.insert(m.begin(), static_cast<std::uint8_t>(m.size()));
      m.insert(m.begin(), 0x0a);
    }
    return m;
  };
  const std::string ten = raw(nest(10));
  CHECK(ten.find("1: 1\n") != std::string::npos);
  const std::string eleven = raw(nest(11));
  CHECK(eleven.find("1: \"\\010\\001\"\n") != std::string::npos);
  CHECK(eleven.find(std::string(20, ' ') + "1: \"") != std::string::npos);
}
