// Check 2: is the role the webhook would inject an ARN STS can assume? The webhook passes the
// annotation through as written, so a typo here surfaces only as an SDK error inside the pod.
#include <string>

#include "irsa/core/annotations.hpp"
#include "irsa/core/arn.hpp"
#include "irsa/doctor/checks.hpp"

namespace irsa::doctor {

CheckResult check_role_arn(const CheckContext& context) {
  const ResolvedIdentity& identity = context.identity;
  CheckResult result{std::string(kRoleArnCheck), Status::pass, {}, {}, {}, {}};
  if (identity.source == IdentitySource::pod_identity) {
    result.status = Status::skip;
    result.finding = "Pod Identity: the role comes from the EKS association, not from an ARN here";
    return result;
  }
  if (identity.source == IdentitySource::none) {
    result.status = Status::skip;
    result.finding = "no role ARN to check";
    return result;
  }
  const core::RoleArnCheck check = core::check_role_arn(identity.role_arn);
  if (check.ok) {
    result.finding = "IAM role " + check.name + " in account " + check.account + " (partition " +
                     check.partition + (check.path == "/" ? "" : ", path " + check.path) + ")";
    return result;
  }
  result.status = Status::fail;
  result.finding = check.problem;
  const std::string example = check.corrected.empty()
                                  ? std::string("arn:aws:iam::<12-digit account>:role/<name>")
                                  : check.corrected;
  const Subject& subject = context.evidence.subject;
  if (identity.source == IdentitySource::config_map) {
    result.remedy = "correct the RoleARN of key " + identity.config_map_key +
                    " in the pod-identity-webhook ConfigMap, e.g. " + example;
  } else {
    result.remedy = "kubectl annotate serviceaccount -n " + subject.ns + " " +
                    subject.service_account + " " +
                    core::annotation_key(context.settings.mutation.annotation_prefix,
                                         core::kRoleArnAnnotation) +
                    "=" + example + " --overwrite";
  }
  return result;
}

}  // namespace irsa::doctor
