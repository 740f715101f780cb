// What `irsa-webhook doctor` says about one link of the chain that gives a pod its AWS identity:
// a verdict, one line of finding and, when something is wrong, the remedy to apply. Plain data,
// shared by the checks (pure functions of the evidence) and the report writers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace irsa::doctor {

enum class Status { pass, warn, fail, skip };

// "pass", "warn", "fail", "skip": the spelling of the JSON output.
[[nodiscard]] std::string_view status_name(Status status) noexcept;

// The checks' stable names, in the order they run and print. Other tools key on these.
inline constexpr std::string_view kAnnotationCheck = "annotation";
inline constexpr std::string_view kRoleArnCheck = "role-arn";
inline constexpr std::string_view kWebhookCheck = "webhook";
inline constexpr std::string_view kPodsCheck = "pods";
inline constexpr std::string_view kIssuerCheck = "issuer";
inline constexpr std::string_view kTokenCheck = "token";
inline constexpr std::string_view kTrustPolicyCheck = "trust-policy";
inline constexpr std::string_view kEnvironmentCheck = "environment";
inline constexpr std::string_view kStsCheck = "sts";

struct CheckResult {
  std::string name;  // one of the names above
  Status status = Status::skip;
  std::string finding;  // one line a person reads at a glance
  // For warn and fail: what to do, ready to paste (an annotation, a kubectl command, a corrected
  // trust-policy statement as JSON). May span lines.
  std::string remedy;
  std::string remedy_note;  // one line on how to apply the remedy ("replace statement 2 with:")
  std::vector<std::string> details;  // further lines: one per pod, per statement, ...
};

struct Subject {
  std::string ns;
  std::string service_account;
};

struct SubjectReport {
  Subject subject;
  std::string role_arn;  // the role the webhook would inject ("" for none), for summaries
  std::vector<CheckResult> checks;
  [[nodiscard]] bool failed() const noexcept;
};

}  // namespace irsa::doctor
