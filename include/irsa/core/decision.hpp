// What became of one admission: the result, the identity mode and the facts a log line, a metric
// or a retry decision needs. Its own header, so that what only reports decisions (the metrics,
// the log) does not read the Mutator's declarations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::core {

enum class Mode {
  none,
  web_identity,           // IRSA: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE
  container_credentials,  // EKS Pod Identity: AWS_CONTAINER_CREDENTIALS_FULL_URI + token file
};

enum class Result {
  mutated,      // the pod needed changes; the response carries a patch
  unchanged,    // the pod has an identity but already carries everything
  not_mutated,  // the pod has no identity (no role, or the ServiceAccount is unknown)
  denied,       // the request could not be understood; allowed:false with code 400
  forbidden,    // the role policy (enforce mode) refused the pod; allowed:false with code 403
};

// What a warning is about, for the metrics and the audit log (the text says it for people).
enum class WarningKind : std::uint8_t {
  annotation,          // an annotation value the webhook could not use
  near_miss,           // an annotation named almost like one the webhook reads
  container_env,       // a container sets an identity variable itself
  mount,               // the token volume or mount clashes with what the pod has
  container_list,      // skip-containers or include-containers problems
  static_credentials,  // static keys or a profile that the SDKs prefer to the role
  env_from_region,     // an injected region overrides one from envFrom
  token_permissions,   // non-root users that may not read the token
  session_name,        // no role session name could be given
  policy,              // the role policy was violated (audit mode)
};
inline constexpr std::size_t kWarningKinds = static_cast<std::size_t>(WarningKind::policy) + 1;

[[nodiscard]] std::string_view to_string(Mode mode) noexcept;
[[nodiscard]] std::string_view to_string(WarningKind kind) noexcept;
[[nodiscard]] std::string_view to_string(Result result) noexcept;

// Everything a log line, a metric or a retry decision needs to know about one admission.
struct Decision {
  Result result = Result::denied;
  Mode mode = Mode::none;
  std::string uid;
  std::string ns;
  std::string pod_name;  // metadata.name, or metadata.generateName when the name is empty
  std::string service_account;
  std::string role_arn;
  std::string user;
  std::string operation;
  bool dry_run = false;
  // The ServiceAccount was known neither to the store nor to the ConfigMap. A server with a
  // lookup grace period waits and asks again when this is set.
  bool service_account_missing = false;
  std::int64_t token_expiration = 0;  // of the volume added, 0 when none was added
  std::vector<std::string> mutated_containers;
  std::vector<std::string> skipped_containers;
  std::vector<std::string> warnings;
  std::vector<WarningKind> warning_kinds;  // one per warning, in the same order
  std::string error;                       // why the request was denied or forbidden
  // The role policy's verdict, when a rule was violated (in either mode): the rule's name, its
  // mode and what is wrong. Empty rule: no violation.
  std::string policy_rule;
  std::string_view policy_mode;  // "audit" or "enforce"
  std::string policy_violation;
};

}  // namespace irsa::core
