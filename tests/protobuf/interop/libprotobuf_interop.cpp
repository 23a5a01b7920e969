// Interop with libprotobuf (the reference implementation) on everything.proto.
//
//   libprotobuf_interop roundtrip N      N random messages both ways: wirespan encodes,
//                                        libprotobuf parses; libprotobuf serializes,
//                                        wirespan decodes; values compared field by field
//   libprotobuf_interop emit N DIR       N random messages as text format (DIR/NNN.txt)
//   libprotobuf_interop check DIR        every DIR/NNN.bin (made by `protoc --encode`
//                                        from NNN.txt) decodes with wirespan to the values
//                                        libprotobuf reads from NNN.txt
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>

#include <google/protobuf/text_format.h>

#include "everything.hpp"
#include "everything.pb.h"

namespace {

using everything::color;
using everything::message;
using everything::nested;
using lib_message = wirespan_test::Everything;
using lib_nested = wirespan_test::Nested;

std::mt19937_64 rng(20261125);

std::uint64_t pick(std::uint64_t n) { return rng() % n; }

std::uint64_t wide() {
  static const std::uint64_t edges[] = {0, 1, 127, 128, 0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffff,
                                        0x8000000000000000, ~0ull};
  switch (pick(3)) {
    case 0: return edges[pick(std::size(edges))];
    case 1: return rng() >> pick(64);
    default: return rng();
  }
}

std::string text() {
  static const char* samples[] = {"", "a", "hello world", "h\xc3\xa9llo \xe2\x9c\x93", "\xf0\x9f\x98\x80 ok"};
  std::string s = samples[pick(std::size(samples))];
  if (pick(2) != 0) s += std::string(pick(40), static_cast<char>('a' + pick(26)));
  return s;
}

nested random_nested(int depth) {
  nested n;
  n.a = static_cast<std::int32_t>(wide());
  n.b = text();
  if (depth < 3) {
    for (std::uint64_t i = pick(3); i > 0; --i) n.children.push_back(random_nested(depth + 1));
  }
  return n;
}

message random_message() {
  message m;
  auto maybe = [] { return pick(3) != 0; };
  if (maybe()) m.f_int32 = static_cast<std::int32_t>(wide());
  if (maybe()) m.f_int64 = static_cast<std::int64_t>(wide());
  if (maybe()) m.f_uint32 = static_cast<std::uint32_t>(wide());
  if (maybe()) m.f_uint64 = wide();
  if (maybe()) m.f_sint32 = static_cast<std::int32_t>(wide());
  if (maybe()) m.f_sint64 = static_cast<std::int64_t>(wide());
  if (maybe()) m.f_bool = true;
  if (maybe()) m.f_enum = static_cast<color>(pick(3));
  if (maybe()) m.f_fixed32 = static_cast<std::uint32_t>(wide());
  if (maybe()) m.f_fixed64 = wide();
  if (maybe()) m.f_sfixed32 = static_cast<std::int32_t>(wide());
  if (maybe()) m.f_sfixed64 = static_cast<std::int64_t>(wide());
  if (maybe()) m.f_float = static_cast<float>(static_cast<std::int64_t>(wide())) / 7.0f;
  if (maybe()) m.f_double = static_cast<double>(static_cast<std::int64_t>(wide())) / 3.0;
  if (maybe()) m.f_string = text();
  if (maybe()) {
    for (std::uint64_t i = pick(20); i > 0; --i) m.f_bytes.push_back(static_cast<std::uint8_t>(rng()));
  }
  if (maybe()) m.f_nested = random_nested(0);
  for (std::uint64_t i = pick(12); i > 0; --i) m.r_int32.push_back(static_cast<std::int32_t>(wide()));
  for (std::uint64_t i = pick(5); i > 0; --i) m.r_sint64.push_back(static_cast<std::int64_t>(wide()));
  for (std::uint64_t i = pick(5); i > 0; --i) m.r_double.push_back(static_cast<double>(wide()) / 5.0);
  for (std::uint64_t i = pick(4); i > 0; --i) m.r_string.push_back(text());
  for (std::uint64_t i = pick(3); i > 0; --i) m.r_nested.push_back(random_nested(1));
  for (std::uint64_t i = pick(4); i > 0; --i) m.m_string_int32[text()] = static_cast<std::int32_t>(wide());
  for (std::uint64_t i = pick(3); i > 0; --i) m.m_int64_nested[static_cast<std::int64_t>(wide())] = random_nested(2);
  switch (pick(4)) {
    case 1: m.choice = text(); break;
    case 2: m.choice = static_cast<std::int32_t>(wide()); break;
    case 3: m.choice = random_nested(1); break;
    default: break;
  }
  if (maybe()) m.p_int32 = static_cast<std::int32_t>(pick(2) == 0 ? 0 : wide());
  for (std::uint64_t i = pick(4); i > 0; --i) m.r_fixed32.push_back(static_cast<std::uint32_t>(wide()));
  if (maybe()) m.far = static_cast<std::int32_t>(wide());
  return m;
}

void to_lib(const nested& n, lib_nested* out) {
  out->set_a(n.a);
  out->set_b(n.b);
  for (const auto& c : n.children) to_lib(c, out->add_children());
}

void to_lib(const message& m, lib_message* out) {
  out->set_f_int32(m.f_int32);
  out->set_f_int64(m.f_int64);
  out->set_f_uint32(m.f_uint32);
  out->set_f_uint64(m.f_uint64);
  out->set_f_sint32(m.f_sint32);
  out->set_f_sint64(m.f_sint64);
  out->set_f_bool(m.f_bool);
  out->set_f_enum(static_cast<wirespan_test::Color>(m.f_enum));
  out->set_f_fixed32(m.f_fixed32);
  out->set_f_fixed64(m.f_fixed64);
  out->set_f_sfixed32(m.f_sfixed32);
  out->set_f_sfixed64(m.f_sfixed64);
  out->set_f_float(m.f_float);
  out->set_f_double(m.f_double);
  out->set_f_string(m.f_string);
  out->set_f_bytes(std::string(m.f_bytes.begin(), m.f_bytes.end()));
  if (m.f_nested) to_lib(*m.f_nested, out->mutable_f_nested());
  for (auto v : m.r_int32) out->add_r_int32(v);
  for (auto v : m.r_sint64) out->add_r_sint64(v);
  for (auto v : m.r_double) out->add_r_double(v);
  for (const auto& v : m.r_string) out->add_r_string(v);
  for (const auto& v : m.r_nested) to_lib(v, out->add_r_nested());
  for (const auto& [k, v] : m.m_string_int32) (*out->mutable_m_string_int32())[k] = v;
  for (const auto& [k, v] : m.m_int64_nested) to_lib(v, &(*out->mutable_m_int64_nested())[k]);
  if (m.choice.index() == 1) out->set_o_string(std::get<1>(m.choice));
  if (m.choice.index() == 2) out->set_o_int32(std::get<2>(m.choice));
  if (m.choice.index() == 3) to_lib(std::get<3>(m.choice), out->mutable_o_nested());
  if (m.p_int32) out->set_p_int32(*m.p_int32);
  for (auto v : m.r_fixed32) out->add_r_fixed32(v);
  out->set_far(m.far);
}

std::string why;

bool expect(bool ok, const char* what) {
  if (!ok && why.empty()) why = what;
  return ok;
}

template <class A, class B>
bool same_bits(A a, B b) {
  static_assert(sizeof(A) == sizeof(B));
  return std::memcmp(&a, &b, sizeof a) == 0;
}

bool same(const lib_nested& l, const nested& n) {
  if (!expect(l.a() == n.a && l.b() == n.b && static_cast<std::size_t>(l.children_size()) == n.children.size(),
              "nested a/b/children"))
    return false;
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    if (!same(l.children(static_cast<int>(i)), n.children[i])) return false;
  }
  return true;
}

