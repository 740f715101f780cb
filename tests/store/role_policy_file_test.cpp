// parse_role_policy: the --role-policy file's shape, and every mistake reported at its line and
// column with what was expected.
#include "irsa/store/role_policy_file.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace irsa::store {
namespace {

using core::LabelRequirement;
using core::PolicyMode;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// `count` rules named r0, r1, ... in flow style, one a line after "rules:".
std::string policy_file_with_rules(std::size_t count) {
  std::string text = "rules:\n";
  for (std::size_t i = 0; i < count; ++i) text += "  - {name: r" + std::to_string(i) + "}\n";
  return text;
}

// One rule whose namespaces list holds `count` globs.
std::string policy_file_with_globs(std::size_t count) {
  std::string text = "rules:\n  - name: many\n    namespaces:\n";
  for (std::size_t i = 0; i < count; ++i) text += "      - ns" + std::to_string(i) + "\n";
  return text;
}

// A rule list sharing one long anchored list by alias: a small file that names far more
// patterns than it holds.
std::string policy_file_alias_bomb() {
  std::string text = "rules:\n  - name: r0\n    namespaces: &globs\n";
  const std::string glob(60, 'x');
  for (int i = 0; i < 1000; ++i) text += "      - " + glob + "\n";
  for (int i = 1; i < 1000; ++i) {
    text += "  - {name: r" + std::to_string(i) + ", namespaces: *globs}\n";
  }
  return text;
}

struct PolicyFileBadRow {
  std::string name;
  std::string yaml;
  std::string position;  // the exact "line L, column C: " prefix
  std::string phrase;    // a phrase the message must hold
};

class PolicyFileBadTable : public ::testing::TestWithParam<PolicyFileBadRow> {};

TEST_P(PolicyFileBadTable, ReportsTheMistakeAtItsPosition) {
  const PolicyFileBadRow& row = GetParam();
  const RolePolicyParse parsed = parse_role_policy(row.yaml);
  EXPECT_THAT(parsed.error, StartsWith(row.position));
  EXPECT_THAT(parsed.error, HasSubstr(row.phrase));
  EXPECT_TRUE(parsed.policy.rules.empty());
  EXPECT_EQ(parsed.error.find('\n'), std::string::npos) << "one line";
}

const std::vector<PolicyFileBadRow> kPolicyFileBadRows = {
    // the document
    {"empty_file", "",
     "line 1, column 1: ", "the role policy file is empty; expected mode and rules"},
    {"only_comments", "# nothing yet\n\n# really\n",
     "line 1, column 1: ", "the role policy file is empty"},
    {"unclosed_flow_list", "rules: [\n  {name: a}\n", "line 3, column 1: ", "end of sequence"},
    {"tab_indentation", "rules:\n\t- name: a\n", "line 2, column 2: ", "illegal"},
    {"document_is_a_list", "- name: a\n", "line 1, column 1: ",
     "the role policy file is a list; expected a mapping with mode and rules"},
    {"document_is_a_scalar", "hello\n",
     "line 1, column 1: ", "is the value \"hello\"; expected a mapping"},
    {"second_document", "rules: []\n---\nrules: []\n",
     "line 3, column 1: ", "a second YAML document"},
    {"missing_rules", "mode: audit\n",
     "line 1, column 1: ", "has no rules; expected rules: a list of rules"},
    {"unknown_top_key", "mode: audit\nrule: []\n",
     "line 2, column 1: ", "unknown key \"rule\" in the top level; known keys: mode, rules"},
    {"duplicate_top_key", "rules: []\nmode: audit\nrules: []\n",
     "line 3, column 1: ", "duplicate key \"rules\" in the top level"},
    {"key_is_a_mapping", "{a: 1}: x\nrules: []\n",
     "line 1, column 1: ", "a key in the top level is a mapping; expected a name"},
    {"top_mode_misspelt", "mode: Enforce\nrules: []\n",
     "line 1, column 7: ", "mode \"Enforce\" is not a mode; expected audit or enforce"},
    {"top_mode_a_list", "mode: [audit]\nrules: []\n",
     "line 1, column 7: ", "mode is a list; expected audit or enforce"},
    // the rules list
    {"rules_a_mapping", "rules: {name: a}\n",
     "line 1, column 8: ", "rules is a mapping; expected a list of rules"},
    {"rules_a_scalar", "rules: none\n",
     "line 1, column 8: ", "rules is the value \"none\"; expected a list of rules"},
    {"rules_empty_value", "mode: audit\nrules:\n",
     "line 2, column 1: ", "rules is empty; expected a list of rules"},
    {"rule_a_scalar", "rules: [a]\n",
     "line 1, column 9: ", "rules[0] is the value \"a\"; expected a rule"},
    {"too_many_rules", policy_file_with_rules(kMaxPolicyRules + 1),
     "line 2, column 3: ", "rules has 1001 entries; at most 1000 are allowed"},
    // a rule's keys and name
    {"unknown_rule_key", "rules:\n  - name: a\n    allowedRole: [\"*\"]\n", "line 3, column 5: ",
     "unknown key \"allowedRole\" in rules[0]; known keys: name, namespaces, namespaceSelector, "
     "allowedRoles, allowedAccounts, allowedPartitions, maxServiceAccountsPerRole, mode"},
    {"duplicate_rule_key", "rules:\n  - name: a\n    mode: audit\n    name: b\n",
     "line 4, column 5: ", "duplicate key \"name\" in rules[0]"},
    {"missing_rule_name", "rules:\n  - {name: a}\n  - namespaces: [shop]\n",
     "line 3, column 5: ", "rules[1] has no name"},
    {"rule_name_with_space", "rules:\n  - name: team roles\n", "line 2, column 11: ",
     "rules[0].name \"team roles\" is not a valid rule name; expected 1 to 63 of A-Z, a-z, 0-9"},
    {"rule_name_empty", "rules:\n  - name: \"\"\n",
     "line 2, column 11: ", "rules[0].name \"\" is not a valid rule name"},
    {"rule_name_too_long", "rules:\n  - name: " + std::string(64, 'n') + "\n",
     "line 2, column 11: ", "is not a valid rule name"},
    {"rule_name_a_list", "rules:\n  - name: [a]\n",
     "line 2, column 11: ", "rules[0].name is a list; expected a rule name"},
    {"rule_name_null", "rules:\n  - name: ~\n",
     "line 2, column 5: ", "rules[0].name is empty; expected a rule name"},
    {"duplicate_rule_name", "rules:\n  - name: a\n  - name: b\n  - name: a\n",
     "line 4, column 11: ", "rules[2].name \"a\" is also the name of rules[0]"},
    {"rule_mode_misspelt", "rules:\n  - name: a\n    mode: deny\n",
     "line 3, column 11: ", "rules[0].mode \"deny\" is not a mode; expected audit or enforce"},
    // namespaces
    {"namespaces_a_string", "rules:\n  - name: a\n    namespaces: shop\n", "line 3, column 17: ",
     "rules[0].namespaces is the value \"shop\"; expected a list of namespace globs"},
    {"glob_upper_case", "rules:\n  - name: a\n    namespaces: [shop, Shop-*]\n",
     "line 3, column 24: ",
     "rules[0].namespaces[1] \"Shop-*\" has 'S'; a namespace glob holds a-z, 0-9, '-' and '*'"},
    {"glob_with_question_mark", "rules:\n  - name: a\n    namespaces: [\"shop?\"]\n",
     "line 3, column 18: ", "has '?'"},
    {"glob_empty", "rules:\n  - name: a\n    namespaces: [\"\"]\n", "line 3, column 18: ",
     "rules[0].namespaces[0] \"\" is empty; expected a namespace name or glob"},
    {"glob_a_mapping", "rules:\n  - name: a\n    namespaces: [{shop: x}]\n",
     "line 3, column 18: ", "rules[0].namespaces[0] is a mapping; expected namespace globs"},
    {"too_many_globs", policy_file_with_globs(kMaxPolicyListItems + 1),
     "line 4, column 7: ", "rules[0].namespaces has 1001 entries; at most 1000 are allowed"},
    // namespaceSelector
    {"selector_a_list", "rules:\n  - name: a\n    namespaceSelector: [team]\n",
     "line 3, column 24: ", "rules[0].namespaceSelector is a list; expected a label selector"},
    {"selector_unknown_key", "rules:\n  - name: a\n    namespaceSelector:\n      matchLabel: {}\n",
     "line 4, column 7: ",
     "unknown key \"matchLabel\" in rules[0].namespaceSelector; known keys: matchLabels, "
     "matchExpressions"},
    {"match_labels_a_list",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchLabels: [team]\n",
     "line 4, column 20: ",
     "rules[0].namespaceSelector.matchLabels is a list; expected a mapping of label names"},
    {"match_labels_value_a_list",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchLabels: {team: [shop]}\n",
     "line 4, column 27: ",
     "rules[0].namespaceSelector.matchLabels[\"team\"] is a list; expected a label value"},
    {"match_label_name_kept_on_one_line",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchLabels: {\"a\\nb\": [x]}\n",
     "line 4, column 29: ", "matchLabels[\"a?b\"] is a list"},
    {"match_labels_duplicate",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchLabels: {team: a, team: b}\n",
     "line 4, column 30: ", "duplicate key \"team\" in rules[0].namespaceSelector.matchLabels"},
    {"expressions_a_mapping",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchExpressions: {key: team}\n",
     "line 4, column 25: ", "rules[0].namespaceSelector.matchExpressions is a mapping"},
    {"expression_unknown_key",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchExpressions:\n"
     "        - {key: team, operator: In, value: [shop]}\n",
     "line 5, column 37: ",
     "unknown key \"value\" in rules[0].namespaceSelector.matchExpressions[0]; known keys: key, "
     "operator, values"},
    {"expression_without_key",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchExpressions:\n"
     "        - {operator: Exists}\n",
     "line 5, column 11: ", "matchExpressions[0] has no key"},
    {"expression_without_operator",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchExpressions:\n"
     "        - {key: team}\n",
     "line 5, column 11: ",
     "matchExpressions[0] has no operator; expected In, NotIn, Exists or DoesNotExist"},
    {"operator_unknown",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchExpressions:\n"
     "        - {key: team, operator: Equals, values: [shop]}\n",
     "line 5, column 33: ",
     "operator \"Equals\" is not an operator; expected In, NotIn, Exists or DoesNotExist"},
    {"operator_wrong_case",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchExpressions:\n"
     "        - {key: team, operator: in, values: [shop]}\n",
     "line 5, column 33: ", "\"in\" is not an operator"},
    {"in_without_values",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchExpressions:\n"
     "        - {key: team, operator: In}\n",
     "line 5, column 11: ",
     "matchExpressions[0] has operator In without values; expected a non-empty values list"},
    {"not_in_with_empty_values",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchExpressions:\n"
     "        - {key: team, operator: NotIn, values: []}\n",
     "line 5, column 48: ", "has operator NotIn without values"},
    {"exists_with_values",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchExpressions:\n"
     "        - {key: team, operator: Exists, values: [shop]}\n",
     "line 5, column 49: ",
     "has operator Exists with values; Exists and DoesNotExist take no values"},
    {"values_a_string",
     "rules:\n  - name: a\n    namespaceSelector:\n      matchExpressions:\n"
     "        - {key: team, operator: In, values: shop}\n",
     "line 5, column 45: ", "values is the value \"shop\"; expected a list of label values"},
    // allowedRoles
    {"role_not_an_arn", "rules:\n  - name: a\n    allowedRoles: [role/shop]\n",
     "line 3, column 20: ",
     "rules[0].allowedRoles[0] \"role/shop\" is not a role ARN pattern; expected one starting with "
     "\"arn:\", or \"*\""},
    {"role_star_prefix", "rules:\n  - name: a\n    allowedRoles: [\"*:role/x\"]\n",
     "line 3, column 20: ", "is not a role ARN pattern"},
    {"role_unknown_placeholder",
     "rules:\n  - name: a\n    allowedRoles: [\"arn:aws:iam::1:role/{name}\"]\n",
     "line 3, column 20: ",
     "has the unknown placeholder \"{name}\"; only {namespace} and {serviceAccount} are allowed"},
    {"role_placeholder_wrong_case",
     "rules:\n  - name: a\n    allowedRoles: [\"arn:aws:iam::1:role/{ServiceAccount}\"]\n",
     "line 3, column 20: ", "unknown placeholder \"{ServiceAccount}\""},
    {"role_unclosed_brace",
     "rules:\n  - name: a\n    allowedRoles: [\"arn:aws:iam::1:role/{namespace\"]\n",
     "line 3, column 20: ", "has an unbalanced '{' at character 21"},
    {"role_stray_closing_brace",
     "rules:\n  - name: a\n    allowedRoles: [\"arn:aws:iam::1:role/namespace}\"]\n",
     "line 3, column 20: ", "has an unbalanced '}' at character 30"},
    {"role_with_non_ascii",
     "rules:\n  - name: a\n    allowedRoles: [\"arn:aws:iam::1:role/\xE2\x80\x9Cx\"]\n",
     "line 3, column 20: ", "has byte 0xE2; role ARNs hold printable ASCII only"},
    {"roles_a_string", "rules:\n  - name: a\n    allowedRoles: \"*\"\n", "line 3, column 19: ",
     "rules[0].allowedRoles is the value \"*\"; expected a list of role ARN patterns"},
    // allowedAccounts
    {"account_short_integer", "rules:\n  - name: a\n    allowedAccounts: [1234]\n",
     "line 3, column 23: ",
     "rules[0].allowedAccounts[0] \"1234\" is not an AWS account id; expected exactly 12 digits"},
    {"account_with_dashes", "rules:\n  - name: a\n    allowedAccounts: [\"1111-2222-3333\"]\n",
     "line 3, column 23: ", "\"1111-2222-3333\" is not an AWS account id"},
    {"account_as_float", "rules:\n  - name: a\n    allowedAccounts: [1.11122223333e11]\n",
     "line 3, column 23: ", "\"1.11122223333e11\" is not an AWS account id"},
    {"account_thirteen_digits", "rules:\n  - name: a\n    allowedAccounts: [1111222233334]\n",
     "line 3, column 23: ", "is not an AWS account id"},
    // allowedPartitions
    {"partition_unknown_cloud", "rules:\n  - name: a\n    allowedPartitions: [azure]\n",
     "line 3, column 25: ",
     "rules[0].allowedPartitions[0] \"azure\" is not an AWS partition; expected aws or aws-SUFFIX"},
    {"partition_upper_case", "rules:\n  - name: a\n    allowedPartitions: [aws, AWS-CN]\n",
     "line 3, column 30: ", "rules[0].allowedPartitions[1] \"AWS-CN\" is not an AWS partition"},
    {"partition_bare_dash", "rules:\n  - name: a\n    allowedPartitions: [aws-]\n",
     "line 3, column 25: ", "\"aws-\" is not an AWS partition"},
    // maxServiceAccountsPerRole
    {"limit_zero", "rules:\n  - name: a\n    maxServiceAccountsPerRole: 0\n", "line 3, column 32: ",
     "rules[0].maxServiceAccountsPerRole \"0\" is not allowed; expected a whole number of at least "
     "1"},
    {"limit_negative", "rules:\n  - name: a\n    maxServiceAccountsPerRole: -1\n",
     "line 3, column 32: ", "\"-1\" is not allowed"},
    {"limit_fraction", "rules:\n  - name: a\n    maxServiceAccountsPerRole: 2.5\n",
     "line 3, column 32: ", "\"2.5\" is not allowed"},
    {"limit_word", "rules:\n  - name: a\n    maxServiceAccountsPerRole: many\n",
     "line 3, column 32: ", "\"many\" is not allowed"},
    {"limit_overflow",
     "rules:\n  - name: a\n    maxServiceAccountsPerRole: 99999999999999999999999\n",
     "line 3, column 32: ", "is not allowed; expected a whole number of at least 1"},
    {"limit_a_list", "rules:\n  - name: a\n    maxServiceAccountsPerRole: [3]\n",
     "line 3, column 32: ",
     "rules[0].maxServiceAccountsPerRole is a list; expected a whole number of at least 1"},
    // hostile input
    {"alias_expansion", policy_file_alias_bomb(), "line 200, column 9: ",
     "rules[44].namespaces[196] takes the role policy file far beyond the size of its text"},
};

INSTANTIATE_TEST_SUITE_P(Rows, PolicyFileBadTable, ::testing::ValuesIn(kPolicyFileBadRows),
                         [](const ::testing::TestParamInfo<PolicyFileBadRow>& row) {
                           return row.param.name;
                         });

// The brief's example file, every key used.
constexpr std::string_view kPolicyFileExample = R"(mode: audit
rules:
  - name: team-roles
    namespaces: ["shop", "shop-*"]
    namespaceSelector: {matchLabels: {team: shop}, matchExpressions: [{key: tier, operator: In, values: [web]}]}
    allowedRoles: ["arn:aws:iam::111122223333:role/{namespace}-*"]
    allowedAccounts: ["111122223333"]
    allowedPartitions: ["aws"]
    maxServiceAccountsPerRole: 3
    mode: enforce
)";

TEST(RolePolicyFile, ParsesEveryKeyOfTheExample) {
  const RolePolicyParse parsed = parse_role_policy(kPolicyFileExample);
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.policy.mode, PolicyMode::audit);
  ASSERT_EQ(parsed.policy.rules.size(), 1U);
  const core::PolicyRule& rule = parsed.policy.rules.front();
  EXPECT_EQ(rule.name, "team-roles");
  EXPECT_EQ(rule.namespaces, (std::vector<std::string>{"shop", "shop-*"}));
  ASSERT_TRUE(rule.namespace_selector.has_value());
  EXPECT_EQ(rule.namespace_selector->match_labels,
            (std::vector<std::pair<std::string, std::string>>{{"team", "shop"}}));
  ASSERT_EQ(rule.namespace_selector->match_expressions.size(), 1U);
  const LabelRequirement& requirement = rule.namespace_selector->match_expressions.front();
  EXPECT_EQ(requirement.key, "tier");
  EXPECT_EQ(requirement.op, LabelRequirement::Operator::in);
  EXPECT_EQ(requirement.values, std::vector<std::string>{"web"});
  EXPECT_EQ(rule.allowed_roles,
            std::vector<std::string>{"arn:aws:iam::111122223333:role/{namespace}-*"});
  EXPECT_EQ(rule.allowed_accounts, std::vector<std::string>{"111122223333"});
  EXPECT_EQ(rule.allowed_partitions, std::vector<std::string>{"aws"});
  EXPECT_EQ(rule.max_service_accounts_per_role, std::optional<std::size_t>{3});
  EXPECT_EQ(rule.mode, PolicyMode::enforce);
  EXPECT_TRUE(parsed.policy.uses_namespace_labels());
  EXPECT_TRUE(parsed.policy.limits_sharing());
}

