// Reading fields of Kubernetes objects that may be missing or of the wrong type: the evidence
// comes from files users wrote and from whatever the API answered, so nothing is assumed and
// nothing throws. doctor's checks and its readers of files and API answers all use these.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::doctor::fields {

// object[key] when object is an object holding that key, else null.
[[nodiscard]] const nlohmann::json& field(const nlohmann::json& object, std::string_view key);
// A string field, or "" when missing or not a string.
[[nodiscard]] std::string text(const nlohmann::json& object, std::string_view key);
// metadata.labels / metadata.annotations as a map of their string values.
[[nodiscard]] std::map<std::string, std::string, std::less<>> labels_of(
    const nlohmann::json& object);
[[nodiscard]] std::map<std::string, std::string, std::less<>> annotations_of(
    const nlohmann::json& object);
// The items of a List, or the object itself in a one-element vector when it is not a List.
[[nodiscard]] std::vector<nlohmann::json> items_of(const nlohmann::json& list);
// Every container of a pod spec (init containers first), as pointers into the spec.
[[nodiscard]] std::vector<const nlohmann::json*> containers_of(const nlohmann::json& pod);
// A container's env entry of that name (set by value or valueFrom), or nullptr.
[[nodiscard]] const nlohmann::json* env_var(const nlohmann::json& container, std::string_view name);
// A pod's (or template's) spec.
[[nodiscard]] const nlohmann::json& spec_of(const nlohmann::json& pod);
// The string values of a field written as one string or a list of them (a token's aud, say).
[[nodiscard]] std::vector<std::string> strings_of(const nlohmann::json& string_or_list);

// The workload that owns a pod, as kubectl names it: a ReplicaSet's Deployment is the ReplicaSet's
// name less the pod's pod-template-hash, which saves reading the ReplicaSet. kind is "" when the
// pod has no owner (or one of another kind).
struct Owner {
  std::string kind;  // Deployment, StatefulSet, DaemonSet, Job, ReplicaSet (without a hash)
  std::string name;
};
[[nodiscard]] Owner owner_of(const nlohmann::json& pod);

// "namespace/name" of an object.
[[nodiscard]] std::string name_of(const nlohmann::json& object);

}  // namespace irsa::doctor::fields
