// Fuzz target `pcapng` — the pcapng reader on any file: records lie inside the file, their
// captured length is their size, the reader always ends (data or error); every record is
// then dissected.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <wirespan/wirespan.hpp>

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const wirespan::bytes file(data, size);
  auto r = wirespan::pcapng::reader::open(file);
  if (!r) return 0;
  wirespan::pcap::record rec;
  std::size_t records = 0;
  while (true) {
    auto more = r->next(rec);
    if (!more) {
      require(more.error().offset <= size);
      break;
    }
    if (!*more) break;
    require(++records <= size);  // every record consumes bytes
    require(rec.data.size() == rec.captured_length);
    require(rec.data.data() >= data && rec.data.data() + rec.data.size() <= data + size);
    (void)wirespan::dissect::frame(rec.data, rec.linktype);
  }
  return 0;
}