TEST(RolePolicyFile, OptionalKeysLeftOutStayEmpty) {
  const RolePolicyParse parsed = parse_role_policy("rules:\n  - name: bare\n");
  ASSERT_EQ(parsed.error, "");
  ASSERT_EQ(parsed.policy.rules.size(), 1U);
  const core::PolicyRule& rule = parsed.policy.rules.front();
  EXPECT_TRUE(rule.namespaces.empty());
  EXPECT_FALSE(rule.namespace_selector.has_value());
  EXPECT_TRUE(rule.allowed_roles.empty());
  EXPECT_TRUE(rule.allowed_accounts.empty());
  EXPECT_TRUE(rule.allowed_partitions.empty());
  EXPECT_FALSE(rule.max_service_accounts_per_role.has_value());
  EXPECT_EQ(rule.mode, PolicyMode::audit);
}

// Which mode each rule ends up with: its own, else the file's, else audit.
struct PolicyFileModeRow {
  std::string name;
  std::string yaml;
  PolicyMode file_mode;
  std::vector<PolicyMode> rule_modes;
};

class PolicyFileModeTable : public ::testing::TestWithParam<PolicyFileModeRow> {};

TEST_P(PolicyFileModeTable, RulesWithoutAModeInheritTheFiles) {
  const PolicyFileModeRow& row = GetParam();
  const RolePolicyParse parsed = parse_role_policy(row.yaml);
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.policy.mode, row.file_mode);
  std::vector<PolicyMode> modes;
  for (const auto& rule : parsed.policy.rules) modes.push_back(rule.mode);
  EXPECT_EQ(modes, row.rule_modes);
}

