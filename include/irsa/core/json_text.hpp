// JSON string escaping, shared by the core's writers and by anything above it that writes JSON
// by hand (the server's log lines). Which JSON tool is used where (simdjson, nlohmann/json or
// these writers), and why: docs/json.md.
#pragma once

#include <string>
#include <string_view>

namespace irsa::core {

// Appends text as the body of a JSON string (without the quotes).
void append_json_escaped(std::string& out, std::string_view text);

// Appends text as a quoted JSON string.
inline void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  append_json_escaped(out, text);
  out.push_back('"');
}

}  // namespace irsa::core
