// Check 9 (--try-assume): STS's own verdict on the token, translated into the link that broke.
// The earlier checks reason about the chain; this one is AWS answering for it.
#include <string>

#include "irsa/core/arn.hpp"
#include "irsa/doctor/checks.hpp"
#include "irsa/doctor/text.hpp"

namespace irsa::doctor {

namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

CheckResult check_sts(const CheckContext& context) {
  const Evidence& evidence = context.evidence;
  const StsOutcome& sts = evidence.sts;
  CheckResult result{std::string(kStsCheck), Status::fail, {}, {}, {}, {}};
  if (!context.settings.try_assume) {
    result.status = Status::skip;
    result.finding = "not asked (--try-assume calls STS AssumeRoleWithWebIdentity)";
    return result;
  }
  if (!sts.asked) {
    result.status = Status::skip;
    result.finding = context.identity.source == IdentitySource::annotation ||
                             context.identity.source == IdentitySource::config_map
                         ? "no token to present (see the token check)"
                         : "the account names no role to assume";
    return result;
  }
  const std::string issuer = context.issuer.empty() ? "ISSUER" : context.issuer;
  const std::string code = sts.error_code;
  const std::string said = code + ": " + sts.error_message;
  if (!sts.transport_error.empty()) {
    result.finding = "no answer from STS at " + sts.endpoint + ": " + sts.transport_error;
    result.remedy =
        "check the network path to STS, or name a reachable endpoint with --sts-endpoint";
    return result;
  }
  if (code.empty() && !sts.assumed_role_arn.empty()) {
    result.status = Status::pass;
    result.finding = "STS issued credentials for " + sts.assumed_role_arn + ", valid until " +
                     sts.expiration + " (discarded unread)";
    return result;
  }
  result.finding = "STS at " + sts.endpoint + " refused: " + said;
  if (code == "InvalidIdentityToken" && contains(sts.error_message, "OpenIDConnect provider")) {
    result.finding = "no IAM OIDC provider for " + issuer + " in the role's account (" + said + ")";
    result.remedy = "aws iam create-open-id-connect-provider --url " + issuer +
                    " --client-id-list " + context.identity.audience +
                    "\n# or: eksctl utils associate-iam-oidc-provider --cluster CLUSTER --approve";
  } else if (code == "InvalidIdentityToken" && contains(sts.error_message, "audience")) {
    result.finding = "the IAM OIDC provider's client IDs lack the audience " +
                     context.identity.audience + " (" + said + ")";
    result.remedy =
        "aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn "
        "arn:aws:iam::ACCOUNT:oidc-provider/" +
        std::string(without_scheme(issuer)) + " --client-id " + context.identity.audience;
  } else if (code == "AccessDenied") {
    result.finding = "the role's trust policy does not let this account assume it (" + said + ")";
    const core::RoleArnCheck role = core::check_role_arn(context.identity.role_arn);
    result.remedy =
        "fix the trust policy as the trust-policy check says, or print one that works:\n"
        "irsa-webhook trust-policy " +
        evidence.subject.ns + "/" + evidence.subject.service_account + " --account " +
        (role.account.empty() ? std::string("ACCOUNT") : role.account) +
        (role.partition.empty() || role.partition == "aws" ? std::string()
                                                           : " --partition " + role.partition);
  } else if (code == "IDPCommunicationError") {
    result.finding = "AWS could not fetch the issuer's discovery document or keys from " + issuer +
                     " (" + said + ")";
    result.remedy = "make " + issuer +
                    "/.well-known/openid-configuration and its jwks_uri "
                    "reachable from the internet over https";
  } else if (code == "ExpiredTokenException") {
    result.finding = "STS saw the token as expired (" + said + ")";
    result.remedy = "check the clocks of the API server and of this machine";
  } else if (code == "Throttling" || code == "ThrottlingException") {
    result.status = Status::warn;
    result.finding = "STS throttled the call (" + said + "); nothing was learned";
    result.remedy = "run doctor again in a minute";
  } else if (code == "IDPRejectedClaim") {
    result.finding = "the identity provider rejected the token's claims (" + said + ")";
    result.remedy = "check the token's claims against the provider (see the token check)";
  } else {
    result.remedy = "see the STS documentation of AssumeRoleWithWebIdentity for " + code;
  }
  return result;
}

}  // namespace irsa::doctor
