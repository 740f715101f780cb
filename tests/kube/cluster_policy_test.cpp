// The role policy and the warnings as a cluster sees them: pods are created through the fake API
// server, which calls the real irsa-webhook binary as its mutating webhook (the webhook reads its
// ServiceAccounts and Namespaces from that same fake), relays the webhook's warnings as HTTP
// Warning headers and turns a denial into the Status a kubectl user gets.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/running_webhook.hpp"
#include "support/fake_kube_api.hpp"
#include "support/https_client.hpp"
#include "support/scratch_dir.hpp"
#include "support/webhook_process.hpp"

namespace irsa::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kBillingRole = "arn:aws:iam::111122223333:role/billing-admin";

std::vector<std::string> loopback_ec_key() {
  return {"-newkey",  "ec",
          "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-addext",  "subjectAltName=IP:127.0.0.1,DNS:localhost"};
}

std::string policy_yaml(const std::string& mode, const std::string& namespaces) {
  return "mode: " + mode + "\nrules:\n  - name: team-roles\n    " + namespaces +
         "\n    allowedRoles: [\"arn:aws:iam::111122223333:role/{namespace}-*\"]\n"
         "  - name: everyone-else\n    allowedRoles: [\"*\"]\n";
}

json new_pod(const std::string& account) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"generateName", account + "-"}}},
          {"spec", {{"serviceAccountName", account}, {"containers", {{{"name", "app"}}}}}}};
}

// The text of each `Warning: 299 - "..."` header, unescaped.
std::vector<std::string> warnings_of(const HttpResult& result) {
  std::vector<std::string> texts;
  for (const auto& value : result.header_values("warning")) {
    const std::string prefix = "299 - \"";
    if (value.rfind(prefix, 0) != 0 || value.back() != '"') {
      texts.push_back("malformed: " + value);
      continue;
    }
    std::string text;
    for (std::size_t i = prefix.size(); i + 1 < value.size(); ++i) {
      if (value[i] == '\\' && i + 2 < value.size()) ++i;
      text.push_back(value[i]);
    }
    texts.push_back(text);
  }
  return texts;
}

bool has_text(const std::vector<std::string>& texts, const std::string& part) {
  for (const auto& text : texts) {
    if (text.find(part) != std::string::npos) return true;
  }
  return false;
}

class ClusterPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(make_self_signed_pair(dir_, "api", loopback_ec_key()), "");
    // The webhook's own pair (RunningWebhook keeps one it finds): the fake, like the API server,
    // checks the address it calls against the certificate.
    ASSERT_EQ(make_self_signed_pair(dir_, "tls", loopback_ec_key()), "");
    FakeKubeApiOptions options;
    options.cert_file = dir_.path("api.crt");
    options.key_file = dir_.path("api.key");
    api_ = std::make_unique<FakeKubeApi>(options);
    api_->put_service_account("shop", "api", {{"eks.amazonaws.com/role-arn", kBillingRole}});
    api_->put_service_account("shop", "typo", {{"eks.amazon.com/role-arn", kBillingRole}});
    api_->put_namespace("shop", {{"env", "prod"}});
    volume_ = std::make_unique<ProjectedVolume>(dir_, "policy");
  }

  void start(const std::string& policy) {
    volume_->publish({{"policy.yaml", policy}});
    const std::string kubeconfig = dir_.write(
        "kubeconfig",
        "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: fake\n"
        "  cluster:\n    server: " +
            api_->url() + "\n    certificate-authority: " + dir_.path("api.crt") +
            "\ncontexts:\n- name: test\n  context:\n    cluster: fake\n    user: tester\n"
            "users:\n- name: tester\n  user:\n    token: unused\n");
    webhook_ = std::make_unique<RunningWebhook>(
        dir_,
        std::vector<std::string>{"--kubeconfig=" + kubeconfig,
                                 "--role-policy=" + volume_->path("policy.yaml")},
        AccountSource::kubernetes_api);
    ASSERT_TRUE(webhook_->wait_ready()) << webhook_->process().log();
    MutatingWebhook call;
    call.port = webhook_->port();
    call.ca_file = dir_.path("tls.crt");
    api_->set_mutating_webhook(call);
    client_ = std::make_unique<HttpClient>(api_->port(), dir_.path("api.crt"));
  }

  HttpResult create(const std::string& account) {
    return client_->post_json("/api/v1/namespaces/shop/pods", new_pod(account).dump());
  }

  ScratchDir dir_{"irsa-cluster-policy"};
  std::unique_ptr<FakeKubeApi> api_;
  std::unique_ptr<ProjectedVolume> volume_;
  std::unique_ptr<RunningWebhook> webhook_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ClusterPolicyTest, AuditAdmitsThePodAndKubectlSeesTheWarningsAsHeaders) {
  start(policy_yaml("audit", "namespaces: [\"shop\"]"));
  const auto created = create("api");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto pod = json::parse(created.body);
  EXPECT_EQ(pod["spec"]["containers"][0]["env"][0]["value"], kBillingRole) << "still mutated";
  const auto warnings = warnings_of(created);
  EXPECT_TRUE(
      has_text(warnings, "role policy rule team-roles (audit): role " + std::string(kBillingRole)))
      << created.body;
  for (const auto& text : warnings) EXPECT_EQ(text.rfind("malformed", 0), std::string::npos);

  const auto typo = create("typo");
  ASSERT_EQ(typo.status, 201) << typo.body;
  EXPECT_TRUE(has_text(warnings_of(typo),
                       "ServiceAccount shop/typo has eks.amazon.com/role-arn; did you mean "
                       "eks.amazonaws.com/role-arn? No credentials injected"))
      << typo.body;
  EXPECT_EQ(webhook_->metric(R"(irsa_webhook_warnings_total{kind="near_miss"})"), 1);
  EXPECT_EQ(
      webhook_->metric(R"(irsa_webhook_policy_violations_total{rule="team-roles",mode="audit"})"),
      1);
}

TEST_F(ClusterPolicyTest, EnforceRefusesThePodWithTheRuleInTheMessage) {
  start(policy_yaml("enforce", "namespaces: [\"shop\"]"));
  const auto refused = create("api");
  EXPECT_EQ(refused.status, 403) << refused.body;
  const auto status = json::parse(refused.body);
  EXPECT_EQ(status["kind"], "Status");
  const std::string message = status["message"];
  EXPECT_EQ(message.rfind("admission webhook \"iam-for-pods.amazonaws.com\" denied the request: "
                          "role policy: role " +
                              std::string(kBillingRole),
                          0),
            0u)
      << message;
  EXPECT_NE(message.find("team-roles"), std::string::npos);
  EXPECT_NE(message.find("role/shop-*"), std::string::npos);
  EXPECT_EQ(
      webhook_->metric(R"(irsa_webhook_policy_violations_total{rule="team-roles",mode="enforce"})"),
      1);
  // Without a selector in the policy the webhook never asks for namespaces.
  for (const auto& request : api_->requests()) {
    EXPECT_EQ(request.find("/api/v1/namespaces?"), std::string::npos) << request;
  }
}

TEST_F(ClusterPolicyTest, NamespaceSelectorsFollowTheNamespacesLabelsThroughTheWatch) {
  start(policy_yaml("enforce", "namespaceSelector: {matchLabels: {env: prod}}"));
  EXPECT_EQ(create("api").status, 403);
  EXPECT_GE(webhook_->metric(R"(irsa_webhook_kube_lists_total{resource="namespaces"})"), 1);

  api_->put_namespace("shop", {{"env", "dev"}});
  EXPECT_TRUE(eventually([&] { return create("api").status == 201; }, 5s))
      << webhook_->process().log();
  api_->put_namespace("shop", {{"env", "prod"}});
  EXPECT_TRUE(eventually([&] { return create("api").status == 403; }, 5s));
}

}  // namespace
}  // namespace irsa::testing
