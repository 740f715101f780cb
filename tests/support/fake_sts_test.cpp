// The fake STS over real HTTPS: AssumeRoleWithWebIdentity's answers in STS's order of checks,
// the Query API's form checks, scripted failures, what it records (never the token), and the
// fake-sts program. Answers are also read with the project's own STS answer reader.
#include "support/fake_sts.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "irsa/aws/sts_answer.hpp"
#include "support/base64url.hpp"
#include "support/https_client.hpp"
#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"
#include "support/url_query.hpp"
#include "support/webhook_process.hpp"

namespace irsa::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kIssuer =
    "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B7";
constexpr const char* kRole = "arn:aws:iam::111122223333:role/team/shop-api";
constexpr const char* kSubject = "system:serviceaccount:shop:api";
constexpr const char* kFormType = "application/x-www-form-urlencoded; charset=utf-8";

struct StsFiles {
  StsFiles() : dir("fake-sts") {
    EXPECT_EQ(make_self_signed_pair(dir, "sts",
                                    {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                     "-addext", "subjectAltName=IP:127.0.0.1"}),
              "");
  }
  [[nodiscard]] FakeStsOptions options() const {
    return {dir.path("sts.crt"), dir.path("sts.key")};
  }
  ScratchDir dir;
};

// An unsigned-looking JWT with these claims (STS's fake reads, never verifies, the signature).
std::string token_with(const nlohmann::json& claims) {
  return base64url_encode(R"({"alg":"RS256","kid":"k1"})") + "." + base64url_encode(claims.dump()) +
         "." + base64url_encode("not-a-signature");
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

nlohmann::json good_claims() {
  return {{"iss", kIssuer},
          {"sub", kSubject},
          {"aud", {"sts.amazonaws.com"}},
          {"exp", now_seconds() + 3600},
          {"iat", now_seconds()}};
}

std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    out += (out.empty() ? "" : "&") + url_encode(name) + "=" + url_encode(value);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> call_fields(
    const std::string& token, const std::string& role = kRole,
    const std::string& session = "doctor") {
  return {{"Action", "AssumeRoleWithWebIdentity"},
          {"Version", "2011-06-15"},
          {"RoleArn", role},
          {"RoleSessionName", session},
          {"WebIdentityToken", token}};
}

class FakeStsTest : public ::testing::Test {
 protected:
  FakeStsTest() : sts(files.options()), client(sts.port(), files.dir.path("sts.crt")) {
    sts.add_provider(kIssuer, {"sts.amazonaws.com"});
    sts.add_role(kRole, {kSubject});
  }

  HttpResult post(const std::vector<std::pair<std::string, std::string>>& fields) {
    return client.request("POST", "/", form(fields), kFormType);
  }
  aws::StsAnswer call(const std::string& token, const std::string& role = kRole) {
    const auto result = post(call_fields(token, role));
    return aws::parse_sts_answer(static_cast<unsigned>(result.status), result.body);
  }

  StsFiles files;
  FakeSts sts;
  HttpClient client;
};

TEST_F(FakeStsTest, ATrustedSubjectGetsCredentialsForTheRole) {
  const auto result = post(call_fields(token_with(good_claims())));
  ASSERT_EQ(result.status, 200) << result.error;
  EXPECT_EQ(result.headers.at("content-type"), "text/xml");
  const auto answer = aws::parse_sts_answer(200, result.body);
  EXPECT_TRUE(answer.succeeded()) << answer.error_code;
  EXPECT_EQ(answer.assumed_role_arn, "arn:aws:sts::111122223333:assumed-role/shop-api/doctor");
  EXPECT_EQ(answer.subject, kSubject);
  EXPECT_EQ(answer.audience, "sts.amazonaws.com");
  EXPECT_EQ(answer.provider,
            "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/"
            "EXAMPLED539D4633E53DE1B7");
  EXPECT_EQ(answer.request_id, result.headers.at("x-amzn-requestid"));
  EXPECT_EQ(answer.request_id.size(), 36u);
  // An hour from now, in RFC 3339 UTC.
  EXPECT_EQ(answer.expiration.size(), 20u);
  EXPECT_EQ(answer.expiration.back(), 'Z');

  const auto body = result.body;
  EXPECT_NE(body.find("<AssumedRoleId>AROA"), std::string::npos);
  EXPECT_NE(body.find(":doctor</AssumedRoleId>"), std::string::npos);
  const auto ids = sts.issued_access_key_ids();
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0].rfind("ASIA", 0), 0u);
  EXPECT_NE(body.find("<AccessKeyId>" + ids[0] + "</AccessKeyId>"), std::string::npos);
  const auto secrets = sts.issued_secrets();
  ASSERT_EQ(secrets.size(), 2u);
  EXPECT_TRUE(body.find("<SecretAccessKey>" + secrets[0] + "</SecretAccessKey>") !=
              std::string::npos);
  EXPECT_TRUE(body.find("<SessionToken>" + secrets[1] + "</SessionToken>") != std::string::npos);
}

