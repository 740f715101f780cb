#include "irsa/doctor/report.hpp"

#include <gtest/gtest.h>

namespace irsa::doctor {
namespace {

SubjectReport sample() {
  SubjectReport report;
  report.subject = {"shop", "api"};
  report.role_arn = "arn:aws:iam::111122223333:role/shop-api";
  report.checks = {
      {"annotation", Status::pass, "eks.amazonaws.com/role-arn = ...", "", "", {"hidden detail"}},
      {"trust-policy",
       Status::fail,
       "sub names shop-dev",
       "{\n  \"Effect\": \"Allow\"\n}",
       "replace statement 1 with:",
       {"statement 1 does not apply"}},
      {"environment", Status::warn, "no region", "set AWS_REGION", "", {}},
      {"sts", Status::skip, "not asked", "", "", {}},
  };
  return report;
}

TEST(TextReport, OneLinePerCheckWithTheRemedyUnderWarningsAndFailures) {
  const std::string text = render_text(sample());
  EXPECT_NE(text.find("ServiceAccount shop/api (role arn:aws:iam::111122223333:role/shop-api)\n"),
            std::string::npos);
  EXPECT_NE(text.find("  ok   annotation    eks.amazonaws.com/role-arn = ...\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  FAIL trust-policy  sub names shop-dev\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  WARN environment   no region\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  skip sts           not asked\n"), std::string::npos) << text;
  // Remedies and details sit under the finding column, the remedy indented once more.
  EXPECT_NE(text.find("\n                     - statement 1 does not apply\n"
                      "                     fix: replace statement 1 with:\n"
                      "                       {\n"
                      "                         \"Effect\": \"Allow\"\n"
                      "                       }\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("fix:\n                       set AWS_REGION\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("hidden detail"), std::string::npos) << "details of a pass are not shown";
  EXPECT_TRUE(text.ends_with("1 check failed, 1 warning, 1 skipped\n")) << text;
}

TEST(JsonReport, FollowsTheContract) {
  const auto report = to_json(sample());
  EXPECT_EQ(report["subject"]["namespace"], "shop");
  EXPECT_EQ(report["subject"]["serviceAccount"], "api");
  ASSERT_EQ(report["checks"].size(), 4U);
  const auto& pass = report["checks"][0];
  EXPECT_EQ(pass["name"], "annotation");
  EXPECT_EQ(pass["status"], "pass");
  EXPECT_FALSE(pass.contains("remedy"));
  const auto& fail = report["checks"][1];
  EXPECT_EQ(fail["status"], "fail");
  EXPECT_EQ(fail["remedy"], "{\n  \"Effect\": \"Allow\"\n}");
  EXPECT_EQ(fail["remedyNote"], "replace statement 1 with:");
  EXPECT_EQ(fail["details"][0], "statement 1 does not apply");
  EXPECT_EQ(report["checks"][2]["remedy"], "set AWS_REGION");
  EXPECT_FALSE(report["checks"][3].contains("remedy"));
  // The subject comes first and each check starts with its name, for people reading it.
  EXPECT_EQ(report.begin().key(), "subject");
  EXPECT_EQ(fail.begin().key(), "name");
}

TEST(SummaryReport, OneLinePerAccountThenTheFailingOnesInFull) {
  SubjectReport healthy;
  healthy.subject = {"shop", "web"};
  healthy.role_arn = "arn:aws:iam::111122223333:role/web";
  healthy.checks = {{"annotation", Status::pass, "ok", "", "", {}}};
  const std::string text = render_summary_text({healthy, sample()});
  EXPECT_NE(text.find("shop/web         ok   arn:aws:iam::111122223333:role/web\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("shop/api         FAIL: trust-policy"), std::string::npos) << text;
  EXPECT_NE(text.find("2 accounts with a role, 1 failing\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nServiceAccount shop/api"), std::string::npos) << text;
  EXPECT_EQ(text.find("ServiceAccount shop/web"), std::string::npos) << text;
}

}  // namespace
}  // namespace irsa::doctor
