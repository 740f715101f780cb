// What the fake API server serves besides its machinery of watched kinds (ServiceAccounts,
// ConfigMaps, Namespaces) and of Pod creation: the generic object store, the TokenRequest
// subresource, service-account issuer discovery, and scripted RBAC refusals in front of all of
// it (the watched kinds and Pod creation included).
// Not thread-safe: FakeKubeApi calls it under its own lock.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "support/jwt_signer.hpp"
#include "support/kube_object_store.hpp"
#include "support/kube_rbac.hpp"
#include "support/kube_status.hpp"

namespace irsa::testing {

// kind's issuer, which most clusters keep.
inline constexpr const char* kDefaultServiceAccountIssuer =
    "https://kubernetes.default.svc.cluster.local";

class KubeClusterRoutes {
 public:
  struct Request {
    std::string_view method;
    std::string_view target;  // path and query
    std::string_view body;
  };
  // The ServiceAccount store's answer to "does NS/NAME exist, and with which uid?"
  using AccountUid =
      std::function<std::optional<std::string>(const std::string& ns, const std::string& name)>;

  // The answer, or nullopt when the request is for the watched kinds' machinery or creates a
  // Pod (and RBAC lets it through), or is for a path served by nothing here.
  std::optional<KubeReply> handle(const Request& request, const AccountUid& account_uid,
                                  std::uint64_t resource_version, const std::string& server_url);

  // POST /api/v1/namespaces/NS/pods.
  [[nodiscard]] static bool is_pod_create(std::string_view method, const ApiPath& path);

  [[nodiscard]] std::string token_issuer() const { return token_issuer_override.value_or(issuer); }

  KubeObjectStore objects;
  KubeRbac rbac;
  JwtSigner signer;
  std::string issuer = kDefaultServiceAccountIssuer;  // what discovery says
  std::optional<std::string> token_issuer_override;   // the tokens' iss; unset: issuer
  bool discovery_available = true;
  int token_requests = 0;  // every request to the token subresource, refused ones included

 private:
  std::optional<KubeReply> discovery(std::string_view method, std::string_view path,
                                     const std::string& server_url);
};

}  // namespace irsa::testing
