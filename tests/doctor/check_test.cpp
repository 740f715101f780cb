#include "irsa/doctor/check.hpp"

#include <gtest/gtest.h>

namespace irsa::doctor {
namespace {

TEST(CheckStatus, NamesAreTheJsonSpelling) {
  EXPECT_EQ(status_name(Status::pass), "pass");
  EXPECT_EQ(status_name(Status::warn), "warn");
  EXPECT_EQ(status_name(Status::fail), "fail");
  EXPECT_EQ(status_name(Status::skip), "skip");
}

TEST(SubjectReport, FailsWhenOneCheckFailsAndNotForWarnings) {
  SubjectReport report;
  report.checks.push_back({"annotation", Status::pass, "ok", "", {}, {}});
  report.checks.push_back({"trust-policy", Status::warn, "any subject", "fix", {}, {}});
  report.checks.push_back({"sts", Status::skip, "not asked", "", {}, {}});
  EXPECT_FALSE(report.failed());
  report.checks.push_back({"token", Status::fail, "403", "grant", {}, {}});
  EXPECT_TRUE(report.failed());
}

}  // namespace
}  // namespace irsa::doctor
