// Reading trust policies in every form people paste them, and refusing malformed ones with an
// error that names the fault.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "irsa/doctor/trust_policy.hpp"

namespace irsa::doctor {
namespace {

using nlohmann::json;

const std::string kDocument = R"({
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "ShopApi",
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/X"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"oidc.example.com/id/X:sub": "system:serviceaccount:shop:api",
                                   "oidc.example.com/id/X:aud": "sts.amazonaws.com"}}
  }]
})";

// Percent-encodes everything but RFC 3986's unreserved characters, as the IAM API does.
std::string url_encode(std::string_view text) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4U]);
      out.push_back(kHex[byte & 0xFU]);
    }
  }
  return out;
}

void expect_the_document(const TrustPolicyParse& parsed) {
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.policy.version, "2012-10-17");
  ASSERT_EQ(parsed.policy.statements.size(), 1U);
  const TrustStatement& statement = parsed.policy.statements[0];
  EXPECT_EQ(statement.number, 1U);
  EXPECT_EQ(statement.sid, "ShopApi");
  EXPECT_EQ(statement_label(statement), "statement \"ShopApi\"");
  EXPECT_EQ(statement.effect, Effect::allow);
  ASSERT_TRUE(statement.principal.has_value());
  EXPECT_FALSE(statement.principal->everyone);
  EXPECT_EQ(
      statement.principal->by_type.at("Federated"),
      std::vector<std::string>{"arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/X"});
  EXPECT_EQ(statement.actions, std::vector<std::string>{"sts:AssumeRoleWithWebIdentity"});
  EXPECT_FALSE(statement.not_action);
  ASSERT_EQ(statement.conditions.size(), 2U);
  EXPECT_EQ(statement.conditions[0].op, "StringEquals");
  EXPECT_EQ(statement.source, json::parse(kDocument)["Statement"][0]);
}

TEST(TrustPolicyParse, ReadsTheBareDocument) {
  expect_the_document(parse_trust_policy(kDocument));
}

TEST(TrustPolicyParse, ReadsGetRoleOutputWithTheDocumentAsAnObject) {
  const json output = {{"Role",
                        {{"RoleName", "shop-api"},
                         {"Arn", "arn:aws:iam::111122223333:role/shop-api"},
                         {"AssumeRolePolicyDocument", json::parse(kDocument)}}}};
  expect_the_document(parse_trust_policy(output.dump(4)));
}

TEST(TrustPolicyParse, ReadsGetRoleOutputWithTheDocumentUrlEncoded) {
  const json output = {
      {"Role", {{"RoleName", "shop-api"}, {"AssumeRolePolicyDocument", url_encode(kDocument)}}}};
  expect_the_document(parse_trust_policy(output.dump()));
}

TEST(TrustPolicyParse, ReadsTheRoleObjectAlone) {
  // `aws iam get-role --query Role` prints the Role object without its wrapper.
  const json role = {{"RoleName", "shop-api"},
                     {"AssumeRolePolicyDocument", json::parse(kDocument)}};
  expect_the_document(parse_trust_policy(role.dump()));
}

TEST(TrustPolicyParse, ReadsAUrlEncodedDocument) {
  expect_the_document(parse_trust_policy(url_encode(kDocument)));
  // As the IAM API prints it, by hand: '+' stays a plus sign.
  const auto parsed = parse_trust_policy(
      "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%22*%22%2C"
      "%22Action%22%3A%22sts%3AAssumeRole%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A"
      "%7B%22aws%3APrincipalTag%2Fx%22%3A%22a+b%22%7D%7D%7D%7D\n");
  ASSERT_EQ(parsed.error, "");
  ASSERT_EQ(parsed.policy.statements.size(), 1U);
  EXPECT_EQ(parsed.policy.statements[0].conditions[0].values, std::vector<std::string>{"a+b"});
}

TEST(TrustPolicyParse, AcceptsSingleValuesAndListsWhereIamDoes) {
  const auto parsed = parse_trust_policy(R"({"Statement":{
    "Effect":"Deny","Principal":"*","NotAction":["sts:AssumeRole","sts:TagSession"],
    "Condition":{"StringLike":{"k.example/x:sub":["a","b"]},"Bool":{"aws:SecureTransport":false},
                 "NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}})");
  ASSERT_EQ(parsed.error, "");
  ASSERT_EQ(parsed.policy.statements.size(), 1U);
  const TrustStatement& statement = parsed.policy.statements[0];
  EXPECT_EQ(statement_label(statement), "statement 1");
  EXPECT_EQ(statement.effect, Effect::deny);
  ASSERT_TRUE(statement.principal.has_value());
  EXPECT_TRUE(statement.principal->everyone);
  EXPECT_TRUE(statement.not_action);
  EXPECT_EQ(statement.actions, (std::vector<std::string>{"sts:AssumeRole", "sts:TagSession"}));
  ASSERT_EQ(statement.conditions.size(), 3U);
  std::vector<std::string> seen;
  for (const auto& condition : statement.conditions) {
    for (const auto& value : condition.values) seen.push_back(condition.key + "=" + value);
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"aws:SecureTransport=false", "aws:MultiFactorAuthAge=3600",
                                      "k.example/x:sub=a", "k.example/x:sub=b"}));
}

