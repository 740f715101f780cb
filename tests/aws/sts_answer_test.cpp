#include "irsa/aws/sts_answer.hpp"

#include <gtest/gtest.h>

#include "irsa/aws/sts_client.hpp"

namespace irsa::aws {
namespace {

constexpr const char* kSuccess = R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:shop:api</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::111122223333:assumed-role/shop-api/doctor</Arn>
      <AssumedRoleId>AROAEXAMPLE:doctor</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>not-a-real-session-token</SessionToken>
      <SecretAccessKey>not-a-real-secret</SecretAccessKey>
      <Expiration>2026-12-04T19:00:00Z</Expiration>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::111122223333:oidc-provider/oidc.example/id/1</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>)";

TEST(StsAnswer, ASuccessKeepsTheSessionArnAndExpiryAndNoCredential) {
  const StsAnswer answer = parse_sts_answer(200, kSuccess);
  EXPECT_TRUE(answer.succeeded());
  EXPECT_EQ(answer.assumed_role_arn, "arn:aws:sts::111122223333:assumed-role/shop-api/doctor");
  EXPECT_EQ(answer.expiration, "2026-12-04T19:00:00Z");
  EXPECT_EQ(answer.subject, "system:serviceaccount:shop:api");
  EXPECT_EQ(answer.audience, "sts.amazonaws.com");
  EXPECT_EQ(answer.request_id, "req-1");
  EXPECT_TRUE(answer.error_code.empty());
}

struct ErrorRow {
  unsigned status;
  const char* code;
  const char* message;
};

class StsErrorAnswer : public ::testing::TestWithParam<ErrorRow> {};

TEST_P(StsErrorAnswer, KeepsCodeAndMessage) {
  const ErrorRow& row = GetParam();
  const std::string xml =
      std::string(R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>)"
                  "<Type>Sender</Type><Code>") +
      row.code + "</Code><Message>" + row.message +
      "</Message></Error><RequestId>r</RequestId></ErrorResponse>";
  const StsAnswer answer = parse_sts_answer(row.status, xml);
  EXPECT_FALSE(answer.succeeded());
  EXPECT_EQ(answer.status, row.status);
  EXPECT_EQ(answer.error_code, row.code);
  EXPECT_EQ(answer.error_message, row.message);
}

INSTANTIATE_TEST_SUITE_P(
    DocumentedErrors, StsErrorAnswer,
    ::testing::Values(
        ErrorRow{400, "InvalidIdentityToken",
                 "No OpenIDConnect provider found in your account for https://oidc.example/id/1"},
        ErrorRow{400, "InvalidIdentityToken", "Incorrect token audience"},
        ErrorRow{403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
        ErrorRow{400, "IDPCommunicationError", "Couldn't retrieve verification key"},
        ErrorRow{400, "ExpiredTokenException", "Token expired"},
        ErrorRow{400, "Throttling", "Rate exceeded"}));

TEST(StsAnswer, ABodyThatIsNotStsSaysSo) {
  const StsAnswer html = parse_sts_answer(502, "<html><body>Bad gateway</body></html>");
  EXPECT_FALSE(html.succeeded());
  EXPECT_EQ(html.error_code, "NotSts");
  EXPECT_NE(html.error_message.find("<html>"), std::string::npos);
  const StsAnswer junk = parse_sts_answer(200, "{\"not\":\"xml\"}");
  EXPECT_EQ(junk.error_code, "NotSts");
  EXPECT_NE(junk.error_message.find("not XML"), std::string::npos);
}

TEST(StsEndpoint, RegionalGlobalAndPartitionDefaults) {
  EXPECT_EQ(sts_endpoint("aws", ""), "https://sts.amazonaws.com");
  EXPECT_EQ(sts_endpoint("aws", "eu-west-1"), "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(sts_endpoint("aws-cn", ""), "https://sts.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(sts_endpoint("aws-cn", "cn-northwest-1"), "https://sts.cn-northwest-1.amazonaws.com.cn");
  EXPECT_EQ(sts_endpoint("aws-us-gov", ""), "https://sts.us-gov-west-1.amazonaws.com");
  EXPECT_EQ(sts_endpoint("aws-iso-b", ""), "https://sts.us-isob-east-1.sc2s.sgov.gov");
}

}  // namespace
}  // namespace irsa::aws
