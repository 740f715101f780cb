#include "irsa/core/arn.hpp"

#include "irsa/core/annotations.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace irsa::core {
namespace {

TEST(SplitArn, SplitsSixFieldsAndKeepsColonsInTheResource) {
  const auto arn = split_arn("arn:aws:logs:eu-west-1:111122223333:log-group:/app/web:*");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->partition, "aws");
  EXPECT_EQ(arn->service, "logs");
  EXPECT_EQ(arn->region, "eu-west-1");
  EXPECT_EQ(arn->account, "111122223333");
  EXPECT_EQ(arn->resource, "log-group:/app/web:*");
}

TEST(SplitArn, KeepsEmptyFieldsAndRejectsOtherShapes) {
  const auto arn = split_arn("arn:aws:iam::111122223333:role/a/b");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->region, "");
  EXPECT_EQ(arn->resource, "role/a/b");
  EXPECT_EQ(split_arn("arn:aws:iam::111122223333"), std::nullopt);
  EXPECT_EQ(split_arn("ARN:aws:iam::111122223333:role/x"), std::nullopt);
  EXPECT_EQ(split_arn("my-role"), std::nullopt);
  EXPECT_EQ(split_arn(""), std::nullopt);
}

TEST(AwsPartition, KnowsEveryPartitionAndNothingElse) {
  for (auto partition : {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e",
                         "aws-iso-f", "aws-eusc"}) {
    EXPECT_TRUE(is_aws_partition(partition)) << partition;
  }
  for (auto partition : {"", "AWS", "aws-cnn", "aws-iso-z", "azure"}) {
    EXPECT_FALSE(is_aws_partition(partition)) << partition;
  }
}

struct RoleArnRow {
  std::string name;
  std::string text;
  bool ok;
  std::string problem;  // exact, or empty when ok
  std::string kind;
  std::string path = "";
  std::string role_name = "";
  std::string corrected = "";
};

class RoleArnTable : public ::testing::TestWithParam<RoleArnRow> {};

TEST_P(RoleArnTable, JudgesTheValueAsIamDoes) {
  const RoleArnRow& row = GetParam();
  const RoleArnCheck check = check_role_arn(row.text);
  EXPECT_EQ(check.ok, row.ok);
  EXPECT_EQ(check.problem, row.problem);
  EXPECT_EQ(check.kind, row.kind);
  if (!row.path.empty()) {
    EXPECT_EQ(check.path, row.path);
  }
  if (!row.role_name.empty()) {
    EXPECT_EQ(check.name, row.role_name);
  }
  EXPECT_EQ(check.corrected, row.corrected);
}

const std::string k64(64, 'r');
const std::string k70(70, 'r');

