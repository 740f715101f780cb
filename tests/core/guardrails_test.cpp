// What the webhook adds beyond upstream at admission: role session names, include-containers,
// per-account and per-pod regions, and the warnings that catch common mistakes.
#include <gtest/gtest.h>

#include "irsa/core/admission.hpp"
#include "irsa/core/identity_sources.hpp"
#include "support/reviews.hpp"

namespace irsa::core {
namespace {

using irsa::testing::apply_patch;
using irsa::testing::review_for_pod;
using nlohmann::json;

constexpr const char* kShopRole = "arn:aws:iam::111122223333:role/shop-api";

class GuardrailsTest : public ::testing::Test {
 protected:
  GuardrailsTest() { annotate({{"eks.amazonaws.com/role-arn", kShopRole}}); }

  void annotate(Annotations annotations, const std::string& name = "api") {
    identities.add_service_account("shop", name, entry_from_service_account(annotations, settings));
  }

  Admission run(const json& pod) {
    return review_admission(review_for_pod(pod, "shop"), settings, identities, {0}, scratch);
  }

  static json pod(json containers, json annotations = json::object(),
                  const std::string& service_account = "api") {
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", "api-7d9f"}, {"annotations", std::move(annotations)}}},
            {"spec", {{"serviceAccountName", service_account}, {"containers", containers}}}};
  }

  static json env_of(const json& pod_after, std::size_t index = 0) {
    return pod_after["spec"]["containers"][index].value("env", json::array());
  }

  static json names_of(const json& env) {
    json names = json::array();
    for (const auto& var : env) names.push_back(var["name"]);
    return names;
  }

  static bool has_warning(const Admission& admission, WarningKind kind, std::string_view part) {
    const auto& decision = admission.decision;
    for (std::size_t i = 0; i < decision.warnings.size(); ++i) {
      if (decision.warning_kinds[i] == kind && decision.warnings[i].find(part) != std::string::npos)
        return true;
    }
    return false;
  }