const std::vector<PolicyFileModeRow> kPolicyFileModeRows = {
    {"default_is_audit",
     "rules: [{name: a}, {name: b, mode: enforce}]\n",
     PolicyMode::audit,
     {PolicyMode::audit, PolicyMode::enforce}},
    {"file_enforce_inherited",
     "mode: enforce\nrules: [{name: a}, {name: b, mode: audit}]\n",
     PolicyMode::enforce,
     {PolicyMode::enforce, PolicyMode::audit}},
    // The file's mode applies whatever line it is written on.
    {"file_mode_after_rules",
     "rules: [{name: a}]\nmode: enforce\n",
     PolicyMode::enforce,
     {PolicyMode::enforce}},
    {"no_rules", "mode: enforce\nrules: []\n", PolicyMode::enforce, {}},
};

INSTANTIATE_TEST_SUITE_P(Rows, PolicyFileModeTable, ::testing::ValuesIn(kPolicyFileModeRows),
                         [](const ::testing::TestParamInfo<PolicyFileModeRow>& row) {
                           return row.param.name;
                         });

// Account ids however YAML delivers them: unquoted ones are integers to YAML, and their text
// (leading zeros included) is what counts.
struct PolicyFileAccountRow {
  std::string name;
  std::string accounts;  // the flow list as written
  std::vector<std::string> expected;
};

