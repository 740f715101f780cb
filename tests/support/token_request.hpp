// The TokenRequest subresource (POST /api/v1/namespaces/NS/serviceaccounts/NAME/token): a
// service-account token signed by the fake's key, with the claims the API server writes, and
// the API server's answers to bodies and accounts it refuses.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "support/jwt_signer.hpp"
#include "support/kube_api_path.hpp"
#include "support/kube_status.hpp"

namespace irsa::testing {

struct TokenRequestContext {
  std::string issuer;                          // the tokens' iss
  std::vector<std::string> default_audiences;  // aud when the request names none
  const std::string* account_uid = nullptr;    // null: the ServiceAccount does not exist
  // A Pod of the request's namespace by name (null: none), for spec.boundObjectRef.
  std::function<const nlohmann::json*(const std::string&)> find_pod;
  JwtSigner* signer = nullptr;
  std::chrono::system_clock::time_point now;
};

// 201 with the TokenRequest (metadata, spec as defaulted, status.token and
// status.expirationTimestamp); 400 for a body that is no TokenRequest; 404 for a missing
// account or bound Pod; 422 Invalid for an expirationSeconds out of range.
[[nodiscard]] KubeReply answer_token_request(const ApiPath& path, std::string_view body,
                                             const TokenRequestContext& context);

}  // namespace irsa::testing
