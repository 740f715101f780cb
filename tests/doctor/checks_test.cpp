// The nine checks, each from evidence built here: every link passes when it holds, and fails (or
// warns, or skips) with a finding and remedy that name what is wrong.
#include "irsa/doctor/checks.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace irsa::doctor {
namespace {

using nlohmann::json;

constexpr const char* kRole = "arn:aws:iam::111122223333:role/shop-api";
constexpr const char* kIssuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC";

json account(json annotations = {{"eks.amazonaws.com/role-arn", kRole}}) {
  return {{"apiVersion", "v1"},
          {"kind", "ServiceAccount"},
          {"metadata", {{"name", "api"}, {"namespace", "shop"}, {"annotations", annotations}}}};
}

json container(const std::string& name, json env = json::array()) {
  return {{"name", name}, {"image", "app"}, {"env", env}};
}

json mutated_env(const std::string& role = kRole) {
  return json::array({{{"name", "AWS_ROLE_ARN"}, {"value", role}},
                      {{"name", "AWS_WEB_IDENTITY_TOKEN_FILE"},
                       {"value", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}}});
}

json pod(const std::string& name, json containers, json labels = json::object(),
         json owners = json::array()) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", name}, {"namespace", "shop"}, {"labels", labels}, {"ownerReferences", owners}}},
      {"spec", {{"serviceAccountName", "api"}, {"containers", containers}}},
      {"status", {{"phase", "Running"}}}};
}

json webhook_configurations(json namespace_selector = json::object(),
                            json object_selector = {
                                {"matchExpressions",
                                 {{{"key", "eks.amazonaws.com/skip-pod-identity-webhook"},
                                   {"operator", "DoesNotExist"}}}}}) {
  json webhook = {
      {"name", "pod-identity-webhook.amazonaws.com"},
      {"clientConfig",
       {{"service",
         {{"namespace", "eks"}, {"name", "pod-identity-webhook"}, {"path", "/mutate"}}}}},
      {"rules",
       {{{"operations", {"CREATE"}},
         {"apiGroups", {""}},
         {"apiVersions", {"v1"}},
         {"resources", {"pods"}}}}},
      {"failurePolicy", "Ignore"},
      {"reinvocationPolicy", "IfNeeded"},
      {"timeoutSeconds", 10},
      {"namespaceSelector", namespace_selector},
      {"objectSelector", object_selector}};
  return {
      {"kind", "MutatingWebhookConfigurationList"},
      {"items",
       {{{"metadata", {{"name", "pod-identity-webhook"}}}, {"webhooks", json::array({webhook})}}}}};
}

json slices(int ready) {
  json endpoints = json::array();
  for (int i = 0; i < ready; ++i) {
    endpoints.push_back(
        {{"addresses", {"10.0.0." + std::to_string(i + 1)}}, {"conditions", {{"ready", true}}}});
  }
  return {{"kind", "EndpointSliceList"}, {"items", {{{"endpoints", endpoints}}}}};
}

json claims(const std::string& iss = kIssuer, json aud = json::array({"sts.amazonaws.com"}),
            const std::string& sub = "system:serviceaccount:shop:api") {
  return {{"iss", iss}, {"aud", aud}, {"sub", sub}, {"iat", 1000}, {"exp", 1600}};
}

constexpr const char* kGoodPolicy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
  "Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{
  "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:shop:api",
  "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud":"sts.amazonaws.com"}}}]})";

// A cluster where every link holds.
Evidence healthy() {
  Evidence evidence;
  evidence.subject = {"shop", "api"};
  evidence.cluster = true;
  evidence.service_account = Read::of(account());
  evidence.namespace_object = Read::of({{"metadata", {{"name", "shop"}}}});
  evidence.webhook_configurations = Read::of(webhook_configurations());
  evidence.service_endpoints["eks/pod-identity-webhook"] = Read::of(slices(2));
  const json deployment_owner = {{{"kind", "ReplicaSet"}, {"name", "api-5d9f8"}}};
  evidence.account_pods = Read::of(
      {{"kind", "PodList"},
       {"items", json::array({pod("api-5d9f8-x1", json::array({container("app", mutated_env())}),
                                  {{"pod-template-hash", "5d9f8"}}, deployment_owner)})}});
  evidence.discovery =
      Read::of({{"issuer", kIssuer}, {"jwks_uri", "https://kube.example/openid/v1/jwks"}});
  evidence.token_claims = Read::of(claims());
  evidence.trust_policy_text = kGoodPolicy;
  evidence.trust_policy_source = "trust.json";
  evidence.now = 1100;
  return evidence;
}