class PolicyFileAccountTable : public ::testing::TestWithParam<PolicyFileAccountRow> {};

TEST_P(PolicyFileAccountTable, KeepsTheTwelveDigitsAsWritten) {
  const PolicyFileAccountRow& row = GetParam();
  const RolePolicyParse parsed =
      parse_role_policy("rules:\n  - name: a\n    allowedAccounts: " + row.accounts + "\n");
  ASSERT_EQ(parsed.error, "");
  ASSERT_EQ(parsed.policy.rules.size(), 1U);
  EXPECT_EQ(parsed.policy.rules.front().allowed_accounts, row.expected);
}

const std::vector<PolicyFileAccountRow> kPolicyFileAccountRows = {
    {"quoted", "[\"111122223333\"]", {"111122223333"}},
    {"integer", "[111122223333]", {"111122223333"}},
    {"integer_with_leading_zero", "[012345678901]", {"012345678901"}},
    {"mixed", "[111122223333, '444455556666']", {"111122223333", "444455556666"}},
    {"empty_list", "[]", {}},
};

INSTANTIATE_TEST_SUITE_P(Rows, PolicyFileAccountTable, ::testing::ValuesIn(kPolicyFileAccountRows),
                         [](const ::testing::TestParamInfo<PolicyFileAccountRow>& row) {
                           return row.param.name;
                         });

