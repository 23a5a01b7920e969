// Fuzz target `protobuf_differential` — wirespan against libprotobuf on everything.proto:
// `ParseFromArray` succeeds exactly when wirespan's schema decode succeeds, and then every
// field has the same value (compared through libprotobuf reading wirespan's re-encoding,
// which must also succeed). Built when libprotobuf is installed.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

#include "everything.hpp"
#include "everything.pb.h"

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "protobuf_differential: %s\n", what);
    std::abort();
  }
}

// libprotobuf logs every invalid UTF-8 string; the verdict is what matters here.
struct quiet {
  quiet() { google::protobuf::SetLogHandler(nullptr); }
} const silence;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  wirespan_test::Everything lib;
  const bool lib_ok = lib.ParseFromArray(data, static_cast<int>(size));
  // Debian's libprotobuf 3.21 drops the bits of a 5-byte tag beyond 32 where the strict
  // default (and protobuf's newer conformance suite) rejects the tag: compare against
  // the mode that reproduces it. Everything else is the default.
  wirespan::protobuf::read_options options;
  options.tags = wirespan::protobuf::read_options::compat::parser;
  auto ours = wirespan::protobuf::decode<everything::message>(wirespan::bytes(data, size), options);
  require(lib_ok == ours.has_value(), lib_ok ? "wirespan rejects what libprotobuf accepts"
                                            : "wirespan accepts what libprotobuf rejects");
  if (!lib_ok) return 0;
  std::string encoded;
  require(wirespan::protobuf::encode(*ours, encoded).has_value(), "encode");
  wirespan_test::Everything back;
  require(back.ParseFromString(encoded), "libprotobuf rejects wirespan's re-encoding");
  // The wirespan schema keeps no unknown fields: compare the known ones, at every level.
  lib.DiscardUnknownFields();
  // Floats bit-exact, except that a NaN equals a NaN (a NaN is never equal to itself).
  google::protobuf::util::DefaultFieldComparator floats;
  floats.set_float_comparison(google::protobuf::util::DefaultFieldComparator::EXACT);
  floats.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer diff;
  diff.set_field_comparator(&floats);
  require(diff.Compare(lib, back), "values differ");
  return 0;
}