DoctorSettings settings_with_region() {
  DoctorSettings settings;
  settings.mutation.aws_default_region = "eu-west-1";
  return settings;
}

const CheckResult& find(const SubjectReport& report, std::string_view name) {
  for (const auto& check : report.checks) {
    if (check.name == name) return check;
  }
  throw std::runtime_error("no check " + std::string(name));
}

// Runs every check; whatever the evidence, a warning or a failure always says what to do.
CheckResult run(const Evidence& evidence, std::string_view name,
                const DoctorSettings& settings = settings_with_region()) {
  const SubjectReport report = run_checks(evidence, settings);
  for (const auto& check : report.checks) {
    if (check.status == Status::warn || check.status == Status::fail) {
      EXPECT_FALSE(check.remedy.empty()) << check.name << " " << status_name(check.status)
                                         << " without a remedy: " << check.finding;
    }
  }
  return find(report, name);
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(DoctorChecks, AHealthyAccountPassesEveryCheckThatRuns) {
  const SubjectReport report = run_checks(healthy(), settings_with_region());
  ASSERT_EQ(report.checks.size(), 9U);
  const std::vector<std::string_view> order = {kAnnotationCheck,  kRoleArnCheck,     kWebhookCheck,
                                               kPodsCheck,        kIssuerCheck,      kTokenCheck,
                                               kTrustPolicyCheck, kEnvironmentCheck, kStsCheck};
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(report.checks[i].name, order[i]);
    if (order[i] == kStsCheck) {
      EXPECT_EQ(report.checks[i].status, Status::skip);
    } else {
      EXPECT_EQ(report.checks[i].status, Status::pass)
          << report.checks[i].name << ": " << report.checks[i].finding;
    }
  }
  EXPECT_FALSE(report.failed());
  EXPECT_EQ(report.role_arn, kRole);
}

// 1. annotation

TEST(AnnotationCheck, AMissingAccountFailsWithTheCommandsThatCreateIt) {
  Evidence evidence = healthy();
  evidence.service_account = Read::refused(ReadState::not_found, "get serviceaccounts",
                                           "serviceaccounts \"api\" not found");
  const CheckResult check = run(evidence, kAnnotationCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.finding, "shop/api does not exist"));
  EXPECT_TRUE(has(check.remedy, "kubectl create serviceaccount -n shop api"));
}

TEST(AnnotationCheck, AMissingNamespaceIsNamedBeforeTheAccount) {
  Evidence evidence = healthy();
  evidence.service_account = Read::refused(ReadState::not_found, "get serviceaccounts", "");
  evidence.namespace_object = Read::refused(ReadState::not_found, "get namespaces", "");
  const CheckResult check = run(evidence, kAnnotationCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_EQ(check.finding, "namespace shop does not exist");
  EXPECT_TRUE(check.remedy.starts_with("kubectl create namespace shop\n")) << check.remedy;
}

TEST(AnnotationCheck, AMisspelledPrefixIsNamedAndMovedToTheRightKey) {
  Evidence evidence = healthy();
  evidence.service_account = Read::of(account({{"eks.amazon.com/role-arn", kRole}}));
  const CheckResult check = run(evidence, kAnnotationCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.finding, "eks.amazon.com")) << check.finding;
  EXPECT_TRUE(has(check.remedy, std::string("eks.amazonaws.com/role-arn=") + kRole))
      << check.remedy;
  EXPECT_TRUE(has(check.remedy, "eks.amazon.com/role-arn-")) << check.remedy;
}

TEST(AnnotationCheck, TheAnnotationOnThePodIsNamedAsMisplaced) {
  Evidence evidence = healthy();
  evidence.service_account = Read::of(account(json::object()));
  json annotated = pod("api-1", json::array({container("app")}));
  annotated["metadata"]["annotations"] = {{"eks.amazonaws.com/role-arn", kRole}};
  evidence.pod = Read::of(annotated);
  const CheckResult check = run(evidence, kAnnotationCheck);
  EXPECT_EQ(check.status, Status::fail);
  ASSERT_FALSE(check.details.empty());
  EXPECT_TRUE(has(check.details.front(), "only from the ServiceAccount")) << check.details.front();
  EXPECT_TRUE(has(check.remedy, std::string("eks.amazonaws.com/role-arn=") + kRole));
}

