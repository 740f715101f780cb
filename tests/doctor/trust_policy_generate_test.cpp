// Generated trust policies: their exact JSON, and that the evaluator allows exactly the
// ServiceAccount they were generated for.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "irsa/doctor/trust_policy.hpp"

namespace irsa::doctor {
namespace {

using nlohmann::json;

TrustPolicyTarget shop_api() {
  return {"aws",  "111122223333", "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789",
          "shop", "api",          "sts.amazonaws.com"};
}

TEST(TrustPolicyDocument, IsExactlyTheDocumentedShape) {
  EXPECT_EQ(
      trust_policy_document(shop_api()).dump(),
      R"({"Statement":[{"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{)"
      R"("oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:aud":"sts.amazonaws.com",)"
      R"("oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:sub":"system:serviceaccount:shop:api"}},)"
      R"("Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/)"
      R"(oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"}}],"Version":"2012-10-17"})");
}

TEST(TrustPolicyStatement, NormalisesTheIssuerAndFillsDefaults) {
  TrustPolicyTarget target = shop_api();
  target.partition = "";
  target.audience = "";
  target.issuer = "oidc.example.com/cluster";  // no scheme
  const json statement = trust_policy_statement(target);
  EXPECT_EQ(statement["Principal"]["Federated"],
            "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster");
  EXPECT_EQ(statement["Condition"]["StringEquals"]["oidc.example.com/cluster:aud"],
            "sts.amazonaws.com");
  EXPECT_EQ(statement["Condition"]["StringEquals"]["oidc.example.com/cluster:sub"],
            "system:serviceaccount:shop:api");
}

TEST(TrustPolicyStatement, KeepsTheIssuersTrailingSlashAsIamDoes) {
  // IAM names a provider created from https://host/path/ "host/path/", slash kept, and STS finds
  // it only for tokens whose iss carries the slash: the ARN and the keys must carry it too.
  TrustPolicyTarget target = shop_api();
  target.issuer = "https://oidc.example.com/cluster/";
  const json statement = trust_policy_statement(target);
  EXPECT_EQ(statement["Principal"]["Federated"],
            "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster/");
  EXPECT_EQ(statement["Condition"]["StringEquals"]["oidc.example.com/cluster/:sub"],
            "system:serviceaccount:shop:api");
  EXPECT_EQ(statement["Condition"]["StringEquals"]["oidc.example.com/cluster/:aud"],
            "sts.amazonaws.com");
}

TEST(TrustPolicyStatement, UsesThePartitionAndAudienceGiven) {
  TrustPolicyTarget target = shop_api();
  target.partition = "aws-cn";
  target.audience = "sts.amazonaws.com.cn";
  const json statement = trust_policy_statement(target);
  EXPECT_EQ(statement["Principal"]["Federated"],
            "arn:aws-cn:iam::111122223333:oidc-provider/"
            "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789");
  EXPECT_EQ(statement["Condition"]["StringEquals"]
                     ["oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:aud"],
            "sts.amazonaws.com.cn");
}

WebIdentityRequest request_for(std::string role_arn, std::string subject, std::string audience) {
  return {std::move(role_arn),
          "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789",
          {std::move(audience)},
          std::move(subject)};
}

TEST(TrustPolicyDocument, EvaluatesToAllowedForItsServiceAccountOnly) {
  const auto parsed = parse_trust_policy(trust_policy_document(shop_api()).dump(2));
  ASSERT_EQ(parsed.error, "");
  const std::string role = "arn:aws:iam::111122223333:role/shop-api";

  const auto mine = evaluate_trust_policy(
      parsed.policy, request_for(role, "system:serviceaccount:shop:api", "sts.amazonaws.com"));
  EXPECT_EQ(mine.verdict, TrustVerdict::allowed) << mine.finding;
  EXPECT_EQ(mine.remedy, "");

  const auto neighbour = evaluate_trust_policy(
      parsed.policy, request_for(role, "system:serviceaccount:shop:worker", "sts.amazonaws.com"));
  EXPECT_EQ(neighbour.verdict, TrustVerdict::not_allowed);

  const auto other_audience = evaluate_trust_policy(
      parsed.policy, request_for(role, "system:serviceaccount:shop:api", "vault"));
  EXPECT_EQ(other_audience.verdict, TrustVerdict::not_allowed);

  const auto other_account = evaluate_trust_policy(
      parsed.policy, request_for("arn:aws:iam::444455556666:role/shop-api",
                                 "system:serviceaccount:shop:api", "sts.amazonaws.com"));
  EXPECT_EQ(other_account.verdict, TrustVerdict::not_allowed);
}

TEST(TrustPolicyDocument, FreshRemedyForAnEmptyPolicyIsTheGeneratedStatement) {
  const auto parsed = parse_trust_policy(R"({"Version":"2012-10-17","Statement":[]})");
  const auto evaluation = evaluate_trust_policy(
      parsed.policy, request_for("arn:aws:iam::111122223333:role/shop-api",
                                 "system:serviceaccount:shop:api", "sts.amazonaws.com"));
  EXPECT_EQ(evaluation.verdict, TrustVerdict::not_allowed);
  EXPECT_EQ(evaluation.remedy, policy_json_text(trust_policy_statement(shop_api())));
  EXPECT_EQ(evaluation.remedy_replaces, 0U);
}

}  // namespace
}  // namespace irsa::doctor

namespace irsa::doctor {
namespace {

TEST(PolicyJsonText, KeysFollowIamsOwnOrderAndUnknownKeysComeLast) {
  const nlohmann::json policy = nlohmann::json::parse(
      R"({"Statement":[{"Condition":{},"Action":"a","Zed":1,"Principal":"*","Effect":"Allow",
          "Sid":"S"}],"Version":"2012-10-17"})");
  const std::string text = policy_json_text(policy);
  const auto at = [&text](const char* key) { return text.find(std::string("\"") + key + "\""); };
  EXPECT_LT(at("Version"), at("Statement"));
  EXPECT_LT(at("Sid"), at("Effect"));
  EXPECT_LT(at("Effect"), at("Principal"));
  EXPECT_LT(at("Principal"), at("Action"));
  EXPECT_LT(at("Action"), at("Condition"));
  EXPECT_LT(at("Condition"), at("Zed"));
  EXPECT_EQ(nlohmann::json::parse(text), policy);  // same document, only reordered
}

}  // namespace
}  // namespace irsa::doctor
