// The trust-policy evaluator against policies as people write them: each row is one policy, the
// verdict IAM would reach for the standard pod, and words the finding (and, where it matters, a
// statement's detail) must contain. Every row whose verdict is not `allowed` has a remedy, and a
// remedy that is a statement proves itself: pasted as the note says, the policy must then allow
// the pod, and only it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "irsa/doctor/trust_policy.hpp"

namespace irsa::doctor {
namespace {

using nlohmann::json;

constexpr std::string_view kIssuerPath = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
constexpr std::string_view kProviderArn =
    "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";

WebIdentityRequest standard_request() {
  return {"arn:aws:iam::111122223333:role/shop-api",
          "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789",
          {"sts.amazonaws.com"},
          "system:serviceaccount:shop:api"};
}

// $P is the pod's provider ARN and $K its issuer host/path, as condition keys start.
std::string expand(std::string text) {
  for (auto [mark, value] : {std::pair{std::string_view("$P"), kProviderArn},
                             std::pair{std::string_view("$K"), kIssuerPath}}) {
    for (std::size_t at = text.find(mark); at != std::string::npos; at = text.find(mark, at)) {
      text.replace(at, mark.size(), value);
      at += value.size();
    }
  }
  return text;
}

// The usual statement with the Condition block given.
std::string allow_with(std::string_view condition) {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"$P"},
    "Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         std::string(condition) + "}]}";
}

const std::string kGoodCondition =
    R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api","$K:aud":"sts.amazonaws.com"}})";

std::string allow_from(std::string_view principal) {
  return R"({"Statement":{"Effect":"Allow","Principal":{"Federated":")" + std::string(principal) +
         R"("},"Action":"sts:AssumeRoleWithWebIdentity","Condition":)" + kGoodCondition + "}}";
}

std::string allow_action(std::string_view action_element) {
  return R"({"Statement":{"Effect":"Allow","Principal":{"Federated":"$P"},)" +
         std::string(action_element) + R"(,"Condition":)" + kGoodCondition + "}}";
}

struct PolicyRow {
  std::string name;
  std::string policy;
  TrustVerdict verdict;
  std::vector<std::string> finding_has;
  std::string detail_has = "";
  std::vector<std::string> audiences = {"sts.amazonaws.com"};
  std::string issuer = "";  // empty: the standard request's
};

std::ostream& operator<<(std::ostream& out, const PolicyRow& row) {
  return out << row.name;
}

std::string verdict_name(TrustVerdict verdict) {
  switch (verdict) {
    case TrustVerdict::allowed:
      return "allowed";
    case TrustVerdict::allowed_for_any_subject:
      return "allowed_for_any_subject";
    case TrustVerdict::denied:
      return "denied";
    case TrustVerdict::not_allowed:
      return "not_allowed";
  }
  return "?";
}

std::string all_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

// The policy with the remedy pasted where its note says.
TrustPolicy with_remedy(const TrustPolicy& policy, const TrustEvaluation& evaluation) {
  json statements = json::array();
  for (const auto& statement : policy.statements) {
    if (statement.number == evaluation.remedy_replaces) {
      statements.push_back(json::parse(evaluation.remedy));
    } else {
      statements.push_back(statement.source);
    }
  }
  if (evaluation.remedy_replaces == 0) statements.push_back(json::parse(evaluation.remedy));
  const json document = {{"Version", "2012-10-17"}, {"Statement", statements}};
  TrustPolicyParse parsed = parse_trust_policy(document.dump());
  EXPECT_EQ(parsed.error, "");
  return parsed.policy;
}

class TrustPolicyTable : public testing::TestWithParam<PolicyRow> {};

