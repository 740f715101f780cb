// Check 4: the account's running pods. The webhook acts only when a pod is created, so pods that
// started before the account got its role, or before the role changed, keep what they had until
// they are replaced: this lists them with the command that replaces them.
#include <set>
#include <string>
#include <vector>

#include "irsa/doctor/checks.hpp"
#include "irsa/doctor/json_fields.hpp"
#include "irsa/doctor/text.hpp"

namespace irsa::doctor {

namespace {

using fields::field;
using fields::text;

constexpr std::string_view kRoleVariable = "AWS_ROLE_ARN";
constexpr std::string_view kTokenFileVariable = "AWS_WEB_IDENTITY_TOKEN_FILE";
constexpr std::string_view kCredentialsUriVariable = "AWS_CONTAINER_CREDENTIALS_FULL_URI";

struct Injected {
  bool mutated = false;
  std::string role_arn;
};

Injected injected_identity(const nlohmann::json& pod, IdentitySource source) {
  Injected injected;
  for (const nlohmann::json* container : fields::containers_of(pod)) {
    if (source == IdentitySource::pod_identity) {
      if (fields::env_var(*container, kCredentialsUriVariable) != nullptr) injected.mutated = true;
      continue;
    }
    const nlohmann::json* role = fields::env_var(*container, kRoleVariable);
    if (role == nullptr || fields::env_var(*container, kTokenFileVariable) == nullptr) continue;
    injected.mutated = true;
    if (injected.role_arn.empty()) injected.role_arn = text(*role, "value");
  }
  return injected;
}

// The command that replaces a pod with a new one the webhook sees: its controller's restart.
std::string restart_command(const nlohmann::json& pod) {
  const auto& metadata = field(pod, "metadata");
  const std::string ns = text(metadata, "namespace");
  const std::string name = text(metadata, "name");
  const fields::Owner owner = fields::owner_of(pod);
  if (owner.kind == "Deployment" || owner.kind == "StatefulSet" || owner.kind == "DaemonSet") {
    return "kubectl rollout restart " + ascii_lower(owner.kind) + "/" + owner.name + " -n " +
           ns;
  }
  if (owner.kind == "ReplicaSet") {
    return "kubectl delete pod " + name + " -n " + ns + "   # its ReplicaSet " + owner.name +
           " makes a new one";
  }
  if (owner.kind == "Job") return "recreate job/" + owner.name + " in " + ns;
  return "kubectl delete pod " + name + " -n " + ns + "   # then create it again";
}

bool finished(const nlohmann::json& pod) {
  const std::string phase = text(field(pod, "status"), "phase");
  return phase == "Succeeded" || phase == "Failed";
}

}  // namespace

CheckResult check_pods(const CheckContext& context) {
  const Evidence& evidence = context.evidence;
  const ResolvedIdentity& identity = context.identity;
  CheckResult result{std::string(kPodsCheck), Status::pass, {}, {}, {}, {}};
  if (evidence.account_pods.state == ReadState::not_asked) {
    result.status = Status::skip;
    result.finding = "offline: no cluster to list the account's pods from";
    return result;
  }
  if (!evidence.account_pods.found()) {
    result.status = Status::skip;
    result.finding = "cannot list the account's pods: " + evidence.account_pods.message;
    if (evidence.account_pods.state == ReadState::forbidden) {
      result.remedy = "grant the caller: " + evidence.account_pods.request;
    }
    return result;
  }
  if (identity.source == IdentitySource::none) {
    result.status = Status::skip;
    result.finding = "the account names no role: no injected identity to compare";
    return result;
  }

  std::size_t running = 0;
  std::size_t stale = 0;
  std::set<std::string> commands;
  for (const auto& pod : fields::items_of(evidence.account_pods.object)) {
    if (finished(pod)) continue;
    ++running;
    const Injected injected = injected_identity(pod, identity.source);
    const std::string name = text(field(pod, "metadata"), "name");
    std::string problem;
    if (!injected.mutated) {
      problem = identity.source == IdentitySource::pod_identity
                    ? "no AWS_CONTAINER_CREDENTIALS_FULL_URI"
                    : "not mutated (no AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE)";
    } else if (identity.source != IdentitySource::pod_identity &&
               injected.role_arn != identity.role_arn) {
      problem =
          "runs with role " + injected.role_arn + ", the account now names " + identity.role_arn;
    }
    if (problem.empty()) {
      result.details.push_back("pod " + name + ": mutated, role as the account names it");
      continue;
    }
    ++stale;
    const std::string command = restart_command(pod);
    result.details.push_back("pod " + name + ": " + problem);
    commands.insert(command);
  }
  if (running == 0) {
    result.finding = "no running pods use this account yet";
    return result;
  }
  if (stale == 0) {
    result.finding = "all " + std::to_string(running) + " running pod" + (running == 1 ? "" : "s") +
                     " carry the account's identity";
    return result;
  }
  result.status = Status::fail;
  result.finding = std::to_string(stale) + " of " + std::to_string(running) + " running pod" +
                   (running == 1 ? "" : "s") + (stale == 1 ? " lacks" : " lack") +
                   " the account's current identity (started before it was set or changed, or "
                   "not seen by the webhook): restart needed";
  for (const auto& command : commands) {
    result.remedy += (result.remedy.empty() ? "" : "\n") + command;
  }
  return result;
}

}  // namespace irsa::doctor