template <class R, class V>
bool same_repeated(const R& l, const V& v, const char* what) {
  if (!expect(static_cast<std::size_t>(l.size()) == v.size(), what)) return false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!expect(same_bits(l.Get(static_cast<int>(i)), v[i]), what)) return false;
  }
  return true;
}

bool same(const lib_message& l, const message& m) {
  bool ok = expect(l.f_int32() == m.f_int32, "f_int32") && expect(l.f_int64() == m.f_int64, "f_int64") &&
            expect(l.f_uint32() == m.f_uint32, "f_uint32") && expect(l.f_uint64() == m.f_uint64, "f_uint64") &&
            expect(l.f_sint32() == m.f_sint32, "f_sint32") && expect(l.f_sint64() == m.f_sint64, "f_sint64") &&
            expect(l.f_bool() == m.f_bool, "f_bool") && expect(l.f_enum() == static_cast<int>(m.f_enum), "f_enum") &&
            expect(l.f_fixed32() == m.f_fixed32, "f_fixed32") && expect(l.f_fixed64() == m.f_fixed64, "f_fixed64") &&
            expect(l.f_sfixed32() == m.f_sfixed32, "f_sfixed32") &&
            expect(l.f_sfixed64() == m.f_sfixed64, "f_sfixed64") && expect(same_bits(l.f_float(), m.f_float), "f_float") &&
            expect(same_bits(l.f_double(), m.f_double), "f_double") && expect(l.f_string() == m.f_string, "f_string") &&
            expect(l.f_bytes() == std::string(m.f_bytes.begin(), m.f_bytes.end()), "f_bytes") &&
            expect(l.has_f_nested() == m.f_nested.has_value(), "f_nested presence") &&
            (!m.f_nested || same(l.f_nested(), *m.f_nested)) && same_repeated(l.r_int32(), m.r_int32, "r_int32") &&
            same_repeated(l.r_sint64(), m.r_sint64, "r_sint64") && same_repeated(l.r_double(), m.r_double, "r_double") &&
            same_repeated(l.r_fixed32(), m.r_fixed32, "r_fixed32") &&
            expect(static_cast<std::size_t>(l.r_string_size()) == m.r_string.size(), "r_string size") &&
            expect(static_cast<std::size_t>(l.r_nested_size()) == m.r_nested.size(), "r_nested size") &&
            expect(l.m_string_int32().size() == m.m_string_int32.size(), "m_string_int32 size") &&
            expect(l.m_int64_nested().size() == m.m_int64_nested.size(), "m_int64_nested size") &&
            expect(l.has_p_int32() == m.p_int32.has_value(), "p_int32 presence") &&
            expect(!m.p_int32 || l.p_int32() == *m.p_int32, "p_int32") && expect(l.far() == m.far, "far");
  if (!ok) return false;
  for (std::size_t i = 0; i < m.r_string.size(); ++i) {
    if (!expect(l.r_string(static_cast<int>(i)) == m.r_string[i], "r_string")) return false;
  }
  for (std::size_t i = 0; i < m.r_nested.size(); ++i) {
    if (!same(l.r_nested(static_cast<int>(i)), m.r_nested[i])) return false;
  }
  for (const auto& [k, v] : m.m_string_int32) {
    auto it = l.m_string_int32().find(k);
    if (!expect(it != l.m_string_int32().end() && it->second == v, "m_string_int32")) return false;
  }
  for (const auto& [k, v] : m.m_int64_nested) {
    auto it = l.m_int64_nested().find(k);
    if (!expect(it != l.m_int64_nested().end(), "m_int64_nested key") || !same(it->second, v)) return false;
  }
  switch (m.choice.index()) {
    case 0: return expect(l.choice_case() == lib_message::CHOICE_NOT_SET, "oneof none");
    case 1: return expect(l.has_o_string() && l.o_string() == std::get<1>(m.choice), "o_string");
    case 2: return expect(l.has_o_int32() && l.o_int32() == std::get<2>(m.choice), "o_int32");
    default: return expect(l.has_o_nested(), "o_nested") && same(l.o_nested(), std::get<3>(m.choice));
  }
}

