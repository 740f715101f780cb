// The verdict on a whole trust policy, as IAM reaches it: an explicit Deny that applies wins, else
// any applying Allow grants, else nothing does. Then the words: a finding for the table row, a
// line per statement, and the statement to paste when the pod is refused or the role is open to
// every ServiceAccount.
#include <algorithm>

#include "trust_policy_parts.hpp"

namespace irsa::doctor {
namespace {

using trust::join;
using trust::Outcome;
using trust::RequestFacts;
using trust::StatementResult;

std::string detail_line(const TrustStatement& statement, const StatementResult& result,
                        const RequestFacts& facts) {
  const bool allow = statement.effect == Effect::allow;
  const std::string head = statement_label(statement) + (allow ? " (Allow)" : " (Deny)");
  switch (result.applies()) {
    case Outcome::holds:
      if (!allow) return head + " applies: it denies this pod";
      if (!result.restricts_subject) {
        return head + " applies, and no condition narrows the sub: any ServiceAccount qualifies";
      }
      return head + " applies: it allows " + trust::backticked(facts.subject);
    case Outcome::unknown:
      return head + " cannot be decided: it depends on " + join(result.unknowns, "; ") +
             "; doctor counts it as not applying";
    case Outcome::fails:
      break;
  }
  std::string line = head;
  if (!result.other_provider.empty()) {
    line += " is for another provider, " + trust::backticked(result.other_provider) + ",";
  }
  return line + " does not apply: " + join(result.mismatches, "; ");
}

struct Judged {
  const TrustStatement* statement;
  const StatementResult* result;
};

std::string pretty(const nlohmann::json& statement) {
  return policy_json_text(statement);
}

// One line per condition doctor could not decide: the clause as written and why doctor cannot
// know it.
std::string unknown_conditions_to_check(const TrustStatement& statement,
                                        const StatementResult& result) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < statement.conditions.size(); ++i) {
    if (result.clauses[i].outcome != Outcome::unknown) continue;
    const TrustCondition& condition = statement.conditions[i];
    lines.push_back("- " + condition.op + " " + trust::backticked(condition.key) + " " +
                    trust::quote_list(condition.values) + ": it depends on " +
                    result.clauses[i].reason);
  }
  return join(lines, "\n");
}

// The refusal: name the statement that came closest and what keeps it from applying, and
// correct it; a fresh statement when no statement was written for this kind of principal or all
// were written for other providers.
void explain_refusal(const std::vector<Judged>& judged, const RequestFacts& facts,
                     TrustEvaluation& evaluation) {
  const Judged* closest = nullptr;
  const Judged* other_provider = nullptr;
  for (const auto& item : judged) {
    if (item.statement->effect != Effect::allow) continue;
    if (!item.result->other_provider.empty()) {
      if (other_provider == nullptr) other_provider = &item;
      continue;
    }
    if (!item.result->concerns_web_identity) continue;
    if (closest == nullptr || item.result->mismatches.size() < closest->result->mismatches.size()) {
      closest = &item;
    }
  }

  if (closest != nullptr && closest->result->mismatches.empty()) {
    // Only conditions doctor cannot know stand in the way: no correction to paste, but the
    // person can check exactly those conditions, so name each.
    const std::string label = statement_label(*closest->statement);
    evaluation.finding = "no statement certainly allows this pod: " + label + " depends on " +
                         closest->result->unknowns.front();
    evaluation.remedy = unknown_conditions_to_check(*closest->statement, *closest->result);
    evaluation.remedy_note = "check by hand whether these conditions of " + label +
                             " hold for this pod; the rest of it already allows the pod:";
    return;
  }
  if (closest != nullptr) {
    const std::string label = statement_label(*closest->statement);
    const auto& mismatches = closest->result->mismatches;
    evaluation.finding =
        "no statement allows this pod; the nearest, " + label + ": " + mismatches.front();
    if (mismatches.size() > 1) {
      evaluation.finding +=
          " (and " + std::to_string(mismatches.size() - 1) + " more, see details)";
    }
    evaluation.remedy =
        pretty(trust::corrected_statement(*closest->statement, *closest->result, facts));
    evaluation.remedy_is_statement = true;
    evaluation.remedy_note = "replace " + label + " with:";
    evaluation.remedy_replaces = closest->statement->number;
    return;
  }
  if (other_provider != nullptr) {
    evaluation.finding = "no statement trusts this cluster's OIDC provider " +
                         trust::backticked(facts.provider_path) + "; " +
                         statement_label(*other_provider->statement) + " trusts " +
                         trust::backticked(other_provider->result->other_provider) + " (" +
                         trust::describe_provider_path_difference(
                             other_provider->result->other_provider, facts.provider_path) +
                         ")";
  } else if (judged.empty()) {
    evaluation.finding = "the trust policy has no statements";
  } else {
    evaluation.finding = "no statement allows " + std::string(trust::kWebIdentityAction) +
                         " from " + trust::backticked(facts.provider_arn);
  }
  evaluation.remedy = pretty(trust::fresh_statement(facts));
  evaluation.remedy_is_statement = true;
  evaluation.remedy_note = "add this statement to the trust policy's Statement list:";
}

}  // namespace

