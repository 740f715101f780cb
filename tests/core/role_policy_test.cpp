// The role policy's evaluation: globs, label selectors, which rule applies, and the checks of
// the rule that does, in their order.
#include "irsa/core/role_policy.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace irsa::core {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// ---------------------------------------------------------------------------------------------
// glob_matches

struct PolicyGlobRow {
  std::string name;
  std::string pattern;
  std::string text;
  bool matches;
};

class PolicyGlobTable : public ::testing::TestWithParam<PolicyGlobRow> {};

TEST_P(PolicyGlobTable, MatchesStarsAsAnyRunAndOtherCharactersAsThemselves) {
  const PolicyGlobRow& row = GetParam();
  EXPECT_EQ(glob_matches(row.pattern, row.text), row.matches)
      << "pattern \"" << row.pattern << "\" text \"" << row.text << "\"";
}

const std::vector<PolicyGlobRow> kPolicyGlobRows = {
    {"empty_pattern_matches_empty_text", "", "", true},
    {"empty_pattern_rejects_text", "", "a", false},
    {"star_matches_empty_text", "*", "", true},
    {"star_matches_anything", "*", "arn:aws:iam::1:role/x", true},
    {"stars_only_match_empty_text", "***", "", true},
    {"literal_exact", "shop", "shop", true},
    {"literal_is_not_prefix", "shop", "shop-web", false},
    {"literal_is_not_suffix", "shop-web", "shop", false},
    {"literal_is_case_sensitive", "shop", "Shop", false},
    {"trailing_star_matches_empty_run", "shop-*", "shop-", true},
    {"trailing_star_matches_run", "shop-*", "shop-web", true},
    {"trailing_star_needs_prefix", "shop-*", "shop", false},
    {"leading_star", "*-prod", "shop-prod", true},
    {"leading_star_needs_suffix", "*-prod", "shop-prod-2", false},
    {"middle_star", "a*z", "abcz", true},
    {"middle_star_empty_run", "a*z", "az", true},
    {"middle_star_needs_both_ends", "a*z", "abc", false},
    {"star_backtracks_past_a_false_start", "a*bc", "abxbc", true},
    {"star_backtracks_repeatedly", "*ab*ab*", "aaabaaab", true},
    {"two_stars_ordered_parts", "*x*y*", "yx", false},
    {"double_star_is_one_star", "a**b", "ab", true},
    {"question_mark_is_literal", "a?c", "abc", false},
    {"question_mark_matches_itself", "a?c", "a?c", true},
    {"dot_is_literal", "a.c", "abc", false},
    {"star_in_text_is_a_plain_character", "a", "*", false},
    {"arn_with_star", "arn:aws:iam::111122223333:role/shop-*",
     "arn:aws:iam::111122223333:role/shop-api", true},
    {"arn_star_does_not_skip_account", "arn:aws:iam::111122223333:role/*",
     "arn:aws:iam::999999999999:role/shop-api", false},
    {"pathological_pattern_still_answers", "a*a*a*a*a*a*a*a*a*a*a*a*b", std::string(200, 'a'),
     false},
};

INSTANTIATE_TEST_SUITE_P(Rows, PolicyGlobTable, ::testing::ValuesIn(kPolicyGlobRows),
                         [](const ::testing::TestParamInfo<PolicyGlobRow>& row) {
                           return row.param.name;
                         });

// ---------------------------------------------------------------------------------------------
// selector_matches

LabelRequirement policy_requirement(std::string key, LabelRequirement::Operator op,
                                    std::vector<std::string> values = {}) {
  return LabelRequirement{std::move(key), op, std::move(values)};
}

struct PolicySelectorRow {
  std::string name;
  LabelSelector selector;
  Labels labels;
  bool matches;
};

class PolicySelectorTable : public ::testing::TestWithParam<PolicySelectorRow> {};

TEST_P(PolicySelectorTable, FollowsKubernetesLabelSelectorSemantics) {
  const PolicySelectorRow& row = GetParam();
  EXPECT_EQ(selector_matches(row.selector, row.labels), row.matches);
}

using PolicyOp = LabelRequirement::Operator;