TEST_F(FakeStsTest, EveryCallGetsCredentialsOfItsOwn) {
  ASSERT_TRUE(call(token_with(good_claims())).succeeded());
  ASSERT_TRUE(call(token_with(good_claims())).succeeded());
  const auto secrets = sts.issued_secrets();
  ASSERT_EQ(secrets.size(), 4u);
  EXPECT_NE(secrets[0], secrets[2]);
  EXPECT_NE(secrets[1], secrets[3]);
}

TEST_F(FakeStsTest, AGetWithTheFieldsInTheQueryWorksToo) {
  const auto result = client.get("/?" + form(call_fields(token_with(good_claims()))));
  ASSERT_EQ(result.status, 200) << result.error;
  EXPECT_TRUE(aws::parse_sts_answer(200, result.body).succeeded());
  EXPECT_EQ(sts.requests().back().method, "GET");
}

TEST_F(FakeStsTest, RecordsTheRequestWithoutTheToken) {
  const std::string token = token_with(good_claims());
  ASSERT_TRUE(call(token).succeeded());
  const auto seen = sts.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].content_type, kFormType);
  EXPECT_EQ(seen[0].field("Action"), "AssumeRoleWithWebIdentity");
  EXPECT_EQ(seen[0].field("Version"), "2011-06-15");
  EXPECT_EQ(seen[0].field("RoleArn"), kRole);
  EXPECT_EQ(seen[0].field("RoleSessionName"), "doctor");
  EXPECT_EQ(seen[0].field("WebIdentityToken"), FakeSts::kRedactedToken);
  EXPECT_EQ(seen[0].token_subject, kSubject);
  EXPECT_EQ(seen[0].token_audience, "sts.amazonaws.com");
  for (const auto& [name, value] : seen[0].fields) {
    EXPECT_EQ(value.find(token), std::string::npos) << name;
  }
}

// --- The Query API's form checks -------------------------------------------------------------

TEST_F(FakeStsTest, TheActionAndVersionMustBeKnown) {
  auto missing = call_fields(token_with(good_claims()));
  missing.erase(missing.begin());
  auto answer = aws::parse_sts_answer(400, post(missing).body);
  EXPECT_EQ(answer.error_code, "MissingAction");

  auto other = call_fields(token_with(good_claims()));
  other[0].second = "AssumeRole";
  const auto other_result = post(other);
  EXPECT_EQ(other_result.status, 400);
  answer = aws::parse_sts_answer(400, other_result.body);
  EXPECT_EQ(answer.error_code, "InvalidAction");
  EXPECT_EQ(answer.error_message, "Could not find operation AssumeRole for version 2011-06-15");

  auto version = call_fields(token_with(good_claims()));
  version.erase(version.begin() + 1);
  answer = aws::parse_sts_answer(400, post(version).body);
  EXPECT_EQ(answer.error_code, "InvalidAction");
  EXPECT_NE(answer.error_message.find("NO_VERSION_SPECIFIED"), std::string::npos);
}