TEST(RolePolicyFile, ReadsEveryOperatorAndEmptyLabelValues) {
  const RolePolicyParse parsed = parse_role_policy(R"(rules:
  - name: by-label
    namespaceSelector:
      matchLabels:
        team: shop
        legacy: ""
      matchExpressions:
        - {key: tier, operator: In, values: [web, api]}
        - {key: env, operator: NotIn, values: [dev]}
        - {key: owner, operator: Exists}
        - {key: frozen, operator: DoesNotExist, values: []}
)");
  ASSERT_EQ(parsed.error, "");
  ASSERT_EQ(parsed.policy.rules.size(), 1U);
  const core::LabelSelector& selector = *parsed.policy.rules.front().namespace_selector;
  EXPECT_EQ(selector.match_labels,
            (std::vector<std::pair<std::string, std::string>>{{"team", "shop"}, {"legacy", ""}}));
  ASSERT_EQ(selector.match_expressions.size(), 4U);
  EXPECT_EQ(selector.match_expressions[0].op, LabelRequirement::Operator::in);
  EXPECT_EQ(selector.match_expressions[0].values, (std::vector<std::string>{"web", "api"}));
  EXPECT_EQ(selector.match_expressions[1].op, LabelRequirement::Operator::not_in);
  EXPECT_EQ(selector.match_expressions[2].op, LabelRequirement::Operator::exists);
  EXPECT_EQ(selector.match_expressions[3].op, LabelRequirement::Operator::does_not_exist);
  EXPECT_TRUE(selector.match_expressions[3].values.empty());
}

