#include "irsa/server/account_wait_budget.hpp"

#include <algorithm>

#include "irsa/server/go_duration.hpp"

namespace irsa::server {

namespace {

// The query parameter `name` of a request target ("" when absent).
std::string_view query_parameter(std::string_view target, std::string_view name) {
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t equals = pair.find('=');
    if (pair.substr(0, equals) == name) {
      return equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace

std::chrono::nanoseconds account_wait_budget(std::string_view target,
                                             std::chrono::nanoseconds grace) {
  const auto timeout = parse_go_duration(query_parameter(target, "timeout"));
  if (!timeout || timeout->count() <= 0) return grace;
  // Leave the API server a tenth of its timeout (at least 250 ms) to receive the answer.
  const auto margin =
      std::max<std::chrono::nanoseconds>(std::chrono::milliseconds(250), *timeout / 10);
  return std::clamp(*timeout - margin, std::chrono::nanoseconds{0}, grace);
}

}  // namespace irsa::server
