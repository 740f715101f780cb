// One Condition clause (operator, key, values) decided against the request context, with IAM's
// rules: values of one key are ORed (NORed for negated operators), an absent key fails positive
// operators and passes negated ones, IfExists passes on an absent key, ForAnyValue needs one
// request value to match, ForAllValues needs every one to (and passes on an absent key).
#include <algorithm>

#include "trust_policy_parts.hpp"

namespace irsa::doctor::trust {
namespace {

enum class Base { string_equals, string_equals_ignore_case, string_like, arn_like, null_check };
enum class SetQualifier { none, for_any_value, for_all_values };

struct Operator {
  Base base = Base::string_equals;
  bool negated = false;
  SetQualifier set = SetQualifier::none;
  bool if_exists = false;
};

bool consume_prefix(std::string_view& text, std::string_view prefix) {
  if (text.size() < prefix.size() || !equals_ignore_case(text.substr(0, prefix.size()), prefix)) {
    return false;
  }
  text.remove_prefix(prefix.size());
  return true;
}

bool consume_suffix(std::string_view& text, std::string_view suffix) {
  if (text.size() < suffix.size() ||
      !equals_ignore_case(text.substr(text.size() - suffix.size()), suffix)) {
    return false;
  }
  text.remove_suffix(suffix.size());
  return true;
}

// The operators doctor implements. The others (Numeric*, Date*, Bool, IpAddress, Binary*) only
// make sense on keys doctor cannot know for a web-identity request anyway.
std::optional<Operator> parse_operator(std::string_view name) {
  Operator op;
  if (consume_prefix(name, "ForAnyValue:")) {
    op.set = SetQualifier::for_any_value;
  } else if (consume_prefix(name, "ForAllValues:")) {
    op.set = SetQualifier::for_all_values;
  }
  op.if_exists = consume_suffix(name, "IfExists");
  struct Known {
    std::string_view name;
    Base base;
    bool negated;
  };
  static constexpr Known kKnown[] = {
      {"StringEquals", Base::string_equals, false},
      {"StringNotEquals", Base::string_equals, true},
      {"StringEqualsIgnoreCase", Base::string_equals_ignore_case, false},
      {"StringNotEqualsIgnoreCase", Base::string_equals_ignore_case, true},
      {"StringLike", Base::string_like, false},
      {"StringNotLike", Base::string_like, true},
      {"ArnEquals", Base::arn_like, false},
      {"ArnLike", Base::arn_like, false},
      {"ArnNotEquals", Base::arn_like, true},
      {"ArnNotLike", Base::arn_like, true},
      {"Null", Base::null_check, false},
  };
  for (const auto& known : kKnown) {
    if (equals_ignore_case(name, known.name)) {
      op.base = known.base;
      op.negated = known.negated;
      // Null tests presence itself: qualifiers make no sense on it.
      if (op.base == Base::null_check && (op.if_exists || op.set != SetQualifier::none)) break;
      return op;
    }
  }
  return std::nullopt;
}

// Whether a policy value matches one request value, before negation.
bool value_matches(Base base, std::string_view policy, std::string_view request) {
  switch (base) {
    case Base::string_equals:
      return policy == request;
    case Base::string_equals_ignore_case:
      return equals_ignore_case(policy, request);
    case Base::string_like:
      return wildcard_match(policy, request);
    case Base::arn_like:
      return arn_match(policy, request);
    case Base::null_check:
      break;
  }
  return false;
}

// One request value against the clause's values: OR for positive operators, NOR for negated.
bool satisfied_by(const Operator& op, const std::vector<std::string>& policy,
                  std::string_view request) {
  const bool any = std::ranges::any_of(
      policy, [&](const std::string& value) { return value_matches(op.base, value, request); });
  return op.negated ? !any : any;
}

// A sub value narrower than "any ServiceAccount": something pinned after the fixed prefix.
bool narrows_subject(std::string_view value) {
  constexpr std::string_view kPrefix = "system:serviceaccount:";
  if (value.starts_with(kPrefix)) value.remove_prefix(kPrefix.size());
  return value.find_first_not_of("*?:") != std::string_view::npos;
}

ClauseResult evaluate_null(const TrustCondition& condition, const KeyLookup& lookup) {
  ClauseResult result;
  const bool present = lookup.state == KeyLookup::State::present;
  bool holds = false;
  for (const auto& value : condition.values) {
    if (equals_ignore_case(value, "true")) {
      holds = holds || !present;
    } else if (equals_ignore_case(value, "false")) {
      holds = holds || present;
    } else {
      result.reason = "Null on " + backticked(condition.key) + " with the value " +
                      backticked(value) + ", which is neither \"true\" nor \"false\"";
      return result;
    }
  }
  result.outcome = holds ? Outcome::holds : Outcome::fails;
  if (!holds) {
    result.reason = present ? "Null on " + backticked(condition.key) +
                                  " requires the key to be absent, and the request carries it"
                            : "Null on " + backticked(condition.key) +
                                  " requires the key to be present, and " + lookup.why;
  }
  return result;
}

std::string why_it_fails(const TrustCondition& condition, const Operator& op,
                         const KeyLookup& lookup, const RequestFacts& facts) {
  if (op.negated) {
    // The request's value is one the clause excludes: name it.
    const auto excluded = std::ranges::find_if_not(lookup.values, [&](const std::string& value) {
      return satisfied_by(op, condition.values, value);
    });
    return condition.op + " on " + backticked(condition.key) + " excludes " +
           backticked(excluded == lookup.values.end() ? "" : *excluded) +
           ", which is the request's value";
  }
  const bool like = op.base == Base::string_like;
  if (lookup.on_subject) {
    return describe_subject_mismatch(condition.op, like, op.base == Base::string_equals_ignore_case,
                                     condition.values, facts);
  }
  if (lookup.on_audience) {
    return describe_audience_mismatch(condition.op, like, op.set == SetQualifier::for_all_values,
                                      condition.values, facts);
  }
  if (lookup.on_provider) {
    return "aws:FederatedProvider condition expects " + quote_list(condition.values) +
           ", the request's provider is " + backticked(facts.provider_arn);
  }
  return condition.op + " on " + backticked(condition.key) + " expects " +
         quote_list(condition.values) + ", the request has " + quote_list(lookup.values);
}

}  // namespace

ClauseResult evaluate_condition(const TrustCondition& condition, const RequestFacts& facts) {
  ClauseResult result;
  const KeyLookup lookup = look_up_key(condition.key, facts);
  result.on_subject = lookup.on_subject;
  result.on_audience = lookup.on_audience;
  result.other_provider = lookup.other_provider;

  const auto op = parse_operator(condition.op);
  if (!op) {
    result.reason = "the operator " + backticked(condition.op) + " (on " +
                    backticked(condition.key) + "), which doctor does not evaluate";
    return result;
  }
  result.positive_test = !op->negated && op->base != Base::null_check;
  if (lookup.state == KeyLookup::State::unknowable) {
    result.reason = condition.op + " on " + lookup.why;
    return result;
  }
  if (op->base == Base::null_check) return evaluate_null(condition, lookup);

  bool holds = false;
  if (lookup.state == KeyLookup::State::absent) {
    // IAM: an absent key fails a plain positive test and passes a negated one; IfExists and
    // ForAllValues pass; ForAnyValue fails.
    if (op->if_exists || op->set == SetQualifier::for_all_values) {
      holds = true;
    } else if (op->set == SetQualifier::for_any_value) {
      holds = false;
    } else {
      holds = op->negated;
    }
    if (!holds) result.reason = lookup.why + ", so " + condition.op + " fails";
  } else {
    const auto satisfied = [&](const std::string& value) {
      return satisfied_by(*op, condition.values, value);
    };
    switch (op->set) {
      case SetQualifier::for_any_value:
        holds = std::ranges::any_of(lookup.values, satisfied);
        break;
      case SetQualifier::for_all_values:
        holds = std::ranges::all_of(lookup.values, satisfied);
        break;
      case SetQualifier::none:
        // A plain operator on a multi-valued key: positive ones need one match, negated ones
        // need no request value to match any policy value.
        holds = op->negated ? std::ranges::all_of(lookup.values, satisfied)
                            : std::ranges::any_of(lookup.values, satisfied);
        break;
    }
    if (!holds) result.reason = why_it_fails(condition, *op, lookup, facts);
  }
  result.outcome = holds ? Outcome::holds : Outcome::fails;
  if (holds && !op->negated && lookup.state == KeyLookup::State::present) {
    const bool string_test = op->base != Base::arn_like;
    result.restricts_subject =
        lookup.on_subject && string_test && std::ranges::all_of(condition.values, narrows_subject);
    result.admits_audience = lookup.on_audience;
  }
  return result;
}

}  // namespace irsa::doctor::trust