int roundtrip(int count) {
  int checked = 0;
  for (int i = 0; i < count; ++i) {
    const message m = random_message();
    // wirespan encodes, libprotobuf parses.
    std::string ours;
    if (!wirespan::protobuf::encode(m, ours)) return std::fprintf(stderr, "encode failed\n"), 1;
    lib_message parsed;
    if (!parsed.ParseFromString(ours)) return std::fprintf(stderr, "message %d: libprotobuf rejects our encoding\n", i), 1;
    if (!same(parsed, m)) return std::fprintf(stderr, "message %d: libprotobuf reads %s differently\n", i, why.c_str()), 1;
    // libprotobuf serializes, wirespan decodes.
    lib_message lib;
    to_lib(m, &lib);
    std::string theirs;
    if (!lib.SerializeToString(&theirs)) return std::fprintf(stderr, "libprotobuf serialize failed\n"), 1;
    auto decoded = wirespan::protobuf::decode<message>(wirespan::as_bytes(theirs));
    if (!decoded) {
      return std::fprintf(stderr, "message %d: wirespan rejects libprotobuf's encoding: %s\n", i,
                          wirespan::to_string(decoded.error()).c_str()),
             1;
    }
    if (!same(lib, *decoded)) return std::fprintf(stderr, "message %d: wirespan reads %s differently\n", i, why.c_str()), 1;
    // Without maps (whose order libprotobuf does not fix), both encodings are the same bytes.
    if (m.m_string_int32.size() <= 1 && m.m_int64_nested.size() <= 1 && ours != theirs) {
      return std::fprintf(stderr, "message %d: encodings differ\n", i), 1;
    }
    ++checked;
  }
  std::printf("%d random messages: wirespan -> libprotobuf and libprotobuf -> wirespan agree\n", checked);
  return 0;
}