TEST(AnnotationCheck, WhitespaceAroundTheValueWarnsWithTheTrimmedValue) {
  Evidence evidence = healthy();
  evidence.service_account =
      Read::of(account({{"eks.amazonaws.com/role-arn", std::string(" ") + kRole + " "}}));
  const CheckResult check = run(evidence, kAnnotationCheck);
  EXPECT_NE(check.status, Status::pass);
  EXPECT_TRUE(
      has(check.remedy, std::string("eks.amazonaws.com/role-arn=") + kRole + " --overwrite"))
      << check.remedy;
}

TEST(AnnotationCheck, TheConfigMapMappingCountsWhenTheWebhookWatchesIt) {
  Evidence evidence = healthy();
  evidence.service_account = Read::of(account(json::object()));
  evidence.config_map =
      Read::of({{"data", {{"config", std::string(R"({"*/api":{"RoleARN":")") + kRole + "\"}}"}}}});
  DoctorSettings settings = settings_with_region();
  EXPECT_EQ(run(evidence, kAnnotationCheck, settings).status, Status::fail);
  settings.watch_config_map = true;
  const CheckResult check = run(evidence, kAnnotationCheck, settings);
  EXPECT_EQ(check.status, Status::pass);
  EXPECT_TRUE(has(check.finding, "*/api"));
}

TEST(AnnotationCheck, APodIdentityAssociationIsNamed) {
  Evidence evidence = healthy();
  evidence.service_account = Read::of(account(json::object()));
  evidence.container_credentials_listed = true;
  const SubjectReport report = run_checks(evidence, settings_with_region());
  EXPECT_EQ(find(report, kAnnotationCheck).status, Status::pass);
  EXPECT_TRUE(has(find(report, kAnnotationCheck).finding, "Pod Identity"));
  EXPECT_EQ(find(report, kTrustPolicyCheck).status, Status::skip);
}

TEST(AnnotationCheck, AnAccountThatCannotBeReadNamesThePermission) {
  Evidence evidence = healthy();
  evidence.service_account =
      Read::refused(ReadState::forbidden, "get serviceaccounts in namespace shop", "forbidden");
  const CheckResult check = run(evidence, kAnnotationCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.remedy, "get serviceaccounts in namespace shop"));
}

// 2. role-arn

TEST(RoleArnCheck, AUserArnFailsAndSaysWhatItIs) {
  Evidence evidence = healthy();
  evidence.service_account =
      Read::of(account({{"eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:user/deploy"}}));
  const CheckResult check = run(evidence, kRoleArnCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.finding, "user")) << check.finding;
  EXPECT_TRUE(has(check.remedy, "kubectl annotate serviceaccount -n shop api"));
}

TEST(RoleArnCheck, NoRoleIsASkip) {
  Evidence evidence = healthy();
  evidence.service_account = Read::of(account(json::object()));
  EXPECT_EQ(run(evidence, kRoleArnCheck).status, Status::skip);
}

// 3. webhook

TEST(WebhookCheck, PassesWithTheWebhooksSettingsAndEndpoints) {
  const CheckResult check = run(healthy(), kWebhookCheck);
  EXPECT_EQ(check.status, Status::pass);
  EXPECT_TRUE(has(check.finding, "failurePolicy Ignore"));
  EXPECT_TRUE(has(check.finding, "2 ready endpoints"));
}

TEST(WebhookCheck, ANamespaceSelectorThatLeavesTheNamespaceOutFails) {
  Evidence evidence = healthy();
  evidence.webhook_configurations =
      Read::of(webhook_configurations({{"matchLabels", {{"irsa", "enabled"}}}}));
  const CheckResult check = run(evidence, kWebhookCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.finding, "namespace shop"));
  EXPECT_TRUE(has(check.finding, "irsa=enabled"));
}

TEST(WebhookCheck, TheSkipLabelOnThePodFails) {
  Evidence evidence = healthy();
  evidence.pod = Read::of(pod("api-1", json::array({container("app")}),
                              {{"eks.amazonaws.com/skip-pod-identity-webhook", "true"}}));
  const CheckResult check = run(evidence, kWebhookCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.remedy, "skip-pod-identity-webhook"));
}

TEST(WebhookCheck, NoReadyEndpointsFails) {
  Evidence evidence = healthy();
  evidence.service_endpoints["eks/pod-identity-webhook"] = Read::of(slices(0));
  const CheckResult check = run(evidence, kWebhookCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.finding, "no ready endpoints"));
  EXPECT_TRUE(has(check.finding, "without credentials"));
}