TEST_F(FakeStsTest, MissingOrMalformedParametersAreValidationErrors) {
  struct Row {
    std::string field, value;  // value "<absent>": the field is left out
    std::string names;
  };
  const std::vector<Row> rows = {
      {"RoleSessionName", "<absent>", "Value null at 'roleSessionName'"},
      {"RoleSessionName", "x",
       "at 'roleSessionName' failed to satisfy constraint: Member must "
       "have length greater than or equal to 2"},
      {"RoleSessionName", std::string(65, 'a'), "length less than or equal to 64"},
      {"RoleSessionName", "has space", "regular expression pattern: [\\w+=,.@-]*"},
      {"RoleArn", "<absent>", "Value null at 'roleArn'"},
      {"RoleArn", "arn:aws:iam::1:r", "at 'roleArn' failed to satisfy constraint"},
      {"WebIdentityToken", "<absent>", "Value null at 'webIdentityToken'"},
      {"WebIdentityToken", "abc", "at 'webIdentityToken' failed to satisfy constraint"},
      {"DurationSeconds", "60", "at 'durationSeconds' failed to satisfy constraint"},
  };
  for (const auto& row : rows) {
    auto fields = call_fields(token_with(good_claims()));
    std::erase_if(fields, [&](const auto& f) { return f.first == row.field; });
    if (row.value != "<absent>") fields.emplace_back(row.field, row.value);
    const auto result = post(fields);
    EXPECT_EQ(result.status, 400) << row.field << "=" << row.value;
    const auto answer = aws::parse_sts_answer(400, result.body);
    EXPECT_EQ(answer.error_code, "ValidationError") << row.field << "=" << row.value;
    EXPECT_NE(answer.error_message.find("1 validation error detected: "), std::string::npos)
        << answer.error_message;
    EXPECT_NE(answer.error_message.find(row.names), std::string::npos) << answer.error_message;
  }
  // The token is never repeated back, even when it is the field at fault.
  auto fields = call_fields("abc");
  const auto body = post(fields).body;
  EXPECT_EQ(body.find("'abc'"), std::string::npos);
}

TEST_F(FakeStsTest, SeveralProblemsAreCountedInOneMessage) {
  const auto answer = aws::parse_sts_answer(
      400, post({{"Action", "AssumeRoleWithWebIdentity"}, {"Version", "2011-06-15"}}).body);
  EXPECT_EQ(answer.error_code, "ValidationError");
  EXPECT_EQ(answer.error_message.rfind("3 validation errors detected: ", 0), 0u)
      << answer.error_message;
}

TEST_F(FakeStsTest, ABodyThatIsNoFormIsNotRead) {
  const auto result =
      client.request("POST", "/", form(call_fields(token_with(good_claims()))), "application/json");
  EXPECT_EQ(aws::parse_sts_answer(400, result.body).error_code, "MissingAction");
}

// --- The token and the account, in STS's order ------------------------------------------------

TEST_F(FakeStsTest, ATokenThatIsNoJwtIsAnInvalidIdentityToken) {
  const auto answer = call("this-is-not-a-jwt");
  EXPECT_EQ(answer.status, 400u);
  EXPECT_EQ(answer.error_code, "InvalidIdentityToken");
  EXPECT_NE(answer.error_message.find("not a valid JWT"), std::string::npos);
}

TEST_F(FakeStsTest, AnIssuerWithoutAProviderIsNamed) {
  auto claims = good_claims();
  claims["iss"] = "https://kubernetes.default.svc.cluster.local";
  claims["exp"] = now_seconds() - 10;  // the provider is looked at first
  const auto answer = call(token_with(claims));
  EXPECT_EQ(answer.status, 400u);
  EXPECT_EQ(answer.error_code, "InvalidIdentityToken");
  EXPECT_EQ(answer.error_message,
            "No OpenIDConnect provider found in your account for "
            "https://kubernetes.default.svc.cluster.local");
}

TEST_F(FakeStsTest, AnAudienceTheProviderDoesNotTakeIsRefused) {
  auto claims = good_claims();
  claims["aud"] = "https://kubernetes.default.svc";
  claims["exp"] = now_seconds() - 10;  // the audience is looked at before the expiry
  const auto answer = call(token_with(claims));
  EXPECT_EQ(answer.error_code, "InvalidIdentityToken");
  EXPECT_EQ(answer.error_message, "Incorrect token audience");
  // One matching audience among several is enough.
  claims["aud"] = {"other", "sts.amazonaws.com"};
  claims["exp"] = now_seconds() + 600;
  EXPECT_TRUE(call(token_with(claims)).succeeded());
}

