#include "irsa/doctor/json_fields.hpp"

namespace irsa::doctor::fields {

namespace {

const nlohmann::json kNull;

std::map<std::string, std::string, std::less<>> string_map(const nlohmann::json& object) {
  std::map<std::string, std::string, std::less<>> out;
  if (!object.is_object()) return out;
  for (const auto& [key, value] : object.items()) {
    if (value.is_string()) out.emplace(key, value.get<std::string>());
  }
  return out;
}

}  // namespace

const nlohmann::json& field(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return kNull;
  const auto found = object.find(key);
  return found == object.end() ? kNull : *found;
}

std::string text(const nlohmann::json& object, std::string_view key) {
  const auto& value = field(object, key);
  return value.is_string() ? value.get<std::string>() : std::string();
}

std::map<std::string, std::string, std::less<>> labels_of(const nlohmann::json& object) {
  return string_map(field(field(object, "metadata"), "labels"));
}

std::map<std::string, std::string, std::less<>> annotations_of(const nlohmann::json& object) {
  return string_map(field(field(object, "metadata"), "annotations"));
}

std::vector<nlohmann::json> items_of(const nlohmann::json& list) {
  const auto& items = field(list, "items");
  if (items.is_array()) return {items.begin(), items.end()};
  if (list.is_object() && !list.empty()) return {list};
  return {};
}

const nlohmann::json& spec_of(const nlohmann::json& pod) {
  return field(pod, "spec");
}

std::vector<const nlohmann::json*> containers_of(const nlohmann::json& pod) {
  std::vector<const nlohmann::json*> out;
  const auto& spec = spec_of(pod);
  for (const char* list : {"initContainers", "containers"}) {
    const auto& containers = field(spec, list);
    if (!containers.is_array()) continue;
    for (const auto& container : containers) {
      if (container.is_object()) out.push_back(&container);
    }
  }
  return out;
}

const nlohmann::json* env_var(const nlohmann::json& container, std::string_view name) {
  const auto& env = field(container, "env");
  if (!env.is_array()) return nullptr;
  for (const auto& variable : env) {
    if (text(variable, "name") == name) return &variable;
  }
  return nullptr;
}

std::string name_of(const nlohmann::json& object) {
  const auto& metadata = field(object, "metadata");
  const std::string ns = text(metadata, "namespace");
  const std::string name = text(metadata, "name");
  return ns.empty() ? name : ns + "/" + name;
}

std::vector<std::string> strings_of(const nlohmann::json& string_or_list) {
  std::vector<std::string> out;
  if (string_or_list.is_string()) out.push_back(string_or_list.get<std::string>());
  if (string_or_list.is_array()) {
    for (const auto& value : string_or_list) {
      if (value.is_string()) out.push_back(value.get<std::string>());
    }
  }
  return out;
}

Owner owner_of(const nlohmann::json& pod) {
  const auto& owners = field(field(pod, "metadata"), "ownerReferences");
  if (!owners.is_array()) return {};
  for (const auto& owner : owners) {
    const std::string kind = text(owner, "kind");
    std::string name = text(owner, "name");
    if (kind == "ReplicaSet") {
      const auto labels = labels_of(pod);
      const auto hash = labels.find("pod-template-hash");
      if (hash != labels.end() && !hash->second.empty() && name.ends_with("-" + hash->second)) {
        name.resize(name.size() - hash->second.size() - 1);
        return {"Deployment", name};
      }
      return {kind, name};
    }
    if (kind == "StatefulSet" || kind == "DaemonSet" || kind == "Job") return {kind, name};
  }
  return {};
}

}  // namespace irsa::doctor::fields