TEST(WebhookCheck, OneOfTwoIdentityWebhooksReceivingThePodIsEnough) {
  Evidence evidence = healthy();
  json both = webhook_configurations({{"matchLabels", {{"irsa", "enabled"}}}});
  json second = webhook_configurations()["items"][0];
  second["metadata"]["name"] = "irsa-webhook";
  second["webhooks"][0]["name"] = "irsa-webhook.example";
  both["items"].push_back(second);
  evidence.webhook_configurations = Read::of(both);
  const CheckResult check = run(evidence, kWebhookCheck);
  EXPECT_EQ(check.status, Status::pass) << check.finding;
  EXPECT_TRUE(has(check.finding, "irsa-webhook.example"));
  ASSERT_FALSE(check.details.empty());
  EXPECT_TRUE(has(check.details.back(), "also installed")) << check.details.back();
}

TEST(WebhookCheck, AMalformedSelectorFailsWithARemedy) {
  Evidence evidence = healthy();
  evidence.webhook_configurations = Read::of(
      webhook_configurations({{"matchExpressions", {{{"key", "team"}, {"operator", "Gt"}}}}}));
  const CheckResult check = run(evidence, kWebhookCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.finding, "malformed"));
}

TEST(WebhookCheck, NoIdentityWebhookFails) {
  Evidence evidence = healthy();
  evidence.webhook_configurations = Read::of({{"items", json::array()}});
  EXPECT_EQ(run(evidence, kWebhookCheck).status, Status::fail);
}

TEST(WebhookCheck, MissingRbacSkipsAndNamesThePermission) {
  Evidence evidence = healthy();
  evidence.webhook_configurations =
      Read::refused(ReadState::forbidden,
                    "list mutatingwebhookconfigurations.admissionregistration.k8s.io", "no");
  const CheckResult check = run(evidence, kWebhookCheck);
  EXPECT_EQ(check.status, Status::skip);
  EXPECT_TRUE(has(check.remedy, "list mutatingwebhookconfigurations"));
}

TEST(WebhookCheck, ServicesOfIdentityWebhooksAreListedOnce) {
  const auto services = identity_webhook_services(webhook_configurations());
  ASSERT_EQ(services.size(), 1U);
  EXPECT_EQ(services.front(), "eks/pod-identity-webhook");
}

// 4. pods

TEST(PodsCheck, APodWithAnOldRoleNeedsItsDeploymentRestarted) {
  Evidence evidence = healthy();
  evidence.account_pods = Read::of(
      {{"items", json::array({pod("api-5d9f8-x1",
                                  json::array({container(
                                      "app", mutated_env("arn:aws:iam::111122223333:role/old"))}),
                                  {{"pod-template-hash", "5d9f8"}},
                                  {{{"kind", "ReplicaSet"}, {"name", "api-5d9f8"}}})})}});
  const CheckResult check = run(evidence, kPodsCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.finding, "restart needed"));
  EXPECT_EQ(check.remedy, "kubectl rollout restart deployment/api -n shop");
  ASSERT_EQ(check.details.size(), 1U);
  EXPECT_TRUE(has(check.details.front(), "role/old"));
}

TEST(PodsCheck, AnUnmutatedStatefulSetPodIsListed) {
  Evidence evidence = healthy();
  evidence.account_pods =
      Read::of({{"items", json::array({pod("db-0", json::array({container("db")}), {},
                                           {{{"kind", "StatefulSet"}, {"name", "db"}}})})}});
  const CheckResult check = run(evidence, kPodsCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_EQ(check.remedy, "kubectl rollout restart statefulset/db -n shop");
}

TEST(PodsCheck, FinishedPodsDoNotCountAndNoPodsPasses) {
  Evidence evidence = healthy();
  json done = pod("job-1", json::array({container("app")}));
  done["status"]["phase"] = "Succeeded";
  evidence.account_pods = Read::of({{"items", json::array({done})}});
  const CheckResult check = run(evidence, kPodsCheck);
  EXPECT_EQ(check.status, Status::pass);
  EXPECT_TRUE(has(check.finding, "no running pods"));
}

// 5. issuer

TEST(IssuerCheck, ADifferentIssuerFlagFails) {
  Evidence evidence = healthy();
  evidence.issuer_flag = "https://oidc.eks.eu-west-1.amazonaws.com/id/OTHER";
  const CheckResult check = run(evidence, kIssuerCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.remedy, kIssuer));
}

