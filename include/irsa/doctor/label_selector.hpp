// Kubernetes label selectors (matchLabels and matchExpressions), evaluated as the API server does
// for a webhook's namespaceSelector and objectSelector.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace irsa::doctor {

using Labels = std::map<std::string, std::string, std::less<>>;

struct SelectorMatch {
  bool matches = true;
  std::string reason;  // when it does not match: the first requirement that fails, in words
  std::string error;   // the selector itself is malformed (an unknown operator, ...)
};

// A null or empty selector matches everything, as in the API.
[[nodiscard]] SelectorMatch match_selector(const nlohmann::json& selector, const Labels& labels);

}  // namespace irsa::doctor