  Settings settings;
  StaticIdentities identities;
  Scratch scratch;
};

// --- role session names ------------------------------------------------------------------

TEST_F(GuardrailsTest, SessionNameIsOffByDefault) {
  json input = pod(json::array({{{"name", "app"}}}));
  EXPECT_EQ(names_of(env_of(apply_patch(input, run(input).patch))),
            json({"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}));
}

TEST_F(GuardrailsTest, FlagNamesTheSessionAfterThePodThroughTheDownwardApi) {
  settings.role_session_name_from_pod = true;
  json input = pod(json::array({{{"name", "app"}}, {{"name", "sidecar"}}}));
  json out = apply_patch(input, run(input).patch);
  for (std::size_t i = 0; i < 2; ++i) {
    const json env = env_of(out, i);
    EXPECT_EQ(names_of(env),
              json({"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME"}));
    EXPECT_EQ(env[2], json::parse(R"({"name":"AWS_ROLE_SESSION_NAME","valueFrom":{"fieldRef":
        {"apiVersion":"v1","fieldPath":"metadata.name"}}})"));
  }
}

TEST_F(GuardrailsTest, AccountAnnotationTurnsSessionNamesOnAndPodAnnotationWins) {
  annotate({{"eks.amazonaws.com/role-arn", kShopRole},
            {"eks.amazonaws.com/role-session-name", "pod-name"}});
  json named = pod(json::array({{{"name", "app"}}}));
  EXPECT_EQ(names_of(env_of(apply_patch(named, run(named).patch))).size(), 3u);

  json opted_out =
      pod(json::array({{{"name", "app"}}}), {{"eks.amazonaws.com/role-session-name", "none"}});
  EXPECT_EQ(names_of(env_of(apply_patch(opted_out, run(opted_out).patch))),
            json({"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}));
}

TEST_F(GuardrailsTest, PodAnnotationTurnsSessionNamesOnWithoutTheFlag) {
  json input =
      pod(json::array({{{"name", "app"}}}), {{"eks.amazonaws.com/role-session-name", "pod-name"}});
  EXPECT_EQ(names_of(env_of(apply_patch(input, run(input).patch))).back(), "AWS_ROLE_SESSION_NAME");
}

TEST_F(GuardrailsTest, ExistingSessionNameIsNeverTouched) {
  settings.role_session_name_from_pod = true;
  json input = pod(json::array(
      {{{"name", "app"},
        {"env", json::array({{{"name", "AWS_ROLE_SESSION_NAME"}, {"value", "mine"}}})}}}));
  const json env = env_of(apply_patch(input, run(input).patch));
  EXPECT_EQ(names_of(env),
            json({"AWS_ROLE_SESSION_NAME", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}));
  EXPECT_EQ(env[0]["value"], "mine");
}

TEST_F(GuardrailsTest, SessionNameIsAddedEvenWhenTheContainerCarriesEverythingElse) {
  settings.role_session_name_from_pod = true;
  json env = json::array();
  for (const char* name : {"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_REGION",
                           "AWS_STS_REGIONAL_ENDPOINTS"}) {
    env.push_back({{"name", name}, {"value", "x"}});
  }
  json input = pod(json::array({{{"name", "app"}, {"env", env}}}));
  EXPECT_EQ(names_of(env_of(apply_patch(input, run(input).patch))).back(), "AWS_ROLE_SESSION_NAME");
}

TEST_F(GuardrailsTest, NamesStsWouldRefuseGetNoSessionNameAndAWarning) {
  settings.role_session_name_from_pod = true;
  struct Row {
    const char* field;
    std::string value;
    bool named;
  };
  const std::vector<Row> rows = {
      {"name", std::string(64, 'a'), true},
      {"name", std::string(65, 'a'), false},
      {"name", "a", false},
      {"name", "ab", true},
      {"name", "web/1", false},
      // The API server cuts generateName to 58 characters before adding 5: always short enough.
      {"generateName", std::string(62, 'g') + "-", true},
      {"generateName", "api-", true},
  };
  for (const auto& row : rows) {
    json input = pod(json::array({{{"name", "app"}}}));
    input["metadata"].erase("name");
    input["metadata"][row.field] = row.value;
    const Admission admission = run(input);
    const json names = names_of(env_of(apply_patch(input, admission.patch)));
    const bool named = names.back() == "AWS_ROLE_SESSION_NAME";
    EXPECT_EQ(named, row.named) << row.field << "=" << row.value;
    EXPECT_EQ(has_warning(admission, WarningKind::session_name, "no AWS_ROLE_SESSION_NAME"),
              !row.named)
        << row.field << "=" << row.value;
  }
}

TEST_F(GuardrailsTest, SessionNameIsForWebIdentityOnly) {
  settings.role_session_name_from_pod = true;
  identities.add_container_credentials("shop", "api");
  json input = pod(json::array({{{"name", "app"}}}));
  const json names = names_of(env_of(apply_patch(input, run(input).patch)));
  for (const auto& name : names) EXPECT_NE(name, "AWS_ROLE_SESSION_NAME");
}

// --- include-containers ------------------------------------------------------------------

TEST_F(GuardrailsTest, IncludeContainersGivesCredentialsOnlyToTheNamedOnes) {
  json input = pod(json::array({{{"name", "app"}}, {{"name", "proxy"}}}),
                   {{"eks.amazonaws.com/include-containers", "app"}});
  input["spec"]["initContainers"] = json::array({{{"name", "migrate"}}});
  const Admission admission = run(input);
  EXPECT_EQ(admission.decision.mutated_containers, std::vector<std::string>{"app"});
  EXPECT_EQ(admission.decision.skipped_containers, (std::vector<std::string>{"proxy", "migrate"}));
  json out = apply_patch(input, admission.patch);
  EXPECT_FALSE(out["spec"]["containers"][1].contains("env"));
  EXPECT_FALSE(out["spec"]["initContainers"][0].contains("env"));
  EXPECT_TRUE(admission.decision.warnings.empty());
}

TEST_F(GuardrailsTest, IncludeThenSkipAndBothAreNamedInAWarning) {
  json input = pod(json::array({{{"name", "app"}}, {{"name", "proxy"}}, {{"name", "log"}}}),
                   {{"eks.amazonaws.com/include-containers", "app,proxy"},
                    {"eks.amazonaws.com/skip-containers", "proxy"}});
  const Admission admission = run(input);
  EXPECT_EQ(admission.decision.mutated_containers, std::vector<std::string>{"app"});
  EXPECT_TRUE(has_warning(admission, WarningKind::container_list, "both include-containers"));
}

TEST_F(GuardrailsTest, IncludedNameThatMatchesNoContainerIsAWarning) {
  json input =
      pod(json::array({{{"name", "app"}}}), {{"eks.amazonaws.com/include-containers", "app,ap"}});
  const Admission admission = run(input);
  EXPECT_EQ(admission.decision.mutated_containers, std::vector<std::string>{"app"});
  EXPECT_TRUE(has_warning(admission, WarningKind::container_list,
                          "include-containers names \"ap\", which is no container"));
}

TEST_F(GuardrailsTest, IncludeListThatDoesNotParseIncludesNothing) {
  json input =
      pod(json::array({{{"name", "app"}}}), {{"eks.amazonaws.com/include-containers", "a\"pp"}});
  const Admission admission = run(input);
  EXPECT_TRUE(admission.decision.mutated_containers.empty());
  EXPECT_TRUE(has_warning(admission, WarningKind::container_list, "no container gets credentials"));
}

// --- regions -----------------------------------------------------------------------------

TEST_F(GuardrailsTest, AccountRegionReplacesTheFlagsAndPodRegionWins) {
  settings.aws_default_region = "us-east-1";
  annotate({{"eks.amazonaws.com/role-arn", kShopRole}, {"eks.amazonaws.com/region", "eu-west-1"}});
  json input = pod(json::array({{{"name", "app"}}}));
  json env = env_of(apply_patch(input, run(input).patch));
  EXPECT_EQ(env[0], json({{"name", "AWS_DEFAULT_REGION"}, {"value", "eu-west-1"}}));
  EXPECT_EQ(env[1], json({{"name", "AWS_REGION"}, {"value", "eu-west-1"}}));

  json pinned = pod(json::array({{{"name", "app"}}}), {{"eks.amazonaws.com/region", "ap-south-2"}});
  env = env_of(apply_patch(pinned, run(pinned).patch));
  EXPECT_EQ(env[1], json({{"name", "AWS_REGION"}, {"value", "ap-south-2"}}));
}

TEST_F(GuardrailsTest, RegionAnnotationWorksWithoutTheFlag) {
  json input =
      pod(json::array({{{"name", "app"}}}), {{"eks.amazonaws.com/region", "us-gov-west-1"}});
  EXPECT_EQ(
      names_of(env_of(apply_patch(input, run(input).patch))),
      json({"AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}));
}

TEST_F(GuardrailsTest, BadRegionIsIgnoredWithAWarning) {
  settings.aws_default_region = "us-east-1";
  annotate({{"eks.amazonaws.com/role-arn", kShopRole}, {"eks.amazonaws.com/region", "Europe"}});
  json input = pod(json::array({{{"name", "app"}}}), {{"eks.amazonaws.com/region", "us_east_1"}});
  const Admission admission = run(input);
  EXPECT_EQ(env_of(apply_patch(input, admission.patch))[1]["value"], "us-east-1");
  EXPECT_TRUE(has_warning(admission, WarningKind::annotation, "ServiceAccount region \"Europe\""));
  EXPECT_TRUE(
      has_warning(admission, WarningKind::annotation, "pod annotation region \"us_east_1\""));
}

TEST_F(GuardrailsTest, RegionPattern) {
  for (const char* good : {"us-east-1", "us-gov-west-1", "cn-north-1", "eu-isoe-west-1",
                           "ap-southeast-5", "il-central-1"}) {
    EXPECT_TRUE(is_aws_region(good)) << good;
  }
  for (const char* bad : {"", "us", "us-east", "US-EAST-1", "us-east-1a", "us--east-1", "u-east-1",
                          "us-east-", "-us-east-1", "us-1", "us east-1"}) {
    EXPECT_FALSE(is_aws_region(bad)) << bad;
  }
}

TEST_F(GuardrailsTest, ConfigMapEntryCarriesARegion) {
  settings.aws_default_region = "us-east-1";
  auto parsed = parse_config_map_config(
      R"({"shop/worker":{"RoleARN":"arn:aws:iam::111122223333:role/w","Region":"eu-north-1"},
          "shop/bad":{"RoleARN":"arn:aws:iam::111122223333:role/b","Region":"north"}})",
      settings);
  ASSERT_TRUE(parsed.error.empty());
  ASSERT_EQ(parsed.value.entries.size(), 2u);
  for (auto& [id, entry] : parsed.value.entries) {
    if (id.name == "worker") {
      EXPECT_EQ(entry.region, "eu-north-1");
    }
    if (id.name == "bad") {
      EXPECT_TRUE(entry.region.empty());
      ASSERT_EQ(entry.problems.size(), 1u);
      EXPECT_NE(entry.problems[0].find("\"north\" is not an AWS region"), std::string::npos);
    }
    identities.add_config_map_entry(id.ns, id.name, std::move(entry));
  }
  json input = pod(json::array({{{"name", "app"}}}), json::object(), "worker");
  EXPECT_EQ(env_of(apply_patch(input, run(input).patch))[1]["value"], "eu-north-1");
}

TEST_F(GuardrailsTest, EnvFromWithAnInjectedRegionIsAWarning) {
  settings.aws_default_region = "us-east-1";
  json input = pod(json::array(
      {{{"name", "app"}, {"envFrom", json::array({{{"configMapRef", {{"name", "cfg"}}}}})}},
       {{"name", "plain"}, {"envFrom", json::array()}}}));
  const Admission admission = run(input);
  EXPECT_TRUE(has_warning(admission, WarningKind::env_from_region, "\"app\" has envFrom"));
  EXPECT_FALSE(has_warning(admission, WarningKind::env_from_region, "\"plain\""));

  settings.aws_default_region.clear();
  EXPECT_FALSE(has_warning(run(input), WarningKind::env_from_region, "envFrom"))
      << "no region injected, nothing overridden";
}

// --- warnings ----------------------------------------------------------------------------

TEST_F(GuardrailsTest, NearMissOnTheAccountIsNamedOnItsPods) {
  annotate({{"eks.amazon.com/role-arn", kShopRole}}, "typo");
  json input = pod(json::array({{{"name", "app"}}}), json::object(), "typo");
  const Admission admission = run(input);
  EXPECT_EQ(admission.decision.result, Result::not_mutated);
  ASSERT_EQ(admission.decision.warnings.size(), 1u);
  EXPECT_EQ(admission.decision.warnings[0],
            "ServiceAccount shop/typo has eks.amazon.com/role-arn; did you mean "
            "eks.amazonaws.com/role-arn? No credentials injected");
  EXPECT_EQ(admission.decision.warning_kinds[0], WarningKind::near_miss);
  EXPECT_NE(json::parse(admission.response)["response"]["warnings"][0].get<std::string>().find(
                "did you mean"),
            std::string::npos);
}

TEST_F(GuardrailsTest, NearMissBesideTheRealKeyIsNoWarning) {
  annotate({{"eks.amazon.com/role-arn", kShopRole}, {"eks.amazonaws.com/role-arn", kShopRole}},
           "both");
  json input = pod(json::array({{{"name", "app"}}}), json::object(), "both");
  EXPECT_FALSE(has_warning(run(input), WarningKind::near_miss, "did you mean"));
}

TEST_F(GuardrailsTest, NearMissOfAnotherKeyOnAMutatedPodSaysItIsIgnored) {
  annotate({{"eks.amazonaws.com/role-arn", kShopRole}, {"eks.amazonaws.com/audiance", "x"}});
  json input = pod(json::array({{{"name", "app"}}}));
  const Admission admission = run(input);
  EXPECT_EQ(admission.decision.result, Result::mutated);
  EXPECT_TRUE(has_warning(admission, WarningKind::near_miss,
                          "did you mean eks.amazonaws.com/audience? It is ignored"));
}

TEST_F(GuardrailsTest, StaticKeysAndProfilesAreNamed) {
  json input = pod(json::array(
      {{{"name", "keys"},
        {"env", json::array({{{"name", "AWS_SECRET_ACCESS_KEY"}, {"value", "redacted"}}})}},
       {{"name", "profile"}, {"env", json::array({{{"name", "AWS_PROFILE"}, {"value", "p"}}})}},
       {{"name", "clean"}, {"env", json::array({{{"name", "AWS_REGION"}, {"value", "x"}}})}}}));
  const Admission admission = run(input);
  EXPECT_TRUE(has_warning(admission, WarningKind::static_credentials,
                          "\"keys\" sets static AWS keys; the SDKs use them before the role"));
  EXPECT_TRUE(
      has_warning(admission, WarningKind::static_credentials, "\"profile\" sets AWS_PROFILE"));
  EXPECT_FALSE(has_warning(admission, WarningKind::static_credentials, "\"clean\""));
  EXPECT_EQ(admission.response.find("redacted"), std::string::npos) << "values are never echoed";
}

TEST_F(GuardrailsTest, DifferentNonRootUsersWithoutFsGroupAreAWarning) {
  auto user = [](const char* name, std::optional<int> uid) {
    json container = {{"name", name}};
    if (uid) container["securityContext"] = {{"runAsUser", *uid}};
    return container;
  };
  struct Row {
    json containers;
    json pod_context;
    bool warned;
  };
  const std::vector<Row> rows = {
      {json::array({user("a", 1000), user("b", 2000)}), nullptr, true},
      {json::array({user("a", 1000), user("b", 1000)}), nullptr, false},
      {json::array({user("a", 1000), user("b", 2000)}), {{"fsGroup", 3000}}, false},
      {json::array({user("a", std::nullopt), user("b", std::nullopt)}),
       {{"runAsUser", 1000}},
       false},
      {json::array({user("a", 1000), user("b", std::nullopt)}), nullptr, true},
      {json::array({user("a", std::nullopt), user("b", std::nullopt)}), nullptr, false},
      {json::array({user("a", 0), user("b", std::nullopt)}), nullptr, false},
  };
  for (const auto& row : rows) {
    json input = pod(row.containers);
    if (!row.pod_context.is_null()) input["spec"]["securityContext"] = row.pod_context;
    EXPECT_EQ(has_warning(run(input), WarningKind::token_permissions, "fsGroup"), row.warned)
        << input["spec"].dump();
  }
}

TEST_F(GuardrailsTest, OddSecurityContextValuesAreReadAsAbsentNotAsErrors) {
  for (const char* value :
       {R"("1000")", "1.5", "99999999999999999999999", "-1", "null", "{}", "[1]", "true"}) {
    json input = pod(json::array(
        {{{"name", "a"}, {"securityContext", {{"runAsUser", 1000}}}},
         {{"name", "b"},
          {"securityContext", json::parse(std::string(R"({"runAsUser":)") + value + "}")}}}));
    input["spec"]["securityContext"] = json::parse(std::string(R"({"fsGroup":)") + value + "}");
    const Admission admission = run(input);
    EXPECT_EQ(admission.decision.result, Result::mutated) << value << admission.decision.error;
  }
}

TEST_F(GuardrailsTest, WarningsKeepTheirLimits) {
  json containers = json::array();
  for (int i = 0; i < 40; ++i) {
    containers.push_back({{"name", "c" + std::to_string(i) + std::string(80, 'x')},
                          {"env", json::array({{{"name", "AWS_ACCESS_KEY_ID"}, {"value", "k"}}})}});
  }
  const Admission admission = run(pod(containers));
  EXPECT_EQ(admission.decision.warnings.size(), 16u);
  EXPECT_EQ(admission.decision.warning_kinds.size(), admission.decision.warnings.size());
  for (const auto& warning : admission.decision.warnings) EXPECT_LE(warning.size(), 119u);
}

// --- role policy -------------------------------------------------------------------------

RolePolicy team_policy(PolicyMode mode) {
  RolePolicy policy;
  PolicyRule team;
  team.name = "team-roles";
  team.namespaces = {"shop", "shop-*"};
  team.allowed_roles = {"arn:aws:iam::111122223333:role/{namespace}-*"};
  team.mode = mode;
  PolicyRule rest;
  rest.name = "everyone-else";
  rest.allowed_roles = {"*"};
  policy.rules = {team, rest};
  return policy;
}

TEST_F(GuardrailsTest, EnforcedPolicyDeniesWith403NamingRuleRoleAndWhatIsAllowed) {
  annotate({{"eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/billing-admin"}});
  const RolePolicy policy = team_policy(PolicyMode::enforce);
  const Admission admission =
      review_admission(review_for_pod(pod(json::array({{{"name", "app"}}})), "shop"), settings,
                       identities, {0}, scratch, &policy);
  EXPECT_EQ(admission.decision.result, Result::forbidden);
  EXPECT_TRUE(admission.patch.empty());
  const json response = json::parse(admission.response)["response"];
  EXPECT_EQ(response["allowed"], false);
  EXPECT_EQ(response["status"]["code"], 403);
  const std::string message = response["status"]["message"];
  EXPECT_NE(message.find("team-roles"), std::string::npos) << message;
  EXPECT_NE(message.find("role/billing-admin"), std::string::npos) << message;
  EXPECT_NE(message.find("arn:aws:iam::111122223333:role/shop-*"), std::string::npos) << message;
  EXPECT_FALSE(response.contains("patch"));
  EXPECT_EQ(admission.decision.policy_rule, "team-roles");
  EXPECT_EQ(admission.decision.policy_mode, "enforce");
}

TEST_F(GuardrailsTest, AuditedPolicyAdmitsWithTheUsualPatchAWarningAndAuditAnnotations) {
  annotate({{"eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/billing-admin"}});
  const RolePolicy policy = team_policy(PolicyMode::audit);
  const std::string body = review_for_pod(pod(json::array({{{"name", "app"}}})), "shop");
  const Admission audited = review_admission(body, settings, identities, {0}, scratch, &policy);
  const Admission plain = review_admission(body, settings, identities, {0}, scratch);
  EXPECT_EQ(audited.decision.result, Result::mutated);
  EXPECT_EQ(audited.patch, plain.patch);
  EXPECT_TRUE(
      has_warning(audited, WarningKind::policy, "role policy rule team-roles (audit): role "));
  const json response = json::parse(audited.response)["response"];
  EXPECT_EQ(response["auditAnnotations"]["policy-rule"], "team-roles");
  EXPECT_NE(response["auditAnnotations"]["policy-violation"].get<std::string>().find(
                "role/billing-admin"),
            std::string::npos);
  EXPECT_EQ(audited.decision.policy_mode, "audit");
}

TEST_F(GuardrailsTest, AllowedRoleAndNoPolicyGiveTheSameBytes) {
  annotate({{"eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/shop-api"}});
  const RolePolicy policy = team_policy(PolicyMode::enforce);
  const std::string body = review_for_pod(pod(json::array({{{"name", "app"}}})), "shop");
  const Admission checked = review_admission(body, settings, identities, {0}, scratch, &policy);
  const Admission plain = review_admission(body, settings, identities, {0}, scratch);
  EXPECT_EQ(checked.response, plain.response);
  EXPECT_TRUE(checked.decision.policy_rule.empty());
}

TEST_F(GuardrailsTest, SharingLimitCountsTheAccountsThatNameTheRole) {
  RolePolicy policy;
  PolicyRule rule;
  rule.name = "no-sharing";
  rule.allowed_roles = {"*"};
  rule.max_service_accounts_per_role = 2;
  rule.mode = PolicyMode::enforce;
  policy.rules = {rule};
  const std::string body = review_for_pod(pod(json::array({{{"name", "app"}}})), "shop");
  annotate({{"eks.amazonaws.com/role-arn", kShopRole}}, "worker");
  EXPECT_EQ(review_admission(body, settings, identities, {0}, scratch, &policy).decision.result,
            Result::mutated)
      << "two accounts, limit two";
  annotate({{"eks.amazonaws.com/role-arn", kShopRole}}, "cron");
  const Admission third = review_admission(body, settings, identities, {0}, scratch, &policy);
  EXPECT_EQ(third.decision.result, Result::forbidden);
  EXPECT_NE(third.decision.error.find("3"), std::string::npos) << third.decision.error;
  annotate({{"eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/other"}}, "cron");
  EXPECT_EQ(review_admission(body, settings, identities, {0}, scratch, &policy).decision.result,
            Result::mutated)
      << "re-annotating an account moves its count to the new role";
}

TEST_F(GuardrailsTest, NamespaceSelectorNeedsKnownLabels) {
  RolePolicy policy;
  PolicyRule rule;
  rule.name = "prod-locked";
  rule.namespace_selector = LabelSelector{{{"env", "prod"}}, {}};
  rule.allowed_roles = {"arn:aws:iam::*:role/prod-*"};
  rule.mode = PolicyMode::enforce;
  policy.rules = {rule};
  const std::string body = review_for_pod(pod(json::array({{{"name", "app"}}})), "shop");
  EXPECT_EQ(review_admission(body, settings, identities, {0}, scratch, &policy).decision.result,
            Result::mutated)
      << "labels unknown: the rule does not match, the built-in default allows";
  identities.add_namespace("shop", {{"env", "prod"}});
  EXPECT_EQ(review_admission(body, settings, identities, {0}, scratch, &policy).decision.result,
            Result::forbidden);
  identities.add_namespace("shop", {{"env", "dev"}});
  EXPECT_EQ(review_admission(body, settings, identities, {0}, scratch, &policy).decision.result,
            Result::mutated);
}

TEST_F(GuardrailsTest, PodIdentityAssociationsAreJudgedByTheRoleTheirFileNames) {
  const auto parsed = parse_container_credentials_config(
      R"({"identities":[{"namespace":"shop","serviceAccount":"api",
                         "roleArn":"arn:aws:iam::111122223333:role/billing-admin"},
                        {"namespace":"shop","serviceAccount":"quiet"}]})");
  ASSERT_EQ(parsed.error, "");
  ASSERT_EQ(parsed.roles.size(), 1u);
  for (const auto& id : parsed.identities) {
    const auto role = parsed.roles.find(id);
    identities.add_container_credentials(id.ns, id.name,
                                         role != parsed.roles.end() ? role->second : "");
  }
  annotate({}, "quiet");
  const RolePolicy policy = team_policy(PolicyMode::enforce);
  const Admission named =
      review_admission(review_for_pod(pod(json::array({{{"name", "app"}}})), "shop"), settings,
                       identities, {0}, scratch, &policy);
  EXPECT_EQ(named.decision.mode, Mode::container_credentials);
  EXPECT_EQ(named.decision.result, Result::forbidden);
  EXPECT_NE(named.decision.error.find("role/billing-admin"), std::string::npos);

  const Admission unnamed = review_admission(
      review_for_pod(pod(json::array({{{"name", "app"}}}), json::object(), "quiet"), "shop"),
      settings, identities, {0}, scratch, &policy);
  EXPECT_EQ(unnamed.decision.result, Result::mutated) << "no role named: only namespaces judged";
  EXPECT_EQ(identities.accounts_naming_role("arn:aws:iam::111122223333:role/billing-admin"), 1u);
  annotate({{"eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/billing-admin"}},
           "billing");
  EXPECT_EQ(identities.accounts_naming_role("arn:aws:iam::111122223333:role/billing-admin"), 2u)
      << "the association and an account's annotation";
  EXPECT_NE(parse_container_credentials_config(
                R"({"identities":[{"namespace":"a","serviceAccount":"b","roleArn":7}]})")
                .error,
            "");
}

}  // namespace
}  // namespace irsa::core
