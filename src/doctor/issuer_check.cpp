// Check 5: the cluster's OIDC issuer, which the IAM OIDC provider, the trust policy and every
// token's `iss` must spell exactly alike. Written wrong in one place, STS refuses the token.
#include <string>

#include "irsa/doctor/checks.hpp"
#include "irsa/doctor/json_fields.hpp"
#include "irsa/doctor/text.hpp"

namespace irsa::doctor {

namespace {

constexpr std::string_view kFindIssuer =
    "aws eks describe-cluster --name CLUSTER --query cluster.identity.oidc.issuer --output text";

// What is wrong with the spelling of an issuer URL, or "".
std::string spelling_problem(const std::string& issuer) {
  if (!issuer.starts_with("https://")) {
    return "issuer " + issuer + " is not an https:// URL; IAM OIDC providers take only https";
  }
  if (issuer.ends_with("/")) {
    return "issuer " + issuer + " ends with '/': the provider URL and the trust policy's " +
           "condition keys must then carry the slash too, which is easy to get wrong";
  }
  return {};
}

}  // namespace

CheckResult check_issuer(const CheckContext& context) {
  const Evidence& evidence = context.evidence;
  CheckResult result{std::string(kIssuerCheck), Status::pass, {}, {}, {}, {}};
  const std::string flag = evidence.issuer_flag;
  if (!flag.empty() && flag.find("://") == std::string::npos) {
    result.details.push_back("--issuer " + flag + " has no scheme; read as https://" + flag);
  }

  if (evidence.discovery.found()) {
    const std::string issuer = fields::text(evidence.discovery.object, "issuer");
    const std::string jwks = fields::text(evidence.discovery.object, "jwks_uri");
    if (issuer.empty()) {
      result.status = Status::fail;
      result.finding = "the API server's discovery document names no issuer";
      result.remedy = "set the API server's --service-account-issuer (on EKS it is set for you)";
      return result;
    }
    result.finding = "issuer " + issuer + (jwks.empty() ? "" : ", keys at " + jwks);
    if (jwks.empty()) result.details.push_back("the discovery document has no jwks_uri");
    if (const std::string problem = spelling_problem(issuer); !problem.empty()) {
      result.status = issuer.starts_with("https://") ? Status::warn : Status::fail;
      result.finding = problem;
      result.remedy = "create the IAM OIDC provider and the trust policy for exactly " + issuer;
    }
    if (!flag.empty() && with_https(flag) != issuer) {
      result.status = Status::fail;
      result.finding = "--issuer " + flag + " differs from the cluster's issuer " + issuer;
      result.remedy = "use the cluster's issuer " + issuer +
                      " for the IAM OIDC provider and the trust policy (and for --issuer)";
    }
    return result;
  }

  if (evidence.discovery.state != ReadState::not_asked) {
    result.details.push_back("the API server's discovery document could not be read: " +
                             evidence.discovery.message);
  }
  if (flag.empty()) {
    result.status = Status::skip;
    result.finding = evidence.discovery.state == ReadState::not_asked
                         ? "no issuer known offline (give --issuer=URL)"
                         : "the cluster's issuer is unknown (" + evidence.discovery.message + ")";
    result.remedy = "pass --issuer=URL; on EKS: " + std::string(kFindIssuer);
    return result;
  }
  const std::string issuer = with_https(flag);
  result.finding = "issuer " + issuer + " (from --issuer)";
  if (const std::string problem = spelling_problem(issuer); !problem.empty()) {
    result.status = issuer.starts_with("https://") ? Status::warn : Status::fail;
    result.finding = problem;
    result.remedy = "give the issuer as the cluster reports it: " + std::string(kFindIssuer);
  }
  return result;
}

}  // namespace irsa::doctor
