#include "irsa/doctor/checks.hpp"

namespace irsa::doctor {

SubjectReport run_checks(const Evidence& evidence, const DoctorSettings& settings) {
  const CheckContext context = make_context(evidence, settings);
  SubjectReport report;
  report.subject = evidence.subject;
  report.role_arn = context.identity.role_arn;
  for (const auto check :
       {check_annotation, check_role_arn, check_webhook, check_pods, check_issuer, check_token,
        check_trust_policy, check_environment, check_sts}) {
    report.checks.push_back(check(context));
  }
  return report;
}

}  // namespace irsa::doctor