TEST(IssuerCheck, TheSameIssuerWithoutSchemePasses) {
  Evidence evidence = healthy();
  evidence.issuer_flag = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
  EXPECT_EQ(run(evidence, kIssuerCheck).status, Status::pass);
}

TEST(IssuerCheck, PlainHttpFailsAndATrailingSlashWarns) {
  Evidence evidence = healthy();
  evidence.discovery = Read::of({{"issuer", "http://kube.example"}});
  evidence.token_claims = Read{};
  EXPECT_EQ(run(evidence, kIssuerCheck).status, Status::fail);
  evidence.discovery = Read::of({{"issuer", std::string(kIssuer) + "/"}});
  EXPECT_EQ(run(evidence, kIssuerCheck).status, Status::warn);
}

TEST(IssuerCheck, UnknownIssuerOfflineIsASkipThatSaysHowToFindIt) {
  Evidence evidence = healthy();
  evidence.discovery = Read{};
  const CheckResult check = run(evidence, kIssuerCheck);
  EXPECT_EQ(check.status, Status::skip);
  EXPECT_TRUE(has(check.remedy, "aws eks describe-cluster"));
}

// 6. token

TEST(TokenCheck, AnIssuerMismatchFails) {
  Evidence evidence = healthy();
  evidence.token_claims = Read::of(claims("https://kubernetes.default.svc"));
  const CheckResult check = run(evidence, kTokenCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.finding, "https://kubernetes.default.svc"));
}

TEST(TokenCheck, AnAudienceMismatchFails) {
  Evidence evidence = healthy();
  evidence.token_claims = Read::of(claims(kIssuer, json::array({"other"})));
  EXPECT_EQ(run(evidence, kTokenCheck).status, Status::fail);
}

TEST(TokenCheck, MissingRbacSkipsNamingThePermission) {
  Evidence evidence = healthy();
  evidence.token_claims = Read::refused(
      ReadState::forbidden, "create serviceaccounts/token in namespace shop", "forbidden");
  const CheckResult check = run(evidence, kTokenCheck);
  EXPECT_EQ(check.status, Status::skip);
  EXPECT_TRUE(has(check.remedy, "create serviceaccounts/token in namespace shop"));
}

// 7. trust-policy

TEST(TrustPolicyCheck, AWrongNamespaceFailsWithACorrectedStatement) {
  Evidence evidence = healthy();
  std::string policy = kGoodPolicy;
  policy.replace(policy.find("shop:api"), 8, "shop-dev:api");
  evidence.trust_policy_text = policy;
  const CheckResult check = run(evidence, kTrustPolicyCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.finding, "shop-dev")) << check.finding;
  const json remedy = json::parse(check.remedy);
  EXPECT_EQ(remedy["Condition"]["StringEquals"]["oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub"],
            "system:serviceaccount:shop:api");
}

TEST(TrustPolicyCheck, NoSubConditionWarns) {
  Evidence evidence = healthy();
  std::string policy = kGoodPolicy;
  const auto at = policy.find("\"oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub\"");
  policy.erase(at, policy.find(',', at) + 1 - at);
  evidence.trust_policy_text = policy;
  EXPECT_EQ(run(evidence, kTrustPolicyCheck).status, Status::warn);
}

TEST(TrustPolicyCheck, WithoutAPolicyItSkipsAndSaysHowToGetOne) {
  Evidence evidence = healthy();
  evidence.trust_policy_text.reset();
  const CheckResult check = run(evidence, kTrustPolicyCheck);
  EXPECT_EQ(check.status, Status::skip);
  EXPECT_TRUE(has(check.remedy, "aws iam get-role --role-name shop-api"));
}

TEST(TrustPolicyCheck, OfflineItUsesTheClaimsTheWebhooksTokenWouldCarry) {
  Evidence evidence = healthy();
  evidence.token_claims = Read{};
  evidence.discovery = Read{};
  evidence.issuer_flag = kIssuer;
  EXPECT_EQ(run(evidence, kTrustPolicyCheck).status, Status::pass);
  // The account's audience annotation changes the aud the policy must hold.
  evidence.service_account = Read::of(
      account({{"eks.amazonaws.com/role-arn", kRole}, {"eks.amazonaws.com/audience", "other"}}));
  EXPECT_EQ(run(evidence, kTrustPolicyCheck).status, Status::fail);
}

