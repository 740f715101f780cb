#include "irsa/doctor/text.hpp"

namespace irsa::doctor {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

std::string with_https(std::string_view url) {
  if (url.empty() || url.find("://") != std::string_view::npos) return std::string(url);
  return "https://" + std::string(url);
}

std::string_view without_scheme(std::string_view url) noexcept {
  const auto scheme = url.find("://");
  return scheme == std::string_view::npos ? url : url.substr(scheme + 3);
}

}  // namespace irsa::doctor