const std::vector<RoleArnRow> kRoleArnRows = {
    {"plain_role", "arn:aws:iam::111122223333:role/s3-reader", true, "", "role", "/", "s3-reader"},
    {"role_with_path", "arn:aws:iam::111122223333:role/team/apps/s3-reader", true, "", "role",
     "/team/apps/", "s3-reader"},
    {"every_allowed_name_character", "arn:aws:iam::111122223333:role/Ab9+=,.@_-", true, "", "role",
     "/", "Ab9+=,.@_-"},
    {"china_partition", "arn:aws-cn:iam::111122223333:role/x", true, "", "role"},
    {"gov_partition", "arn:aws-us-gov:iam::111122223333:role/x", true, "", "role"},
    {"iso_f_partition", "arn:aws-iso-f:iam::111122223333:role/x", true, "", "role"},
    {"eusc_partition", "arn:aws-eusc:iam::111122223333:role/x", true, "", "role"},
    {"name_of_64_characters", "arn:aws:iam::111122223333:role/" + k64, true, "", "role"},
    {"path_with_punctuation", "arn:aws:iam::111122223333:role/a~b!/c/x", true, "", "role",
     "/a~b!/c/", "x"},
    {"empty", "", false, "the value is empty; a role ARN reads arn:aws:iam::ACCOUNT:role/NAME", ""},
    {"only_spaces", "   ", false,
     "the value is empty; a role ARN reads arn:aws:iam::ACCOUNT:role/NAME", ""},
    {"bare_role_name", "my-role", false,
     "\"my-role\" is a bare role name, not an ARN: use arn:aws:iam::ACCOUNT:role/my-role", ""},
    {"not_an_arn_at_all", "https://example.com/role", false,
     "\"https://example.com/role\" is not an ARN; a role ARN reads "
     "arn:aws:iam::ACCOUNT:role/NAME",
     ""},
    {"upper_case_arn_prefix", "ARN:aws:iam::111122223333:role/x", false,
     "ARNs start with lower-case \"arn:\", not \"ARN:\"", ""},
    {"too_few_fields", "arn:aws:iam:111122223333:role/x", false,
     "\"arn:aws:iam:111122223333:role/x\" does not have the six colon-separated fields of an ARN "
     "(arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)",
     ""},
    {"leading_whitespace", " arn:aws:iam::111122223333:role/x", false,
     "the value has surrounding whitespace", "role"},
    {"trailing_newline", "arn:aws:iam::111122223333:role/x\n", false,
     "the value has surrounding whitespace", "role"},
    {"whitespace_and_a_short_account", " arn:aws:iam::12345:role/x", false,
     "the value has surrounding whitespace, and the account \"12345\" is not 12 digits", "role"},
    {"misspelt_partition", "arn:aws-cnn:iam::111122223333:role/x", false,
     "partition \"aws-cnn\" is not an AWS partition (aws, aws-cn, aws-us-gov, aws-iso, "
     "aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc)",
     "role"},
    {"upper_case_partition", "arn:AWS:iam::111122223333:role/x", false,
     "partition \"AWS\" is not an AWS partition (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, "
     "aws-iso-e, aws-iso-f, aws-eusc)",
     "role"},
    {"other_service", "arn:aws:s3:::my-bucket", false,
     "the service is \"s3\", not \"iam\"; a role ARN reads arn:aws:iam::ACCOUNT:role/NAME",
     "my-bucket"},
    {"region_given", "arn:aws:iam:eu-west-1:111122223333:role/x", false,
     "the region \"eu-west-1\" must be empty: IAM is global (arn:aws:iam::ACCOUNT:role/NAME)",
     "role"},
    {"short_account", "arn:aws:iam::12345:role/x", false, "the account \"12345\" is not 12 digits",
     "role"},
    {"account_with_letters", "arn:aws:iam::11112222333a:role/x", false,
     "the account \"11112222333a\" is not 12 digits", "role"},
    {"account_with_dashes", "arn:aws:iam::1111-2222-3333:role/x", false,
     "the account \"1111-2222-3333\" is not 12 digits (write it without dashes: 111122223333)",
     "role"},
    {"user_arn", "arn:aws:iam::111122223333:user/alice", false,
     "this is an IAM user ARN, not a role", "user"},
    {"group_arn", "arn:aws:iam::111122223333:group/admins", false,
     "this is an IAM group ARN, not a role", "group"},
    {"policy_arn", "arn:aws:iam::111122223333:policy/read-s3", false,
     "this is an IAM policy ARN, not a role", "policy"},
    {"instance_profile_arn", "arn:aws:iam::111122223333:instance-profile/web", false,
     "this is an instance profile ARN, not a role: use the ARN of the role it holds, "
     "arn:aws:iam::111122223333:role/NAME",
     "instance-profile"},
    {"oidc_provider_arn",
     "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC", false,
     "this is an OIDC provider ARN (it belongs in the role's trust policy), not a role",
     "oidc-provider"},
    {"assumed_role_session", "arn:aws:sts::111122223333:assumed-role/s3-reader/botocore-session-1",
     false,
     "this is an assumed-role session ARN (from sts get-caller-identity), not the role: use "
     "arn:aws:iam::111122223333:role/s3-reader (with the role's path, if it has one)",
     "assumed-role", "/", "s3-reader", "arn:aws:iam::111122223333:role/s3-reader"},
    {"assumed_role_in_china", "arn:aws-cn:sts::111122223333:assumed-role/app/i-0abc", false,
     "this is an assumed-role session ARN (from sts get-caller-identity), not the role: use "
     "arn:aws-cn:iam::111122223333:role/app (with the role's path, if it has one)",
     "assumed-role", "/", "app", "arn:aws-cn:iam::111122223333:role/app"},
    {"role_without_slash", "arn:aws:iam::111122223333:role", false,
     "the role name is missing after \"role\" (role/NAME)", "role"},
    {"resource_without_role_prefix", "arn:aws:iam::111122223333:my-role", false,
     "the resource \"my-role\" is not role/NAME", "my-role"},
    {"empty_role_name", "arn:aws:iam::111122223333:role/team/", false,
     "the role name is empty (the ARN ends with '/')", "role", "/team/"},
    {"name_of_70_characters", "arn:aws:iam::111122223333:role/" + k70, false,
     "the role name is 70 characters; IAM allows at most 64", "role"},
    {"space_in_name", "arn:aws:iam::111122223333:role/my role", false,
     "the role name \"my role\" has a space, which IAM does not allow (letters, digits and "
     "+=,.@_- only)",
     "role"},
    {"colon_in_name", "arn:aws:iam::111122223333:role/team:x", false,
     "the role name \"team:x\" has ':', which IAM does not allow (letters, digits and +=,.@_- "
     "only)",
     "role"},
    {"tab_in_path", "arn:aws:iam::111122223333:role/a\tb/x", false,
     "the role path \"/a\tb/\" has byte 0x09; IAM paths hold printable ASCII only", "role"},
    {"empty_path", "arn:aws:iam::111122223333:role//x", false,
     "the role path is \"//\": there is nothing between its slashes", "role"},
    {"path_over_512_characters", "arn:aws:iam::111122223333:role/" + std::string(511, 'p') + "/x",
     false, "the role path is 513 characters; IAM allows at most 512", "role"},
};

INSTANTIATE_TEST_SUITE_P(Rows, RoleArnTable, ::testing::ValuesIn(kRoleArnRows),
                         [](const ::testing::TestParamInfo<RoleArnRow>& row) {
                           return row.param.name;
                         });

TEST(RoleArnCheck, ReportsTheFieldsOfAUsableArn) {
  const RoleArnCheck check = check_role_arn("arn:aws-us-gov:iam::444455556666:role/ops/deploy");
  EXPECT_TRUE(check.ok);
  EXPECT_EQ(check.problem, "");
  EXPECT_EQ(check.partition, "aws-us-gov");
  EXPECT_EQ(check.account, "444455556666");
  EXPECT_EQ(check.path, "/ops/");
  EXPECT_EQ(check.name, "deploy");
}

TEST(RoleArnCheck, AgreesWithTheAnnotationMatcherOnUsableArns) {
  // The webhook's fast matcher and the doctor's judge must not disagree about an ARN IAM accepts.
  for (auto text : {"arn:aws:iam::111122223333:role/s3-reader",
                    "arn:aws-cn:iam::111122223333:role/path/to/Role_1+=,.@-"}) {
    EXPECT_TRUE(is_iam_role_arn(text)) << text;
    EXPECT_TRUE(check_role_arn(text).ok) << text;
  }
}

}  // namespace
}  // namespace irsa::core
