// The claims of a JSON Web Token, read without checking its signature: `self-check` and `doctor`
// only look at what a token says (issuer, audience, subject, lifetime), the way one would paste it
// into a decoder, and never pass judgement on whether it is genuine.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace irsa::core {

struct JwtClaims {
  nlohmann::json claims;  // the payload, a JSON object
  std::string error;      // non-empty: why the text is not a JWT with a JSON object payload
};

// Expects three base64url segments separated by dots; the payload must be a JSON object. The
// error never quotes the token.
[[nodiscard]] JwtClaims decode_jwt_claims(std::string_view token);

}  // namespace irsa::core
