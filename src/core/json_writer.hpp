// A direct JSON writer for the few shapes the core emits (patch ops, the response envelope):
// appends to one string, no intermediate DOM.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "irsa/core/json_text.hpp"

namespace irsa::core::detail {

using core::append_json_escaped;
using core::append_json_string;

// Appends text as one JSON Pointer reference token ("~" -> "~0", "/" -> "~1").
void append_pointer_token(std::string& out, std::string_view token);

void append_int(std::string& out, std::int64_t value);

// {"name":"<name>","value":"<value>"}, an EnvVar as the patch adds it.
[[nodiscard]] std::string render_env_var(std::string_view name, std::string_view value);

}  // namespace irsa::core::detail
