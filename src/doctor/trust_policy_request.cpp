// The request context STS builds for AssumeRoleWithWebIdentity, as far as doctor can know it from
// the role ARN and the token: the provider ARN and the keys a trust policy's conditions test.
#include "irsa/core/arn.hpp"
#include "trust_policy_parts.hpp"

namespace irsa::doctor::trust {

std::string provider_path_of(std::string_view issuer) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (issuer.size() >= scheme.size() &&
        equals_ignore_case(issuer.substr(0, scheme.size()), scheme)) {
      issuer.remove_prefix(scheme.size());
      break;
    }
  }
  return std::string(issuer);
}

std::string_view without_trailing_slash(std::string_view text) noexcept {
  while (text.ends_with('/')) text.remove_suffix(1);
  return text;
}

std::optional<SubjectParts> split_subject(std::string_view subject) {
  constexpr std::string_view kPrefix = "system:serviceaccount:";
  if (!subject.starts_with(kPrefix)) return std::nullopt;
  subject.remove_prefix(kPrefix.size());
  const std::size_t colon = subject.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return SubjectParts{std::string(subject.substr(0, colon)),
                      std::string(subject.substr(colon + 1))};
}

std::optional<RequestFacts> request_facts(const WebIdentityRequest& request, std::string& why) {
  // The provider lives in the role's account and partition, so a role ARN that cannot be split
  // leaves nothing to compare the policy with. A role ARN with other faults (a long name, say)
  // still names both, and the role-arn check reports those faults.
  const auto arn = core::split_arn(request.role_arn);
  if (!arn || arn->partition.empty() || arn->account.empty()) {
    why = "the role ARN " + backticked(request.role_arn) +
          " does not name a partition and an account, so the OIDC provider's ARN is unknown";
    return std::nullopt;
  }
  RequestFacts facts;
  facts.provider_path = provider_path_of(request.issuer);
  if (facts.provider_path.empty()) {
    why = "the token names no issuer, so the OIDC provider is unknown";
    return std::nullopt;
  }
  facts.partition = arn->partition;
  facts.account = arn->account;
  facts.provider_arn =
      "arn:" + facts.partition + ":iam::" + facts.account + ":oidc-provider/" + facts.provider_path;
  facts.subject = request.subject;
  if (auto parts = split_subject(request.subject)) {
    facts.ns = parts->ns;
    facts.service_account = parts->name;
  }
  facts.audiences = request.audiences;
  facts.sub_key = facts.provider_path + ":sub";
  facts.aud_key = facts.provider_path + ":aud";
  return facts;
}

std::optional<std::string_view> provider_of_key(std::string_view key) noexcept {
  const std::size_t colon = key.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view prefix = key.substr(0, colon);
  // Service prefixes (aws, sts, iam, ...) are bare words; provider keys start with a host name.
  if (prefix.find_first_of("./") == std::string_view::npos) return std::nullopt;
  return prefix;
}

KeyLookup look_up_key(std::string_view key, const RequestFacts& facts) {
  KeyLookup lookup;
  // Condition keys are case-insensitive in IAM.
  if (equals_ignore_case(key, facts.sub_key)) {
    lookup.on_subject = true;
    lookup.values = {facts.subject};
    if (facts.subject.empty()) lookup.values.clear();
  } else if (equals_ignore_case(key, facts.aud_key)) {
    lookup.on_audience = true;
    lookup.values = facts.audiences;
  } else if (equals_ignore_case(key, "aws:FederatedProvider")) {
    lookup.on_provider = true;
    lookup.values = {facts.provider_arn};
  } else if (const auto provider = provider_of_key(key)) {
    if (equals_ignore_case(*provider, facts.provider_path)) {
      lookup.why = "the token's " + backticked(key.substr(provider->size() + 1)) +
                   " claim, which doctor does not know as STS reads it (only sub and aud)";
      return lookup;
    }
    lookup.other_provider = true;
    lookup.state = KeyLookup::State::absent;
    lookup.why = "the condition key " + backticked(key) + " names another provider (" +
                 describe_provider_path_difference(*provider, facts.provider_path) +
                 "): the request has no such key";
    return lookup;
  } else {
    lookup.why = backticked(key) + ", which doctor cannot know for this request";
    return lookup;
  }
  if (lookup.values.empty()) {
    lookup.state = KeyLookup::State::absent;
    lookup.why = "the token carries no value for " + backticked(key);
  } else {
    lookup.state = KeyLookup::State::present;
  }
  return lookup;
}

}  // namespace irsa::doctor::trust
