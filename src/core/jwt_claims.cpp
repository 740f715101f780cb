#include "irsa/core/jwt_claims.hpp"

#include <algorithm>

#include "irsa/core/base64.hpp"

namespace irsa::core {

JwtClaims decode_jwt_claims(std::string_view token) {
  JwtClaims result;
  if (std::ranges::count(token, '.') != 2) {
    result.error = "not a JWT (three base64url segments)";
    return result;
  }
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  std::string payload;
  if (!decode_base64url(token.substr(first + 1, second - first - 1), payload)) {
    result.error = "not a JWT (three base64url segments)";
    return result;
  }
  auto claims = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) {
    result.error = "the token's payload is not a JSON object";
    return result;
  }
  result.claims = std::move(claims);
  return result;
}

}  // namespace irsa::core
