#include "byte_size.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace irsa::cli {

std::uint64_t parse_byte_size(std::string_view text, std::string_view flag) {
  const auto fail = [&]() -> std::uint64_t {
    throw std::invalid_argument(std::string(flag) + ": \"" + std::string(text) +
                                "\" is not a size such as 64Mi, 1Gi, 500M or 67108864");
  };
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc{} || end == text.data()) return fail();
  const std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 7> kUnits = {{
      {"", 1},
      {"Ki", std::uint64_t{1} << 10},
      {"Mi", std::uint64_t{1} << 20},
      {"Gi", std::uint64_t{1} << 30},
      {"k", 1000},
      {"M", 1000 * 1000},
      {"G", 1000 * 1000 * 1000},
  }};
  for (const auto& [name, factor] : kUnits) {
    if (suffix != name) continue;
    if (number > std::numeric_limits<std::uint64_t>::max() / factor) return fail();
    return number * factor;
  }
  return fail();
}

}  // namespace irsa::cli
