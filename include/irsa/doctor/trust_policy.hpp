// A role's trust policy as STS reads it for AssumeRoleWithWebIdentity: parsed from what people
// have at hand (the bare document, `aws iam get-role` output, the URL-encoded form the IAM API
// returns), evaluated the way IAM evaluates it for one pod's token, and generated for a
// ServiceAccount. The evaluation explains itself statement by statement, because a trust policy
// that "looks right" and still refuses the pod is the commonest IRSA failure.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace irsa::doctor {

// What STS AssumeRoleWithWebIdentity would see.
struct WebIdentityRequest {
  std::string role_arn;                // the role to assume
  std::string issuer;                  // the token's iss as written, e.g. https://oidc.eks...
  std::vector<std::string> audiences;  // the token's aud (one or more)
  std::string subject;                 // the token's sub, system:serviceaccount:NS:NAME
};

enum class Effect { allow, deny };

// Principal or NotPrincipal: "*" or principal type ("Federated", "AWS", "Service", ...) to values.
struct TrustPrincipal {
  bool everyone = false;
  std::map<std::string, std::vector<std::string>> by_type;
};

// One operator/key pair of a Condition block, with its values as written (numbers and booleans
// as their JSON text).
struct TrustCondition {
  std::string op;  // "StringEquals", "ForAnyValue:StringLike", "StringEqualsIfExists", "Null", ...
  std::string key;
  std::vector<std::string> values;
};

struct TrustStatement {
  std::size_t number = 0;  // 1-based position in the policy
  std::string sid;         // empty when the statement has none
  Effect effect = Effect::allow;
  std::optional<TrustPrincipal> principal;
  std::optional<TrustPrincipal> not_principal;
  std::vector<std::string> actions;  // from Action, or from NotAction when not_action
  bool not_action = false;
  std::vector<TrustCondition> conditions;
  nlohmann::json source;  // the statement as written, the starting point of a remedy
};

struct TrustPolicy {
  std::string version;
  std::vector<TrustStatement> statements;
};

// How findings name a statement: `statement "Sid"`, or `statement N` when it has no Sid.
[[nodiscard]] std::string statement_label(const TrustStatement& statement);

struct TrustPolicyParse {
  TrustPolicy policy;
  std::string error;  // empty on success; otherwise one line naming what is wrong
};

// Accepts the bare document, `aws iam get-role` output ({"Role":{"AssumeRolePolicyDocument":
// object or URL-encoded string}}), or a URL-encoded document; Statement as an object or a list;
// Principal, Action, NotAction and condition values as a string or a list.
[[nodiscard]] TrustPolicyParse parse_trust_policy(std::string_view text);

enum class TrustVerdict { allowed, allowed_for_any_subject, denied, not_allowed };

struct TrustEvaluation {
  TrustVerdict verdict = TrustVerdict::not_allowed;
  std::string finding;               // one line in words, for the check's table row
  std::vector<std::string> details;  // one line per statement: why it does or does not apply
  // What to do; empty only when the verdict is allowed. A statement to paste, as pretty JSON, when
  // remedy_is_statement; otherwise steps in words (conditions to check by hand, what to supply).
  std::string remedy;
  bool remedy_is_statement = false;
  // How to use the remedy, one line: which statement it replaces, that it is a new one, or what
  // the steps are for.
  std::string remedy_note;
  // The number of the statement the remedy replaces (1-based); 0 when it is a new statement or
  // not a statement.
  std::size_t remedy_replaces = 0;
};

// Evaluates as IAM does for AssumeRoleWithWebIdentity: the principal is the OIDC provider
// arn:PARTITION:iam::ACCOUNT:oidc-provider/ISSUER-HOST-PATH in the role's account (the issuer
// without https://, a trailing slash kept, as IAM names the provider), matched exactly: IAM
// expands no wildcard inside a principal, only a whole "*" or {"AWS": "*"}; the context
// holds ISSUER-HOST-PATH:sub, ISSUER-HOST-PATH:aud (one value per audience) and
// aws:FederatedProvider. An explicit Deny wins; conditions doctor cannot know make a statement
// "cannot tell", counted as not matching and said so in its detail.
[[nodiscard]] TrustEvaluation evaluate_trust_policy(const TrustPolicy& policy,
                                                    const WebIdentityRequest& request);

// What a generated trust policy grants: one ServiceAccount of one cluster.
struct TrustPolicyTarget {
  std::string partition;   // empty means "aws"
  std::string account_id;  // the role's account, where the OIDC provider lives
  std::string issuer;      // the token's iss, with or without https://; a trailing slash is kept
  std::string ns;
  std::string service_account;
  std::string audience;  // empty means "sts.amazonaws.com"
};

// Allow, Principal.Federated the provider ARN, Action sts:AssumeRoleWithWebIdentity, Condition
// StringEquals on ISSUER-HOST-PATH:sub and ISSUER-HOST-PATH:aud.
[[nodiscard]] nlohmann::json trust_policy_statement(const TrustPolicyTarget& target);

// A policy document or one statement as indented JSON with the keys in the order IAM's own
// documents use (Version, Statement; Sid, Effect, Principal, Action, Condition), unknown keys
// after them: what people paste into the console reads the way they are used to.
[[nodiscard]] std::string policy_json_text(const nlohmann::json& policy_or_statement);

// {"Version":"2012-10-17","Statement":[trust_policy_statement(target)]}
[[nodiscard]] nlohmann::json trust_policy_document(const TrustPolicyTarget& target);

}  // namespace irsa::doctor
