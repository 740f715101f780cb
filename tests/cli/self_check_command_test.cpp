// `irsa-webhook self-check`: what it accepts and what it reports, through the function with a
// supplied environment and clock, and through the real binary with a real environment.
#include "irsa/cli/self_check_command.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::cli {
namespace {

using testing::ScratchDir;

constexpr const char* kRole = "arn:aws:iam::111122223333:role/checker";
constexpr std::int64_t kNow = 1'800'000'000;

// base64url without padding, as JWT segments are written.
std::string base64url(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(v >> shift) & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string jwt(const nlohmann::json& claims) {
  return base64url(R"({"alg":"RS256","kid":"k"})") + "." + base64url(claims.dump()) + "." +
         base64url("signature bytes");
}

nlohmann::json good_claims() {
  return {{"aud", {"sts.amazonaws.com"}},
          {"exp", kNow + 3600},
          {"sub", "system:serviceaccount:apps:checker"}};
}

class SelfCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    environment_["AWS_ROLE_ARN"] = kRole;
    environment_["AWS_WEB_IDENTITY_TOKEN_FILE"] = dir_.write("token", jwt(good_claims()) + "\n");
  }

  int run(const SelfCheckOptions& options = {}) {
    out_.str({});
    err_.str({});
    const SelfCheckInputs inputs{[this](const std::string& name) -> std::optional<std::string> {
                                   const auto found = environment_.find(name);
                                   if (found == environment_.end()) return std::nullopt;
                                   return found->second;
                                 },
                                 kNow};
    return run_self_check(options, inputs, out_, err_);
  }

  ScratchDir dir_{"irsa-self-check"};
  std::map<std::string, std::string> environment_;
  std::ostringstream out_, err_;
};

TEST_F(SelfCheck, AMutatedPodPasses) {
  environment_["AWS_REGION"] = "eu-west-1";
  SelfCheckOptions options;
  options.role_arn = kRole;
  EXPECT_EQ(run(options), 0) << err_.str();
  EXPECT_EQ(err_.str(), "");
  EXPECT_NE(out_.str().find(std::string("ok: AWS_ROLE_ARN=") + kRole), std::string::npos);
  EXPECT_NE(out_.str().find("audience includes sts.amazonaws.com"), std::string::npos);
  EXPECT_NE(out_.str().find("valid for another 3600 s"), std::string::npos);
  EXPECT_NE(out_.str().find("subject system:serviceaccount:apps:checker"), std::string::npos);
  EXPECT_NE(out_.str().find("AWS_REGION=eu-west-1"), std::string::npos);
}

TEST_F(SelfCheck, AnAudienceGivenAsAStringCounts) {
  auto claims = good_claims();
  claims["aud"] = "sts.amazonaws.com";
  dir_.write("token", jwt(claims));
  EXPECT_EQ(run(), 0) << err_.str();
}

TEST_F(SelfCheck, AnUnmutatedPodFailsAndSaysWhereToLook) {
  environment_.clear();
  EXPECT_EQ(run(), 1);
  EXPECT_NE(err_.str().find("AWS_ROLE_ARN is not set"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("objectSelector"), std::string::npos);
  EXPECT_NE(err_.str().find("AWS_WEB_IDENTITY_TOKEN_FILE is not set"), std::string::npos);
}

TEST_F(SelfCheck, AnotherRoleFails) {
  SelfCheckOptions options;
  options.role_arn = "arn:aws:iam::111122223333:role/other";
  EXPECT_EQ(run(options), 1);
  EXPECT_NE(err_.str().find(std::string("AWS_ROLE_ARN is ") + kRole +
                            ", expected arn:aws:iam::111122223333:role/other"),
            std::string::npos)
      << err_.str();
}

TEST_F(SelfCheck, AWrongAudienceFails) {
  auto claims = good_claims();
  claims["aud"] = {"https://kubernetes.default.svc"};
  dir_.write("token", jwt(claims));
  EXPECT_EQ(run(), 1);
  EXPECT_NE(err_.str().find("does not include sts.amazonaws.com"), std::string::npos) << err_.str();
  SelfCheckOptions options;
  options.token_audience = "https://kubernetes.default.svc";
  EXPECT_EQ(run(options), 0) << err_.str();
}

TEST_F(SelfCheck, AnExpiredTokenFails) {
  auto claims = good_claims();
  claims["exp"] = kNow - 5;
  dir_.write("token", jwt(claims));
  EXPECT_EQ(run(), 1);
  EXPECT_NE(err_.str().find("expired 5 s ago"), std::string::npos) << err_.str();
}

TEST_F(SelfCheck, MissingEmptyAndMalformedTokenFilesFailWithTheirReason) {
  environment_["AWS_WEB_IDENTITY_TOKEN_FILE"] = dir_.path("absent");
  EXPECT_EQ(run(), 1);
  EXPECT_NE(err_.str().find("cannot read the token file"), std::string::npos) << err_.str();

  environment_["AWS_WEB_IDENTITY_TOKEN_FILE"] = dir_.write("empty", "");
  EXPECT_EQ(run(), 1);
  EXPECT_NE(err_.str().find("is empty"), std::string::npos) << err_.str();

  environment_["AWS_WEB_IDENTITY_TOKEN_FILE"] = dir_.write("opaque", "not-a-jwt");
  EXPECT_EQ(run(), 1);
  EXPECT_NE(err_.str().find("does not hold a JWT"), std::string::npos) << err_.str();

  environment_["AWS_WEB_IDENTITY_TOKEN_FILE"] =
      dir_.write("array", base64url("{}") + "." + base64url("[1,2]") + ".sig");
  EXPECT_EQ(run(), 1);
  EXPECT_NE(err_.str().find("not a JSON object"), std::string::npos) << err_.str();
}

TEST(SelfCheckCommand, TheBinaryReadsItsOwnEnvironment) {
  const ScratchDir dir{"irsa-self-check-binary"};
  const std::string token = dir.write("token", jwt({{"aud", "sts.amazonaws.com"}}));
  const auto passed = testing::run_process(
      "/usr/bin/env",
      {"-i", std::string("AWS_ROLE_ARN=") + kRole, "AWS_WEB_IDENTITY_TOKEN_FILE=" + token,
       IRSA_WEBHOOK_BINARY, "self-check", std::string("--role-arn=") + kRole});
  EXPECT_EQ(passed.exit_code, 0) << passed.err;
  EXPECT_NE(passed.out.find("ok: AWS_WEB_IDENTITY_TOKEN_FILE=" + token), std::string::npos)
      << passed.out;

  const auto failed =
      testing::run_process("/usr/bin/env", {"-i", IRSA_WEBHOOK_BINARY, "self-check"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("AWS_ROLE_ARN is not set"), std::string::npos) << failed.err;

  const auto bad_flag = testing::run_process(IRSA_WEBHOOK_BINARY, {"self-check", "--role"});
  EXPECT_EQ(bad_flag.exit_code, 2) << bad_flag.err;
}

}  // namespace
}  // namespace irsa::cli