TEST_P(TrustPolicyTable, ReachesIamsVerdictAndSaysWhy) {
  const PolicyRow& row = GetParam();
  WebIdentityRequest request = standard_request();
  request.audiences = row.audiences;
  if (!row.issuer.empty()) request.issuer = expand(row.issuer);
  const TrustPolicyParse parsed = parse_trust_policy(expand(row.policy));
  ASSERT_EQ(parsed.error, "");
  const TrustEvaluation evaluation = evaluate_trust_policy(parsed.policy, request);

  EXPECT_EQ(verdict_name(evaluation.verdict), verdict_name(row.verdict))
      << evaluation.finding << "\n"
      << all_lines(evaluation.details);
  for (const auto& words : row.finding_has) {
    EXPECT_NE(evaluation.finding.find(expand(words)), std::string::npos)
        << "finding: " << evaluation.finding << "\nlacks: " << expand(words);
  }
  EXPECT_EQ(evaluation.details.size(), parsed.policy.statements.size());
  if (!row.detail_has.empty()) {
    EXPECT_NE(all_lines(evaluation.details).find(expand(row.detail_has)), std::string::npos)
        << all_lines(evaluation.details) << "lacks: " << expand(row.detail_has);
  }
  EXPECT_EQ(evaluation.finding.find('\n'), std::string::npos);

  if (row.verdict == TrustVerdict::allowed) {
    EXPECT_EQ(evaluation.remedy, "");
    return;
  }
  EXPECT_NE(evaluation.remedy, "") << evaluation.finding;
  EXPECT_NE(evaluation.remedy_note, "") << evaluation.finding;
  EXPECT_EQ(evaluation.remedy_note.find('\n'), std::string::npos);
  if (!evaluation.remedy_is_statement) return;  // steps in words: checked by the rows' words
  // The remedy, pasted, lets this pod in and no other ServiceAccount.
  const TrustPolicy fixed = with_remedy(parsed.policy, evaluation);
  const TrustEvaluation after = evaluate_trust_policy(fixed, request);
  const bool replaces_a_deny =
      evaluation.remedy_replaces != 0 &&
      parsed.policy.statements[evaluation.remedy_replaces - 1].effect == Effect::deny;
  if (row.verdict == TrustVerdict::denied && !replaces_a_deny) {
    // The remedy supplies the missing Allow; the note says the Deny must go as well.
    EXPECT_EQ(after.verdict, TrustVerdict::denied) << "the Deny still stands";
  } else {
    EXPECT_EQ(verdict_name(after.verdict), verdict_name(TrustVerdict::allowed))
        << evaluation.remedy << "\n"
        << after.finding << "\n"
        << all_lines(after.details);
  }
}

