// `irsa-webhook doctor` end to end: the real binary against the fake Kubernetes API server
// (TokenRequest, discovery, webhook configurations, pods, endpoints, RBAC refusals) and the fake
// STS, over TLS. A healthy account passes every link; each broken link is named with its remedy.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "support/fake_kube_api.hpp"
#include "support/fake_sts.hpp"
#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::testing {
namespace {

using nlohmann::json;

constexpr const char* kToken = "doctor-test-token";
constexpr const char* kRole = "arn:aws:iam::111122223333:role/shop-api";
constexpr const char* kIssuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC";
constexpr const char* kSubject = "system:serviceaccount:shop:api";

std::vector<std::string> loopback_key() {
  return {"-newkey",  "ec",
          "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-addext",  "subjectAltName=IP:127.0.0.1,DNS:localhost"};
}

std::string trust_policy(const std::string& subject) {
  return json{
      {"Version", "2012-10-17"},
      {"Statement",
       {{{"Sid", "Shop"},
         {"Effect", "Allow"},
         {"Principal",
          {{"Federated",
            "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"}}},
         {"Action", "sts:AssumeRoleWithWebIdentity"},
         {"Condition",
          {{"StringEquals",
            {{"oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub", subject},
             {"oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud", "sts.amazonaws.com"}}}}}}}}}
      .dump();
}

json webhook_configuration(json namespace_selector = json::object()) {
  return {{"apiVersion", "admissionregistration.k8s.io/v1"},
          {"kind", "MutatingWebhookConfiguration"},
          {"metadata", {{"name", "pod-identity-webhook"}}},
          {"webhooks",
           {{{"name", "pod-identity-webhook.amazonaws.com"},
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
             {"sideEffects", "None"},
             {"admissionReviewVersions", {"v1"}},
             {"namespaceSelector", namespace_selector},
             {"objectSelector",
              {{"matchExpressions",
                {{{"key", "eks.amazonaws.com/skip-pod-identity-webhook"},
                  {"operator", "DoesNotExist"}}}}}}}}}};
}

json endpoint_slice(bool ready) {
  return {{"apiVersion", "discovery.k8s.io/v1"},
          {"kind", "EndpointSlice"},
          {"metadata",
           {{"name", "pod-identity-webhook-abc"},
            {"namespace", "eks"},
            {"labels", {{"kubernetes.io/service-name", "pod-identity-webhook"}}}}},
          {"addressType", "IPv4"},
          {"endpoints", {{{"addresses", {"10.0.0.7"}}, {"conditions", {{"ready", ready}}}}}}};
}

json pod(const std::string& role, json extra_env = json::array()) {
  json env = {{{"name", "AWS_REGION"}, {"value", "eu-west-1"}},
              {{"name", "AWS_ROLE_ARN"}, {"value", role}},
              {{"name", "AWS_WEB_IDENTITY_TOKEN_FILE"},
               {"value", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}}};
  for (const auto& variable : extra_env) env.push_back(variable);
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", "api-5d9f8-x1"},
            {"namespace", "shop"},
            {"labels", {{"app", "api"}, {"pod-template-hash", "5d9f8"}}},
            {"ownerReferences", {{{"kind", "ReplicaSet"}, {"name", "api-5d9f8"}}}}}},
          {"spec",
           {{"serviceAccountName", "api"},
            {"containers", {{{"name", "app"}, {"image", "shop/api"}, {"env", env}}}}}},
          {"status", {{"phase", "Running"}}}};
}

class DoctorCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(make_self_signed_pair(dir_, "api", loopback_key()), "");
    ASSERT_EQ(make_self_signed_pair(dir_, "sts", loopback_key()), "");
    FakeKubeApiOptions api_options;
    api_options.cert_file = dir_.path("api.crt");
    api_options.key_file = dir_.path("api.key");
    api_options.tokens = {kToken};
    api_ = std::make_unique<FakeKubeApi>(api_options);
    api_->set_issuer(kIssuer);
    api_->put_service_account("shop", "api", {{"eks.amazonaws.com/role-arn", kRole}});
    api_->put_object({{"apiVersion", "v1"},
                      {"kind", "Namespace"},
                      {"metadata", {{"name", "shop"}, {"labels", {{"team", "shop"}}}}}});
    api_->put_object(webhook_configuration());
    api_->put_object(endpoint_slice(true));
    api_->put_object(pod(kRole));

    FakeStsOptions sts_options;
    sts_options.cert_file = dir_.path("sts.crt");
    sts_options.key_file = dir_.path("sts.key");
    sts_ = std::make_unique<FakeSts>(sts_options);
    sts_->add_provider(kIssuer, {"sts.amazonaws.com"});
    sts_->add_role(kRole, {kSubject});

    dir_.write("kubeconfig",
               "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: fake\n"
               "  cluster:\n    server: " +
                   api_->url() + "\n    certificate-authority: " + dir_.path("api.crt") +
                   "\ncontexts:\n- name: test\n  context: {cluster: fake, user: doctor}\n"
                   "users:\n- name: doctor\n  user:\n    token: " +
                   kToken + "\n");
    dir_.write("trust.json", trust_policy(kSubject));
  }

  // doctor with the cluster, the trust policy and STS; `extra` goes last.
  ProcessResult doctor(std::vector<std::string> extra, bool json_output = true) const {
    std::vector<std::string> args = {"AWS_CA_BUNDLE=" + dir_.path("sts.crt"),
                                     IRSA_WEBHOOK_BINARY,
                                     "doctor",
                                     "--kubeconfig=" + dir_.path("kubeconfig"),
                                     "--trust-policy=" + dir_.path("trust.json"),
                                     "--try-assume",
                                     "--sts-endpoint=" + sts_->url()};
    if (json_output) args.push_back("--output=json");
    args.insert(args.end(), extra.begin(), extra.end());
    return run_process("/usr/bin/env", args);
  }

  static std::map<std::string, json> checks_of(const std::string& out) {
    const json report = json::parse(out);
    std::map<std::string, json> checks;
    for (const auto& check : report.at("checks")) checks[check.at("name")] = check;
    return checks;
  }

  // Runs doctor on shop/api, expects exit 1 and `name` failing with a remedy holding `remedy`.
  void expect_broken(const std::string& name, const std::string& remedy,
                     std::vector<std::string> extra = {}) const {
    extra.insert(extra.begin(), "shop/api");
    const ProcessResult result = doctor(extra);
    ASSERT_EQ(result.exit_code, 1) << result.out << result.err;
    const auto checks = checks_of(result.out);
    const json& check = checks.at(name);
    EXPECT_EQ(check["status"], "fail") << check.dump(2);
    ASSERT_TRUE(check.contains("remedy")) << check.dump(2);
    EXPECT_NE(check["remedy"].get<std::string>().find(remedy), std::string::npos) << check.dump(2);
    expect_no_secret(result);
  }

  void expect_no_secret(const ProcessResult& result) const {
    for (const auto& secret : sts_->issued_secrets()) {
      EXPECT_EQ(result.out.find(secret), std::string::npos) << "an STS secret was printed";
      EXPECT_EQ(result.err.find(secret), std::string::npos) << "an STS secret was printed";
    }
    EXPECT_EQ(result.out.find("eyJ"), std::string::npos) << "a token was printed";
    EXPECT_EQ(result.err.find("eyJ"), std::string::npos) << "a token was printed";
  }

  ScratchDir dir_{"irsa-doctor-cluster"};
  std::unique_ptr<FakeKubeApi> api_;
  std::unique_ptr<FakeSts> sts_;
};

