// Check 7: the role's trust policy, evaluated as IAM evaluates AssumeRoleWithWebIdentity for the
// claims this account's token carries (the token's own when one was minted, else the claims the
// webhook's token would carry). This is where most AccessDenied errors come from.
#include <string>

#include "irsa/core/arn.hpp"
#include "irsa/doctor/checks.hpp"
#include "irsa/doctor/json_fields.hpp"
#include "irsa/doctor/trust_policy.hpp"

namespace irsa::doctor {

namespace {

CheckResult trust_policy_skipped(std::string finding, std::string remedy = {}) {
  return CheckResult{
      std::string(kTrustPolicyCheck), Status::skip, std::move(finding), std::move(remedy), {}, {}};
}

}  // namespace

CheckResult check_trust_policy(const CheckContext& context) {
  const Evidence& evidence = context.evidence;
  const ResolvedIdentity& identity = context.identity;
  if (identity.source == IdentitySource::pod_identity) {
    return trust_policy_skipped(
        "Pod Identity: the role trusts pods.eks.amazonaws.com, not the cluster's issuer");
  }
  if (identity.source == IdentitySource::none)
    return trust_policy_skipped("no role whose trust policy to check");
  const core::RoleArnCheck role = core::check_role_arn(identity.role_arn);
  if (!role.ok) return trust_policy_skipped("the role ARN is not usable (see role-arn)");
  if (!evidence.trust_policy_text) {
    return trust_policy_skipped("no trust policy given", "aws iam get-role --role-name " +
                                                             role.name +
                                                             " > trust.json, then add "
                                                             "--trust-policy=trust.json");
  }
  const TrustPolicyParse parsed = parse_trust_policy(*evidence.trust_policy_text);
  CheckResult result{std::string(kTrustPolicyCheck), Status::fail, {}, {}, {}, {}};
  if (!parsed.error.empty()) {
    result.finding = evidence.trust_policy_source + ": " + parsed.error;
    result.remedy = "give the role's trust policy: aws iam get-role --role-name " + role.name;
    return result;
  }

  WebIdentityRequest request;
  request.role_arn = identity.role_arn;
  const Subject& subject = evidence.subject;
  if (evidence.token_claims.found()) {
    const auto& claims = evidence.token_claims.object;
    request.issuer = fields::text(claims, "iss");
    request.audiences = fields::strings_of(fields::field(claims, "aud"));
    request.subject = fields::text(claims, "sub");
  } else {
    request.issuer = context.issuer;
    request.audiences = {identity.audience};
    request.subject = "system:serviceaccount:" + subject.ns + ":" + subject.service_account;
  }
  if (request.issuer.empty()) {
    return trust_policy_skipped(
        "the cluster's issuer is unknown, so the provider cannot be matched", "pass --issuer=URL");
  }

  const TrustEvaluation evaluation = evaluate_trust_policy(parsed.policy, request);
  result.finding = evaluation.finding;
  result.details = evaluation.details;
  result.remedy = evaluation.remedy;
  result.remedy_note = evaluation.remedy_note;
  switch (evaluation.verdict) {
    case TrustVerdict::allowed:
      result.status = Status::pass;
      break;
    case TrustVerdict::allowed_for_any_subject:
      result.status = Status::warn;
      break;
    case TrustVerdict::denied:
    case TrustVerdict::not_allowed:
      result.status = Status::fail;
      break;
  }
  if (!evidence.token_claims.found()) {
    result.details.push_back("evaluated for the claims the webhook's token would carry (iss " +
                             request.issuer + ", aud " + identity.audience + ", sub " +
                             request.subject + ")");
  }
  return result;
}

}  // namespace irsa::doctor
