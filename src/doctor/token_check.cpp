// Check 6: a token minted for the account through the TokenRequest API, the way the kubelet mints
// the projected one, and its claims held against what STS will compare them with. The token
// itself never reaches here: only its decoded claims do.
#include <algorithm>
#include <string>

#include "irsa/doctor/checks.hpp"
#include "irsa/doctor/json_fields.hpp"

namespace irsa::doctor {

namespace {

bool holds_audience(const nlohmann::json& aud, const std::string& audience) {
  const auto audiences = fields::strings_of(aud);
  return std::ranges::find(audiences, audience) != audiences.end();
}

std::int64_t number(const nlohmann::json& claims, std::string_view key) {
  const auto& value = fields::field(claims, key);
  return value.is_number_integer() ? value.get<std::int64_t>() : 0;
}

}  // namespace

CheckResult check_token(const CheckContext& context) {
  const Evidence& evidence = context.evidence;
  const Read& token = evidence.token_claims;
  CheckResult result{std::string(kTokenCheck), Status::pass, {}, {}, {}, {}};
  if (token.state == ReadState::not_asked) {
    result.status = Status::skip;
    result.finding = !evidence.cluster ? "offline: no cluster to mint a token"
                     : context.identity.source == IdentitySource::pod_identity
                         ? "Pod Identity: the EKS agent exchanges the token, not STS"
                         : "no token requested (the account names no role)";
    return result;
  }
  if (!token.found()) {
    result.status = token.state == ReadState::forbidden ? Status::skip : Status::fail;
    result.finding = "cannot get a token for the account: " + token.message;
    result.remedy =
        token.state == ReadState::forbidden
            ? "grant the caller: " + token.request + " (the chart's doctor ClusterRole has it)"
            : "check that the API server serves the TokenRequest API";
    return result;
  }
  const nlohmann::json& claims = token.object;
  const std::string iss = fields::text(claims, "iss");
  const std::string sub = fields::text(claims, "sub");
  const Subject& subject = evidence.subject;
  const std::string wanted_sub =
      "system:serviceaccount:" + subject.ns + ":" + subject.service_account;
  const std::int64_t lifetime = number(claims, "exp") - number(claims, "iat");
  const std::string audience = context.identity.audience;

  result.finding = "iss " + iss + ", aud " + fields::field(claims, "aud").dump() + ", sub " + sub +
                   ", valid " + std::to_string(lifetime) + "s";
  if (!context.issuer.empty() && iss != context.issuer) {
    result.status = Status::fail;
    result.finding = "the token's iss " + iss + " differs from the issuer " + context.issuer;
    result.remedy =
        "the IAM OIDC provider and the trust policy must name the issuer the tokens "
        "carry: " +
        iss;
    return result;
  }
  if (!holds_audience(fields::field(claims, "aud"), audience)) {
    result.status = Status::fail;
    result.finding = "the token's aud " + fields::field(claims, "aud").dump() +
                     " does not hold the audience " + audience;
    result.remedy = "check the API server's --api-audiences and the account's audience annotation";
    return result;
  }
  if (sub != wanted_sub) {
    result.status = Status::fail;
    result.finding = "the token's sub " + sub + " is not " + wanted_sub;
    result.remedy = "the trust policy's sub condition must name " + sub;
    return result;
  }
  if (lifetime <= 0 || number(claims, "exp") <= evidence.now) {
    result.status = Status::fail;
    result.finding = "the token minted just now is already expired (exp " +
                     std::to_string(number(claims, "exp")) + "): the clocks disagree";
    result.remedy = "check the time on the API server and on this machine";
  }
  return result;
}

}  // namespace irsa::doctor
