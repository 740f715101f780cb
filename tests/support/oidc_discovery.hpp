// The API server's service-account issuer discovery (nonResourceURLs): the OpenID provider
// configuration and the key set it points to, which is what an IAM OIDC provider reads.
#pragma once

#include <string>

#include "support/jwt_signer.hpp"
#include "support/kube_status.hpp"

namespace irsa::testing {

// GET /.well-known/openid-configuration. jwks_uri points at this server (server_url) rather
// than at the issuer, as on clusters whose issuer URL is not served by the API server itself.
[[nodiscard]] KubeReply openid_configuration(const std::string& issuer,
                                             const std::string& server_url);
// GET /openid/v1/jwks: the signing key's public half.
[[nodiscard]] KubeReply openid_jwks(JwtSigner& signer);

}  // namespace irsa::testing
