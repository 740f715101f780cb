// Which roles the ServiceAccounts of which namespaces may use: the rules of a --role-policy file
// as plain data, and their evaluation for one admission. Pure: the file is read by the store, the
// namespace labels and the number of accounts naming a role are handed in by the caller.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::core {

// audit: a violating pod is admitted with a warning; enforce: it is denied.
enum class PolicyMode { audit, enforce };

[[nodiscard]] std::string_view to_string(PolicyMode mode) noexcept;

using Labels = std::map<std::string, std::string, std::less<>>;

// A Kubernetes label selector (matchLabels and matchExpressions), as a namespaceSelector.
struct LabelRequirement {
  enum class Operator { in, not_in, exists, does_not_exist };
  std::string key;
  Operator op = Operator::exists;
  std::vector<std::string> values;  // for in and not_in
};

struct LabelSelector {
  std::vector<std::pair<std::string, std::string>> match_labels;
  std::vector<LabelRequirement> match_expressions;
};

[[nodiscard]] bool selector_matches(const LabelSelector& selector, const Labels& labels);

struct PolicyRule {
  std::string name;
  // Namespace globs ('*' matches any run of characters). A rule with neither globs nor a
  // selector matches every namespace; with both, a namespace must match both.
  std::vector<std::string> namespaces;
  std::optional<LabelSelector> namespace_selector;
  // Role ARN patterns: '*' matches any run of characters; {namespace} and {serviceAccount} stand
  // for the pod's namespace and ServiceAccount name. Empty: no role is allowed.
  std::vector<std::string> allowed_roles;
  std::vector<std::string> allowed_accounts;    // 12-digit AWS account ids; empty: any
  std::vector<std::string> allowed_partitions;  // aws, aws-cn, aws-us-gov, ...; empty: any
  // A role named by more ServiceAccounts than this violates the rule; nullopt: no limit.
  std::optional<std::size_t> max_service_accounts_per_role;
  PolicyMode mode = PolicyMode::audit;
};

struct RolePolicy {
  PolicyMode mode = PolicyMode::audit;  // the default of rules that do not set their own
  std::vector<PolicyRule> rules;        // first match wins

  // Whether some rule selects namespaces by label, so the caller must know namespace labels.
  [[nodiscard]] bool uses_namespace_labels() const noexcept;
  // Whether some rule limits how many accounts may share a role.
  [[nodiscard]] bool limits_sharing() const noexcept;
};

// What the policy looks at for one pod.
struct PolicySubject {
  std::string_view ns;
  std::string_view service_account;
  std::string_view role_arn;  // empty: the identity names no role the webhook can see
  // The namespace's labels; nullptr when they are not known (yet), in which case a rule with a
  // namespaceSelector does not match.
  const Labels* namespace_labels = nullptr;
  std::size_t accounts_naming_role = 0;  // including this pod's own account
};

struct PolicyVerdict {
  // The rule that matched, by name; empty when none did (the pod is allowed).
  std::string rule;
  PolicyMode mode = PolicyMode::audit;
  bool violated = false;
  std::string reason;  // what is wrong, in words, naming the role
  // What the rule would allow, in words (placeholders filled in); worded only when violated.
  std::string allowed;
};

[[nodiscard]] PolicyVerdict evaluate_role_policy(const RolePolicy& policy,
                                                 const PolicySubject& subject);

// '*' matches any run of characters (none included); every other character matches itself.
[[nodiscard]] bool glob_matches(std::string_view pattern, std::string_view text) noexcept;

}  // namespace irsa::core
