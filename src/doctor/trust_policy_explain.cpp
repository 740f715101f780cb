// Mismatches in the words a person fixes them by: which account, which host, which namespace.
// A bare "condition does not match" sends people comparing 60-character strings by eye, which is
// how the mistakes got there in the first place.
#include <algorithm>
#include <utility>

#include "irsa/core/arn.hpp"
#include "trust_policy_parts.hpp"

namespace irsa::doctor::trust {
namespace {

std::pair<std::string_view, std::string_view> split_host(std::string_view path) {
  const std::size_t slash = path.find('/');
  if (slash == std::string_view::npos) return {path, {}};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

std::string describe_path_part(std::string_view written, std::string_view expected) {
  constexpr std::string_view kId = "id/";
  if (written.starts_with(kId) && expected.starts_with(kId)) {
    return "names issuer id " + backticked(written.substr(kId.size())) + ", the token's is " +
           backticked(expected.substr(kId.size()));
  }
  return "names issuer path " + backticked("/" + std::string(written)) + ", the token's is " +
         backticked("/" + std::string(expected));
}

// One sub value against the token's sub.
std::string describe_subject_value(std::string_view value, bool like, bool ignore_case,
                                   const RequestFacts& facts) {
  if (!like && has_wildcard(value) && wildcard_match(value, facts.subject, ignore_case)) {
    return "sub condition " + backticked(value) +
           " uses a wildcard with StringEquals, which compares it literally (StringLike expands "
           "* and ?)";
  }
  const auto matches = [&](std::string_view policy, std::string_view actual) {
    if (like) return wildcard_match(policy, actual);
    return ignore_case ? equals_ignore_case(policy, actual) : policy == actual;
  };
  if (!like && !ignore_case && equals_ignore_case(value, facts.subject)) {
    return "sub condition " + backticked(value) + " differs from the token's sub " +
           backticked(facts.subject) + " only in letter case (StringEquals is case-sensitive)";
  }
  const auto written = split_subject(value);
  if (written && !facts.ns.empty()) {
    std::vector<std::string> parts;
    if (!matches(written->ns, facts.ns)) {
      parts.push_back("sub condition names namespace " + backticked(written->ns) +
                      ", the pod runs in " + backticked(facts.ns));
    }
    // A literal '*' under StringEquals is the real mistake: reported below, not as a name.
    const bool literal_wildcard = !like && has_wildcard(written->name);
    if (!literal_wildcard && !matches(written->name, facts.service_account)) {
      parts.push_back(
          (parts.empty() ? "sub condition names ServiceAccount " : "and ServiceAccount ") +
          backticked(written->name) + ", the pod's is " + backticked(facts.service_account));
    }
    if (literal_wildcard) {
      parts.push_back(std::string(parts.empty() ? "sub condition" : "and it") +
                      " uses a wildcard with StringEquals, which compares it literally");
    }
    if (!parts.empty()) return join(parts, " ");
  }
  if (like) {
    return "sub pattern " + backticked(value) + " does not match the token's sub " +
           backticked(facts.subject);
  }
  return "sub condition expects " + backticked(value) + ", the token's sub is " +
         backticked(facts.subject);
}

std::string audiences_text(const RequestFacts& facts) {
  if (facts.audiences.size() == 1)
    return "the token's audience is " + backticked(facts.audiences[0]);
  return "the token's audiences are " + quote_list(facts.audiences);
}

}  // namespace

std::string describe_provider_path_difference(std::string_view written, std::string_view expected) {
  std::vector<std::string> reasons;
  for (std::string_view scheme : {"https://", "http://"}) {
    if (written.size() >= scheme.size() &&
        equals_ignore_case(written.substr(0, scheme.size()), scheme)) {
      reasons.push_back("keeps the " + backticked(scheme) +
                        " of the issuer URL, which provider ARNs and condition keys leave out");
      written.remove_prefix(scheme.size());
      break;
    }
  }
  // IAM keeps a trailing slash in the provider's name, so it must agree with the token's iss.
  const bool written_slash = written.ends_with('/');
  const bool expected_slash = expected.ends_with('/');
  if (written_slash && !expected_slash) {
    reasons.emplace_back("ends with a trailing slash, which the token's issuer does not have");
  } else if (!written_slash && expected_slash) {
    reasons.emplace_back(
        "lacks the trailing slash of the token's issuer, which IAM keeps in the provider's name");
  }
  written = without_trailing_slash(written);
  expected = without_trailing_slash(expected);
  if (equals_ignore_case(written, expected)) {
    if (reasons.empty() && written != expected) {
      reasons.push_back("differs from " + backticked(expected) + " only in letter case");
    }
  } else {
    const auto [host, path] = split_host(written);
    const auto [expected_host, expected_path] = split_host(expected);
    if (!equals_ignore_case(host, expected_host)) {
      reasons.push_back("names issuer host " + backticked(host) + ", the token's is " +
                        backticked(expected_host));
    }
    if (!equals_ignore_case(path, expected_path)) {
      reasons.push_back(describe_path_part(path, expected_path));
    }
  }
  return join(reasons, "; ");
}

std::string describe_provider_arn_difference(std::string_view written, const RequestFacts& facts) {
  if (has_wildcard(written)) {
    return backticked(written) + " has a wildcard, but IAM does not expand `*` inside a " +
           "principal; name the provider ARN exactly: " + backticked(facts.provider_arn);
  }
  const auto arn = core::split_arn(written);
  if (!arn) {
    return backticked(written) + " is not an OIDC provider ARN; this cluster's is " +
           backticked(facts.provider_arn);
  }
  std::vector<std::string> reasons;
  if (arn->partition != facts.partition) {
    reasons.push_back("names partition " + backticked(arn->partition) + ", the role is in " +
                      backticked(facts.partition));
  }
  if (arn->service != "iam") {
    reasons.push_back("names service " + backticked(arn->service) + ", not `iam`");
  }
  // The provider must live in the role's account: a provider of another account is not trusted
  // even when its URL is right.
  if (arn->account != facts.account) {
    reasons.push_back("names account " + std::string(arn->account) + ", the role is in " +
                      facts.account);
  }
  constexpr std::string_view kType = "oidc-provider/";
  if (!arn->resource.starts_with(kType)) {
    reasons.push_back("names " + backticked(arn->resource) + ", not an oidc-provider/...");
  } else {
    const std::string_view path = arn->resource.substr(kType.size());
    std::string difference = describe_provider_path_difference(path, facts.provider_path);
    // IAM compares provider ARNs exactly, unlike condition keys.
    if (difference.empty() && path != facts.provider_path) {
      difference = "differs from " + backticked(facts.provider_path) + " only in letter case";
    }
    if (!difference.empty()) reasons.push_back(std::move(difference));
  }
  return join(reasons, "; ");
}

std::string describe_subject_mismatch(std::string_view op, bool like, bool ignore_case,
                                      const std::vector<std::string>& values,
                                      const RequestFacts& facts) {
  if (values.size() == 1) return describe_subject_value(values[0], like, ignore_case, facts);
  // Several values: describe the one nearest the pod (same namespace), else the first.
  auto nearest = std::ranges::find_if(values, [&](const std::string& value) {
    const auto parts = split_subject(value);
    return parts && parts->ns == facts.ns;
  });
  if (nearest == values.end()) nearest = values.begin();
  if (nearest == values.end()) return std::string(op) + " on sub lists no values";
  return "none of the " + std::to_string(values.size()) + " sub values of " + std::string(op) +
         " matches the token's sub " + backticked(facts.subject) +
         "; the nearest: " + describe_subject_value(*nearest, like, ignore_case, facts);
}

std::string describe_audience_mismatch(std::string_view op, bool like, bool for_all_values,
                                       const std::vector<std::string>& values,
                                       const RequestFacts& facts) {
  if (for_all_values) {
    const auto outsider = std::ranges::find_if(facts.audiences, [&](const std::string& audience) {
      return std::ranges::none_of(values, [&](const std::string& value) {
        return like ? wildcard_match(value, audience) : value == audience;
      });
    });
    if (outsider != facts.audiences.end()) {
      return std::string(op) + ": the token's audience " + backticked(*outsider) +
             " is not among the allowed values (" + quote_list(values) + ")";
    }
  }
  for (const auto& value : values) {
    if (!like && has_wildcard(value) &&
        std::ranges::any_of(facts.audiences, [&](const std::string& audience) {
          return wildcard_match(value, audience);
        })) {
      return "aud condition " + backticked(value) +
             " uses a wildcard with StringEquals, which compares it literally (StringLike expands "
             "* and ?)";
    }
  }
  const std::string expected = values.size() == 1 ? "expects " + backticked(values[0])
                                                  : "expects one of " + quote_list(values);
  return "aud condition " + expected + ", " + audiences_text(facts);
}

}  // namespace irsa::doctor::trust
