#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include <wirespan/wirespan.hpp>

using namespace wirespan;

namespace {

std::vector<std::uint8_t> classic(bool little, bool nano, std::uint32_t snaplen,
                                  const std::vector<std::vector<std::uint8_t>>& packets) {
  pcap::file_header h;
  h.little_endian = little;
  h.nanosecond = nano;
  h.snaplen = snaplen;
  h.linktype = h.network = pcap::linktype::raw;
  std::vector<std::uint8_t> file(pcap::file_header_size);
  REQUIRE(pcap::write_file_header(h, file));
  std::uint32_t t = 0;
  for (const auto& p : packets) {
    std::vector<std::uint8_t> rec(pcap::record_size(p));
    REQUIRE(pcap::write_record(h, 1700000000u + t, 123456789u, p, 0, rec));
    file.insert(file.end(), rec.begin(), rec.end());
    ++t;
  }
  return file;
}

// A pcapng block: type, total length, body (padded to 4), total length.
void block(std::vector<std::uint8_t>& out, std::uint32_t type, std::vector<std::uint8_t> body, bool little = true) {
  while (body.size() % 4) body.push_back(0);
  const auto len = static_cast<std::uint32_t>(body.size() + 12);
  std::array<std::uint8_t, 4> b{};
  auto put = [&](std::uint32_t v) {
    little ? store_le32(b.data(), v) : store_be32(b.data(), v);
    out.insert(out.end(), b.begin(), b.end());
  };
  put(type);
  put(len);
  out.insert(out.end(), body.begin(), body.end());
  put(len);
}

std::vector<std::uint8_t> le32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 24)};
}
std::vector<std::uint8_t> cat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::vector<std::uint8_t> pcapng_file() {
  std::vector<std::uint8_t> f;
  block(f, pcapng::block_type::section_header, cat({le32(pcapng::byte_order_magic), {1, 0, 0, 0}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}));
  // Interface 0: Ethernet, snaplen 0; interface 1: raw IP, if_tsresol = 9 (ns).
  block(f, pcapng::block_type::interface_description, cat({{1, 0, 0, 0}, le32(0)}));
  block(f, pcapng::block_type::interface_description, cat({{101, 0, 0, 0}, le32(65535), {9, 0, 1, 0, 9, 0, 0, 0}, {0, 0, 0, 0}}));
  block(f, 0x0bad, {1, 2, 3, 4});  // unknown: skipped
  // EPB on interface 1, ts = 1.5 s in ns, 3 bytes of 5.
  const std::uint64_t ts = 1500000000;
  block(f, pcapng::block_type::enhanced_packet,
        cat({le32(1), le32(static_cast<std::uint32_t>(ts >> 32)), le32(static_cast<std::uint32_t>(ts)), le32(3), le32(5),
             {0x45, 0x00, 0x00}}));
  // SPB: interface 0, 4 bytes.
  block(f, pcapng::block_type::simple_packet, cat({le32(4), {1, 2, 3, 4}}));
  return f;
}

}  // namespace

TEST_CASE("pcap: write then read, both byte orders, micro and nanoseconds") {
  for (bool little : {true, false}) {
    for (bool nano : {true, false}) {
      auto file = classic(little, nano, 65535, {{0x45, 1, 2}, {}, std::vector<std::uint8_t>(100, 7)});
      auto r = pcap::reader::open(file).value();
      CHECK(r.header().little_endian == little);
      CHECK(r.header().nanosecond == nano);
      CHECK(r.header().linktype == pcap::linktype::raw);
      pcap::record rec;
      std::vector<std::size_t> sizes;
      while (r.next(rec).value()) {
        sizes.push_back(rec.data.size());
        CHECK(rec.nanoseconds == (nano ? 123456789u : 123456000u));
        CHECK(rec.seconds >= 1700000000u);
      }
      CHECK(sizes == std::vector<std::size_t>{3, 0, 100});
      auto c = capture::reader::open(file).value();
      CHECK(c.file_format() == capture::format::pcap);
    }
  }
}

TEST_CASE("pcap: hostile files") {
  auto file = classic(true, false, 64, {{1, 2, 3, 4}, {5, 6}});
  pcap::record rec;
  SUBCASE("record longer than the rest of the file") {
    file.pop_back();
    auto r = pcap::reader::open(file).value();
    REQUIRE(r.next(rec).value());
    auto e = r.next(rec);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == errc::truncated);
    CHECK(e.error().offset == 24 + 16 + 4 + 8);
  }
  SUBCASE("record longer than the snapshot length") {
    store_le32(file.data() + 24 + 8, 65);
    store_le32(file.data() + 24 + 12, 65);
    auto r = pcap::reader::open(file).value();
    auto e = r.next(rec);
    CHECK(e.error().code == errc::bad_length);
    CHECK(e.error().offset == 24 + 8);
    auto lax = pcap::reader::open(file, {.strict = false}).value();
    CHECK(lax.next(rec).error().code == errc::truncated);  // allowed by size, but the file ends
  }
  SUBCASE("captured length > original length") {
    store_le32(file.data() + 24 + 12, 3);
    CHECK(pcap::reader::open(file).value().next(rec).error().code == errc::bad_length);
  }
  SUBCASE("record header cut short") {
    file.resize(24 + 10);
    CHECK(pcap::reader::open(file).value().next(rec).error().code == errc::truncated);
  }
  SUBCASE("file header") {
    CHECK(pcap::reader::open(bytes(file).first(23)).error().code == errc::truncated);
    file[0] = 0;
    CHECK(pcap::reader::open(file).error().code == errc::malformed);
  }
  SUBCASE("version") {
    file[4] = 3;
    CHECK(pcap::reader::open(file).error().code == errc::bad_version);
  }
}