const std::vector<PolicySelectorRow> kPolicySelectorRows = {
    {"empty_selector_matches_no_labels", {}, {}, true},
    {"empty_selector_matches_any_labels", {}, {{"team", "shop"}}, true},
    {"match_labels_equal", {{{"team", "shop"}}, {}}, {{"team", "shop"}, {"x", "y"}}, true},
    {"match_labels_other_value", {{{"team", "shop"}}, {}}, {{"team", "pay"}}, false},
    {"match_labels_missing_key", {{{"team", "shop"}}, {}}, {{"x", "shop"}}, false},
    {"match_labels_all_must_hold",
     {{{"team", "shop"}, {"tier", "web"}}, {}},
     {{"team", "shop"}, {"tier", "db"}},
     false},
    {"match_labels_empty_value", {{{"team", ""}}, {}}, {{"team", ""}}, true},
    {"in_listed",
     {{}, {policy_requirement("tier", PolicyOp::in, {"web", "api"})}},
     {{"tier", "api"}},
     true},
    {"in_not_listed",
     {{}, {policy_requirement("tier", PolicyOp::in, {"web"})}},
     {{"tier", "db"}},
     false},
    {"in_key_absent", {{}, {policy_requirement("tier", PolicyOp::in, {"web"})}}, {}, false},
    {"not_in_listed",
     {{}, {policy_requirement("tier", PolicyOp::not_in, {"web"})}},
     {{"tier", "web"}},
     false},
    {"not_in_not_listed",
     {{}, {policy_requirement("tier", PolicyOp::not_in, {"web"})}},
     {{"tier", "db"}},
     true},
    {"not_in_key_absent", {{}, {policy_requirement("tier", PolicyOp::not_in, {"web"})}}, {}, true},
    {"exists_present", {{}, {policy_requirement("tier", PolicyOp::exists)}}, {{"tier", ""}}, true},
    {"exists_absent", {{}, {policy_requirement("tier", PolicyOp::exists)}}, {{"team", "x"}}, false},
    {"does_not_exist_absent",
     {{}, {policy_requirement("tier", PolicyOp::does_not_exist)}},
     {{"team", "x"}},
     true},
    {"does_not_exist_present",
     {{}, {policy_requirement("tier", PolicyOp::does_not_exist)}},
     {{"tier", "web"}},
     false},
    {"labels_and_expressions_both_hold",
     {{{"team", "shop"}}, {policy_requirement("tier", PolicyOp::in, {"web"})}},
     {{"team", "shop"}, {"tier", "web"}},
     true},
    {"labels_hold_expression_fails",
     {{{"team", "shop"}}, {policy_requirement("tier", PolicyOp::in, {"web"})}},
     {{"team", "shop"}, {"tier", "db"}},
     false},
    {"every_expression_must_hold",
     {{},
      {policy_requirement("tier", PolicyOp::exists),
       policy_requirement("legacy", PolicyOp::does_not_exist)}},
     {{"tier", "web"}, {"legacy", "true"}},
     false},
};

INSTANTIATE_TEST_SUITE_P(Rows, PolicySelectorTable, ::testing::ValuesIn(kPolicySelectorRows),
                         [](const ::testing::TestParamInfo<PolicySelectorRow>& row) {
                           return row.param.name;
                         });

// ---------------------------------------------------------------------------------------------
// evaluate_role_policy

constexpr std::string_view kPolicyRole = "arn:aws:iam::111122223333:role/shop-api";

PolicyRule policy_rule(std::string name, std::vector<std::string> namespaces,
                       std::vector<std::string> roles) {
  PolicyRule rule;
  rule.name = std::move(name);
  rule.namespaces = std::move(namespaces);
  rule.allowed_roles = std::move(roles);
  return rule;
}

PolicySubject policy_subject(std::string_view ns, std::string_view role_arn,
                             const Labels* labels = nullptr, std::size_t accounts = 1) {
  return PolicySubject{ns, "api", role_arn, labels, accounts};
}

TEST(RolePolicyEvaluate, NoRuleMatchingAllowsWithEmptyRule) {
  RolePolicy policy;
  policy.rules.push_back(policy_rule("shop", {"shop"}, {}));
  const PolicyVerdict verdict = evaluate_role_policy(policy, policy_subject("pay", kPolicyRole));
  EXPECT_EQ(verdict.rule, "");
  EXPECT_FALSE(verdict.violated);
  EXPECT_EQ(verdict.reason, "");
  EXPECT_EQ(verdict.allowed, "");
}

TEST(RolePolicyEvaluate, EmptyPolicyAllows) {
  const PolicyVerdict verdict =
      evaluate_role_policy(RolePolicy{}, policy_subject("shop", kPolicyRole));
  EXPECT_EQ(verdict.rule, "");
  EXPECT_FALSE(verdict.violated);
}