// 8. environment

TEST(EnvironmentCheck, StaticKeysFail) {
  Evidence evidence = healthy();
  evidence.pod = Read::of(
      pod("api-1", json::array({container(
                       "app", {{{"name", "AWS_ACCESS_KEY_ID"}, {"value", "AKIAEXAMPLE"}}})})));
  const CheckResult check = run(evidence, kEnvironmentCheck);
  EXPECT_EQ(check.status, Status::fail);
  EXPECT_TRUE(has(check.finding, "AWS_ACCESS_KEY_ID"));
  EXPECT_FALSE(has(check.finding, "AKIAEXAMPLE"));
  EXPECT_TRUE(has(check.remedy, "container app"));
}

TEST(EnvironmentCheck, DifferentUsersWithoutFsGroupWarn) {
  Evidence evidence = healthy();
  json two = pod("api-1", {container("app"), container("sidecar")});
  two["spec"]["containers"][0]["securityContext"] = {{"runAsUser", 1000}};
  two["spec"]["containers"][1]["securityContext"] = {{"runAsUser", 2000}};
  evidence.pod = Read::of(two);
  const CheckResult check = run(evidence, kEnvironmentCheck);
  EXPECT_EQ(check.status, Status::warn);
  EXPECT_TRUE(has(check.remedy, "fsGroup"));
  two["spec"]["securityContext"] = {{"fsGroup", 3000}};
  evidence.pod = Read::of(two);
  EXPECT_EQ(run(evidence, kEnvironmentCheck).status, Status::pass);
}

TEST(EnvironmentCheck, NoRegionAnywhereWarns) {
  const CheckResult check = run(healthy(), kEnvironmentCheck, DoctorSettings{});
  EXPECT_EQ(check.status, Status::warn);
  EXPECT_TRUE(has(check.remedy, "--aws-default-region"));
}

// 9. sts

struct StsRow {
  const char* code;
  const char* message;
  Status status;
  const char* remedy_part;
};

class StsCheck : public ::testing::TestWithParam<StsRow> {};

TEST_P(StsCheck, TranslatesTheAnswerIntoTheBrokenLink) {
  const StsRow& row = GetParam();
  Evidence evidence = healthy();
  evidence.sts.asked = true;
  evidence.sts.endpoint = "https://sts.eu-west-1.amazonaws.com";
  evidence.sts.status = 400;
  evidence.sts.error_code = row.code;
  evidence.sts.error_message = row.message;
  DoctorSettings settings = settings_with_region();
  settings.try_assume = true;
  const CheckResult check = run(evidence, kStsCheck, settings);
  EXPECT_EQ(check.status, row.status) << check.finding;
  EXPECT_TRUE(has(check.remedy, row.remedy_part)) << check.remedy;
}

INSTANTIATE_TEST_SUITE_P(
    DocumentedErrors, StsCheck,
    ::testing::Values(
        StsRow{"InvalidIdentityToken",
               "No OpenIDConnect provider found in your account for https://oidc.example",
               Status::fail, "create-open-id-connect-provider"},
        StsRow{"InvalidIdentityToken", "Incorrect token audience", Status::fail,
               "add-client-id-to-open-id-connect-provider"},
        StsRow{"AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity",
               Status::fail, "irsa-webhook trust-policy shop/api"},
        StsRow{"IDPCommunicationError", "Couldn't retrieve verification key", Status::fail,
               "/.well-known/openid-configuration"},
        StsRow{"ExpiredTokenException", "Token expired", Status::fail, "clocks"},
        StsRow{"Throttling", "Rate exceeded", Status::warn, "again"}));

TEST(StsCheckResult, ASuccessPassesWithTheSessionArn) {
  Evidence evidence = healthy();
  evidence.sts.asked = true;
  evidence.sts.status = 200;
  evidence.sts.assumed_role_arn = "arn:aws:sts::111122223333:assumed-role/shop-api/doctor";
  evidence.sts.expiration = "2026-12-04T19:00:00Z";
  DoctorSettings settings = settings_with_region();
  settings.try_assume = true;
  const CheckResult check = run(evidence, kStsCheck, settings);
  EXPECT_EQ(check.status, Status::pass);
  EXPECT_TRUE(has(check.finding, "assumed-role/shop-api/doctor"));
  EXPECT_EQ(run(evidence, kStsCheck).status, Status::skip);  // not asked without --try-assume
}

}  // namespace
}  // namespace irsa::doctor