TrustEvaluation evaluate_trust_policy(const TrustPolicy& policy,
                                      const WebIdentityRequest& request) {
  TrustEvaluation evaluation;
  std::string why;
  const auto facts = trust::request_facts(request, why);
  if (!facts) {
    evaluation.finding = "cannot evaluate the trust policy: " + why;
    evaluation.remedy =
        "give the role's full ARN, arn:PARTITION:iam::ACCOUNT:role/NAME, and the issuer URL the "
        "pod's token carries as iss; then run doctor again";
    evaluation.remedy_note = "doctor builds the provider's ARN from both; to let it judge:";
    return evaluation;
  }

  std::vector<StatementResult> results;
  results.reserve(policy.statements.size());
  for (const auto& statement : policy.statements) {
    results.push_back(trust::evaluate_statement(statement, *facts));
    evaluation.details.push_back(detail_line(statement, results.back(), *facts));
  }
  std::vector<Judged> judged;
  for (std::size_t i = 0; i < results.size(); ++i)
    judged.push_back({&policy.statements[i], &results[i]});

  const auto applying = [](Effect effect) {
    return [effect](const Judged& item) {
      return item.statement->effect == effect && item.result->applies() == Outcome::holds;
    };
  };
  const auto deny = std::ranges::find_if(judged, applying(Effect::deny));
  const auto allow = std::ranges::find_if(judged, applying(Effect::allow));
  // One applying Allow without a sub restriction opens the role to every ServiceAccount, whatever
  // the other statements say.
  const auto open = std::ranges::find_if(judged, [&](const Judged& item) {
    return applying(Effect::allow)(item) && !item.result->restricts_subject;
  });

  if (deny != judged.end()) {
    const std::string label = statement_label(*deny->statement);
    evaluation.verdict = TrustVerdict::denied;
    evaluation.finding = label + " explicitly denies " + trust::backticked(facts->subject) +
                         ", and an explicit Deny wins over every Allow";
    if (allow == judged.end()) {
      // Both must change: the Deny, and the Allow that is missing too.
      const std::string finding = std::move(evaluation.finding);
      explain_refusal(judged, *facts, evaluation);
      evaluation.finding = finding + "; besides, " + evaluation.finding;
      evaluation.remedy_note = "remove or narrow " + label + "; then " + evaluation.remedy_note;
    } else {
      // An Allow already applies: the Deny alone stands in the way. Its narrowed copy keeps
      // denying everything else it denied.
      evaluation.remedy = pretty(trust::narrowed_deny(*deny->statement, *facts));
      evaluation.remedy_is_statement = true;
      evaluation.remedy_replaces = deny->statement->number;
      evaluation.remedy_note = "remove " + label +
                               ", or replace it with this copy narrowed so that "
                               "it no longer matches " +
                               trust::backticked(facts->subject) + ":";
    }
  } else if (open != judged.end()) {
    const std::string label = statement_label(*open->statement);
    evaluation.verdict = TrustVerdict::allowed_for_any_subject;
    const std::string audience =
        facts->audiences.empty() ? std::string(trust::kDefaultAudience) : facts->audiences.front();
    evaluation.finding = label + " lets every ServiceAccount of the cluster assume the role: " +
                         "no condition narrows " + trust::backticked(facts->sub_key) +
                         " to particular ServiceAccounts, so any pod that can get a token from "
                         "this issuer with audience " +
                         trust::backticked(audience) + " may assume it";
    evaluation.remedy = pretty(trust::corrected_statement(*open->statement, *open->result, *facts));
    evaluation.remedy_is_statement = true;
    evaluation.remedy_note = "replace " + label + " with:";
    evaluation.remedy_replaces = open->statement->number;
  } else if (allow != judged.end()) {
    evaluation.verdict = TrustVerdict::allowed;
    evaluation.finding = statement_label(*allow->statement) + " allows " +
                         trust::backticked(facts->subject) + " through " +
                         trust::backticked(facts->provider_arn);
  } else {
    evaluation.verdict = TrustVerdict::not_allowed;
    explain_refusal(judged, *facts, evaluation);
  }
  // An Allow stands only if no Deny applies; one doctor cannot decide leaves that open.
  const auto undecided_deny = std::ranges::find_if(judged, [](const Judged& item) {
    return item.statement->effect == Effect::deny && item.result->applies() == Outcome::unknown;
  });
  const bool granted = evaluation.verdict == TrustVerdict::allowed ||
                       evaluation.verdict == TrustVerdict::allowed_for_any_subject;
  if (granted && undecided_deny != judged.end()) {
    evaluation.finding += "; but " + statement_label(*undecided_deny->statement) +
                          ", a Deny, may refuse it: it depends on " +
                          undecided_deny->result->unknowns.front();
  }
  return evaluation;
}

}  // namespace irsa::doctor