TEST_CASE("pcapng: sections, interfaces, enhanced and simple packets") {
  auto f = pcapng_file();
  auto r = pcapng::reader::open(f).value();
  pcap::record rec;
  REQUIRE(r.next(rec).value());
  CHECK(r.interface_count() == 2);
  CHECK(rec.interface_id == 1);
  CHECK(rec.linktype == pcap::linktype::raw);
  CHECK(rec.seconds == 1);
  CHECK(rec.nanoseconds == 500000000);
  CHECK(rec.captured_length == 3);
  CHECK(rec.original_length == 5);
  REQUIRE(r.next(rec).value());
  CHECK(rec.linktype == pcap::linktype::ethernet);
  CHECK(rec.data.size() == 4);
  CHECK_FALSE(r.next(rec).value());
  CHECK(capture::reader::open(f).value().file_format() == capture::format::pcapng);
}

TEST_CASE("pcapng: big-endian section") {
  std::vector<std::uint8_t> f;
  auto be32 = [](std::uint32_t v) {
    return std::vector<std::uint8_t>{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                                     static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  };
  block(f, pcapng::block_type::section_header, cat({be32(pcapng::byte_order_magic), {0, 1, 0, 0}, std::vector<std::uint8_t>(8, 0xff)}), false);
  block(f, pcapng::block_type::interface_description, cat({{0, 1, 0, 0}, be32(0)}), false);
  block(f, pcapng::block_type::enhanced_packet, cat({be32(0), be32(0), be32(2000000), be32(2), be32(2), {9, 9}}), false);
  auto r = pcapng::reader::open(f).value();
  pcap::record rec;
  REQUIRE(r.next(rec).value());
  CHECK(rec.seconds == 2);
  CHECK(rec.data.size() == 2);
}

TEST_CASE("pcapng: hostile files") {
  pcap::record rec;
  auto f = pcapng_file();
  const std::size_t idb = 28;  // offset of the first interface description block
  SUBCASE("block length not a multiple of 4") {
    store_le32(f.data() + idb + 4, 21);
    auto e = pcapng::reader::open(f).value().next(rec);
    CHECK(e.error().code == errc::bad_length);
    CHECK(e.error().offset == idb + 4);
  }
  SUBCASE("block length smaller than the block header") {
    store_le32(f.data() + idb + 4, 8);
    CHECK(pcapng::reader::open(f).value().next(rec).error().code == errc::bad_length);
  }
  SUBCASE("block running past the end") {
    store_le32(f.data() + idb + 4, 4000);
    CHECK(pcapng::reader::open(f).value().next(rec).error().code == errc::truncated);
  }
  SUBCASE("trailing length differs") {
    f[idb + 19] ^= 1;
    CHECK(pcapng::reader::open(f).value().next(rec).error().code == errc::malformed);
  }
  SUBCASE("packet from an undescribed interface") {
    std::vector<std::uint8_t> g;
    block(g, pcapng::block_type::section_header, cat({le32(pcapng::byte_order_magic), {1, 0, 0, 0}, std::vector<std::uint8_t>(8, 0xff)}));
    block(g, pcapng::block_type::enhanced_packet, cat({le32(0), le32(0), le32(0), le32(0), le32(0)}));
    CHECK(pcapng::reader::open(g).value().next(rec).error().code == errc::bad_value);
  }
  SUBCASE("captured length beyond the block") {
    auto g = pcapng_file();
    // The EPB follows SHB (28), two IDBs (20, 32) and the unknown block (16).
    const std::size_t epb = 28 + 20 + 32 + 16;
    store_le32(g.data() + epb + 20, 9);
    auto r = pcapng::reader::open(g).value();
    CHECK(r.next(rec).error().code == errc::bad_length);
  }
  SUBCASE("time stamp and if_tsoffset whose sum overflows (a fuzzer's find): added modulo 2^64") {
    std::vector<std::uint8_t> g;
    block(g, pcapng::block_type::section_header, cat({le32(pcapng::byte_order_magic), {1, 0, 0, 0}, std::vector<std::uint8_t>(8, 0xff)}));
    // if_tsoffset (option 14) = 2^63 - 1 seconds; microsecond time stamp 2^64 - 1.
    block(g, pcapng::block_type::interface_description,
          cat({{1, 0, 0, 0}, le32(0), {14, 0, 8, 0}, le32(0xffffffff), le32(0x7fffffff), {0, 0, 0, 0}}));
    block(g, pcapng::block_type::enhanced_packet, cat({le32(0), le32(0xffffffff), le32(0xffffffff), le32(0), le32(0)}));
    auto r = pcapng::reader::open(g).value();
    REQUIRE(r.next(rec).value());
    const std::uint64_t secs = 0xffffffffffffffffull / 1000000;
    CHECK(rec.seconds == secs + 0x7fffffffffffffffull);
    CHECK(rec.nanoseconds == 0xffffffffffffffffull % 1000000 * 1000);
  }
  SUBCASE("not pcapng at all") {
    f[0] = 1;
    CHECK(pcapng::reader::open(f).error().code == errc::malformed);
    CHECK(pcapng::reader::open(bytes(f).first(11)).error().code == errc::truncated);
  }
}
