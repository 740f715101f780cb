#include "irsa/core/role_policy.hpp"

#include "irsa/core/arn.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

namespace irsa::core {
namespace {

// Patterns listed in `allowed`: enough to recognise the rule, short enough for one line.
constexpr std::size_t kMaxListedPatterns = 5;

constexpr std::string_view kNamespacePlaceholder = "{namespace}";
constexpr std::string_view kServiceAccountPlaceholder = "{serviceAccount}";

// The role ARN comes from an annotation anyone may write; messages stay plain ASCII whatever it
// holds.
std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c < ' ' || c > '~') c = '?';
  }
  return out;
}

// The pattern with its placeholders replaced, in one pass so that a substituted name is never
// read again as a placeholder.
std::string fill_placeholders(std::string_view pattern, const PolicySubject& subject) {
  std::string out;
  out.reserve(pattern.size());
  while (!pattern.empty()) {
    if (pattern.starts_with(kNamespacePlaceholder)) {
      out.append(subject.ns);
      pattern.remove_prefix(kNamespacePlaceholder.size());
    } else if (pattern.starts_with(kServiceAccountPlaceholder)) {
      out.append(subject.service_account);
      pattern.remove_prefix(kServiceAccountPlaceholder.size());
    } else {
      out.push_back(pattern.front());
      pattern.remove_prefix(1);
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out.append(", ");
    out.append(item);
  }
  return out;
}

bool requirement_matches(const LabelRequirement& requirement, const Labels& labels) {
  const auto label = labels.find(requirement.key);
  const bool present = label != labels.end();
  const auto listed = [&] {
    return std::ranges::find(requirement.values, label->second) != requirement.values.end();
  };
  switch (requirement.op) {
    case LabelRequirement::Operator::in:
      return present && listed();
    case LabelRequirement::Operator::not_in:
      return !present || !listed();
    case LabelRequirement::Operator::exists:
      return present;
    case LabelRequirement::Operator::does_not_exist:
      return !present;
  }
  return false;
}

bool rule_matches_namespace(const PolicyRule& rule, const PolicySubject& subject) {
  if (!rule.namespaces.empty() &&
      std::ranges::none_of(rule.namespaces, [&](const std::string& glob) {
        return glob_matches(glob, subject.ns);
      })) {
    return false;
  }
  if (!rule.namespace_selector) return true;
  // Labels not known yet: a selector cannot be judged, so the rule is not the one that applies.
  return subject.namespace_labels != nullptr &&
         selector_matches(*rule.namespace_selector, *subject.namespace_labels);
}

// "roles A, B in accounts X in partitions aws; at most N ServiceAccounts per role".
std::string describe_allowed(const PolicyRule& rule, const PolicySubject& subject) {
  std::string out;
  if (rule.allowed_roles.empty()) {
    out = "no roles";
  } else {
    out = "roles ";
    const std::size_t listed = std::min(rule.allowed_roles.size(), kMaxListedPatterns);
    for (std::size_t i = 0; i < listed; ++i) {
      if (i > 0) out.append(", ");
      out.append(printable(fill_placeholders(rule.allowed_roles[i], subject)));
    }
    if (rule.allowed_roles.size() > listed) {
      out.append(" (and " + std::to_string(rule.allowed_roles.size() - listed) + " more)");
    }
  }
  if (!rule.allowed_accounts.empty()) out.append(" in accounts " + joined(rule.allowed_accounts));
  if (!rule.allowed_partitions.empty()) {
    out.append(" in partitions " + joined(rule.allowed_partitions));
  }
  if (rule.max_service_accounts_per_role) {
    out.append("; at most " + std::to_string(*rule.max_service_accounts_per_role) +
               " ServiceAccounts per role");
  }
  return out;
}

// Whether the role matches pattern once its placeholders are filled in. Most patterns have none;
// those that do are filled into a buffer on the stack when they fit, so that checking a pod
// allocates nothing.
bool role_matches(std::string_view pattern, const PolicySubject& subject) {
  if (pattern.find('{') == std::string_view::npos) return glob_matches(pattern, subject.role_arn);
  constexpr std::size_t kBuffer = 512;
  // Each '{' may start a placeholder that becomes the longer of the two names.
  const auto braces = static_cast<std::size_t>(std::ranges::count(pattern, '{'));
  const std::size_t longest =
      pattern.size() + braces * std::max(subject.ns.size(), subject.service_account.size());
  if (longest > kBuffer) return glob_matches(fill_placeholders(pattern, subject), subject.role_arn);
  char buffer[kBuffer];
  std::size_t size = 0;
  while (!pattern.empty()) {
    std::string_view value;
    if (pattern.starts_with(kNamespacePlaceholder)) {
      value = subject.ns;
      pattern.remove_prefix(kNamespacePlaceholder.size());
    } else if (pattern.starts_with(kServiceAccountPlaceholder)) {
      value = subject.service_account;
      pattern.remove_prefix(kServiceAccountPlaceholder.size());
    } else {
      value = pattern.substr(0, 1);
      pattern.remove_prefix(1);
    }
    size += value.copy(buffer + size, value.size());
  }
  return glob_matches(std::string_view(buffer, size), subject.role_arn);
}

// Check a: the role must match one of the rule's patterns. Returns the reason, empty when fine.
std::string check_role_pattern(const PolicyRule& rule, const PolicySubject& subject) {
  const bool allowed = std::ranges::any_of(rule.allowed_roles, [&](const std::string& pattern) {
    return role_matches(pattern, subject);
  });
  if (allowed) return {};
  std::string reason = "role " + printable(subject.role_arn) + " is not allowed for " +
                       std::string(subject.ns) + "/" + std::string(subject.service_account) +
                       " by rule " + rule.name;
  if (rule.allowed_roles.empty()) reason.append(", which allows no roles");
  return reason;
}

// Checks b and c: the account and the partition, read from the ARN's fields.
std::string check_account_and_partition(const PolicyRule& rule, const PolicySubject& subject) {
  if (rule.allowed_accounts.empty() && rule.allowed_partitions.empty()) return {};
  const auto arn = split_arn(subject.role_arn);
  if (!arn || arn->service != "iam" || !arn->region.empty() ||
      !arn->resource.starts_with("role/")) {
    return "role " + printable(subject.role_arn) +
           " is not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME), so rule " + rule.name +
           " cannot check its account or partition";
  }
  if (!rule.allowed_accounts.empty() &&
      std::ranges::find(rule.allowed_accounts, arn->account) == rule.allowed_accounts.end()) {
    return "role " + printable(subject.role_arn) + " is in account " + printable(arn->account) +
           "; rule " + rule.name + " allows accounts " + joined(rule.allowed_accounts);
  }
  if (!rule.allowed_partitions.empty() &&
      std::ranges::find(rule.allowed_partitions, arn->partition) == rule.allowed_partitions.end()) {
    return "role " + printable(subject.role_arn) + " is in partition " + printable(arn->partition) +
           "; rule " + rule.name + " allows partitions " + joined(rule.allowed_partitions);
  }
  return {};
}

// Check d: how many ServiceAccounts share the role.
std::string check_sharing(const PolicyRule& rule, const PolicySubject& subject) {
  if (!rule.max_service_accounts_per_role ||
      subject.accounts_naming_role <= *rule.max_service_accounts_per_role) {
    return {};
  }
  const std::string role =
      subject.role_arn.empty() ? std::string("the role") : "role " + printable(subject.role_arn);
  return role + " is named by " + std::to_string(subject.accounts_naming_role) +
         " ServiceAccounts; rule " + rule.name + " allows at most " +
         std::to_string(*rule.max_service_accounts_per_role);
}

std::string first_violation(const PolicyRule& rule, const PolicySubject& subject) {
  // Without a role ARN (a Pod Identity association whose role is not known) only the sharing
  // limit can be judged.
  if (!subject.role_arn.empty()) {
    if (std::string reason = check_role_pattern(rule, subject); !reason.empty()) return reason;
    if (std::string reason = check_account_and_partition(rule, subject); !reason.empty()) {
      return reason;
    }
  }
  return check_sharing(rule, subject);
}

}  // namespace

