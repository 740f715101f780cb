#include "irsa/core/annotations.hpp"

#include <gtest/gtest.h>

namespace irsa::core {
namespace {

TEST(GoBool, AcceptsExactlyGoSpellings) {
  for (auto word : {"1", "t", "T", "TRUE", "true", "True"})
    EXPECT_EQ(parse_go_bool(word), true) << word;
  for (auto word : {"0", "f", "F", "FALSE", "false", "False"})
    EXPECT_EQ(parse_go_bool(word), false) << word;
  for (auto word : {"", "yes", "on", "tRUE", " true", "2"})
    EXPECT_EQ(parse_go_bool(word), std::nullopt) << word;
}

TEST(GoInt64, ParsesSignedDecimalWithinRange) {
  EXPECT_EQ(parse_go_int64("3600"), 3600);
  EXPECT_EQ(parse_go_int64("+42"), 42);
  EXPECT_EQ(parse_go_int64("-7"), -7);
  EXPECT_EQ(parse_go_int64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parse_go_int64("-9223372036854775808"), INT64_MIN);
  for (auto text : {"", "+", "-", "1e3", " 1", "1 ", "0x10", "9223372036854775808", "12a"}) {
    EXPECT_EQ(parse_go_int64(text), std::nullopt) << text;
  }
}

TEST(SkipList, SplitsCsvAndTrimsUnquotedFields) {
  using List = std::vector<std::string>;
  EXPECT_EQ(parse_skip_list("sidecar"), List{"sidecar"});
  EXPECT_EQ(parse_skip_list("init, sidecar"), (List{"init", "sidecar"}));
  EXPECT_EQ(parse_skip_list(R"("a,b",c)"), (List{"a,b", "c"}));
  EXPECT_EQ(parse_skip_list(R"("say ""hi""")"), List{R"(say "hi")"});
  EXPECT_EQ(parse_skip_list("first\nsecond"), List{"first"});
}

TEST(SkipList, RejectsWhatGoCsvRejects) {
  EXPECT_EQ(parse_skip_list(""), std::nullopt);
  EXPECT_EQ(parse_skip_list(R"(ab"c)"), std::nullopt);
  EXPECT_EQ(parse_skip_list(R"("open)"), std::nullopt);
  EXPECT_EQ(parse_skip_list(R"("a"b)"), std::nullopt);
}

TEST(RoleArn, MatchesIamRoleArnsOnly) {
  EXPECT_TRUE(is_iam_role_arn("arn:aws:iam::111122223333:role/s3-reader"));
  EXPECT_TRUE(is_iam_role_arn("arn:aws-cn:iam::111122223333:role/path/to/Role_1+=,.@-"));
  EXPECT_TRUE(is_iam_role_arn("arn:aws-us-gov:iam::111122223333:role/x"));
  EXPECT_FALSE(is_iam_role_arn("arn:aws:iam::11112222333:role/short-account"));
  EXPECT_FALSE(is_iam_role_arn("arn:aws:iam::111122223333:user/not-a-role"));
  EXPECT_FALSE(is_iam_role_arn("arn:aws:iam::111122223333:role/"));
  EXPECT_FALSE(is_iam_role_arn("s3-reader"));
  EXPECT_FALSE(is_iam_role_arn("arn:aws:iam::111122223333:role/has space"));
}

TEST(CleanPath, BehavesLikeGoPathClean) {
  EXPECT_EQ(clean_path("/var/run//secrets/"), "/var/run/secrets");
  EXPECT_EQ(clean_path("/a/./b/../c"), "/a/c");
  EXPECT_EQ(clean_path("/../x"), "/x");
  EXPECT_EQ(clean_path("a/../../b"), "../b");
  EXPECT_EQ(clean_path(""), ".");
  EXPECT_EQ(clean_path("/"), "/");
}

TEST(Partition, FollowsRegionPrefix) {
  EXPECT_EQ(partition_for_region("us-west-2"), "aws");
  EXPECT_EQ(partition_for_region("cn-north-1"), "aws-cn");
  EXPECT_EQ(partition_for_region("us-gov-west-1"), "aws-us-gov");
  EXPECT_EQ(partition_for_region("us-iso-east-1"), "aws-iso");
  EXPECT_EQ(partition_for_region("us-isob-east-1"), "aws-iso-b");
  EXPECT_EQ(partition_for_region("us-isof-south-1"), "aws-iso-f");
  EXPECT_EQ(partition_for_region("eu-isoe-west-1"), "aws-iso-e");
  EXPECT_EQ(partition_for_region("eusc-de-east-1"), "aws-eusc");
}

TEST(ClipForWarning, KeepsShortTextAndMarksCuts) {
  EXPECT_EQ(clip_for_warning("short", 10), "short");
  EXPECT_EQ(clip_for_warning("0123456789abc", 10), "0123456...");
}

TEST(ClipForWarning, NeverSplitsAUtf8Character) {
  // "é" is two bytes; a cut at byte 7 would fall inside the fourth one.
  EXPECT_EQ(clip_for_warning("éééééééé", 10), "ééé...");
  EXPECT_EQ(clip_for_warning("aéééééé", 10), "aééé...");
}

}  // namespace
}  // namespace irsa::core
