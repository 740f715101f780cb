// The pieces of the trust-policy evaluator, shared by its source files and by nothing else: the
// request as IAM sees it, value matching, condition clauses, per-statement results, mismatches
// in words and the corrected statement.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "irsa/doctor/trust_policy.hpp"

namespace irsa::doctor::trust {

inline constexpr std::string_view kWebIdentityAction = "sts:AssumeRoleWithWebIdentity";
inline constexpr std::string_view kDefaultAudience = "sts.amazonaws.com";

// ---- text matching (trust_policy_match.cpp) ----

[[nodiscard]] std::string to_lower(std::string_view text);
[[nodiscard]] bool equals_ignore_case(std::string_view a, std::string_view b) noexcept;
[[nodiscard]] bool has_wildcard(std::string_view pattern) noexcept;
// IAM's wildcards: '*' any run of characters (also none), '?' exactly one.
[[nodiscard]] bool wildcard_match(std::string_view pattern, std::string_view text,
                                  bool ignore_case = false) noexcept;
// ArnLike/ArnEquals: each of the six ARN fields matched on its own, wildcards within a field.
[[nodiscard]] bool arn_match(std::string_view pattern, std::string_view arn) noexcept;
// parts joined by separator, for messages.
[[nodiscard]] std::string join(const std::vector<std::string>& parts, std::string_view separator);
// "`a`, `b`": values for messages.
[[nodiscard]] std::string quote_list(const std::vector<std::string>& values);
[[nodiscard]] std::string backticked(std::string_view text);

// ---- the request (trust_policy_request.cpp) ----

struct RequestFacts {
  std::string partition;      // of the role
  std::string account;        // of the role: where the OIDC provider must live
  std::string provider_path;  // the issuer without scheme: host/path, a trailing slash kept
  std::string provider_arn;   // arn:PARTITION:iam::ACCOUNT:oidc-provider/PROVIDER_PATH
  std::string subject;
  std::string ns;               // from a system:serviceaccount:NS:NAME subject, else empty
  std::string service_account;  // likewise
  std::vector<std::string> audiences;
  std::string sub_key;  // PROVIDER_PATH:sub
  std::string aud_key;  // PROVIDER_PATH:aud
};

// The facts, or nullopt with why set when the request lacks what IAM would need.
[[nodiscard]] std::optional<RequestFacts> request_facts(const WebIdentityRequest& request,
                                                        std::string& why);

// An issuer URL as provider ARNs and condition keys spell it: no https://. A trailing slash stays:
// IAM names a provider after the URL it was created with, slash and all, and STS finds the
// provider only when the token's iss matches that URL.
[[nodiscard]] std::string provider_path_of(std::string_view issuer);
// The text without its trailing slashes, to tell "the same provider, slash aside" from another.
[[nodiscard]] std::string_view without_trailing_slash(std::string_view text) noexcept;

struct SubjectParts {
  std::string ns;
  std::string name;
};
// NS and NAME of "system:serviceaccount:NS:NAME"; nullopt for other shapes.
[[nodiscard]] std::optional<SubjectParts> split_subject(std::string_view subject);

// What the request context holds for a condition key.
struct KeyLookup {
  enum class State { present, absent, unknowable };
  State state = State::unknowable;
  std::vector<std::string> values;  // when present
  std::string why;                  // when absent or unknowable: in words
  bool on_subject = false;          // this provider's :sub
  bool on_audience = false;         // this provider's :aud
  bool on_provider = false;         // aws:FederatedProvider
  bool other_provider = false;      // PROVIDER:claim of another OIDC provider
};
[[nodiscard]] KeyLookup look_up_key(std::string_view key, const RequestFacts& facts);

// The host/path part of a condition key ("oidc.eks.../id/X" of "oidc.eks.../id/X:sub") when the
// key belongs to an OIDC provider rather than to a service (aws:, sts:, ...).
[[nodiscard]] std::optional<std::string_view> provider_of_key(std::string_view key) noexcept;

// ---- condition clauses (trust_policy_conditions.cpp) ----

enum class Outcome { holds, fails, unknown };

struct ClauseResult {
  Outcome outcome = Outcome::unknown;
  std::string reason;              // for fails and unknown
  bool on_subject = false;         // the clause tests this provider's :sub
  bool on_audience = false;        // ... or :aud
  bool other_provider = false;     // ... or a key of another provider
  bool positive_test = false;      // a known operator that is neither negated nor Null
  bool restricts_subject = false;  // a positive StringEquals/StringLike on :sub that holds
                                   // with a value narrower than "any ServiceAccount"
  bool admits_audience = false;    // a positive test on :aud that holds
};
[[nodiscard]] ClauseResult evaluate_condition(const TrustCondition& condition,
                                              const RequestFacts& facts);

// ---- mismatches in words (trust_policy_explain.cpp) ----

// How a written provider host/path (from an ARN or a condition key) differs from the token's.
[[nodiscard]] std::string describe_provider_path_difference(std::string_view written,
                                                            std::string_view expected);
// How a Principal.Federated value differs from the provider ARN, e.g. "names account X, ...".
[[nodiscard]] std::string describe_provider_arn_difference(std::string_view written,
                                                           const RequestFacts& facts);
// Why a positive string condition on :sub does not hold.
[[nodiscard]] std::string describe_subject_mismatch(std::string_view op, bool like,
                                                    bool ignore_case,
                                                    const std::vector<std::string>& values,
                                                    const RequestFacts& facts);
// Why a positive string condition on :aud does not hold.
[[nodiscard]] std::string describe_audience_mismatch(std::string_view op, bool like,
                                                     bool for_all_values,
                                                     const std::vector<std::string>& values,
                                                     const RequestFacts& facts);

// ---- one statement (trust_policy_statement.cpp) ----

struct StatementResult {
  Outcome action = Outcome::fails;
  Outcome principal = Outcome::fails;
  Outcome conditions = Outcome::holds;
  std::vector<ClauseResult> clauses;    // parallel to TrustStatement::conditions
  std::vector<std::string> mismatches;  // why it does not apply, one per failing part
  std::vector<std::string> unknowns;    // what doctor cannot know
  bool restricts_subject = false;       // some clause restricts :sub
  bool concerns_web_identity = false;   // written for federated principals or this action
  std::string other_provider;           // set when written throughout for another provider
  [[nodiscard]] Outcome applies() const noexcept;
};
[[nodiscard]] StatementResult evaluate_statement(const TrustStatement& statement,
                                                 const RequestFacts& facts);

// ---- parsing one statement (trust_policy_parse.cpp) ----

// The statement of a JSON object (kept as its source), or nullopt with error set.
[[nodiscard]] std::optional<TrustStatement> parse_statement(nlohmann::json object,
                                                            std::size_t number, std::string& error);

// ---- remedies (trust_policy_generate.cpp) ----

// The statement with its Principal, Action and failing conditions replaced so that it admits
// exactly the request's ServiceAccount and audience; passing conditions stay.
[[nodiscard]] nlohmann::json corrected_statement(const TrustStatement& statement,
                                                 const StatementResult& result,
                                                 const RequestFacts& facts);
// A new statement for the request's ServiceAccount.
[[nodiscard]] nlohmann::json fresh_statement(const RequestFacts& facts);
// A Deny statement narrowed with StringNotEquals on the request's :sub, so that it no longer
// matches this ServiceAccount and still denies whatever else it denied.
[[nodiscard]] nlohmann::json narrowed_deny(const TrustStatement& statement,
                                           const RequestFacts& facts);

}  // namespace irsa::doctor::trust
