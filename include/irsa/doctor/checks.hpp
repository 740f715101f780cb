// The nine checks of `irsa-webhook doctor`, as pure functions of the evidence. Each returns one
// CheckResult under its stable name; run_checks runs them in order for one ServiceAccount.
#pragma once

#include <string>
#include <vector>

#include "irsa/core/settings.hpp"
#include "irsa/doctor/check.hpp"
#include "irsa/doctor/evidence.hpp"

namespace irsa::doctor {

// How the webhook is run, as far as the verdicts depend on it (its flags).
struct DoctorSettings {
  core::Settings mutation;
  bool watch_config_map = false;  // the pod-identity-webhook ConfigMap maps accounts to roles
  std::string container_credentials_file;  // --watch-container-credentials-config, for messages
  bool try_assume = false;                 // --try-assume: the sts check runs
};

// Where the account's identity comes from, exactly as the webhook would decide it.
enum class IdentitySource { none, annotation, config_map, pod_identity };

struct ResolvedIdentity {
  IdentitySource source = IdentitySource::none;
  std::string role_arn;               // what the webhook injects as AWS_ROLE_ARN ("" for none)
  std::string audience;               // the audience of the token it projects
  std::string config_map_key;         // config_map: the key that matched ("shop/api" or "*/api")
  std::vector<std::string> problems;  // annotation values the webhook could not use
  // The pod-identity-webhook ConfigMap is watched but its config cannot be read: the webhook
  // keeps whatever it had before, which doctor cannot see.
  std::string config_map_problem;
};

[[nodiscard]] ResolvedIdentity resolve_identity(const Evidence& evidence,
                                                const DoctorSettings& settings);

// What every check may read.
struct CheckContext {
  const Evidence& evidence;
  const DoctorSettings& settings;
  ResolvedIdentity identity;
  std::string issuer;  // the cluster's issuer as best known (discovery, else --issuer), or ""
};

[[nodiscard]] CheckContext make_context(const Evidence& evidence, const DoctorSettings& settings);

[[nodiscard]] CheckResult check_annotation(const CheckContext& context);
[[nodiscard]] CheckResult check_role_arn(const CheckContext& context);
[[nodiscard]] CheckResult check_webhook(const CheckContext& context);
[[nodiscard]] CheckResult check_pods(const CheckContext& context);
[[nodiscard]] CheckResult check_issuer(const CheckContext& context);
[[nodiscard]] CheckResult check_token(const CheckContext& context);
[[nodiscard]] CheckResult check_trust_policy(const CheckContext& context);
[[nodiscard]] CheckResult check_environment(const CheckContext& context);
[[nodiscard]] CheckResult check_sts(const CheckContext& context);

// "namespace/name" of every Service that a pod identity webhook in the
// MutatingWebhookConfigurationList is called through: the endpoints the webhook check wants.
[[nodiscard]] std::vector<std::string> identity_webhook_services(
    const nlohmann::json& configurations);

// All nine, in the order of their names in check.hpp.
[[nodiscard]] SubjectReport run_checks(const Evidence& evidence, const DoctorSettings& settings);

}  // namespace irsa::doctor