TEST(RolePolicyEvaluate, FirstMatchingRuleWinsEvenWhenALaterOneWouldAllow) {
  RolePolicy policy;
  policy.rules.push_back(policy_rule("other", {"pay"}, {"*"}));
  policy.rules.push_back(policy_rule("strict", {"shop*"}, {"arn:aws:iam::*:role/none"}));
  policy.rules.push_back(policy_rule("lenient", {"shop"}, {"*"}));
  const PolicyVerdict verdict = evaluate_role_policy(policy, policy_subject("shop", kPolicyRole));
  EXPECT_EQ(verdict.rule, "strict");
  EXPECT_TRUE(verdict.violated);
}

TEST(RolePolicyEvaluate, RuleWithoutNamespacesOrSelectorMatchesEveryNamespace) {
  RolePolicy policy;
  policy.rules.push_back(policy_rule("all", {}, {"*"}));
  const PolicyVerdict verdict =
      evaluate_role_policy(policy, policy_subject("anything", kPolicyRole));
  EXPECT_EQ(verdict.rule, "all");
  EXPECT_FALSE(verdict.violated);
  EXPECT_EQ(verdict.allowed, "") << "worded for violations only";
}

// Which rule applies, by namespace globs and selector, with labels known or not.
struct PolicyRuleChoiceRow {
  std::string name;
  std::string ns;
  std::optional<Labels> labels;  // nullopt: not known
  std::string expected_rule;     // empty: none
};

class PolicyRuleChoiceTable : public ::testing::TestWithParam<PolicyRuleChoiceRow> {};

TEST_P(PolicyRuleChoiceTable, PicksTheFirstRuleWhoseNamespacesAndSelectorMatch) {
  const PolicyRuleChoiceRow& row = GetParam();
  RolePolicy policy;
  PolicyRule both = policy_rule("globs-and-selector", {"shop-*"}, {"*"});
  both.namespace_selector = LabelSelector{{{"team", "shop"}}, {}};
  PolicyRule by_label = policy_rule("selector-only", {}, {"*"});
  by_label.namespace_selector =
      LabelSelector{{}, {policy_requirement("tier", PolicyOp::in, {"batch"})}};
  policy.rules = {both, by_label, policy_rule("globs-only", {"shop", "pay-*"}, {"*"})};
  const Labels* labels = row.labels ? &*row.labels : nullptr;
  const PolicyVerdict verdict =
      evaluate_role_policy(policy, policy_subject(row.ns, kPolicyRole, labels));
  EXPECT_EQ(verdict.rule, row.expected_rule);
}

const std::vector<PolicyRuleChoiceRow> kPolicyRuleChoiceRows = {
    {"glob_and_selector_both_match", "shop-web", Labels{{"team", "shop"}}, "globs-and-selector"},
    {"glob_matches_selector_does_not", "shop-web", Labels{{"team", "pay"}}, ""},
    {"glob_matches_labels_unknown", "shop-web", std::nullopt, ""},
    {"selector_only_matches_any_namespace", "batch", Labels{{"tier", "batch"}}, "selector-only"},
    {"selector_only_with_unknown_labels_skipped", "shop", std::nullopt, "globs-only"},
    {"selector_fails_then_globs", "pay-eu", Labels{{"tier", "web"}}, "globs-only"},
    {"second_glob_of_a_rule_matches", "pay-us", Labels{}, "globs-only"},
    {"nothing_matches", "default", Labels{}, ""},
};

INSTANTIATE_TEST_SUITE_P(Rows, PolicyRuleChoiceTable, ::testing::ValuesIn(kPolicyRuleChoiceRows),
                         [](const ::testing::TestParamInfo<PolicyRuleChoiceRow>& row) {
                           return row.param.name;
                         });

TEST(RolePolicyEvaluate, EmptySelectorNeedsKnownLabelsButThenMatchesAny) {
  RolePolicy policy;
  PolicyRule rule = policy_rule("empty-selector", {}, {"*"});
  rule.namespace_selector = LabelSelector{};
  policy.rules.push_back(rule);
  const Labels none;
  EXPECT_EQ(evaluate_role_policy(policy, policy_subject("shop", kPolicyRole, &none)).rule,
            "empty-selector");
  EXPECT_EQ(evaluate_role_policy(policy, policy_subject("shop", kPolicyRole, nullptr)).rule, "");
}