std::string_view to_string(PolicyMode mode) noexcept {
  return mode == PolicyMode::enforce ? "enforce" : "audit";
}

bool selector_matches(const LabelSelector& selector, const Labels& labels) {
  for (const auto& [key, value] : selector.match_labels) {
    const auto label = labels.find(key);
    if (label == labels.end() || label->second != value) return false;
  }
  return std::ranges::all_of(selector.match_expressions, [&](const LabelRequirement& requirement) {
    return requirement_matches(requirement, labels);
  });
}

bool RolePolicy::uses_namespace_labels() const noexcept {
  return std::ranges::any_of(
      rules, [](const PolicyRule& rule) { return rule.namespace_selector.has_value(); });
}

bool RolePolicy::limits_sharing() const noexcept {
  return std::ranges::any_of(
      rules, [](const PolicyRule& rule) { return rule.max_service_accounts_per_role.has_value(); });
}

PolicyVerdict evaluate_role_policy(const RolePolicy& policy, const PolicySubject& subject) {
  PolicyVerdict verdict;
  const auto rule = std::ranges::find_if(
      policy.rules, [&](const PolicyRule& r) { return rule_matches_namespace(r, subject); });
  if (rule == policy.rules.end()) return verdict;  // the built-in default allows
  verdict.rule = rule->name;
  verdict.mode = rule->mode;
  verdict.reason = first_violation(*rule, subject);
  verdict.violated = !verdict.reason.empty();
  // Worded only for a violation: a policy that admits the pod should cost the admission little.
  if (verdict.violated) verdict.allowed = describe_allowed(*rule, subject);
  return verdict;
}

// The classic two-pointer matcher: on a mismatch, go back to the last '*' and let it swallow
// one more character. No recursion, and each character of text is revisited at most once per
// star, which keeps hostile patterns from blowing up.
bool glob_matches(std::string_view pattern, std::string_view text) noexcept {
  constexpr std::size_t kNoStar = std::string_view::npos;
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = kNoStar;  // position of the last '*' seen in pattern
  std::size_t resume = 0;      // where in text that '*' currently stops
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != kNoStar) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace irsa::core