TEST_F(FakeStsTest, AnExpiredTokenIsRefusedBeforeTheRoleIsLookedAt) {
  auto claims = good_claims();
  claims["exp"] = now_seconds() - 60;
  const auto answer = call(token_with(claims), "arn:aws:iam::111122223333:role/no-such-role");
  EXPECT_EQ(answer.status, 400u);
  EXPECT_EQ(answer.error_code, "ExpiredTokenException");
  EXPECT_EQ(answer.error_message.rfind("Token expired: current date/time ", 0), 0u);
  EXPECT_NE(answer.error_message.find(" must be before the expiration date/time " +
                                      std::to_string(claims["exp"].get<std::int64_t>())),
            std::string::npos);
}

TEST_F(FakeStsTest, AnUnknownRoleOrAnUntrustedSubjectIsAccessDenied) {
  const auto unknown = call(token_with(good_claims()), "arn:aws:iam::111122223333:role/other");
  EXPECT_EQ(unknown.status, 403u);
  EXPECT_EQ(unknown.error_code, "AccessDenied");
  EXPECT_EQ(unknown.error_message, "Not authorized to perform sts:AssumeRoleWithWebIdentity");

  auto claims = good_claims();
  claims["sub"] = "system:serviceaccount:shop:worker";
  const auto untrusted = call(token_with(claims));
  EXPECT_EQ(untrusted.status, 403u);
  EXPECT_EQ(untrusted.error_code, "AccessDenied");
}

TEST_F(FakeStsTest, TrustCanUseWildcardsAndNameItsProvider) {
  sts.add_role("arn:aws:iam::111122223333:role/any", {"*"});
  sts.add_role("arn:aws:iam::111122223333:role/shop", {"system:serviceaccount:shop:*"});
  sts.add_provider("oidc.other.example/id/2/", {"sts.amazonaws.com"});
  sts.add_role("arn:aws:iam::111122223333:role/other-cluster", {"*"},
               "https://oidc.other.example/id/2");
  auto claims = good_claims();
  claims["sub"] = "system:serviceaccount:shop:worker";
  EXPECT_TRUE(call(token_with(claims), "arn:aws:iam::111122223333:role/any").succeeded());
  EXPECT_TRUE(call(token_with(claims), "arn:aws:iam::111122223333:role/shop").succeeded());
  claims["sub"] = "system:serviceaccount:web:api";
  EXPECT_EQ(call(token_with(claims), "arn:aws:iam::111122223333:role/shop").error_code,
            "AccessDenied");
  EXPECT_EQ(call(token_with(claims), "arn:aws:iam::111122223333:role/other-cluster").error_code,
            "AccessDenied");
  claims["iss"] = "https://oidc.other.example/id/2";
  EXPECT_TRUE(call(token_with(claims), "arn:aws:iam::111122223333:role/other-cluster").succeeded());
}

TEST_F(FakeStsTest, OtherPartitionsNameTheirArns) {
  sts.add_role("arn:aws-cn:iam::111122223333:role/cn-role", {"*"});
  const auto answer = call(token_with(good_claims()), "arn:aws-cn:iam::111122223333:role/cn-role");
  EXPECT_EQ(answer.assumed_role_arn, "arn:aws-cn:sts::111122223333:assumed-role/cn-role/doctor");
  EXPECT_EQ(answer.provider.rfind("arn:aws-cn:iam::111122223333:oidc-provider/", 0), 0u);
}

TEST_F(FakeStsTest, ADurationLongerThanTheRoleAllowsIsRefused) {
  auto fields = call_fields(token_with(good_claims()));
  fields.emplace_back("DurationSeconds", "7200");
  const auto answer = aws::parse_sts_answer(400, post(fields).body);
  EXPECT_EQ(answer.error_code, "ValidationError");
  EXPECT_NE(answer.error_message.find("MaxSessionDuration"), std::string::npos);
}

TEST(FakeSts, RejectsWhatIsNoRoleArn) {
  StsFiles files;
  FakeSts sts(files.options());
  EXPECT_THROW(sts.add_role("arn:aws:iam::111122223333:user/someone", {"*"}),
               std::invalid_argument);
  EXPECT_THROW(sts.add_role("shop-api", {"*"}), std::invalid_argument);
  EXPECT_THROW(sts.fail_next(1, "InternalFailure"), std::invalid_argument);
}

// --- Scripted failures --------------------------------------------------------------------------

