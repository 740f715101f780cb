// The Kubernetes API payloads the webhook reads, turned into what its caches keep: LIST pages
// (items, resourceVersion, continue token) and the lines of a WATCH stream
// ({"type":...,"object":...}), for ServiceAccounts, the pod-identity-webhook ConfigMap and
// Namespaces.
// Only what a mutation needs is copied out; the rest of each object is skipped unread.
#pragma once

#include "irsa/core/role_policy.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irsa/core/identity_sources.hpp"

namespace irsa::kube {

struct AccountObject {
  std::string ns;
  std::string name;
  std::string resource_version;
  // Those whose key starts with "<prefix>/", and near misses of them (with an empty value).
  core::Annotations annotations;
};

struct ConfigMapObject {
  std::string ns;
  std::string name;
  std::string resource_version;
  std::optional<std::string> config;  // data.config, when present
};

// A Namespace: its labels, for role policy rules with a namespaceSelector.
struct NamespaceObject {
  std::string name;
  std::string resource_version;
  core::Labels labels;
};

template <typename Object>
struct ListPageOf {
  std::vector<Object> items;
  std::string resource_version;  // the list's, to start the WATCH from
  std::string continue_token;    // empty on the last page
  std::string error;             // non-empty: the page is unusable
};
using ListPage = ListPageOf<AccountObject>;
using ConfigMapListPage = ListPageOf<ConfigMapObject>;
using NamespaceListPage = ListPageOf<NamespaceObject>;

enum class WatchType { added, modified, deleted, bookmark, error };

template <typename Object>
struct WatchEventOf {
  WatchType type = WatchType::error;
  Object object;  // added, modified, deleted; for a bookmark only resource_version is set
  // ERROR events carry a Status: 410 means the resourceVersion is gone and the cache must list
  // again.
  int status_code = 0;
  std::string status_message;
};
using WatchEvent = WatchEventOf<AccountObject>;
using ConfigMapEvent = WatchEventOf<ConfigMapObject>;
using NamespaceEvent = WatchEventOf<NamespaceObject>;

template <typename Event>
struct EventParse {
  Event event;
  std::string error;  // non-empty: the line is not a watch event
};
using WatchEventParse = EventParse<WatchEvent>;
using ConfigMapEventParse = EventParse<ConfigMapEvent>;
using NamespaceEventParse = EventParse<NamespaceEvent>;

// A ServiceAccountList (or v1 List) as GET .../serviceaccounts returns it.
[[nodiscard]] ListPage parse_service_account_list(std::string_view json,
                                                  std::string_view annotation_prefix);
// One ServiceAccount, as GET .../namespaces/<ns>/serviceaccounts/<name> returns it.
struct AccountParse {
  AccountObject account;
  std::string error;
};
[[nodiscard]] AccountParse parse_service_account(std::string_view json,
                                                 std::string_view annotation_prefix);
[[nodiscard]] WatchEventParse parse_watch_event(std::string_view line,
                                                std::string_view annotation_prefix);

// A ConfigMapList and ConfigMap watch lines.
[[nodiscard]] ConfigMapListPage parse_config_map_list(std::string_view json);
[[nodiscard]] ConfigMapEventParse parse_config_map_event(std::string_view line);

// A NamespaceList and Namespace watch lines.
[[nodiscard]] NamespaceListPage parse_namespace_list(std::string_view json);
[[nodiscard]] NamespaceEventParse parse_namespace_event(std::string_view line);

}  // namespace irsa::kube