// The checks of the matching rule: one rule per row, one subject per row.
struct PolicyCheckRow {
  std::string name;
  PolicyRule rule;
  std::string ns;
  std::string service_account;
  std::string role_arn;
  std::size_t accounts_naming_role;
  bool violated;
  std::string reason;   // exact
  std::string allowed;  // exact
};

class PolicyCheckTable : public ::testing::TestWithParam<PolicyCheckRow> {};

TEST_P(PolicyCheckTable, ChecksRoleAccountPartitionAndSharingInOrder) {
  const PolicyCheckRow& row = GetParam();
  RolePolicy policy;
  policy.rules.push_back(row.rule);
  const PolicySubject subject{row.ns, row.service_account, row.role_arn, nullptr,
                              row.accounts_naming_role};
  const PolicyVerdict verdict = evaluate_role_policy(policy, subject);
  EXPECT_EQ(verdict.rule, row.rule.name);
  EXPECT_EQ(verdict.mode, row.rule.mode);
  EXPECT_EQ(verdict.violated, row.violated);
  EXPECT_EQ(verdict.reason, row.reason);
  // What the rule allows is worded for violations only (an admitted pod should cost little).
  EXPECT_EQ(verdict.allowed, row.violated ? row.allowed : std::string());
}

PolicyRule policy_full_rule(std::vector<std::string> roles, std::vector<std::string> accounts,
                            std::vector<std::string> partitions,
                            std::optional<std::size_t> max_accounts = std::nullopt) {
  PolicyRule rule = policy_rule("team", {}, std::move(roles));
  rule.allowed_accounts = std::move(accounts);
  rule.allowed_partitions = std::move(partitions);
  rule.max_service_accounts_per_role = max_accounts;
  return rule;
}

PolicyRule policy_enforcing(PolicyRule rule) {
  rule.mode = PolicyMode::enforce;
  return rule;
}

