// Check 8: what the pod spec itself does to the SDKs' credential chain. Static keys in the
// environment come before the web identity in every SDK, so the role is silently not used; a
// token file the container's user cannot read fails only at the first AWS call.
#include <set>
#include <string>

#include "irsa/doctor/checks.hpp"
#include "irsa/doctor/json_fields.hpp"

namespace irsa::doctor {

namespace {

using fields::field;
using fields::text;

// The pod to judge: the one named, else the first running pod of the account.
const nlohmann::json* pod_to_judge(const Evidence& evidence) {
  if (evidence.pod.found()) return &evidence.pod.object;
  if (!evidence.account_pods.found()) return nullptr;
  const auto& items = field(evidence.account_pods.object, "items");
  if (!items.is_array() || items.empty()) return nullptr;
  return &items.front();
}

std::string container_name(const nlohmann::json& container) {
  return text(container, "name");
}

std::string joined(const std::set<std::string>& values) {
  std::string out;
  for (const auto& value : values) out += (out.empty() ? "" : ", ") + value;
  return out;
}

}  // namespace

CheckResult check_environment(const CheckContext& context) {
  const Evidence& evidence = context.evidence;
  CheckResult result{std::string(kEnvironmentCheck), Status::pass, {}, {}, {}, {}};
  const nlohmann::json* pod = pod_to_judge(evidence);
  if (pod == nullptr) {
    result.status = Status::skip;
    result.finding = "no pod to inspect (name one with pod/NAME, or give --pod=FILE)";
    return result;
  }
  const std::string pod_name = fields::name_of(*pod);
  std::vector<std::string> failures;
  std::vector<std::string> warnings;
  std::set<std::string> static_key_containers;
  bool region_set = !context.settings.mutation.aws_default_region.empty();
  std::set<std::string> users;
  const auto& pod_security = field(fields::spec_of(*pod), "securityContext");
  const auto& pod_user = field(pod_security, "runAsUser");

  for (const nlohmann::json* container : fields::containers_of(*pod)) {
    const std::string name = container_name(*container);
    for (const char* key : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) {
      if (fields::env_var(*container, key) == nullptr) continue;
      failures.push_back(
          "container " + name + " sets " + key +
          ": the SDKs use static keys before the web identity, so the role is not used");
      static_key_containers.insert(name);
    }
    if (const auto* profile = fields::env_var(*container, "AWS_PROFILE"); profile != nullptr) {
      warnings.push_back("container " + name + " sets AWS_PROFILE=" + text(*profile, "value") +
                         ": the SDKs take that profile's credentials instead of the web identity " +
                         "unless the profile itself uses it");
    }
    const auto& env_from = field(*container, "envFrom");
    if (env_from.is_array()) {
      for (const auto& source : env_from) {
        const std::string secret = text(field(source, "secretRef"), "name");
        if (!secret.empty()) {
          result.details.push_back("container " + name + " takes its environment from Secret " +
                                   secret + ": doctor cannot see whether it holds AWS keys");
        }
      }
    }
    if (fields::env_var(*container, "AWS_REGION") != nullptr ||
        fields::env_var(*container, "AWS_DEFAULT_REGION") != nullptr) {
      region_set = true;
    }
    const auto& user = field(field(*container, "securityContext"), "runAsUser");
    const auto& effective = user.is_number_integer() ? user : pod_user;
    if (effective.is_number_integer() && effective.get<std::int64_t>() != 0) {
      users.insert(std::to_string(effective.get<std::int64_t>()));
    }
  }
  const bool has_fs_group = field(pod_security, "fsGroup").is_number_integer();
  if (users.size() > 1 && !has_fs_group) {
    warnings.push_back("containers run as different users (" + joined(users) +
                       ") and the pod sets no fsGroup: the projected token file may be unreadable "
                       "for some of them");
  }
  if (!region_set && context.identity.source != IdentitySource::none) {
    warnings.push_back(
        "no AWS_REGION or AWS_DEFAULT_REGION in the pod and the webhook injects "
        "none (--aws-default-region): SDKs that need a region fail");
  }

  if (!failures.empty()) {
    result.status = Status::fail;
    result.finding = "pod " + pod_name + ": " + failures.front();
    result.details.insert(result.details.begin(), failures.begin() + 1, failures.end());
    for (const auto& warning : warnings) result.details.push_back(warning);
    result.remedy = "remove AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from container" +
                    std::string(static_key_containers.size() == 1 ? " " : "s ") +
                    joined(static_key_containers) + " of the pod template";
    return result;
  }
  if (!warnings.empty()) {
    result.status = Status::warn;
    result.finding = "pod " + pod_name + ": " + warnings.front();
    result.details.insert(result.details.begin(), warnings.begin() + 1, warnings.end());
    if (warnings.front().find("fsGroup") != std::string::npos) {
      result.remedy =
          "spec:\n  securityContext:\n    fsGroup: 65534   # any group all containers share";
    } else if (warnings.front().find("AWS_PROFILE") != std::string::npos) {
      result.remedy = "remove AWS_PROFILE, or point it at a profile with web_identity_token_file";
    } else {
      result.remedy =
          "set AWS_REGION in the pod, or run the webhook with --aws-default-region=REGION";
    }
    return result;
  }
  result.finding = "pod " + pod_name +
                   ": no static AWS keys or profile, a region, and a token file its users can read";
  return result;
}

}  // namespace irsa::doctor
