#include "plan.hpp"

#include <memory>
#include <optional>
#include <string>

#include "irsa/core/annotations.hpp"

namespace irsa::core::detail {

namespace {

// A denial's message and the audit log's violation: long enough for a rule, a role ARN and the
// allowed patterns, short enough that a hostile annotation cannot bloat the answer.
constexpr std::size_t kMaxPolicyMessage = 1024;

}  // namespace

// A near miss on the pod's ServiceAccount, said on every pod of the account: the account itself
// cannot carry a warning, and its pods are where the missing credentials show.
void warn_near_miss(std::string_view ns, std::string_view service_account,
                    const IdentityEntry& account, bool injected, Decision& decision) {
  if (account.misspelled_key.empty()) return;
  std::string text = "ServiceAccount " + std::string(ns) + "/" + std::string(service_account) +
                     " has " + account.misspelled_key + "; did you mean " + account.intended_key +
                     "? ";
  text += !injected && account.misspelled_role_arn ? "No credentials injected" : "It is ignored";
  warn(decision, WarningKind::near_miss, text);
}

// Checks the pod's role against the role policy. A violation is a warning in audit mode and a
// refusal in enforce mode; returns false when the pod is refused.
bool check_role_policy(const RolePolicy& policy, std::string_view ns,
                       std::string_view service_account, const Plan& plan,
                       const IdentitySource& identities, Decision& decision) {
  // The cluster-wide lookups are made only when some rule needs them.
  std::shared_ptr<const Labels> labels;
  if (policy.uses_namespace_labels()) labels = identities.namespace_labels(ns);
  // A Pod Identity association's role is not injected (the agent hands out its credentials),
  // but when its file names the role the policy judges it like an annotated one.
  std::string association_role;
  if (plan.mode == Mode::container_credentials) {
    association_role = identities.container_credentials_role(ns, service_account);
  }
  const std::string_view role =
      plan.mode == Mode::container_credentials ? std::string_view(association_role) : plan.role_arn;
  PolicySubject subject{ns, service_account, role, labels.get(), 0};
  if (policy.limits_sharing() && !role.empty()) {
    subject.accounts_naming_role = identities.accounts_naming_role(role);
  }
  PolicyVerdict verdict = evaluate_role_policy(policy, subject);
  if (!verdict.violated) return true;
  decision.policy_rule = verdict.rule;
  decision.policy_mode = to_string(verdict.mode);
  decision.policy_violation = clip_for_warning(verdict.reason, kMaxPolicyMessage);
  if (verdict.mode == PolicyMode::enforce) {
    decision.result = Result::forbidden;
    // The reason names the rule; what the rule would allow tells the user what to change.
    decision.error =
        clip_for_warning("role policy: " + verdict.reason + "; the rule allows " + verdict.allowed,
                         kMaxPolicyMessage);
    return false;
  }
  // The rule first: a long role ARN may push the end of the line past the clip.
  warn(decision, WarningKind::policy,
       "role policy rule " + verdict.rule + " (audit): " + verdict.reason);
  return true;
}

// The kubelet gives the projected token to the pod's user when every container runs as the same
// runAsUser, and to fsGroup when one is set; otherwise only root can read it. Said when a
// container that gets the token runs as a known non-root user and neither applies.
void warn_token_permissions(const ReviewFacts& facts, const ContainerChoice& choice,
                            Decision& decision) {
  if (facts.has_fs_group) return;
  bool one_user = true;  // every container runs as the same known runAsUser
  bool chosen_non_root = false;
  std::optional<std::int64_t> first_user;
  bool first = true;
  auto look = [&](const std::vector<ContainerFacts>& containers) {
    for (const auto& container : containers) {
      const auto user = container.run_as_user ? container.run_as_user : facts.pod_run_as_user;
      if (!user || (!first && user != first_user)) one_user = false;
      if (first) first_user = user;
      first = false;
      if (user && *user != 0 && choice.chosen(container.name)) chosen_non_root = true;
    }
  };
  look(facts.containers);
  look(facts.init_containers);
  if (!chosen_non_root || one_user) return;
  warn(decision, WarningKind::token_permissions,
       "containers run as different users and the pod has no fsGroup, so the token may be "
       "unreadable: set spec.securityContext.fsGroup");
}

}  // namespace irsa::core::detail
