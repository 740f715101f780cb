#include "irsa/store/yaml_emit.hpp"

#include <yaml-cpp/yaml.h>

#include "irsa/store/yaml_json.hpp"

namespace irsa::store {

namespace {

// Whether a plain (unquoted) scalar with this text would read back as something other than
// the same string.
bool needs_quotes(const std::string& text) {
  if (text.empty()) return true;
  auto reread = parse_documents(text);
  if (!reread.error.empty() || reread.documents.size() != 1) return true;
  const auto& value = reread.documents.front();
  return !value.is_string() || value.get<std::string>() != text;
}

void emit(YAML::Emitter& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      // Empty collections read best inline: "emptyDir: {}".
      if (value.empty()) out << YAML::Flow;
      out << YAML::BeginMap;
      for (auto it = value.begin(); it != value.end(); ++it) {
        out << YAML::Key;
        if (needs_quotes(it.key())) out << YAML::DoubleQuoted;
        out << it.key() << YAML::Value;
        emit(out, it.value());
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      if (value.empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      if (needs_quotes(text)) out << YAML::DoubleQuoted;
      out << text;
      break;
    }
    case nlohmann::json::value_t::boolean:
      out << value.get<bool>();
      break;
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      out << YAML::Null;
      break;
    default:
      // Numbers keep their JSON spelling, which YAML reads back as the same number.
      out << value.dump();
      break;
  }
}

}  // namespace

std::string to_yaml(const nlohmann::json& value) {
  YAML::Emitter out;
  emit(out, value);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text.push_back('\n');
  return text;
}

}  // namespace irsa::store