TEST_F(FakeStsTest, ScriptedFailuresAnswerTheNextCallsThenStop) {
  sts.fail_next(2, "Throttling");
  for (int i = 0; i < 2; ++i) {
    const auto answer = call(token_with(good_claims()));
    EXPECT_EQ(answer.status, 400u);
    EXPECT_EQ(answer.error_code, "Throttling");
    EXPECT_EQ(answer.error_message, "Rate exceeded");
  }
  EXPECT_TRUE(call(token_with(good_claims())).succeeded());

  sts.fail_next(1, "IDPCommunicationError");
  auto answer = call(token_with(good_claims()));
  EXPECT_EQ(answer.status, 400u);
  EXPECT_EQ(answer.error_code, "IDPCommunicationError");
  EXPECT_EQ(answer.error_message.rfind("Couldn't retrieve verification key from your identity "
                                       "provider",
                                       0),
            0u);

  sts.fail_next(1, "IDPRejectedClaim");
  answer = call(token_with(good_claims()));
  EXPECT_EQ(answer.status, 403u);
  EXPECT_EQ(answer.error_code, "IDPRejectedClaim");
  EXPECT_TRUE(call(token_with(good_claims())).succeeded());
}

TEST_F(FakeStsTest, ErrorsHaveTheErrorResponseShape) {
  const auto result = post(call_fields("not-a-jwt"));
  const auto& body = result.body;
  EXPECT_EQ(body.rfind(R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">)", 0),
            0u);
  EXPECT_NE(body.find("<Type>Sender</Type>"), std::string::npos);
  EXPECT_NE(body.find("<RequestId>" + result.headers.at("x-amzn-requestid") + "</RequestId>"),
            std::string::npos);
}

// --- The program ------------------------------------------------------------------------------

TEST(FakeStsProgram, ServesWhatItsFlagsConfigureUntilSignalled) {
  StsFiles files;
  WebhookProcess program(IRSA_FAKE_STS_BINARY,
                         {"--cert", files.dir.path("sts.crt"), "--key", files.dir.path("sts.key"),
                          "--provider", std::string(kIssuer) + "=sts.amazonaws.com,other", "--role",
                          std::string(kRole) + "=" + kSubject, "--fail-next", "Throttling"},
                         files.dir.path("sts.log"));
  const std::string prefix = "listening on https://127.0.0.1:";
  ASSERT_TRUE(eventually([&] { return program.log().find(prefix) != std::string::npos; }))
      << program.log();
  const auto log = program.log();
  const auto port =
      static_cast<unsigned short>(std::stoi(log.substr(log.find(prefix) + prefix.size())));
  HttpClient client(port, files.dir.path("sts.crt"));
  const auto body = form(call_fields(token_with(good_claims())));
  auto answer = aws::parse_sts_answer(400, client.request("POST", "/", body, kFormType).body);
  EXPECT_EQ(answer.error_code, "Throttling");
  const auto second = client.request("POST", "/", body, kFormType);
  answer = aws::parse_sts_answer(static_cast<unsigned>(second.status), second.body);
  EXPECT_TRUE(answer.succeeded()) << answer.error_code;
  EXPECT_EQ(answer.assumed_role_arn, "arn:aws:sts::111122223333:assumed-role/shop-api/doctor");
  program.signal(SIGTERM);
  EXPECT_EQ(program.wait_exit(10s), 0);
}

TEST(FakeStsProgram, RejectsBadFlags) {
  const auto missing = run_process(IRSA_FAKE_STS_BINARY, {"--port", "1"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--cert and --key are required"), std::string::npos);
  EXPECT_EQ(run_process(IRSA_FAKE_STS_BINARY, {"--role", "no-equals"}).exit_code, 2);
  EXPECT_EQ(run_process(IRSA_FAKE_STS_BINARY, {"--what", "1"}).exit_code, 2);
  StsFiles files;
  const auto bad_code =
      run_process(IRSA_FAKE_STS_BINARY, {"--cert", files.dir.path("sts.crt"), "--key",
                                         files.dir.path("sts.key"), "--fail-next", "Nope"});
  EXPECT_EQ(bad_code.exit_code, 2);
  EXPECT_NE(bad_code.err.find("cannot script failure Nope"), std::string::npos);
  const auto help = run_process(IRSA_FAKE_STS_BINARY, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--provider"), std::string::npos);
}

}  // namespace
}  // namespace irsa::testing