TEST(RolePolicyFile, AcceptsJsonAndSharedListsByAlias) {
  const RolePolicyParse from_json = parse_role_policy(
      R"({"mode": "enforce", "rules": [{"name": "a", "allowedRoles": ["*"],
          "allowedPartitions": ["aws-us-gov"], "maxServiceAccountsPerRole": 1}]})");
  ASSERT_EQ(from_json.error, "");
  ASSERT_EQ(from_json.policy.rules.size(), 1U);
  EXPECT_EQ(from_json.policy.rules.front().allowed_roles, std::vector<std::string>{"*"});
  EXPECT_EQ(from_json.policy.rules.front().allowed_partitions,
            std::vector<std::string>{"aws-us-gov"});
  EXPECT_EQ(from_json.policy.rules.front().max_service_accounts_per_role,
            std::optional<std::size_t>{1});

  const RolePolicyParse aliased = parse_role_policy(R"(rules:
  - name: shop
    namespaces: [shop]
    allowedRoles: &team-roles ["arn:aws:iam::111122223333:role/{namespace}/{serviceAccount}"]
  - name: pay
    namespaces: [pay]
    allowedRoles: *team-roles
)");
  ASSERT_EQ(aliased.error, "");
  ASSERT_EQ(aliased.policy.rules.size(), 2U);
  EXPECT_EQ(aliased.policy.rules[1].allowed_roles, aliased.policy.rules[0].allowed_roles);
}

TEST(RolePolicyFile, AcceptsTheLimitsExactly) {
  const RolePolicyParse rules = parse_role_policy(policy_file_with_rules(kMaxPolicyRules));
  ASSERT_EQ(rules.error, "");
  EXPECT_EQ(rules.policy.rules.size(), kMaxPolicyRules);
  EXPECT_EQ(rules.policy.rules.back().name, "r999");

  const RolePolicyParse globs = parse_role_policy(policy_file_with_globs(kMaxPolicyListItems));
  ASSERT_EQ(globs.error, "");
  ASSERT_EQ(globs.policy.rules.size(), 1U);
  EXPECT_EQ(globs.policy.rules.front().namespaces.size(), kMaxPolicyListItems);

  const std::string name(63, 'n');
  const RolePolicyParse long_name = parse_role_policy("rules: [{name: " + name + "}]\n");
  ASSERT_EQ(long_name.error, "");
  EXPECT_EQ(long_name.policy.rules.front().name, name);
}

TEST(RolePolicyFile, TrailingDocumentMarkerIsNotASecondDocument) {
  const RolePolicyParse parsed = parse_role_policy("---\nrules: []\n---\n");
  EXPECT_EQ(parsed.error, "");
}

}  // namespace
}  // namespace irsa::store