TEST(TrustPolicyParse, ReadsNotPrincipalAndPrincipalLists) {
  const auto parsed = parse_trust_policy(R"({"Statement":[
    {"Effect":"Allow","Principal":{"Federated":["arn:a","arn:b"],"AWS":"*"},"Action":"sts:*"},
    {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"*"}]})");
  ASSERT_EQ(parsed.error, "");
  ASSERT_EQ(parsed.policy.statements.size(), 2U);
  EXPECT_EQ(parsed.policy.statements[0].principal->by_type.at("Federated"),
            (std::vector<std::string>{"arn:a", "arn:b"}));
  EXPECT_EQ(parsed.policy.statements[0].principal->by_type.at("AWS"),
            std::vector<std::string>{"*"});
  EXPECT_FALSE(parsed.policy.statements[1].principal.has_value());
  ASSERT_TRUE(parsed.policy.statements[1].not_principal.has_value());
  EXPECT_EQ(parsed.policy.statements[1].number, 2U);
}

struct BadPolicyRow {
  std::string name;
  std::string text;
  std::string error;  // the exact error, or its start when ending in "..."
};

class TrustPolicyParseErrors : public testing::TestWithParam<BadPolicyRow> {};

TEST_P(TrustPolicyParseErrors, NameWhatIsWrong) {
  const BadPolicyRow& row = GetParam();
  const TrustPolicyParse parsed = parse_trust_policy(row.text);
  if (row.error.ends_with("...")) {
    const std::string start = row.error.substr(0, row.error.size() - 3);
    EXPECT_TRUE(parsed.error.starts_with(start)) << parsed.error;
  } else {
    EXPECT_EQ(parsed.error, row.error);
  }
  EXPECT_TRUE(parsed.policy.statements.empty());
  EXPECT_EQ(parsed.error.find('\n'), std::string::npos);
}

const std::vector<BadPolicyRow> kBadPolicies = {
    {"empty", "  \n", "the trust policy is empty"},
    {"a_role_name", "my-role",
     "the trust policy is not JSON: parse error at line 1, column 1: syntax error while parsing "
     "value - invalid literal; last read: 'm'"},
    {"truncated_json", "{\"Statement\": [",
     "the trust policy is not JSON: parse error at line 1, column 16: ..."},
    {"bad_url_escape", "%7B%2",
     "the trust policy looks URL-encoded but has a bad escape at character 4"},
    {"url_encoded_garbage", "%7Bnope", "the trust policy is not JSON: ..."},
    {"json_list", "[1, 2]", "the trust policy is a JSON array, not an object"},
    {"no_statement", R"({"Version":"2012-10-17"})", "the trust policy has no Statement"},
    {"get_role_without_document", R"({"Role":{"RoleName":"x"}})",
     "the get-role output has no Role.AssumeRolePolicyDocument"},
    {"statement_not_an_object", R"({"Statement":["Allow"]})", "statement 1 is not an object"},
    {"lower_case_effect",
     R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"},
       {"Sid":"Second","Effect":"allow","Principal":"*","Action":"*"}]})",
     "statement \"Second\" has Effect \"allow\"; IAM accepts only \"Allow\" or \"Deny\""},
    {"no_effect", R"({"Statement":{"Principal":"*","Action":"*"}})", "statement 1 has no Effect"},
    {"no_principal", R"({"Statement":{"Effect":"Allow","Action":"*"}})",
     "statement 1 has no Principal: a trust policy statement names who may assume the role"},
    {"principal_a_plain_string",
     R"({"Statement":{"Effect":"Allow","Principal":"arn:aws:iam::1:root","Action":"*"}})",
     "statement 1's Principal is neither \"*\" nor an object such as {\"Federated\": \"arn:...\"}"},
    {"principal_value_a_number",
     R"({"Statement":{"Effect":"Allow","Principal":{"AWS":12},"Action":"*"}})",
     "statement 1's Principal.AWS is neither a string nor a list of strings"},
    {"no_action", R"({"Statement":{"Effect":"Allow","Principal":"*"}})",
     "statement 1 has neither Action nor NotAction"},
    {"action_and_not_action",
     R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"*","NotAction":"x"}})",
     "statement 1 has both Action and NotAction"},
    {"condition_a_list",
     R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":[]}})",
     "statement 1's Condition is not an object"},
    {"condition_value_an_object",
     R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"*",
       "Condition":{"StringEquals":{"k":{"a":1}}}}})",
     "statement 1's condition StringEquals on k has a value that is neither a string nor a list "
     "of strings"},
};

