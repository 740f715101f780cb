// Whether one statement applies to the request, part by part (Action, Principal, Condition), with
// every failing part named so that the closest statement can be corrected.
#include <algorithm>
#include <limits>

#include "irsa/core/arn.hpp"
#include "trust_policy_parts.hpp"

namespace irsa::doctor::trust {
namespace {

// IAM matches principal values exactly: a '*' inside one is a literal character, never a
// wildcard. Only a whole "*" (or {"AWS": "*"}) means everyone.
bool covers_provider(const TrustPrincipal& principal, const RequestFacts& facts) {
  if (principal.everyone) return true;
  for (const auto& [type, values] : principal.by_type) {
    if (type == "Federated" && std::ranges::find(values, facts.provider_arn) != values.end()) {
      return true;
    }
    // {"AWS": "*"} is IAM's other spelling of "everyone".
    if (type == "AWS" && std::ranges::find(values, "*") != values.end()) return true;
  }
  return false;
}

const std::vector<std::string>* federated_values(const TrustPrincipal& principal) {
  const auto found = principal.by_type.find("Federated");
  return found == principal.by_type.end() ? nullptr : &found->second;
}

std::string principal_mismatch(const TrustPrincipal& principal, const RequestFacts& facts) {
  const auto* federated = federated_values(principal);
  if (federated == nullptr || federated->empty()) {
    std::string named;
    for (const auto& [type, values] : principal.by_type) {
      if (!named.empty()) named.append("; ");
      named.append(type).append(" ").append(quote_list(values));
    }
    return "Principal names no federated provider (" + named + "), so it does not cover " +
           backticked(facts.provider_arn);
  }
  if (federated->size() == 1) {
    return "Principal.Federated " + describe_provider_arn_difference(federated->front(), facts);
  }
  // Several providers: the nearest is the one with the fewest differences.
  std::string nearest;
  std::size_t fewest = std::numeric_limits<std::size_t>::max();
  for (const auto& value : *federated) {
    std::string difference = describe_provider_arn_difference(value, facts);
    const std::size_t count = static_cast<std::size_t>(std::ranges::count(difference, ';'));
    if (count < fewest) {
      fewest = count;
      nearest = backticked(value) + " " + difference;
    }
  }
  return "none of the " + std::to_string(federated->size()) +
         " Federated principals is this cluster's provider; the nearest, " + nearest;
}

std::string action_mismatch(const TrustStatement& statement) {
  if (statement.not_action) {
    return "NotAction " + quote_list(statement.actions) + " excludes " +
           std::string(kWebIdentityAction);
  }
  return "Action is " + quote_list(statement.actions) + ", which does not include " +
         std::string(kWebIdentityAction);
}

// A statement written throughout for another OIDC provider of the role's account (another
// cluster, most often): correcting it would break that cluster, so a remedy adds a statement
// instead. Returns that provider's host/path, or empty.
std::string other_provider_of(const TrustStatement& statement, const RequestFacts& facts) {
  if (!statement.principal) return {};
  const auto* federated = federated_values(*statement.principal);
  if (federated == nullptr || federated->size() != 1) return {};
  const auto arn = core::split_arn(federated->front());
  constexpr std::string_view kType = "oidc-provider/";
  if (!arn || arn->partition != facts.partition || arn->account != facts.account ||
      !arn->resource.starts_with(kType)) {
    return {};
  }
  const std::string_view path = arn->resource.substr(kType.size());
  // The same provider misspelt (a slash too many or too few, letter case, a scheme) is a mistake
  // to correct, not another cluster's statement.
  if (has_wildcard(path) || path.find("://") != std::string_view::npos ||
      equals_ignore_case(without_trailing_slash(path),
                         without_trailing_slash(facts.provider_path))) {
    return {};
  }
  for (const auto& condition : statement.conditions) {
    const auto provider = provider_of_key(condition.key);
    if (provider && !equals_ignore_case(*provider, path)) return {};
  }
  return std::string(path);
}

}  // namespace

Outcome StatementResult::applies() const noexcept {
  if (action == Outcome::fails || principal == Outcome::fails || conditions == Outcome::fails) {
    return Outcome::fails;
  }
  if (conditions == Outcome::unknown) return Outcome::unknown;
  return Outcome::holds;
}

StatementResult evaluate_statement(const TrustStatement& statement, const RequestFacts& facts) {
  StatementResult result;

  const bool named = std::ranges::any_of(statement.actions, [](const std::string& action) {
    return wildcard_match(action, kWebIdentityAction, /*ignore_case=*/true);
  });
  result.action = named != statement.not_action ? Outcome::holds : Outcome::fails;
  if (result.action == Outcome::fails) result.mismatches.push_back(action_mismatch(statement));

  if (statement.principal) {
    const bool covered = covers_provider(*statement.principal, facts);
    result.principal = covered ? Outcome::holds : Outcome::fails;
    if (!covered) result.mismatches.push_back(principal_mismatch(*statement.principal, facts));
    result.concerns_web_identity = statement.principal->everyone || covered ||
                                   federated_values(*statement.principal) != nullptr;
  } else if (statement.not_principal) {
    const bool excluded = covers_provider(*statement.not_principal, facts);
    result.principal = excluded ? Outcome::fails : Outcome::holds;
    if (excluded) {
      result.mismatches.push_back("NotPrincipal excludes " + backticked(facts.provider_arn));
    }
    result.concerns_web_identity = true;
  }
  result.concerns_web_identity = result.concerns_web_identity || named != statement.not_action;

  for (const auto& condition : statement.conditions) {
    ClauseResult clause = evaluate_condition(condition, facts);
    if (clause.outcome == Outcome::fails) {
      result.conditions = Outcome::fails;
      result.mismatches.push_back(clause.reason);
    } else if (clause.outcome == Outcome::unknown) {
      if (result.conditions == Outcome::holds) result.conditions = Outcome::unknown;
      result.unknowns.push_back(clause.reason);
    }
    result.restricts_subject = result.restricts_subject || clause.restricts_subject;
    result.clauses.push_back(std::move(clause));
  }
  if (result.principal == Outcome::fails)
    result.other_provider = other_provider_of(statement, facts);
  return result;
}

}  // namespace irsa::doctor::trust
