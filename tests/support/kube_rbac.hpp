// Scripted RBAC refusals for the fake API server: requests a test forbids are answered 403 with
// the Status the API server's authorization filter writes.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "support/kube_api_path.hpp"
#include "support/kube_status.hpp"

namespace irsa::testing {

class KubeRbac {
 public:
  // verb: get, list, watch, create, ... or "*" for every verb. resource: a plural with an
  // optional subresource ("pods", "serviceaccounts/token"), optionally qualified by its group
  // ("deployments.apps"; unqualified: any group), or a nonResourceURL path ("/openid/v1/jwks").
  void forbid(const std::string& verb, const std::string& resource);
  void allow_everything();
  // The user the refusals name.
  void set_user(std::string user) { user_ = std::move(user); }
  [[nodiscard]] const std::string& user() const { return user_; }

  // The 403 for a resource request, if it is forbidden.
  [[nodiscard]] std::optional<KubeReply> check(const std::string& verb, const ApiPath& path) const;
  // The 403 for a nonResourceURL request (verb "get" for GET), if it is forbidden.
  [[nodiscard]] std::optional<KubeReply> check_path(const std::string& verb,
                                                    std::string_view path) const;

 private:
  [[nodiscard]] bool forbidden(const std::string& verb, const std::string& resource) const;

  std::set<std::pair<std::string, std::string>> rules_;  // (verb, resource as given)
  std::string user_ = "system:serviceaccount:eks:doctor";
};

}  // namespace irsa::testing
