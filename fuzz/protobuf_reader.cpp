// Fuzz target `protobuf_reader` — the schema-less reader on any input: every field, every
// interpretation its wire type allows (every scalar getter, every packed type, the
// string check, the payload as a submessage, recursively), under default, canonical and
// decode-raw options; and format_raw (protoc --decode_raw text) never fails on input the
// reader's parser-compatible mode accepts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <wirespan/wirespan.hpp>

namespace {

namespace pb = wirespan::protobuf;

void require(bool ok) {
  if (!ok) std::abort();
}

template <class T>
void packed(const pb::reader& r, const pb::field& f) {
  if (auto range = r.packed<T>(f)) {
    std::size_t n = 0;
    for (auto v : *range) {
      (void)v;
      ++n;
    }
    require(n == range->size());
  }
}

void walk(pb::reader r, int budget) {
  for (auto f : r.fields()) {
    if (!f) return;
    require(f->raw.size() >= 1 && f->number >= 1 && f->number <= pb::max_field_number);
    switch (f->type) {
      case pb::wire_type::varint:
        (void)f->as_int32(), (void)f->as_sint64(), (void)f->as_bool(), (void)f->as_uint32();
        break;
      case pb::wire_type::fixed32:
        (void)f->as_float(), (void)f->as_sfixed32();
        break;
      case pb::wire_type::fixed64:
        (void)f->as_double(), (void)f->as_sfixed64();
        break;
      case pb::wire_type::length_delimited:
        (void)r.string(*f);
        packed<pb::types::int32>(r, *f);
        packed<pb::types::sint64>(r, *f);
        packed<pb::types::fixed32>(r, *f);
        packed<pb::types::double_>(r, *f);
        if (budget > 0) {
          if (auto sub = r.message(*f)) walk(*sub, budget - 1);
        }
        break;
      case pb::wire_type::start_group:
        if (budget > 0) walk(r.group(*f), budget - 1);
        break;
      case pb::wire_type::end_group:
        std::abort();  // never surfaces from next()
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const wirespan::bytes in(data, size);
  walk(pb::reader(in), 12);
  pb::read_options canonical;
  canonical.canonical = true;
  walk(pb::reader(in, canonical), 4);
  // Canonical input is also valid input.
  if (pb::validate(in, canonical)) require(pb::validate(in).has_value());
  // Strict input is also valid for the laxer libprotobuf-compatible modes.
  pb::read_options parser;
  parser.tags = pb::read_options::compat::parser;
  const bool strict_ok = pb::validate(in).has_value();
  const bool parser_ok = pb::validate(in, parser).has_value();
  if (strict_ok) require(parser_ok);
  std::string text;
  require(pb::format_raw(in, text).has_value() == parser_ok);
  return 0;
}