int emit(int count, const std::string& dir) {
  std::filesystem::create_directories(dir);
  for (int i = 0; i < count; ++i) {
    lib_message lib;
    to_lib(random_message(), &lib);
    std::string text;
    google::protobuf::TextFormat::PrintToString(lib, &text);
    char name[32];
    std::snprintf(name, sizeof name, "/%03d.txt", i);
    std::ofstream(dir + name) << text;
  }
  return 0;
}

int check(const std::string& dir) {
  int checked = 0;
  for (int i = 0;; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/%03d", i);
    std::ifstream txt(dir + name + ".txt"), bin(dir + name + ".bin", std::ios::binary);
    if (!txt || !bin) break;
    std::stringstream t;
    t << txt.rdbuf();
    std::string data((std::istreambuf_iterator<char>(bin)), std::istreambuf_iterator<char>());
    lib_message expected;
    if (!google::protobuf::TextFormat::ParseFromString(t.str(), &expected)) return std::fprintf(stderr, "bad text %d\n", i), 1;
    auto decoded = wirespan::protobuf::decode<message>(wirespan::as_bytes(data));
    if (!decoded) {
      return std::fprintf(stderr, "%s.bin: %s\n", name + 1, wirespan::to_string(decoded.error()).c_str()), 1;
    }
    if (!same(expected, *decoded)) return std::fprintf(stderr, "%s.bin: %s differs\n", name + 1, why.c_str()), 1;
    ++checked;
  }
  if (checked == 0) return std::fprintf(stderr, "no messages in %s\n", dir.c_str()), 1;
  std::printf("%d messages encoded by protoc --encode decode through the wirespan schema to libprotobuf's values\n",
              checked);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "roundtrip" && argc == 3) return roundtrip(std::atoi(argv[2]));
  if (mode == "emit" && argc == 4) return emit(std::atoi(argv[2]), argv[3]);
  if (mode == "check" && argc == 3) return check(argv[2]);
  std::fprintf(stderr, "usage: libprotobuf_interop roundtrip N | emit N DIR | check DIR\n");
  return 2;
}