const std::vector<PolicyCheckRow> kPolicyCheckRows = {
    {"role_matches_pattern", policy_full_rule({"arn:aws:iam::111122223333:role/shop-*"}, {}, {}),
     "shop", "api", "arn:aws:iam::111122223333:role/shop-api", 1, false, "",
     "roles arn:aws:iam::111122223333:role/shop-*"},
    {"role_outside_pattern", policy_full_rule({"arn:aws:iam::111122223333:role/shop-*"}, {}, {}),
     "shop", "api", "arn:aws:iam::111122223333:role/pay-api", 1, true,
     "role arn:aws:iam::111122223333:role/pay-api is not allowed for shop/api by rule team",
     "roles arn:aws:iam::111122223333:role/shop-*"},
    {"second_pattern_matches",
     policy_full_rule({"arn:aws:iam::1:role/a", "arn:aws:iam::111122223333:role/*"}, {}, {}),
     "shop", "api", "arn:aws:iam::111122223333:role/x", 1, false, "",
     "roles arn:aws:iam::1:role/a, arn:aws:iam::111122223333:role/*"},
    {"no_roles_allowed", policy_full_rule({}, {}, {}), "shop", "api",
     "arn:aws:iam::111122223333:role/x", 1, true,
     "role arn:aws:iam::111122223333:role/x is not allowed for shop/api by rule team, which "
     "allows no roles",
     "no roles"},
    {"namespace_placeholder_filled",
     policy_full_rule({"arn:aws:iam::111122223333:role/{namespace}-*"}, {}, {}), "shop", "api",
     "arn:aws:iam::111122223333:role/shop-reader", 1, false, "",
     "roles arn:aws:iam::111122223333:role/shop-*"},
    {"namespace_placeholder_other_namespace",
     policy_full_rule({"arn:aws:iam::111122223333:role/{namespace}-*"}, {}, {}), "pay", "api",
     "arn:aws:iam::111122223333:role/shop-reader", 1, true,
     "role arn:aws:iam::111122223333:role/shop-reader is not allowed for pay/api by rule team",
     "roles arn:aws:iam::111122223333:role/pay-*"},
    {"both_placeholders_filled",
     policy_full_rule({"arn:aws:iam::111122223333:role/{namespace}/{serviceAccount}"}, {}, {}),
     "shop", "cart", "arn:aws:iam::111122223333:role/shop/cart", 1, false, "",
     "roles arn:aws:iam::111122223333:role/shop/cart"},
    {"service_account_placeholder_mismatch",
     policy_full_rule({"arn:aws:iam::111122223333:role/{serviceAccount}"}, {}, {}), "shop", "cart",
     "arn:aws:iam::111122223333:role/api", 1, true,
     "role arn:aws:iam::111122223333:role/api is not allowed for shop/cart by rule team",
     "roles arn:aws:iam::111122223333:role/cart"},
    {"account_listed", policy_full_rule({"*"}, {"111122223333", "444455556666"}, {}), "shop", "api",
     "arn:aws:iam::444455556666:role/x", 1, false, "",
     "roles * in accounts 111122223333, 444455556666"},
    {"account_not_listed", policy_full_rule({"*"}, {"111122223333"}, {}), "shop", "api",
     "arn:aws:iam::999999999999:role/x", 1, true,
     "role arn:aws:iam::999999999999:role/x is in account 999999999999; rule team allows "
     "accounts 111122223333",
     "roles * in accounts 111122223333"},
    {"account_check_needs_a_role_arn", policy_full_rule({"*"}, {"111122223333"}, {}), "shop", "api",
     "arn:aws:s3:::bucket", 1, true,
     "role arn:aws:s3:::bucket is not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME), so "
     "rule team cannot check its account or partition",
     "roles * in accounts 111122223333"},
    {"user_arn_is_not_a_role", policy_full_rule({"*"}, {}, {"aws"}), "shop", "api",
     "arn:aws:iam::111122223333:user/x", 1, true,
     "role arn:aws:iam::111122223333:user/x is not an IAM role ARN "
     "(arn:PARTITION:iam::ACCOUNT:role/NAME), so rule team cannot check its account or partition",
     "roles * in partitions aws"},
    {"partition_listed", policy_full_rule({"*"}, {}, {"aws", "aws-cn"}), "shop", "api",
     "arn:aws-cn:iam::111122223333:role/x", 1, false, "", "roles * in partitions aws, aws-cn"},
    {"partition_not_listed", policy_full_rule({"*"}, {}, {"aws"}), "shop", "api",
     "arn:aws-us-gov:iam::111122223333:role/x", 1, true,
     "role arn:aws-us-gov:iam::111122223333:role/x is in partition aws-us-gov; rule team allows "
     "partitions aws",
     "roles * in partitions aws"},
    {"role_check_comes_before_account",
     policy_full_rule({"arn:aws:iam::111122223333:role/a"}, {"111122223333"}, {}), "shop", "api",
     "arn:aws:iam::999999999999:role/b", 1, true,
     "role arn:aws:iam::999999999999:role/b is not allowed for shop/api by rule team",
     "roles arn:aws:iam::111122223333:role/a in accounts 111122223333"},
    {"account_check_comes_before_partition", policy_full_rule({"*"}, {"111122223333"}, {"aws"}),
     "shop", "api", "arn:aws-cn:iam::999999999999:role/b", 1, true,
     "role arn:aws-cn:iam::999999999999:role/b is in account 999999999999; rule team allows "
     "accounts 111122223333",
     "roles * in accounts 111122223333 in partitions aws"},
    {"sharing_at_limit", policy_full_rule({"*"}, {}, {}, 3), "shop", "api",
     std::string(kPolicyRole), 3, false, "", "roles *; at most 3 ServiceAccounts per role"},
    {"sharing_above_limit", policy_full_rule({"*"}, {}, {}, 3), "shop", "api",
     std::string(kPolicyRole), 4, true,
     "role arn:aws:iam::111122223333:role/shop-api is named by 4 ServiceAccounts; rule team "
     "allows at most 3",
     "roles *; at most 3 ServiceAccounts per role"},
    {"sharing_checked_after_role", policy_full_rule({"arn:aws:iam::1:role/a"}, {}, {}, 1), "shop",
     "api", std::string(kPolicyRole), 5, true,
     "role arn:aws:iam::111122223333:role/shop-api is not allowed for shop/api by rule team",
     "roles arn:aws:iam::1:role/a; at most 1 ServiceAccounts per role"},
    {"empty_role_skips_role_account_partition", policy_full_rule({}, {"111122223333"}, {"aws"}),
     "shop", "api", "", 1, false, "", "no roles in accounts 111122223333 in partitions aws"},
    {"empty_role_still_checks_sharing", policy_full_rule({}, {}, {}, 2), "shop", "api", "", 3, true,
     "the role is named by 3 ServiceAccounts; rule team allows at most 2",
     "no roles; at most 2 ServiceAccounts per role"},
    {"empty_role_within_sharing", policy_full_rule({}, {}, {}, 2), "shop", "api", "", 2, false, "",
     "no roles; at most 2 ServiceAccounts per role"},
    {"enforce_mode_carried", policy_enforcing(policy_full_rule({"*"}, {}, {})), "shop", "api",
     std::string(kPolicyRole), 1, false, "", "roles *"},
    {"non_ascii_role_kept_out_of_messages", policy_full_rule({"arn:aws:iam::1:role/a"}, {}, {}),
     "shop", "api", "arn:aws:iam::1:role/\xC3\xA9\n", 1, true,
     "role arn:aws:iam::1:role/??? is not allowed for shop/api by rule team",
     "roles arn:aws:iam::1:role/a"},
    {"many_patterns_listed_briefly",
     policy_full_rule({"arn:1", "arn:2", "arn:3", "arn:4", "arn:5", "arn:6", "arn:7"}, {}, {}),
     "shop", "api", "arn:7", 1, false, "", "roles arn:1, arn:2, arn:3, arn:4, arn:5 (and 2 more)"},
};