const std::vector<PolicyRow> kPolicyRows = {
    // The policy EKS documents, and the same with a Sid.
    {"correct",
     allow_with(kGoodCondition),
     TrustVerdict::allowed,
     {"statement 1 allows `system:serviceaccount:shop:api` through `$P`"}},
    {"correct_with_sid",
     R"({"Statement":[{"Sid":"ShopApi","Effect":"Allow","Principal":{"Federated":"$P"},
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         kGoodCondition + "}]}",
     TrustVerdict::allowed,
     {"statement \"ShopApi\" allows"}},

    // The provider ARN in Principal.Federated.
    {"provider_in_another_account",
     allow_from("arn:aws:iam::444455556666:oidc-provider/$K"),
     TrustVerdict::not_allowed,
     {"statement 1: Principal.Federated names account 444455556666, the role is in 111122223333"}},
    {"provider_on_another_host",
     allow_from("arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/"
                "ABCDEF0123456789"),
     TrustVerdict::not_allowed,
     {"names issuer host `oidc.eks.us-east-1.amazonaws.com`, the token's is "
      "`oidc.eks.eu-west-1.amazonaws.com`"}},
    {"provider_keeps_https",
     allow_from("arn:aws:iam::111122223333:oidc-provider/https://$K"),
     TrustVerdict::not_allowed,
     {"Principal.Federated keeps the `https://` of the issuer URL"}},
    {"provider_with_trailing_slash",
     allow_from("$P/"),
     TrustVerdict::not_allowed,
     {"Principal.Federated ends with a trailing slash"}},
    {"provider_in_another_partition",
     allow_from("arn:aws-cn:iam::111122223333:oidc-provider/$K"),
     TrustVerdict::not_allowed,
     {"names partition `aws-cn`, the role is in `aws`"}},
    {"provider_id_in_lower_case",
     allow_from("arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/"
                "abcdef0123456789"),
     TrustVerdict::not_allowed,
     {"only in letter case"}},
    {"provider_with_a_wildcard",
     allow_from("arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/*"),
     TrustVerdict::not_allowed,
     {"has a wildcard, but IAM does not expand `*` inside a principal; name the provider ARN "
      "exactly: `$P`"}},
    {"provider_with_a_question_mark",
     allow_from("arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-?.amazonaws.com/id/"
                "ABCDEF0123456789"),
     TrustVerdict::not_allowed,
     {"IAM does not expand `*` inside a principal"}},
    {"federated_star",
     allow_from("*"),
     TrustVerdict::not_allowed,
     {"IAM does not expand `*` inside a principal; name the provider ARN exactly"}},
    {"wildcard_provider_beside_the_exact_one",
     R"({"Statement":{"Effect":"Allow","Principal":{"Federated":["arn:aws:iam::*:oidc-provider/*",
       "$P"]},"Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         kGoodCondition + "}}",
     TrustVerdict::allowed,
     {"allows"}},
    {"issuer_url_instead_of_arn",
     allow_from("https://$K"),
     TrustVerdict::not_allowed,
     {"is not an OIDC provider ARN; this cluster's is `$P`"}},
    {"another_clusters_statement",
     R"({"Statement":{"Effect":"Allow",
       "Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0000"},
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{
       "oidc.eks.eu-west-1.amazonaws.com/id/0000:sub":"system:serviceaccount:shop:api"}}}})",
     TrustVerdict::not_allowed,
     {"no statement trusts this cluster's OIDC provider `$K`",
      "names issuer id `0000`, the token's is `ABCDEF0123456789`"},
     "is for another provider"},

    // An issuer with a trailing slash: IAM names the provider with the slash, so the ARN and the
    // condition keys carry it too.
    {"slash_issuer_policy_with_slash",
     R"({"Statement":{"Effect":"Allow","Principal":{"Federated":"$P/"},
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{
       "$K/:sub":"system:serviceaccount:shop:api","$K/:aud":"sts.amazonaws.com"}}}})",
     TrustVerdict::allowed,
     {"allows `system:serviceaccount:shop:api` through `$P/`"},
     "",
     {"sts.amazonaws.com"},
     "https://$K/"},
    {"slash_issuer_policy_without_slash",
     allow_with(kGoodCondition),
     TrustVerdict::not_allowed,
     {"Principal.Federated lacks the trailing slash of the token's issuer, which IAM keeps in the "
      "provider's name"},
     "",
     {"sts.amazonaws.com"},
     "https://$K/"},
    {"slash_issuer_keys_without_slash",
     R"({"Statement":{"Effect":"Allow","Principal":{"Federated":"$P/"},
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         kGoodCondition + "}}",
     TrustVerdict::not_allowed,
     {"names another provider (lacks the trailing slash of the token's issuer"},
     "",
     {"sts.amazonaws.com"},
     "https://$K/"},

    // Condition keys.
    {"condition_key_keeps_https",
     allow_with(R"({"StringEquals":{"https://$K:sub":"system:serviceaccount:shop:api"}})"),
     TrustVerdict::not_allowed,
     {"the condition key `https://$K:sub` names another provider (keeps the `https://`"}},
    {"condition_key_with_trailing_slash",
     allow_with(R"({"StringEquals":{"$K/:sub":"system:serviceaccount:shop:api"}})"),
     TrustVerdict::not_allowed,
     {"ends with a trailing slash"}},
    {"condition_key_of_another_provider",
     allow_with(R"({"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/FFFF:sub":
       "system:serviceaccount:shop:api"}})"),
     TrustVerdict::not_allowed,
     {"names another provider (names issuer id `FFFF`",
      "): the request has no such key, so StringEquals fails"}},
    {"condition_keys_in_upper_case",
     allow_with(R"({"StringEquals":{
       "OIDC.EKS.EU-WEST-1.AMAZONAWS.COM/ID/ABCDEF0123456789:SUB":"system:serviceaccount:shop:api",
       "Oidc.Eks.Eu-West-1.Amazonaws.Com/id/abcdef0123456789:Aud":"sts.amazonaws.com"}})"),
     TrustVerdict::allowed,
     {"allows"}},

    // The sub condition.
    {"sub_names_another_namespace",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop-dev:api"}})"),
     TrustVerdict::not_allowed,
     {"sub condition names namespace `shop-dev`, the pod runs in `shop`"}},
    {"sub_names_another_service_account",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:worker"}})"),
     TrustVerdict::not_allowed,
     {"sub condition names ServiceAccount `worker`, the pod's is `api`"}},
    {"sub_differs_in_case",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:Shop:api"}})"),
     TrustVerdict::not_allowed,
     {"only in letter case (StringEquals is case-sensitive)"}},
    {"sub_ignore_case_operator",
     allow_with(R"({"StringEqualsIgnoreCase":{"$K:sub":"SYSTEM:serviceaccount:Shop:API"}})"),
     TrustVerdict::allowed,
     {"allows"}},
    {"sub_missing",
     allow_with(R"({"StringEquals":{"$K:aud":"sts.amazonaws.com"}})"),
     TrustVerdict::allowed_for_any_subject,
     {"lets every ServiceAccount of the cluster assume the role: no condition narrows `$K:sub`",
      "audience `sts.amazonaws.com`"},
     "no condition narrows the sub"},
    {"no_condition_at_all",
     R"({"Statement":{"Effect":"Allow","Principal":{"Federated":"$P"},
       "Action":"sts:AssumeRoleWithWebIdentity"}})",
     TrustVerdict::allowed_for_any_subject,
     {"lets every ServiceAccount"}},
    {"sub_list_holds_the_pod",
     allow_with(R"({"StringEquals":{"$K:sub":["system:serviceaccount:shop:web",
       "system:serviceaccount:shop:api"]}})"),
     TrustVerdict::allowed,
     {"allows"}},
    {"sub_list_misses_the_pod",
     allow_with(R"({"StringEquals":{"$K:sub":["system:serviceaccount:web:api",
       "system:serviceaccount:shop:worker"]}})"),
     TrustVerdict::not_allowed,
     {"none of the 2 sub values of StringEquals matches",
      "the nearest: sub condition names ServiceAccount `worker`"}},
    {"sub_excluded_by_not_equals",
     allow_with(R"({"StringNotEquals":{"$K:sub":"system:serviceaccount:shop:api"}})"),
     TrustVerdict::not_allowed,
     {"StringNotEquals on `$K:sub` excludes `system:serviceaccount:shop:api`"}},
    {"sub_only_negated_elsewhere",
     allow_with(R"({"StringNotEquals":{"$K:sub":"system:serviceaccount:kube-system:admin"}})"),
     TrustVerdict::allowed_for_any_subject,
     {"lets every ServiceAccount"}},

    // StringLike and wildcards.
    {"like_namespace_pattern",
     allow_with(R"({"StringLike":{"$K:sub":"system:serviceaccount:shop:*"}})"),
     TrustVerdict::allowed,
     {"allows"}},
    {"like_pattern_of_another_namespace",
     allow_with(R"({"StringLike":{"$K:sub":"system:serviceaccount:shop-dev:*"}})"),
     TrustVerdict::not_allowed,
     {"sub condition names namespace `shop-dev`, the pod runs in `shop`"}},
    {"like_question_mark_matches",
     allow_with(R"({"StringLike":{"$K:sub":"system:serviceaccount:sho?:ap?"}})"),
     TrustVerdict::allowed,
     {"allows"}},
    {"like_question_mark_too_short",
     allow_with(R"({"StringLike":{"$K:sub":"system:serviceaccount:shop:a?"}})"),
     TrustVerdict::not_allowed,
     {"sub condition names ServiceAccount `a?`, the pod's is `api`"}},
    {"like_any_service_account",
     allow_with(R"({"StringLike":{"$K:sub":"system:serviceaccount:*"}})"),
     TrustVerdict::allowed_for_any_subject,
     {"lets every ServiceAccount"}},
    {"equals_with_a_wildcard",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:*"}})"),
     TrustVerdict::not_allowed,
     {"uses a wildcard with StringEquals, which compares it literally (StringLike expands"}},

    // The aud condition.
    {"aud_of_another_audience",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api",
       "$K:aud":"https://kubernetes.default.svc"}})"),
     TrustVerdict::not_allowed,
     {"aud condition expects `https://kubernetes.default.svc`, the token's audience is "
      "`sts.amazonaws.com`"}},
    {"aud_missing",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api"}})"),
     TrustVerdict::allowed,
     {"allows"}},
    {"plain_equals_on_two_audiences",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api",
       "$K:aud":"sts.amazonaws.com"}})"),
     TrustVerdict::allowed,
     {"allows"},
     "",
     {"vault", "sts.amazonaws.com"}},
    {"for_any_value_on_two_audiences",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api"},
       "ForAnyValue:StringEquals":{"$K:aud":"sts.amazonaws.com"}})"),
     TrustVerdict::allowed,
     {"allows"},
     "",
     {"sts.amazonaws.com", "vault"}},
    {"for_all_values_misses_one_audience",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api"},
       "ForAllValues:StringEquals":{"$K:aud":"sts.amazonaws.com"}})"),
     TrustVerdict::not_allowed,
     {"ForAllValues:StringEquals: the token's audience `vault` is not among the allowed values "
      "(`sts.amazonaws.com`)"},
     "",
     {"sts.amazonaws.com", "vault"}},
    {"for_all_values_lists_both_audiences",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api"},
       "ForAllValues:StringEquals":{"$K:aud":["sts.amazonaws.com","vault"]}})"),
     TrustVerdict::allowed,
     {"allows"},
     "",
     {"sts.amazonaws.com", "vault"}},

    // IfExists and Null.
    {"equals_if_exists_on_sub",
     allow_with(R"({"StringEqualsIfExists":{"$K:sub":"system:serviceaccount:shop:api"}})"),
     TrustVerdict::allowed,
     {"allows"}},
    {"if_exists_on_another_providers_key",
     allow_with(R"({"StringEqualsIfExists":{"oidc.eks.eu-west-1.amazonaws.com/id/FFFF:sub":
       "system:serviceaccount:shop:api"}})"),
     TrustVerdict::allowed_for_any_subject,
     {"lets every ServiceAccount"}},
    {"null_false_on_sub",
     allow_with(R"({"Null":{"$K:sub":"false"},
       "StringEquals":{"$K:sub":"system:serviceaccount:shop:api"}})"),
     TrustVerdict::allowed,
     {"allows"}},
    {"null_true_on_sub",
     allow_with(R"({"Null":{"$K:sub":"true"},
       "StringEquals":{"$K:sub":"system:serviceaccount:shop:api"}})"),
     TrustVerdict::not_allowed,
     {"Null on `$K:sub` requires the key to be absent, and the request carries it"}},

    // Keys and operators doctor cannot know.
    {"source_ip_condition",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api"},
       "IpAddress":{"aws:SourceIp":"10.0.0.0/8"}})"),
     TrustVerdict::not_allowed,
     {"no statement certainly allows this pod: statement 1 depends on the operator `IpAddress` "
      "(on `aws:SourceIp`), which doctor does not evaluate"},
     "statement 1 (Allow) cannot be decided: it depends on the operator `IpAddress`"},
    {"principal_tag_condition",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api",
       "aws:PrincipalTag/team":"shop"}})"),
     TrustVerdict::not_allowed,
     {"no statement certainly allows"},
     "it depends on StringEquals on `aws:PrincipalTag/team`, which doctor cannot know for this "
     "request"},
    {"claim_doctor_does_not_know",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api",
       "$K:email":"api@shop"}})"),
     TrustVerdict::not_allowed,
     {"no statement certainly allows"},
     "StringEquals on the token's `email` claim, which doctor does not know as STS reads it"},
    {"federated_provider_key",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api"},
       "ArnLike":{"aws:FederatedProvider":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.*"}})"),
     TrustVerdict::allowed,
     {"allows"}},
    {"federated_provider_key_of_another_provider",
     allow_with(R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api",
       "aws:FederatedProvider":"arn:aws:iam::111122223333:oidc-provider/example.com"}})"),
     TrustVerdict::not_allowed,
     {"aws:FederatedProvider condition expects"}},

    // Principal and Action shapes.
    {"principal_list_holds_the_provider",
     R"({"Statement":{"Effect":"Allow","Principal":{"Federated":[
       "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/1111","$P"]},
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         kGoodCondition + "}}",
     TrustVerdict::allowed,
     {"allows"}},
    {"principal_everyone",
     R"({"Statement":{"Effect":"Allow","Principal":"*",
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         kGoodCondition + "}}",
     TrustVerdict::allowed,
     {"allows"}},
    {"principal_aws_everyone",
     R"({"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         kGoodCondition + "}}",
     TrustVerdict::allowed,
     {"allows"}},
    {"principal_is_an_account_root",
     R"({"Statement":{"Effect":"Allow",
       "Principal":{"AWS":"arn:aws:iam::111122223333:root"},
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         kGoodCondition + "}}",
     TrustVerdict::not_allowed,
     {"Principal names no federated provider (AWS `arn:aws:iam::"}},
    {"action_assume_role_only",
     allow_action(R"("Action":"sts:AssumeRole")"),
     TrustVerdict::not_allowed,
     {"Action is `sts:AssumeRole`, which does not include sts:AssumeRoleWithWebIdentity"}},
    {"action_list",
     allow_action(R"("Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"])"),
     TrustVerdict::allowed,
     {"allows"}},
    {"action_service_wildcard",
     allow_action(R"("Action":"sts:*")"),
     TrustVerdict::allowed,
     {"allows"}},
    {"action_prefix_wildcard",
     allow_action(R"("Action":"sts:AssumeRole*")"),
     TrustVerdict::allowed,
     {"allows"}},
    {"action_in_other_case",
     allow_action(R"("Action":"STS:assumerolewithwebidentity")"),
     TrustVerdict::allowed,
     {"allows"}},
    {"not_action_leaves_web_identity",
     allow_action(R"("NotAction":"sts:AssumeRole")"),
     TrustVerdict::allowed,
     {"allows"}},
    {"not_action_excludes_web_identity",
     allow_action(R"("NotAction":["sts:TagSession","sts:AssumeRoleWith*"])"),
     TrustVerdict::not_allowed,
     {"NotAction `sts:TagSession`, `sts:AssumeRoleWith*` excludes sts:AssumeRoleWithWebIdentity"}},

    // Several statements and Deny.
    {"second_statement_allows",
     R"({"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},
       "Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"Federated":"$P"},
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         kGoodCondition + "}]}",
     TrustVerdict::allowed,
     {"statement 2 allows"},
     "statement 1 (Allow) does not apply: Action is `sts:AssumeRole`"},
    {"nearest_of_several_is_corrected",
     R"({"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},
       "Action":"sts:AssumeRole"},{"Sid":"Web","Effect":"Allow","Principal":{"Federated":"$P"},
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{
       "$K:sub":"system:serviceaccount:shop-dev:api"}}}]})",
     TrustVerdict::not_allowed,
     {"the nearest, statement \"Web\": sub condition names namespace"}},
    {"only_an_ec2_statement",
     R"({"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},
       "Action":"sts:AssumeRole"}})",
     TrustVerdict::not_allowed,
     {"no statement allows sts:AssumeRoleWithWebIdentity from `$P`"}},
    {"deny_that_matches",
     R"({"Statement":[{"Sid":"NoShop","Effect":"Deny","Principal":"*",
       "Action":"sts:*","Condition":{"StringLike":{"$K:sub":"system:serviceaccount:shop:*"}}},
       {"Effect":"Allow","Principal":{"Federated":"$P"},
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         kGoodCondition + "}]}",
     TrustVerdict::denied,
     {"statement \"NoShop\" explicitly denies `system:serviceaccount:shop:api`"},
     "statement \"NoShop\" (Deny) applies"},
    {"deny_for_another_namespace",
     R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:*",
       "Condition":{"StringLike":{"$K:sub":"system:serviceaccount:kube-system:*"}}},
       {"Effect":"Allow","Principal":{"Federated":"$P"},
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         kGoodCondition + "}]}",
     TrustVerdict::allowed,
     {"statement 2 allows"},
     "statement 1 (Deny) does not apply"},
    {"deny_alone",
     R"({"Statement":{"Effect":"Deny","Principal":{"Federated":"$P"},
       "Action":"sts:AssumeRoleWithWebIdentity"}})",
     TrustVerdict::denied,
     {"statement 1 explicitly denies `system:serviceaccount:shop:api`, and an explicit Deny wins "
      "over every Allow; besides, no statement allows sts:AssumeRoleWithWebIdentity from `$P`"}},
    {"deny_doctor_cannot_decide",
     R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:*",
       "Condition":{"Bool":{"aws:SecureTransport":false}}},
       {"Effect":"Allow","Principal":{"Federated":"$P"},
       "Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         kGoodCondition + "}]}",
     TrustVerdict::allowed,
     {"statement 2 allows",
      "; but statement 1, a Deny, may refuse it: it depends on the operator "
      "`Bool` (on `aws:SecureTransport`)"},
     "statement 1 (Deny) cannot be decided"},
    {"no_statements",
     R"({"Version":"2012-10-17","Statement":[]})",
     TrustVerdict::not_allowed,
     {"the trust policy has no statements"}},
};

INSTANTIATE_TEST_SUITE_P(Policies, TrustPolicyTable, testing::ValuesIn(kPolicyRows),
                         [](const testing::TestParamInfo<PolicyRow>& row) {
                           return row.param.name;
                         });

TEST(TrustPolicyEvaluation, NamesTheStatementBySidOrNumber) {
  const auto parsed = parse_trust_policy(expand(
      R"({"Statement":[{"Sid":"First","Effect":"Allow","Principal":{"Federated":"$P"},
        "Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"Federated":"$P"},
        "Action":"sts:TagSession"}]})"));
  ASSERT_EQ(parsed.error, "");
  const auto evaluation = evaluate_trust_policy(parsed.policy, standard_request());
  ASSERT_EQ(evaluation.details.size(), 2U);
  EXPECT_TRUE(evaluation.details[0].starts_with("statement \"First\" (Allow) does not apply"))
      << evaluation.details[0];
  EXPECT_TRUE(evaluation.details[1].starts_with("statement 2 (Allow) does not apply"))
      << evaluation.details[1];
}

TEST(TrustPolicyEvaluation, CorrectsTheNearestStatementAndKeepsWhatHolds) {
  // A namespace pattern that is wrong, an extra condition that holds: the fix swaps the first and
  // keeps the second, and keeps the Sid.
  const auto parsed = parse_trust_policy(expand(allow_with(
      R"({"StringLike":{"$K:sub":"system:serviceaccount:shop-dev:*"},
          "StringEquals":{"$K:aud":"sts.amazonaws.com"}})")));
  ASSERT_EQ(parsed.error, "");
  const auto evaluation = evaluate_trust_policy(parsed.policy, standard_request());
  ASSERT_EQ(evaluation.verdict, TrustVerdict::not_allowed);
  EXPECT_EQ(evaluation.remedy_note, "replace statement 1 with:");
  EXPECT_EQ(evaluation.remedy_replaces, 1U);
  const json expected = {
      {"Effect", "Allow"},
      {"Principal", {{"Federated", kProviderArn}}},
      {"Action", "sts:AssumeRoleWithWebIdentity"},
      {"Condition",
       {{"StringEquals",
         {{std::string(kIssuerPath) + ":aud", "sts.amazonaws.com"},
          {std::string(kIssuerPath) + ":sub", "system:serviceaccount:shop:api"}}}}}};
  EXPECT_EQ(json::parse(evaluation.remedy), expected);
  EXPECT_EQ(evaluation.remedy, policy_json_text(expected));
}

TEST(TrustPolicyEvaluation, AnySubjectRemedyAddsTheSubCondition) {
  const auto parsed =
      parse_trust_policy(expand(allow_with(R"({"StringEquals":{"$K:aud":"sts.amazonaws.com"}})")));
  const auto evaluation = evaluate_trust_policy(parsed.policy, standard_request());
  ASSERT_EQ(evaluation.verdict, TrustVerdict::allowed_for_any_subject);
  const json remedy = json::parse(evaluation.remedy);
  EXPECT_EQ(remedy["Condition"]["StringEquals"][std::string(kIssuerPath) + ":sub"],
            "system:serviceaccount:shop:api");
  EXPECT_EQ(remedy["Condition"]["StringEquals"][std::string(kIssuerPath) + ":aud"],
            "sts.amazonaws.com");
}

TEST(TrustPolicyEvaluation, AnotherClustersStatementIsLeftAloneAndANewOneAdded) {
  const auto parsed = parse_trust_policy(
      R"({"Statement":{"Effect":"Allow",
       "Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0000"},
       "Action":"sts:AssumeRoleWithWebIdentity"}})");
  const auto evaluation = evaluate_trust_policy(parsed.policy, standard_request());
  EXPECT_EQ(evaluation.remedy_replaces, 0U);
  EXPECT_EQ(evaluation.remedy_note, "add this statement to the trust policy's Statement list:");
}

TEST(TrustPolicyEvaluation, DenyWithAnApplyingAllowGetsANarrowedCopy) {
  const auto parsed = parse_trust_policy(expand(
      R"({"Statement":[{"Sid":"NoShop","Effect":"Deny","Principal":"*","Action":"sts:*",
        "Condition":{"StringNotEquals":{"$K:sub":"system:serviceaccount:shop:admin"}}},
        {"Effect":"Allow","Principal":{"Federated":"$P"},"Action":"sts:AssumeRoleWithWebIdentity",
        "Condition":)" +
      kGoodCondition + "}]}"));
  const auto evaluation = evaluate_trust_policy(parsed.policy, standard_request());
  EXPECT_EQ(evaluation.verdict, TrustVerdict::denied);
  EXPECT_TRUE(evaluation.remedy_is_statement);
  EXPECT_EQ(evaluation.remedy_replaces, 1U);
  EXPECT_EQ(evaluation.remedy_note,
            "remove statement \"NoShop\", or replace it with this copy narrowed so that it no "
            "longer matches `system:serviceaccount:shop:api`:");
  // The pod joins the values the Deny already spares; the rest of the Deny is as written.
  const json expected = {
      {"Sid", "NoShop"},
      {"Effect", "Deny"},
      {"Principal", "*"},
      {"Action", "sts:*"},
      {"Condition",
       {{"StringNotEquals",
         {{std::string(kIssuerPath) + ":sub",
           {"system:serviceaccount:shop:admin", "system:serviceaccount:shop:api"}}}}}}};
  EXPECT_EQ(json::parse(evaluation.remedy), expected);
}

TEST(TrustPolicyEvaluation, CannotTellNamesEachConditionToCheck) {
  const auto parsed = parse_trust_policy(expand(allow_with(
      R"({"StringEquals":{"$K:sub":"system:serviceaccount:shop:api"},
          "IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},
          "StringLike":{"aws:PrincipalTag/team":"shop*"}})")));
  ASSERT_EQ(parsed.error, "");
  const auto evaluation = evaluate_trust_policy(parsed.policy, standard_request());
  EXPECT_EQ(evaluation.verdict, TrustVerdict::not_allowed);
  EXPECT_FALSE(evaluation.remedy_is_statement);
  EXPECT_EQ(evaluation.remedy_replaces, 0U);
  EXPECT_EQ(evaluation.remedy_note,
            "check by hand whether these conditions of statement 1 hold for this pod; the rest of "
            "it already allows the pod:");
  EXPECT_EQ(evaluation.remedy,
            "- IpAddress `aws:SourceIp` `10.0.0.0/8`, `192.168.0.0/16`: it depends on the operator "
            "`IpAddress` (on `aws:SourceIp`), which doctor does not evaluate\n"
            "- StringLike `aws:PrincipalTag/team` `shop*`: it depends on StringLike on "
            "`aws:PrincipalTag/team`, which doctor cannot know for this request");
}

// Every verdict but allowed says what to do, in remedy itself, whatever else the note says.
TEST(TrustPolicyEvaluation, EveryRefusalHasARemedy) {
  std::size_t refusals = 0;
  for (const PolicyRow& row : kPolicyRows) {
    WebIdentityRequest request = standard_request();
    request.audiences = row.audiences;
    if (!row.issuer.empty()) request.issuer = expand(row.issuer);
    const TrustPolicyParse parsed = parse_trust_policy(expand(row.policy));
    ASSERT_EQ(parsed.error, "") << row.name;
    const TrustEvaluation evaluation = evaluate_trust_policy(parsed.policy, request);
    if (evaluation.verdict == TrustVerdict::allowed) {
      EXPECT_EQ(evaluation.remedy, "") << row.name;
      continue;
    }
    ++refusals;
    EXPECT_NE(evaluation.remedy, "") << row.name << ": " << evaluation.finding;
    EXPECT_NE(evaluation.remedy_note, "") << row.name;
  }
  // The table holds refusals of every kind: the sweep is not vacuous.
  EXPECT_GE(refusals, 30U);
}

TEST(TrustPolicyEvaluation, RoleArnWithoutAccountCannotBeEvaluated) {
  WebIdentityRequest request = standard_request();
  request.role_arn = "shop-api";
  const auto parsed = parse_trust_policy(expand(allow_with(kGoodCondition)));
  const auto evaluation = evaluate_trust_policy(parsed.policy, request);
  EXPECT_EQ(evaluation.verdict, TrustVerdict::not_allowed);
  EXPECT_EQ(evaluation.finding,
            "cannot evaluate the trust policy: the role ARN `shop-api` does not name a partition "
            "and an account, so the OIDC provider's ARN is unknown");
  EXPECT_FALSE(evaluation.remedy_is_statement);
  EXPECT_EQ(evaluation.remedy,
            "give the role's full ARN, arn:PARTITION:iam::ACCOUNT:role/NAME, and the issuer URL "
            "the pod's token carries as iss; then run doctor again");
}

TEST(TrustPolicyEvaluation, ProviderLivesInTheRolesAccountAndPartition) {
  // The same policy allows a role in 111122223333 and refuses one in another account.
  const auto parsed = parse_trust_policy(expand(allow_with(kGoodCondition)));
  WebIdentityRequest request = standard_request();
  request.role_arn = "arn:aws:iam::999988887777:role/shop-api";
  const auto evaluation = evaluate_trust_policy(parsed.policy, request);
  EXPECT_EQ(evaluation.verdict, TrustVerdict::not_allowed);
  EXPECT_NE(evaluation.finding.find("names account 111122223333, the role is in 999988887777"),
            std::string::npos)
      << evaluation.finding;
}

}  // namespace
}  // namespace irsa::doctor
