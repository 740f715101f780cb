#include "irsa/core/annotation_hints.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace irsa::core {
namespace {

constexpr std::string_view kPrefix = "eks.amazonaws.com";
constexpr const char* kArn = "arn:aws:iam::111122223333:role/reader";

struct HintCase {
  const char* name;
  const char* key;
  const char* value;
  std::optional<HintKind> kind;  // nullopt: no hint expected
  const char* fix;               // the fix expected when a hint is
};

class NearMiss : public ::testing::TestWithParam<HintCase> {};

TEST_P(NearMiss, HintsExactlyTheMisspeltKeys) {
  const HintCase& row = GetParam();
  const auto hints = annotation_near_misses({{row.key, row.value}}, kPrefix);
  if (!row.kind) {
    EXPECT_TRUE(hints.empty()) << row.key << " gave: " << hints.front().problem;
    return;
  }
  ASSERT_EQ(hints.size(), 1u) << row.key;
  EXPECT_EQ(hints[0].key, row.key);
  EXPECT_EQ(hints[0].kind, *row.kind) << hints[0].problem;
  EXPECT_EQ(hints[0].fix, row.fix);
  EXPECT_FALSE(hints[0].shadowed);
  EXPECT_NE(hints[0].problem.find(std::string("\"") + row.key + "\""), std::string::npos)
      << "the problem quotes the key as written: " << hints[0].problem;
  EXPECT_EQ(hints[0].problem.find('\n'), std::string::npos) << "one line";
}

constexpr auto kRoleArnKey = "eks.amazonaws.com/role-arn";

INSTANTIATE_TEST_SUITE_P(
    Table, NearMiss,
    ::testing::Values(
        // Another prefix, the right suffix.
        HintCase{"AmazonCom", "eks.amazon.com/role-arn", kArn, HintKind::prefix, kRoleArnKey},
        HintCase{"BareAmazonaws", "amazonaws.com/role-arn", kArn, HintKind::prefix, kRoleArnKey},
        HintCase{"IamAmazonaws", "iam.amazonaws.com/role-arn", kArn, HintKind::prefix, kRoleArnKey},
        HintCase{"NoPrefix", "role-arn", kArn, HintKind::prefix, kRoleArnKey},
        HintCase{"AudienceElsewhere", "sts.amazonaws.com/audience", "sts", HintKind::prefix,
                 "eks.amazonaws.com/audience"},
        // Our prefix, the suffix spelt otherwise.
        HintCase{"Underscore", "eks.amazonaws.com/role_arn", kArn, HintKind::suffix, kRoleArnKey},
        HintCase{"CamelCase", "eks.amazonaws.com/roleArn", kArn, HintKind::suffix, kRoleArnKey},
        HintCase{"RunTogether", "eks.amazonaws.com/rolearn", kArn, HintKind::suffix, kRoleArnKey},
        HintCase{"IamRoleArn", "eks.amazonaws.com/iam-role-arn", kArn, HintKind::suffix,
                 kRoleArnKey},
        HintCase{"JustRole", "eks.amazonaws.com/role", kArn, HintKind::suffix, kRoleArnKey},
        HintCase{"RoleName", "eks.amazonaws.com/role-name", "reader", HintKind::suffix,
                 kRoleArnKey},
        HintCase{"Swapped", "eks.amazonaws.com/roel-arn", kArn, HintKind::suffix, kRoleArnKey},
        HintCase{"Plural", "eks.amazonaws.com/audiences", "sts", HintKind::suffix,
                 "eks.amazonaws.com/audience"},
        HintCase{"StsSingular", "eks.amazonaws.com/sts-regional-endpoint", "true", HintKind::suffix,
                 "eks.amazonaws.com/sts-regional-endpoints"},
        HintCase{"ExpirationSeconds", "eks.amazonaws.com/expirationSeconds", "3600",
                 HintKind::suffix, "eks.amazonaws.com/token-expiration"},
        HintCase{"SkipContainer", "eks.amazonaws.com/skip-container", "sidecar", HintKind::suffix,
                 "eks.amazonaws.com/skip-containers"},
        // Case: keys are case-sensitive.
        HintCase{"UpperArn", "eks.amazonaws.com/role-ARN", kArn, HintKind::key_case, kRoleArnKey},
        HintCase{"UpperPrefix", "EKS.amazonaws.com/role-arn", kArn, HintKind::key_case,
                 kRoleArnKey},
        // Typos that straddle the halves, or both halves wrong.
        HintCase{"MissingSlash", "eks.amazonaws.comrole-arn", kArn, HintKind::key, kRoleArnKey},
        HintCase{"PrefixTypo", "eks.amazonaws.co/role-arn", kArn, HintKind::prefix, kRoleArnKey},
        HintCase{"BothWrong", "iam.amazonaws.com/role_arn", kArn, HintKind::key, kRoleArnKey},
        HintCase{"Kube2iam", "iam.amazonaws.com/role", "reader", HintKind::key, kRoleArnKey},
        // The exact key with a pasted value.
        HintCase{"QuotedValue", kRoleArnKey, "\"arn:aws:iam::111122223333:role/reader\"",
                 HintKind::value,
                 "eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/reader"},
        HintCase{"TrailingNewline", kRoleArnKey, "arn:aws:iam::111122223333:role/reader\n",
                 HintKind::value,
                 "eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/reader"},
        HintCase{"SpacedAndQuoted", kRoleArnKey, " 'arn:aws:iam::111122223333:role/reader' ",
                 HintKind::value,
                 "eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/reader"},
        // Negatives: exact keys, and other tools' annotations.
        HintCase{"ExactRole", kRoleArnKey, kArn, std::nullopt, ""},
        HintCase{"ExactAudience", "eks.amazonaws.com/audience", "sts.amazonaws.com", std::nullopt,
                 ""},
        HintCase{"ExactExpiration", "eks.amazonaws.com/token-expiration", " 3600 ", std::nullopt,
                 ""},
        HintCase{"LastApplied", "kubectl.kubernetes.io/last-applied-configuration", "{}",
                 std::nullopt, ""},
        HintCase{"AppName", "app.kubernetes.io/name", "api", std::nullopt, ""},
        HintCase{"OtherToolsRole", "app.kubernetes.io/role", "frontend", std::nullopt, ""},
        HintCase{"FargateProfile", "eks.amazonaws.com/fargate-profile", "fp", std::nullopt, ""},
        HintCase{"ComputeType", "eks.amazonaws.com/compute-type", "fargate", std::nullopt, ""},
        HintCase{"LoadBalancer", "service.beta.kubernetes.io/aws-load-balancer-type", "nlb",
                 std::nullopt, ""},
        HintCase{"Karpenter", "karpenter.k8s.aws/instance-family", "m5", std::nullopt, ""},
        HintCase{"Nodegroup", "eks.amazonaws.com/nodegroup", "ng-1", std::nullopt, ""},
        HintCase{"UnrelatedBare", "description", "the api account", std::nullopt, ""}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(NearMissWording, NamesTheWrongPrefixAndTheRightOne) {
  const auto hints =
      annotation_near_misses({{"eks.amazon.com/role-arn", kArn}}, "eks.amazonaws.com");
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_EQ(hints[0].problem,
            "\"eks.amazon.com/role-arn\" uses the prefix eks.amazon.com; the webhook reads "
            "eks.amazonaws.com");
  EXPECT_EQ(hints[0].suffix, "role-arn");
}

TEST(NearMissWording, ValueHintSaysWhatSurroundsIt) {
  const auto hints = annotation_near_misses({{kRoleArnKey, " arn "}}, "eks.amazonaws.com");
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_EQ(hints[0].problem,
            "the value of \"eks.amazonaws.com/role-arn\" has surrounding whitespace; the webhook "
            "uses it as written");
}

TEST(NearMissPrefix, FollowsTheConfiguredPrefix) {
  // Under --annotation-prefix=example.com, the stock key is the near miss and ours is exact.
  const auto hints = annotation_near_misses(
      {{"eks.amazonaws.com/role-arn", kArn}, {"example.com/audience", "sts"}}, "example.com");
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_EQ(hints[0].key, "eks.amazonaws.com/role-arn");
  EXPECT_EQ(hints[0].fix, "example.com/role-arn");
  EXPECT_EQ(hints[0].kind, HintKind::prefix);
}

TEST(NearMissShadowing, MarksAMissWhoseIntendedKeyIsAlsoPresent) {
  const auto hints = annotation_near_misses(
      {{kRoleArnKey, kArn}, {"eks.amazon.com/role-arn", kArn}, {"eks.amazonaws.com/audiance", "a"}},
      "eks.amazonaws.com");
  ASSERT_EQ(hints.size(), 2u);
  // Key order: the map's.
  EXPECT_EQ(hints[0].key, "eks.amazon.com/role-arn");
  EXPECT_TRUE(hints[0].shadowed);
  EXPECT_EQ(hints[1].key, "eks.amazonaws.com/audiance");
  EXPECT_FALSE(hints[1].shadowed);
}

TEST(NearMissShadowing, NoAnnotationsNoHints) {
  EXPECT_TRUE(annotation_near_misses({}, "eks.amazonaws.com").empty());
}

TEST(TypoDistance, CountsEditsIgnoringCaseUpToTheLimit) {
  EXPECT_EQ(typo_distance("api", "api", 2), 0u);
  EXPECT_EQ(typo_distance("API", "api", 2), 0u);
  EXPECT_EQ(typo_distance("api", "apj", 2), 1u);
  EXPECT_EQ(typo_distance("api", "pai", 2), 1u) << "a swap of neighbours is one edit";
  EXPECT_EQ(typo_distance("api", "api-v2", 2), 3u) << "capped at limit + 1";
  EXPECT_EQ(typo_distance("reader", "writer", 2), 3u);
  EXPECT_EQ(typo_distance("web", "", 5), 3u);
}

}  // namespace
}  // namespace irsa::core
