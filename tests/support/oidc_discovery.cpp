#include "support/oidc_discovery.hpp"

namespace irsa::testing {

KubeReply openid_configuration(const std::string& issuer, const std::string& server_url) {
  const nlohmann::ordered_json document = {{"issuer", issuer},
                                           {"jwks_uri", server_url + "/openid/v1/jwks"},
                                           {"response_types_supported", {"id_token"}},
                                           {"subject_types_supported", {"public"}},
                                           {"id_token_signing_alg_values_supported", {"RS256"}}};
  return {200, document.dump(), "application/json"};
}

KubeReply openid_jwks(JwtSigner& signer) {
  const nlohmann::ordered_json keys = {
      {"keys", nlohmann::ordered_json::array({signer.public_jwk()})}};
  return {200, keys.dump(), "application/jwk-set+json"};
}

}  // namespace irsa::testing
