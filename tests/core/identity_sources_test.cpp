#include "irsa/core/identity_sources.hpp"

#include <gtest/gtest.h>

namespace irsa::core {
namespace {

TEST(ServiceAccountEntry, FallsBackToFlagsWithoutAnnotations) {
  Settings settings;
  settings.sts_regional_endpoint = true;
  settings.token_expiration = 7200;
  auto entry = entry_from_service_account({}, settings);
  EXPECT_EQ(entry.role_arn, "");
  EXPECT_EQ(entry.audience, "sts.amazonaws.com");
  EXPECT_TRUE(entry.use_regional_sts);
  EXPECT_EQ(entry.token_expiration, 7200);
  EXPECT_TRUE(entry.problems.empty());
}

TEST(ServiceAccountEntry, ReadsEveryAnnotationUnderThePrefix) {
  Settings settings;
  settings.annotation_prefix = "example.com";
  Annotations annotations{{"example.com/role-arn", "arn:aws:iam::111122223333:role/reader"},
                          {"example.com/audience", "custom"},
                          {"example.com/sts-regional-endpoints", "true"},
                          {"example.com/token-expiration", "100"},
                          {"eks.amazonaws.com/role-arn", "arn:aws:iam::999999999999:role/ignored"}};
  auto entry = entry_from_service_account(annotations, settings);
  EXPECT_EQ(entry.role_arn, "arn:aws:iam::111122223333:role/reader");
  EXPECT_EQ(entry.audience, "custom");
  EXPECT_TRUE(entry.use_regional_sts);
  EXPECT_EQ(entry.token_expiration, 600) << "raised to the API server minimum";
}

TEST(ServiceAccountEntry, ReportsUnparsableValuesAndKeepsTheFallback) {
  Settings settings;
  Annotations annotations{{"eks.amazonaws.com/role-arn", "not-an-arn"},
                          {"eks.amazonaws.com/sts-regional-endpoints", "yes"},
                          {"eks.amazonaws.com/token-expiration", "1h"}};
  auto entry = entry_from_service_account(annotations, settings);
  EXPECT_EQ(entry.role_arn, "not-an-arn") << "used anyway, as upstream does";
  EXPECT_FALSE(entry.use_regional_sts);
  EXPECT_EQ(entry.token_expiration, 86400);
  ASSERT_EQ(entry.problems.size(), 3u);
  EXPECT_NE(entry.problems[0].find("not an IAM role ARN"), std::string::npos);
  EXPECT_NE(entry.problems[1].find("using false"), std::string::npos);
  EXPECT_NE(entry.problems[2].find("using 86400"), std::string::npos);
}

TEST(ServiceAccountEntry, ComposesBareRoleNames) {
  Settings settings;
  settings.compose_role_arn = {true, "111122223333", "aws-cn"};
  auto entry =
      entry_from_service_account({{"eks.amazonaws.com/role-arn", "team/reader"}}, settings);
  EXPECT_EQ(entry.role_arn, "arn:aws-cn:iam::111122223333:role/team/reader");
  EXPECT_TRUE(entry.problems.empty());
  auto full = entry_from_service_account(
      {{"eks.amazonaws.com/role-arn", "arn:aws:iam::222233334444:role/x"}}, settings);
  EXPECT_EQ(full.role_arn, "arn:aws:iam::222233334444:role/x") << "full ARNs are left alone";
}

TEST(ConfigMapConfig, ParsesEntriesWithGoFieldNames) {
  Settings settings;
  settings.token_expiration = 5000;
  auto parsed = parse_config_map_config(
      R"({"apps/reader":{"RoleARN":"arn:aws:iam::111122223333:role/r","Audience":"aud",
          "UseRegionalSTS":true,"TokenExpiration":0},
          "*/shared":{"rolearn":"arn:aws:iam::111122223333:role/s","tokenExpiration":60}})",
      settings);
  ASSERT_EQ(parsed.error, "");
  ASSERT_EQ(parsed.value.entries.size(), 2u);
  const auto& [first_key, first] = parsed.value.entries[0];
  const auto& [second_key, second] = parsed.value.entries[1];
  EXPECT_EQ(first_key, (NamespacedName{"*", "shared"}));
  EXPECT_EQ(first.role_arn, "arn:aws:iam::111122223333:role/s");
  EXPECT_EQ(first.audience, "sts.amazonaws.com") << "a missing Audience means the flag";
  EXPECT_EQ(first.token_expiration, 600);
  EXPECT_EQ(second_key, (NamespacedName{"apps", "reader"}));
  EXPECT_EQ(second.audience, "aud");
  EXPECT_TRUE(second.use_regional_sts);
  EXPECT_EQ(second.token_expiration, 5000) << "0 means the flag";
}