TEST_F(DoctorCluster, AHealthyAccountPassesEveryLinkAndStsIssuesCredentials) {
  const ProcessResult result = doctor({"shop/api"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto checks = checks_of(result.out);
  ASSERT_EQ(checks.size(), 9U);
  for (const auto& [name, check] : checks) {
    EXPECT_EQ(check["status"], "pass") << name << ": " << check.dump(2);
  }
  EXPECT_NE(checks.at("sts")["finding"].get<std::string>().find(
                "arn:aws:sts::111122223333:assumed-role/shop-api/irsa-webhook-doctor"),
            std::string::npos);
  EXPECT_NE(checks.at("webhook")["finding"].get<std::string>().find("1 ready endpoint"),
            std::string::npos);
  // What STS was sent: the role, a session name and a token for the account (never printed).
  const auto requests = sts_->requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests.front().field("Action"), "AssumeRoleWithWebIdentity");
  EXPECT_EQ(requests.front().field("RoleArn"), kRole);
  EXPECT_EQ(requests.front().field("RoleSessionName"), "irsa-webhook-doctor");
  EXPECT_EQ(requests.front().token_subject, kSubject);
  EXPECT_EQ(requests.front().token_audience, "sts.amazonaws.com");
  EXPECT_EQ(api_->token_requests(), 1);
  expect_no_secret(result);
}

TEST_F(DoctorCluster, TextOutputIsATableWithTheRemedyUnderAFailure) {
  api_->put_service_account("shop", "api", {{"eks.amazon.com/role-arn", kRole}});
  const ProcessResult result = doctor({"shop/api"}, /*json_output=*/false);
  ASSERT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.out.find("FAIL annotation"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("ok   webhook"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("kubectl annotate serviceaccount -n shop api "
                            "eks.amazonaws.com/role-arn=" +
                            std::string(kRole)),
            std::string::npos)
      << result.out;
}

TEST_F(DoctorCluster, AMisspelledAnnotation) {
  api_->put_service_account("shop", "api", {{"eks.amazonaws.com/rolearn", kRole}});
  expect_broken("annotation", "eks.amazonaws.com/role-arn=" + std::string(kRole));
}

TEST_F(DoctorCluster, AMalformedRoleArn) {
  api_->put_service_account(
      "shop", "api", {{"eks.amazonaws.com/role-arn", "arn:aws:iam::11112222333:role/shop-api"}});
  expect_broken("role-arn", "kubectl annotate serviceaccount -n shop api");
}

TEST_F(DoctorCluster, AWebhookThatNeverSeesTheNamespace) {
  api_->put_object(webhook_configuration({{"matchLabels", {{"irsa", "enabled"}}}}));
  expect_broken("webhook", "kubectl label namespace shop");
}

TEST_F(DoctorCluster, AWebhookWithoutReadyEndpoints) {
  api_->put_object(endpoint_slice(false));
  expect_broken("webhook", "kubectl -n eks get pods");
}

TEST_F(DoctorCluster, APodThatStartedBeforeTheRoleChanged) {
  api_->put_object(pod("arn:aws:iam::111122223333:role/old"));
  expect_broken("pods", "kubectl rollout restart deployment/api -n shop");
}

TEST_F(DoctorCluster, AnIssuerFlagThatIsNotTheClusters) {
  expect_broken("issuer", kIssuer, {"--issuer=https://oidc.eks.eu-west-1.amazonaws.com/id/OTHER"});
}

TEST_F(DoctorCluster, TokensFromAnotherIssuer) {
  api_->set_token_issuer("https://kubernetes.default.svc.cluster.local");
  expect_broken("token", "https://kubernetes.default.svc.cluster.local");
}

TEST_F(DoctorCluster, ATrustPolicyForAnotherNamespace) {
  dir_.write("trust.json", trust_policy("system:serviceaccount:shop-dev:api"));
  sts_->add_role(kRole, {"system:serviceaccount:shop-dev:api"});
  expect_broken("trust-policy", "\"system:serviceaccount:shop:api\"");
  const auto checks = checks_of(doctor({"shop/api"}).out);
  EXPECT_NE(checks.at("trust-policy")["finding"].get<std::string>().find("shop-dev"),
            std::string::npos);
  EXPECT_EQ(checks.at("sts")["status"], "fail");  // STS agrees: AccessDenied
}

TEST_F(DoctorCluster, StaticKeysInThePod) {
  api_->put_object(
      pod(kRole, {{{"name", "AWS_ACCESS_KEY_ID"}, {"value", "AKIAIOSFODNN7EXAMPLE"}}}));
  expect_broken("environment", "remove AWS_ACCESS_KEY_ID", {"-n", "shop"});
}

struct StsFailure {
  const char* name;
  const char* remedy;
};

class DoctorClusterSts : public DoctorCluster, public ::testing::WithParamInterface<StsFailure> {};

TEST_P(DoctorClusterSts, TranslatesStsRefusals) {
  const StsFailure& failure = GetParam();
  const std::string name = failure.name;
  if (name == "no_provider") {
    sts_ = nullptr;
    FakeStsOptions options;
    options.cert_file = dir_.path("sts.crt");
    options.key_file = dir_.path("sts.key");
    sts_ = std::make_unique<FakeSts>(options);
    sts_->add_role(kRole, {kSubject});
  } else if (name == "audience") {
    sts_->add_provider(kIssuer, {"other-audience"});
  } else {
    sts_->fail_next(1, "IDPCommunicationError");
  }
  expect_broken("sts", failure.remedy);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, DoctorClusterSts,
    ::testing::Values(StsFailure{"no_provider", "aws iam create-open-id-connect-provider --url"},
                      StsFailure{"audience", "add-client-id-to-open-id-connect-provider"},
                      StsFailure{"idp_unreachable", "reachable from the internet"}),
    [](const ::testing::TestParamInfo<StsFailure>& row) { return std::string(row.param.name); });

TEST_F(DoctorCluster, TheTokenNeverGoesToStsOverPlainHttpToAnotherHost) {
  const ProcessResult result = doctor({"shop/api", "--sts-endpoint=http://sts.example.invalid"});
  ASSERT_EQ(result.exit_code, 1) << result.err;
  const auto checks = checks_of(result.out);
  EXPECT_NE(checks.at("sts")["finding"].get<std::string>().find(
                "refusing to send a token over plain http to sts.example.invalid"),
            std::string::npos)
      << checks.at("sts").dump(2);
  EXPECT_TRUE(sts_->requests().empty());
}

TEST_F(DoctorCluster, StsAccessDeniedAndThrottlingThroughTheBinary) {
  sts_->add_role(kRole, {"system:serviceaccount:other:api"});
  expect_broken("sts", "irsa-webhook trust-policy shop/api --account 111122223333");
  sts_->add_role(kRole, {kSubject});
  sts_->fail_next(1, "Throttling");
  const auto checks = checks_of(doctor({"shop/api"}).out);
  EXPECT_EQ(checks.at("sts")["status"], "warn") << checks.at("sts").dump(2);
}

TEST_F(DoctorCluster, WithoutTheRbacForTokensTheTokenCheckSaysWhichPermission) {
  api_->forbid("create", "serviceaccounts/token");
  const ProcessResult result = doctor({"shop/api"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto checks = checks_of(result.out);
  EXPECT_EQ(checks.at("token")["status"], "skip");
  EXPECT_NE(checks.at("token")["remedy"].get<std::string>().find(
                "create serviceaccounts/token in namespace shop"),
            std::string::npos)
      << checks.at("token").dump(2);
  EXPECT_EQ(checks.at("sts")["status"], "skip");
  EXPECT_EQ(checks.at("trust-policy")["status"], "pass");  // evaluated for the webhook's claims
}

TEST_F(DoctorCluster, AForbiddenServiceAccountIsOneLineAndExitTwo) {
  api_->forbid("get", "serviceaccounts");
  const ProcessResult result = doctor({"shop/api"});
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.err.find("get serviceaccounts in namespace shop"), std::string::npos)
      << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

TEST_F(DoctorCluster, AnApiServerThatIsDownIsOneLineAndExitTwo) {
  api_->set_available(false);
  const ProcessResult result = doctor({"shop/api"});
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.err.find("cannot read from the API server at " + api_->url()), std::string::npos)
      << result.err;
}

TEST_F(DoctorCluster, AMissingNamespaceIsNamed) {
  const ProcessResult account = doctor({"nope/api"});
  EXPECT_EQ(account.exit_code, 1) << account.err;
  const auto checks = checks_of(account.out);
  EXPECT_EQ(checks.at("annotation")["finding"], "namespace nope does not exist");
  const ProcessResult listing = doctor({"-n", "nope"});
  EXPECT_EQ(listing.exit_code, 2) << listing.out;
  EXPECT_EQ(listing.err, "irsa-webhook doctor: namespace nope does not exist\n");
}

TEST_F(DoctorCluster, WithoutKubeconfigFlagItUsesKubeconfigThenHomeAsKubectlDoes) {
  const std::string home = dir_.path("home");
  std::filesystem::create_directories(home + "/.kube");
  std::filesystem::copy_file(dir_.path("kubeconfig"), home + "/.kube/config");
  const ProcessResult from_home =
      run_process("/usr/bin/env", {"-u", "KUBECONFIG", "HOME=" + home, IRSA_WEBHOOK_BINARY,
                                   "doctor", "shop/api", "-o", "json"});
  EXPECT_EQ(from_home.exit_code, 0) << from_home.out << from_home.err;
  const ProcessResult from_variable =
      run_process("/usr/bin/env",
                  {"KUBECONFIG=" + dir_.path("kubeconfig") + ":/nonexistent", "HOME=/nonexistent",
                   IRSA_WEBHOOK_BINARY, "doctor", "shop/api", "-o", "json"});
  EXPECT_EQ(from_variable.exit_code, 0) << from_variable.out << from_variable.err;
  const ProcessResult nowhere =
      run_process("/usr/bin/env", {"-u", "KUBECONFIG", "-u", "KUBERNETES_SERVICE_HOST",
                                   "HOME=/nonexistent", IRSA_WEBHOOK_BINARY, "doctor", "shop/api"});
  EXPECT_EQ(nowhere.exit_code, 2);
  EXPECT_NE(nowhere.err.find("no cluster to read"), std::string::npos) << nowhere.err;
  const ProcessResult no_subject = doctor({});
  EXPECT_EQ(no_subject.exit_code, 2);
  EXPECT_NE(no_subject.err.find("name what to check"), std::string::npos) << no_subject.err;
}

TEST_F(DoctorCluster, APodSubjectChecksItsAccount) {
  const ProcessResult result = doctor({"pod/api-5d9f8-x1", "-n", "shop"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const json report = json::parse(result.out);
  EXPECT_EQ(report["subject"]["serviceAccount"], "api");
  const ProcessResult missing = doctor({"pod/nope", "-n", "shop"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("pod shop/nope not found"), std::string::npos) << missing.err;
}

TEST_F(DoctorCluster, ANamespaceListsEveryAccountWithARoleAndDetailsTheFailingOnes) {
  api_->put_service_account(
      "shop", "worker", {{"eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:user/worker"}});
  api_->put_service_account("shop", "plain");
  const ProcessResult text = doctor({"-n", "shop"}, /*json_output=*/false);
  EXPECT_EQ(text.exit_code, 1) << text.err;
  EXPECT_NE(text.out.find("shop/api"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("shop/worker"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("shop/plain"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("FAIL: role-arn"), std::string::npos) << text.out;
  const ProcessResult all = doctor({"--all-namespaces"});
  const json reports = json::parse(all.out);
  ASSERT_TRUE(reports.is_array());
  EXPECT_EQ(reports.size(), 2U);
}

}  // namespace
}  // namespace irsa::testing
