#include "irsa/doctor/label_selector.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

namespace irsa::doctor {

namespace {

std::vector<std::string> string_values(const nlohmann::json& values) {
  std::vector<std::string> out;
  if (!values.is_array()) return out;
  for (const auto& value : values) {
    if (value.is_string()) out.push_back(value.get<std::string>());
  }
  return out;
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& value : values) out += (out.empty() ? "" : ", ") + value;
  return out;
}

SelectorMatch mismatch(std::string reason) {
  return SelectorMatch{false, std::move(reason), {}};
}

SelectorMatch expression(const nlohmann::json& requirement, const Labels& labels) {
  if (!requirement.is_object() || !requirement.contains("key") || !requirement["key"].is_string() ||
      !requirement.contains("operator") || !requirement["operator"].is_string()) {
    return SelectorMatch{false, {}, "a matchExpressions entry needs a key and an operator"};
  }
  const std::string key = requirement["key"].get<std::string>();
  const std::string op = requirement["operator"].get<std::string>();
  const auto values = string_values(requirement.value("values", nlohmann::json::array()));
  const auto label = labels.find(key);
  const bool has = label != labels.end();
  const bool listed = has && std::ranges::find(values, label->second) != values.end();
  if (op == "In") {
    if (!listed) {
      return mismatch("requires label " + key + " in (" + joined(values) + ")" +
                      (has ? ", it is " + label->second : ", it is not set"));
    }
  } else if (op == "NotIn") {
    if (listed) return mismatch("requires label " + key + " not in (" + joined(values) + ")");
  } else if (op == "Exists") {
    if (!has) return mismatch("requires label " + key + " to be set");
  } else if (op == "DoesNotExist") {
    if (has) return mismatch("requires label " + key + " to be absent, it is set");
  } else {
    return SelectorMatch{false, {}, "unknown selector operator " + op};
  }
  return {};
}

}  // namespace

SelectorMatch match_selector(const nlohmann::json& selector, const Labels& labels) {
  if (selector.is_null()) return {};
  if (!selector.is_object()) return SelectorMatch{false, {}, "a label selector must be an object"};
  if (const auto found = selector.find("matchLabels");
      found != selector.end() && found->is_object()) {
    for (const auto& [key, value] : found->items()) {
      const std::string wanted = value.is_string() ? value.get<std::string>() : value.dump();
      const auto label = labels.find(key);
      if (label == labels.end())
        return mismatch("requires label " + key + "=" + wanted + ", it is not set");
      if (label->second != wanted) {
        return mismatch("requires label " + key + "=" + wanted + ", it is " + label->second);
      }
    }
  }
  if (const auto found = selector.find("matchExpressions");
      found != selector.end() && found->is_array()) {
    for (const auto& requirement : *found) {
      SelectorMatch match = expression(requirement, labels);
      if (!match.matches) return match;
    }
  }
  return {};
}

}  // namespace irsa::doctor