TEST(ConfigMapConfig, SkipsBadKeysInsteadOfCrashing) {
  auto parsed = parse_config_map_config(
      R"({"no-slash":{"RoleARN":"x"},"ns/":{},"ok/sa":{"RoleARN":5},"good/sa":{}})", Settings{});
  ASSERT_EQ(parsed.error, "");
  ASSERT_EQ(parsed.value.entries.size(), 1u);
  EXPECT_EQ(parsed.value.entries[0].first, (NamespacedName{"good", "sa"}));
  EXPECT_EQ(parsed.value.problems.size(), 3u);
}

TEST(ConfigMapConfig, RejectsTextThatIsNotAnObject) {
  EXPECT_NE(parse_config_map_config("{", Settings{}).error, "");
  EXPECT_NE(parse_config_map_config("[1]", Settings{}).error, "");
}

TEST(ContainerCredentialsConfig, ReadsIdentities) {
  auto parsed = parse_container_credentials_config(
      R"({"identities":[{"namespace":"a","serviceAccount":"b"},{"namespace":"a","serviceAccount":"b"},
          {"namespace":"c","serviceAccount":"d","extra":1}]})");
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.identities.size(), 2u);
  EXPECT_TRUE(parsed.identities.contains(NamespacedName{"c", "d"}));
}

TEST(ContainerCredentialsConfig, EmptyTextIsAnEmptyListAndBadTextAnError) {
  EXPECT_EQ(parse_container_credentials_config("  \n").error, "");
  EXPECT_TRUE(parse_container_credentials_config("").identities.empty());
  EXPECT_NE(parse_container_credentials_config("{\"identities\":").error, "");
  EXPECT_NE(parse_container_credentials_config(R"({"identities":[{"namespace":1}]})").error, "");
  EXPECT_NE(parse_container_credentials_config(R"({"identities":{}})").error, "");
}

TEST(StaticIdentities, FindsWhatWasAdded) {
  StaticIdentities identities;
  IdentityEntry entry;
  entry.role_arn = "arn:aws:iam::111122223333:role/r";
  identities.add_service_account("ns", "sa", entry);
  identities.add_config_map_entry("*", "shared", entry);
  identities.add_container_credentials("ns", "pi");
  ASSERT_NE(identities.find_service_account("ns", "sa"), nullptr);
  EXPECT_EQ(identities.find_service_account("ns", "sa")->role_arn, entry.role_arn);
  EXPECT_EQ(identities.find_service_account("ns", "other"), nullptr);
  EXPECT_EQ(identities.find_service_account("n", "s/sa"), nullptr);
  EXPECT_NE(identities.find_config_map_entry("*", "shared"), nullptr);
  EXPECT_TRUE(identities.uses_container_credentials("ns", "pi"));
  EXPECT_FALSE(identities.uses_container_credentials("ns", "sa"));
  const std::string long_name(600, 'x');
  identities.add_service_account("ns", long_name, entry);
  EXPECT_NE(identities.find_service_account("ns", long_name), nullptr);
}

}  // namespace
}  // namespace irsa::core
