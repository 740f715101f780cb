// The fake API server's store of the kinds other than its watched ServiceAccounts, ConfigMaps and
// Namespaces (Pods, webhook configurations, Services, workloads, ...): objects kept as JSON,
// answered with GET and LIST (label and field selectors, limit/continue pages) in the API
// server's shapes. No watches and no history: a LIST always shows the current state. (Pods can
// also be created through the API, with admission: fake_kube_admission.cpp.)
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "support/kube_status.hpp"

namespace irsa::testing {

struct KindInfo {
  std::string_view kind;
  std::string_view group;  // "" for the core group
  std::string_view version;
  std::string_view resource;  // the plural in paths
  bool namespaced = true;
  // The fields a fieldSelector may name besides metadata.name and metadata.namespace.
  std::vector<std::string> field_labels;

  [[nodiscard]] std::string api_version() const;  // "v1", "apps/v1"
};

// Every kind the store takes, and lookups by kind name or by (group, resource).
[[nodiscard]] const std::vector<KindInfo>& stored_kinds();
[[nodiscard]] const KindInfo* kind_named(std::string_view kind);
[[nodiscard]] const KindInfo* kind_serving(std::string_view group, std::string_view resource);

class KubeObjectStore {
 public:
  // Stores the object, replacing one of the same kind, namespace and name. Fills in what the API
  // server would have: apiVersion, metadata.namespace ("default" for namespaced kinds when none
  // is given; dropped for cluster-scoped ones), uid (kept from the object it replaces, or made
  // up), creationTimestamp and the given resourceVersion. Throws std::invalid_argument for a
  // kind not in stored_kinds(), a foreign apiVersion, or no metadata.name.
  const nlohmann::json& put(nlohmann::json object, std::uint64_t resource_version);
  // false when there was no such object.
  bool remove(std::string_view kind, std::string_view ns, std::string_view name);
  // null when there is no such object. ns is ignored for cluster-scoped kinds.
  [[nodiscard]] const nlohmann::json* find(std::string_view kind, std::string_view ns,
                                           std::string_view name) const;

  // GET: the object (200) or the NotFound Status (404).
  [[nodiscard]] KubeReply get(const KindInfo& kind, const std::string& ns,
                              const std::string& name) const;
  // LIST of one namespace (ns non-empty) or of all: labelSelector, fieldSelector, limit and
  // continue are honoured; a selector the API server would refuse earns its 400.
  [[nodiscard]] KubeReply list(const KindInfo& kind, const std::string& ns,
                               const std::map<std::string, std::string>& query,
                               std::uint64_t resource_version) const;

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // kind, namespace, name
  std::map<Key, nlohmann::json> objects_;
  std::uint64_t next_serial_ = 1;
};

}  // namespace irsa::testing
