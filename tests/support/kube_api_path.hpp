// Request paths of the Kubernetes API read the way the API server's request-info parser reads
// them: /api/v1/... for the core group, /apis/GROUP/VERSION/... for the others, with an optional
// namespaces/NS/ segment, then resource, name and subresource.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace irsa::testing {

struct ApiPath {
  std::string group;  // "" for the core group
  std::string version;
  // The request's namespace: empty for cluster-scoped and all-namespace requests. A Namespace
  // object is its own namespace (/api/v1/namespaces/shop is in namespace "shop"), as RBAC sees it.
  std::string ns;
  std::string resource;  // the plural, "pods"
  std::string name;      // empty: a collection
  std::string subresource;
};

// nullopt for paths that are no resource request (discovery documents, /openid/..., /healthz).
[[nodiscard]] std::optional<ApiPath> parse_api_path(std::string_view path);

// RBAC's verb for a request: get, list, watch, create, update, patch, delete, deletecollection.
[[nodiscard]] std::string request_verb(std::string_view method, const ApiPath& path,
                                       bool watch_asked);

}  // namespace irsa::testing
