#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace irsa::store {

// JSON value to block-style YAML. Strings that a YAML reader would take for another type
// ("true", "123", "", "null") are double-quoted, so reading the YAML back gives the same JSON.
[[nodiscard]] std::string to_yaml(const nlohmann::json& value);

}  // namespace irsa::store
