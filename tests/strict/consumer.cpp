// Instantiates the public API in a translation unit built with far more warnings than the
// project requires (see tests/CMakeLists.txt): our headers must stay silent in users'
// builds whatever reasonable flags they use.
#include <wirespan/wirespan.hpp>

#include <array>
#include <string>
#include <vector>

int strict_consumer(const std::vector<char>& input);

int strict_consumer(const std::vector<char>& input) {
  const wirespan::bytes data = wirespan::as_bytes(input);
  wirespan::checksum::accumulator acc;
  acc.add(data).add_be16(17).add_be32(0x0a000001);
  int total = acc.finish() + wirespan::internet_checksum(data) + (wirespan::checksum::verify(data) ? 1 : 0);
  total += wirespan::checksum::update32(wirespan::checksum::update16(1, 2, 3), 4, 5);

  wirespan::reader r(data);
  const wirespan::result<std::uint32_t> word = r.read_be32("strict: word");
  total += static_cast<int>(word.value_or(0) & 0xff);
  const auto doubled = word.transform([](std::uint32_t v) { return v * 2; });
  const auto chained = word.and_then([](std::uint32_t v) -> wirespan::result<int> { return static_cast<int>(v & 1); });
  total += doubled ? 1 : 0;
  total += chained ? *chained : 0;

  std::array<std::uint8_t, 16> out{};
  wirespan::writer w(out);
  if (!w.write_be16(0x1234)) return -1;
  const auto reserved = w.reserve(2);
  if (reserved) wirespan::store_be16(reserved->data(), 7);
  if (!word) {
    const std::string message = wirespan::to_string(word.error());
    total += static_cast<int>(message.size());
    const std::error_code ec = wirespan::make_error_code(word.error());
    total += ec.value();
  }
  std::array<char, 32> text{};
  const auto hex = wirespan::format_hex(w.written(), text);
  total += static_cast<int>(hex.value_or(0));
  constexpr auto literal = wirespan::hex_array<"0001 f203">();
  total += literal[1];
  return total + static_cast<int>(wirespan::checksum::active_kernel());
}