INSTANTIATE_TEST_SUITE_P(Rows, TrustPolicyParseErrors, testing::ValuesIn(kBadPolicies),
                         [](const testing::TestParamInfo<BadPolicyRow>& row) {
                           return row.param.name;
                         });

// A statement whose Condition holds `depth` nested objects: {"a":{"a":...{}...}}.
std::string nested_statement(std::size_t depth) {
  std::string nested;
  nested.reserve(depth * 6 + 2);
  for (std::size_t i = 0; i < depth; ++i) nested += R"({"a":)";
  nested += "{}";
  nested.append(depth, '}');
  return R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Condition":)" + nested +
         "}]}";
}

void expect_refused(const TrustPolicyParse& parsed, std::string_view start) {
  EXPECT_TRUE(parsed.error.starts_with(start)) << parsed.error.substr(0, 300);
  EXPECT_EQ(parsed.error.find('\n'), std::string::npos);
  EXPECT_TRUE(parsed.policy.statements.empty());
}

constexpr std::string_view kTooDeep =
    "the trust policy nests objects and lists more than 32 levels deep; a trust policy needs 8 at "
    "most (get-role output included), so doctor does not read it";

TEST(TrustPolicyParseLimits, RefusesAHundredThousandLevelsWithoutCrashing) {
  // About 600 KB: refused for its size before anything recursive sees it.
  const std::string text = nested_statement(100'000);
  const TrustPolicyParse parsed = parse_trust_policy(text);
  expect_refused(parsed, "the trust policy is " + std::to_string(text.size()).insert(3, ",") +
                             " bytes; IAM allows at most 2,048 characters (4,096 with a quota "
                             "raise), so this is not one role's trust policy, and doctor reads at "
                             "most 65,536 bytes");
}

TEST(TrustPolicyParseLimits, RefusesAMebibyte) {
  // Valid JSON, 1 MiB of it in a Sid, and the same size in whitespace around a valid document.
  const std::string head = R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Sid":")";
  const std::string tail = R"("}})";
  std::string text = head + std::string((1U << 20U) - head.size() - tail.size(), 'x') + tail;
  expect_refused(parse_trust_policy(text), "the trust policy is 1,048,576 bytes; IAM allows");
  std::string padded = kDocument;
  padded.append((1U << 20U) - padded.size(), ' ');
  expect_refused(parse_trust_policy(padded), "the trust policy is 1,048,576 bytes; IAM allows");
}

TEST(TrustPolicyParseLimits, RefusesDeepNestingWithinTheSizeCap) {
  const std::string text = nested_statement(10'000);
  ASSERT_LT(text.size(), 65'536U);
  expect_refused(parse_trust_policy(text), kTooDeep);
  expect_refused(parse_trust_policy(std::string(60'000, '[')), kTooDeep);
}

TEST(TrustPolicyParseLimits, DepthThirtyTwoIsReadAndThirtyThreeIsNot) {
  // The document, the Statement list and the statement are three levels; the Condition holds
  // `depth` objects and the empty one inside them. At 32 the text is read, then judged on its
  // merits.
  const TrustPolicyParse deepest = parse_trust_policy(nested_statement(32 - 4));
  EXPECT_EQ(deepest.error,
            "statement 1's condition a on a has a value that is neither a string nor a list of "
            "strings");
  expect_refused(parse_trust_policy(nested_statement(32 - 3)), kTooDeep);
}

TEST(TrustPolicyParseLimits, BracketsInsideStringsDoNotCount) {
  const std::string brackets(200, '[');
  const auto parsed =
      parse_trust_policy(R"({"Statement":{"Sid":")" + brackets +
                         R"(\"{{{","Effect":"Allow","Principal":"*","Action":"*"}})");
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.policy.statements[0].sid, brackets + "\"{{{");
}

TEST(TrustPolicyParseLimits, AppliesTheCapsToUrlEncodedText) {
  // Encoded, the deep document fits the size cap three times over; decoded, it is still too deep.
  const std::string deep = nested_statement(3'000);
  ASSERT_LT(url_encode(deep).size(), 65'536U);
  expect_refused(parse_trust_policy(url_encode(deep)), kTooDeep);
  const json get_role = {{"Role", {{"AssumeRolePolicyDocument", url_encode(deep)}}}};
  expect_refused(parse_trust_policy(get_role.dump()), kTooDeep);
  // Too long encoded is refused before decoding.
  expect_refused(parse_trust_policy(url_encode(nested_statement(20'000))), "the trust policy is ");
}

}  // namespace
}  // namespace irsa::doctor