INSTANTIATE_TEST_SUITE_P(Rows, PolicyCheckTable, ::testing::ValuesIn(kPolicyCheckRows),
                         [](const ::testing::TestParamInfo<PolicyCheckRow>& row) {
                           return row.param.name;
                         });

TEST(RolePolicyEvaluate, VerdictCarriesTheRulesOwnMode) {
  RolePolicy policy;
  policy.mode = PolicyMode::audit;  // the file's default; evaluation reads the rule's
  PolicyRule enforcing = policy_rule("enforced", {"shop"}, {});
  enforcing.mode = PolicyMode::enforce;
  policy.rules = {enforcing, policy_rule("audited", {"pay"}, {})};
  const PolicyVerdict shop = evaluate_role_policy(policy, policy_subject("shop", kPolicyRole));
  EXPECT_EQ(shop.mode, PolicyMode::enforce);
  EXPECT_TRUE(shop.violated);
  const PolicyVerdict pay = evaluate_role_policy(policy, policy_subject("pay", kPolicyRole));
  EXPECT_EQ(pay.mode, PolicyMode::audit);
  EXPECT_TRUE(pay.violated);
}

TEST(RolePolicyEvaluate, ReasonNamesTheRoleAndAllowedNamesThePattern) {
  RolePolicy policy;
  policy.rules.push_back(
      policy_rule("team", {"shop"}, {"arn:aws:iam::111122223333:role/{namespace}-*"}));
  const PolicyVerdict verdict = evaluate_role_policy(
      policy, policy_subject("shop", "arn:aws:iam::999999999999:role/intruder"));
  ASSERT_TRUE(verdict.violated);
  EXPECT_THAT(verdict.reason, StartsWith("role arn:aws:iam::999999999999:role/intruder "));
  EXPECT_THAT(verdict.allowed, HasSubstr("arn:aws:iam::111122223333:role/shop-*"));
}

TEST(RolePolicy, UsesNamespaceLabelsOnlyWithASelector) {
  RolePolicy policy;
  policy.rules.push_back(policy_rule("a", {"shop"}, {}));
  EXPECT_FALSE(policy.uses_namespace_labels());
  PolicyRule by_label = policy_rule("b", {}, {});
  by_label.namespace_selector = LabelSelector{};
  policy.rules.push_back(by_label);
  EXPECT_TRUE(policy.uses_namespace_labels());
  EXPECT_FALSE(RolePolicy{}.uses_namespace_labels());
}

TEST(RolePolicy, LimitsSharingOnlyWithAMaximum) {
  RolePolicy policy;
  policy.rules.push_back(policy_rule("a", {"shop"}, {}));
  EXPECT_FALSE(policy.limits_sharing());
  policy.rules.back().max_service_accounts_per_role = 2;
  EXPECT_TRUE(policy.limits_sharing());
  EXPECT_FALSE(RolePolicy{}.limits_sharing());
}

TEST(RolePolicy, ModesSpellAsInTheFile) {
  EXPECT_EQ(to_string(PolicyMode::audit), "audit");
  EXPECT_EQ(to_string(PolicyMode::enforce), "enforce");
}

}  // namespace
}  // namespace irsa::core
