#include "irsa/store/role_policy_json.hpp"

namespace irsa::store {

namespace {

std::string_view operator_name(core::LabelRequirement::Operator op) {
  switch (op) {
    case core::LabelRequirement::Operator::in:
      return "In";
    case core::LabelRequirement::Operator::not_in:
      return "NotIn";
    case core::LabelRequirement::Operator::exists:
      return "Exists";
    case core::LabelRequirement::Operator::does_not_exist:
      return "DoesNotExist";
  }
  return "Exists";
}

nlohmann::json selector_json(const core::LabelSelector& selector) {
  nlohmann::json out = nlohmann::json::object();
  if (!selector.match_labels.empty()) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& [key, value] : selector.match_labels) labels[key] = value;
    out["matchLabels"] = std::move(labels);
  }
  if (!selector.match_expressions.empty()) {
    nlohmann::json expressions = nlohmann::json::array();
    for (const auto& requirement : selector.match_expressions) {
      nlohmann::json item = {{"key", requirement.key}, {"operator", operator_name(requirement.op)}};
      if (!requirement.values.empty()) item["values"] = requirement.values;
      expressions.push_back(std::move(item));
    }
    out["matchExpressions"] = std::move(expressions);
  }
  return out;
}

}  // namespace

nlohmann::json role_policy_json(const core::RolePolicy& policy) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& rule : policy.rules) {
    nlohmann::json item = {{"name", rule.name},
                           {"mode", core::to_string(rule.mode)},
                           {"allowedRoles", rule.allowed_roles}};
    if (!rule.namespaces.empty()) item["namespaces"] = rule.namespaces;
    if (rule.namespace_selector)
      item["namespaceSelector"] = selector_json(*rule.namespace_selector);
    if (!rule.allowed_accounts.empty()) item["allowedAccounts"] = rule.allowed_accounts;
    if (!rule.allowed_partitions.empty()) item["allowedPartitions"] = rule.allowed_partitions;
    if (rule.max_service_accounts_per_role) {
      item["maxServiceAccountsPerRole"] = *rule.max_service_accounts_per_role;
    }
    rules.push_back(std::move(item));
  }
  return {{"mode", core::to_string(policy.mode)}, {"rules", std::move(rules)}};
}

}  // namespace irsa::store
