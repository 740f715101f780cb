// Trust policies written for one ServiceAccount: generated from scratch, or corrected from the
// statement that came closest (keeping what already holds, so that a person's other conditions
// survive the fix).
#include "trust_policy_parts.hpp"

namespace irsa::doctor {
namespace {

using nlohmann::json;

json one_or_list(const std::vector<std::string>& values) {
  if (values.size() == 1) return values.front();
  return values;
}

json statement_for(std::string_view partition, std::string_view account,
                   const std::string& provider_path, const std::string& subject,
                   std::string_view audience) {
  const std::string provider_arn = "arn:" + std::string(partition) +
                                   ":iam::" + std::string(account) + ":oidc-provider/" +
                                   provider_path;
  return {
      {"Effect", "Allow"},
      {"Principal", {{"Federated", provider_arn}}},
      {"Action", trust::kWebIdentityAction},
      {"Condition",
       {{"StringEquals", {{provider_path + ":sub", subject}, {provider_path + ":aud", audience}}}}},
  };
}

}  // namespace

json trust_policy_statement(const TrustPolicyTarget& target) {
  return statement_for(target.partition.empty() ? "aws" : target.partition, target.account_id,
                       trust::provider_path_of(target.issuer),
                       "system:serviceaccount:" + target.ns + ":" + target.service_account,
                       target.audience.empty() ? trust::kDefaultAudience : target.audience);
}

json trust_policy_document(const TrustPolicyTarget& target) {
  return {{"Version", "2012-10-17"}, {"Statement", json::array({trust_policy_statement(target)})}};
}

namespace trust {

json fresh_statement(const RequestFacts& facts) {
  return statement_for(facts.partition, facts.account, facts.provider_path, facts.subject,
                       facts.audiences.empty() ? kDefaultAudience : facts.audiences.front());
}

json narrowed_deny(const TrustStatement& statement, const RequestFacts& facts) {
  json out = statement.source;
  // Conditions are ANDed, so one more clause that fails for this sub takes the pod out of the
  // Deny and leaves everything else it matched.
  json& excluded = out["Condition"]["StringNotEquals"][facts.sub_key];
  if (excluded.is_null()) {
    excluded = facts.subject;
  } else {
    if (!excluded.is_array()) excluded = json::array({std::move(excluded)});
    excluded.push_back(facts.subject);
  }
  return out;
}

json corrected_statement(const TrustStatement& statement, const StatementResult& result,
                         const RequestFacts& facts) {
  json out = statement.source;
  out["Effect"] = "Allow";
  if (result.principal != Outcome::holds) {
    out.erase("NotPrincipal");
    out["Principal"] = {{"Federated", facts.provider_arn}};
  }
  if (result.action != Outcome::holds) {
    out.erase("NotAction");
    out["Action"] = kWebIdentityAction;
  }

  // Keep the clauses that hold (or that doctor cannot judge: they are the person's business);
  // drop failing ones, another provider's keys, and sub tests that admit every ServiceAccount.
  json conditions = json::object();
  bool subject_pinned = false;
  bool audience_pinned = false;
  for (std::size_t i = 0; i < statement.conditions.size(); ++i) {
    const TrustCondition& condition = statement.conditions[i];
    const ClauseResult& clause = result.clauses[i];
    if (clause.outcome == Outcome::fails || clause.other_provider) continue;
    if (clause.on_subject && clause.positive_test && !clause.restricts_subject) continue;
    conditions[condition.op][condition.key] = one_or_list(condition.values);
    subject_pinned = subject_pinned || clause.restricts_subject;
    audience_pinned = audience_pinned || clause.admits_audience;
  }
  if (!subject_pinned) conditions["StringEquals"][facts.sub_key] = facts.subject;
  if (!audience_pinned) {
    conditions["StringEquals"][facts.aud_key] =
        facts.audiences.empty() ? std::string(kDefaultAudience) : facts.audiences.front();
  }
  out["Condition"] = std::move(conditions);
  return out;
}

}  // namespace trust
namespace {

constexpr std::array<std::string_view, 3> kDocumentOrder = {"Version", "Id", "Statement"};
constexpr std::array<std::string_view, 9> kStatementOrder = {
    "Sid",       "Effect",   "Principal",   "NotPrincipal", "Action",
    "NotAction", "Resource", "NotResource", "Condition"};

template <std::size_t N>
nlohmann::ordered_json in_order(const nlohmann::json& object,
                                const std::array<std::string_view, N>& order) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto key : order) {
    const auto found = object.find(key);
    if (found != object.end()) out[std::string(key)] = *found;
  }
  for (const auto& [key, value] : object.items()) {
    if (!out.contains(key)) out[key] = value;
  }
  return out;
}

}  // namespace

std::string policy_json_text(const nlohmann::json& policy_or_statement) {
  if (!policy_or_statement.is_object()) return policy_or_statement.dump(2);
  if (!policy_or_statement.contains("Statement")) {
    return in_order(policy_or_statement, kStatementOrder).dump(2);
  }
  nlohmann::ordered_json document = in_order(policy_or_statement, kDocumentOrder);
  const auto& statements = policy_or_statement["Statement"];
  if (statements.is_array()) {
    nlohmann::ordered_json ordered = nlohmann::ordered_json::array();
    for (const auto& statement : statements) {
      ordered.push_back(statement.is_object() ? in_order(statement, kStatementOrder)
                                              : nlohmann::ordered_json(statement));
    }
    document["Statement"] = std::move(ordered);
  } else if (statements.is_object()) {
    document["Statement"] = in_order(statements, kStatementOrder);
  }
  return document.dump(2);
}

}  // namespace irsa::doctor
