// The real irsa-webhook binary reading ServiceAccounts from a Kubernetes API server: the fake API
// server in tests/support speaks the wire protocol over TLS, and the webhook is driven through
// its HTTPS port as the API server would. Each test names the situation it puts the webhook in.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/running_webhook.hpp"
#include "support/fake_kube_api.hpp"
#include "support/fake_metadata_service.hpp"
#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"
#include "support/webhook_process.hpp"

namespace irsa::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kToken = "test-token-1";
constexpr const char* kRoleAnnotation = "eks.amazonaws.com/role-arn";
const std::string kLateRole = "arn:aws:iam::111122223333:role/late";

std::vector<std::string> ec_key_with_loopback_names() {
  return {"-newkey",  "ec",
          "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-addext",  "subjectAltName=IP:127.0.0.1,DNS:localhost"};
}

// A kubeconfig whose one context points at `server` with the given user block (YAML, indented
// for its place under "user:").
std::string kubeconfig_yaml(const std::string& server, const std::string& ca_file,
                            const std::string& user) {
  return "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: fake\n"
         "  cluster:\n    server: " +
         server + "\n    certificate-authority: " + ca_file +
         "\ncontexts:\n- name: test\n  context:\n    cluster: fake\n    user: tester\n"
         "users:\n- name: tester\n  user:\n" +
         user;
}

bool carries_role(const HttpResult& result, const std::string& role) {
  return result.status == 200 && patch_of(result.body).find(role) != std::string::npos;
}

bool admitted_without_patch(const HttpResult& result) {
  return result.status == 200 && result.body.find("\"allowed\":true") != std::string::npos &&
         patch_of(result.body).empty();
}

class ClusterWebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(make_self_signed_pair(dir_, "api", ec_key_with_loopback_names()), "");
    start_api({kToken});
    api_->put_service_account("apps", "web", {{kRoleAnnotation, kWebRole}});
    api_->put_service_account("apps", "plain");
  }

  void start_api(std::vector<std::string> tokens, const std::string& client_ca = {}) {
    FakeKubeApiOptions options;
    options.cert_file = dir_.path("api.crt");
    options.key_file = dir_.path("api.key");
    options.client_ca_file = client_ca;
    options.tokens = std::move(tokens);
    api_ = std::make_unique<FakeKubeApi>(options);
  }

  std::string token_kubeconfig(const std::string& token = kToken) const {
    return dir_.write("kubeconfig", kubeconfig_yaml(api_->url(), dir_.path("api.crt"),
                                                    "    token: " + token + "\n"));
  }

  std::unique_ptr<RunningWebhook> start(std::vector<std::string> extra = {},
                                        const std::string& kubeconfig = {}) {
    extra.push_back("--kubeconfig=" + (kubeconfig.empty() ? token_kubeconfig() : kubeconfig));
    return std::make_unique<RunningWebhook>(dir_, extra, AccountSource::kubernetes_api);
  }

  HttpResult review(RunningWebhook& webhook, const std::string& ns, const std::string& account,
                    const std::string& target = "/mutate?timeout=10s") {
    return webhook.client(seconds(20))->post_json(target, pod_review(ns, account));
  }

  ScratchDir dir_{"irsa-cluster"};
  std::unique_ptr<FakeKubeApi> api_;
};

TEST_F(ClusterWebhookTest, ServesRolesFromTheListedAccounts) {
  auto webhook = start();
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  EXPECT_TRUE(carries_role(review(*webhook, "apps", "web"), kWebRole));
  EXPECT_TRUE(admitted_without_patch(review(*webhook, "apps", "plain")));
  EXPECT_EQ(api_->last_authorization(), std::string("Bearer ") + kToken);
  const auto requests = api_->requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.front().rfind("GET /api/v1/serviceaccounts?limit=500", 0), 0u)
      << requests.front();
  EXPECT_EQ(webhook->metric("irsa_webhook_service_accounts"), 2);
  EXPECT_EQ(webhook->metric("irsa_webhook_ready"), 1);
  EXPECT_GE(webhook->metric("irsa_webhook_kube_lists_total{resource=\"serviceaccounts\"}"), 1);
  EXPECT_EQ(webhook->metric("irsa_webhook_service_account_lookups_total{outcome=\"cached\"}"), 2);
}

TEST_F(ClusterWebhookTest, AnAccountCreatedAfterItsPodArrivesIsUsedWithinTheGracePeriod) {
  auto webhook = start({"--service-account-lookup-grace-period=5s"});
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  const auto sent = Clock::now();
  auto answer = std::async(std::launch::async, [&] { return review(*webhook, "apps", "late"); });
  std::this_thread::sleep_for(milliseconds(400));
  api_->put_service_account("apps", "late", {{kRoleAnnotation, kLateRole}});
  const HttpResult result = answer.get();
  const auto took = Clock::now() - sent;
  EXPECT_TRUE(carries_role(result, kLateRole)) << result.body;
  EXPECT_GE(took, milliseconds(400));
  EXPECT_LT(took, seconds(4)) << "the arrival must end the wait, not the grace period";
  EXPECT_EQ(
      webhook->metric("irsa_webhook_service_account_lookups_total{outcome=\"found_after_wait\"}"),
      1);
  EXPECT_EQ(webhook->metric("irsa_webhook_service_account_wait_seconds_count"), 1);
  // The direct GET went out while the account did not exist yet.
  EXPECT_EQ(webhook->metric("irsa_webhook_service_account_fetches_total{outcome=\"not_found\"}"),
            1);
}

TEST_F(ClusterWebhookTest, AnAccountTheWatchHasNotDeliveredIsFetchedDirectly) {
  auto webhook = start({"--service-account-lookup-grace-period=5s"});
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  // With the watch cut and refused for a while, the account can reach the cache only through a
  // direct GET.
  api_->fail_next_watches(1000);
  api_->cut_watches(false);
  api_->put_service_account("apps", "late", {{kRoleAnnotation, kLateRole}});
  const auto sent = Clock::now();
  EXPECT_TRUE(carries_role(review(*webhook, "apps", "late"), kLateRole));
  EXPECT_LT(Clock::now() - sent, seconds(2));
  EXPECT_EQ(webhook->metric("irsa_webhook_service_account_fetches_total{outcome=\"found\"}"), 1);
  EXPECT_GE(api_->counts().gets, 1);
}

TEST_F(ClusterWebhookTest, PodsOfAMissingAccountShareOneGetAndTheNotFoundIsRemembered) {
  auto webhook = start({"--service-account-lookup-grace-period=1s"});
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  std::vector<std::future<HttpResult>> answers;
  const auto sent = Clock::now();
  for (int i = 0; i < 8; ++i) {
    answers.push_back(
        std::async(std::launch::async, [&] { return review(*webhook, "apps", "ghost"); }));
  }
  for (auto& answer : answers) EXPECT_TRUE(admitted_without_patch(answer.get()));
  const auto took = Clock::now() - sent;
  EXPECT_GE(took, milliseconds(900)) << "each waited for the grace period";
  EXPECT_LT(took, seconds(5));
  EXPECT_EQ(api_->counts().gets, 1);
  EXPECT_TRUE(admitted_without_patch(review(*webhook, "apps", "ghost")));
  EXPECT_EQ(api_->counts().gets, 1) << "NotFound is remembered for a while";
  EXPECT_EQ(
      webhook->metric("irsa_webhook_service_account_lookups_total{outcome=\"missing_after_wait\"}"),
      9);
  EXPECT_EQ(webhook->metric("irsa_webhook_service_account_wait_seconds_count"), 9);
  EXPECT_EQ(webhook->metric("irsa_webhook_service_account_waiters"), 0) << "no waiter left behind";
}

TEST_F(ClusterWebhookTest, AZeroGracePeriodAdmitsAtOnceAsUpstreamDoes) {
  auto webhook = start({"--service-account-lookup-grace-period=0"});
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  const auto sent = Clock::now();
  EXPECT_TRUE(admitted_without_patch(review(*webhook, "apps", "ghost")));
  EXPECT_LT(Clock::now() - sent, milliseconds(500));
  EXPECT_EQ(api_->counts().gets, 0);
  EXPECT_EQ(webhook->metric("irsa_webhook_service_account_lookups_total{outcome=\"missing\"}"), 1);
}

TEST_F(ClusterWebhookTest, TheWaitEndsBeforeTheApiServersTimeout) {
  auto webhook = start({"--service-account-lookup-grace-period=30s"});
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  const auto sent = Clock::now();
  EXPECT_TRUE(admitted_without_patch(review(*webhook, "apps", "ghost", "/mutate?timeout=2s")));
  const auto took = Clock::now() - sent;
  EXPECT_GE(took, milliseconds(1500));
  EXPECT_LT(took, milliseconds(2000)) << "the API server would have given up";
}

TEST_F(ClusterWebhookTest, AWatchCutMidStreamResumesAndKeepsNoStaleEntry) {
  auto webhook = start({"--service-account-lookup-grace-period=0"});
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  ASSERT_TRUE(carries_role(review(*webhook, "apps", "web"), kWebRole));
  api_->cut_watches(/*mid_line=*/true);
  api_->delete_service_account("apps", "web");
  api_->put_service_account("apps", "late", {{kRoleAnnotation, kLateRole}});
  EXPECT_TRUE(eventually([&] { return carries_role(review(*webhook, "apps", "late"), kLateRole); }))
      << webhook->process().log();
  EXPECT_TRUE(admitted_without_patch(review(*webhook, "apps", "web")));
  EXPECT_GE(webhook->metric("irsa_webhook_kube_watch_restarts_total{resource=\"serviceaccounts\"}"),
            1);
  EXPECT_EQ(webhook->metric("irsa_webhook_kube_relists_total{resource=\"serviceaccounts\"}"), -1)
      << "resuming from the last resourceVersion needs no relist";
}

TEST_F(ClusterWebhookTest, AnExpiredResourceVersionLeadsToARelist) {
  auto webhook = start({"--service-account-lookup-grace-period=0"});
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  // Changes the webhook cannot resume into: made while it is cut off, then compacted away.
  api_->set_available(false);
  api_->delete_service_account("apps", "web");
  api_->put_service_account("apps", "late", {{kRoleAnnotation, kLateRole}});
  api_->compact();
  api_->set_available(true);
  EXPECT_TRUE(eventually(
      [&] {
        return webhook->metric("irsa_webhook_kube_relists_total{resource=\"serviceaccounts\"}") >=
               1;
      },
      seconds(15)))
      << webhook->process().log();
  EXPECT_TRUE(
      eventually([&] { return carries_role(review(*webhook, "apps", "late"), kLateRole); }));
  EXPECT_TRUE(admitted_without_patch(review(*webhook, "apps", "web")));
  EXPECT_GE(webhook->metric("irsa_webhook_kube_lists_total{resource=\"serviceaccounts\"}"), 2);
}

TEST_F(ClusterWebhookTest, AnErrorEventMakesTheWatchReconnect) {
  auto webhook = start({"--service-account-lookup-grace-period=0"});
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  ASSERT_TRUE(eventually([&] { return api_->open_watches() == 1; }));
  api_->send_watch_error(500, "InternalError", "etcd hiccup");
  EXPECT_TRUE(eventually([&] {
    return webhook->metric(
               "irsa_webhook_kube_api_errors_total{resource=\"serviceaccounts\",code=\"500\"}") ==
           1;
  }));
  api_->put_service_account("apps", "late", {{kRoleAnnotation, kLateRole}});
  EXPECT_TRUE(
      eventually([&] { return carries_role(review(*webhook, "apps", "late"), kLateRole); }));
}

TEST_F(ClusterWebhookTest, AnApiServerDownAtStartLeavesTheWebhookUnreadyUntilItComesBack) {
  api_->set_available(false);
  auto webhook = start();
  auto probe = webhook->client(seconds(2));
  ASSERT_TRUE(eventually([&] { return probe->get("/healthz").status == 200; }))
      << webhook->process().log();
  EXPECT_EQ(probe->get("/readyz").status, 503);
  EXPECT_EQ(webhook->metric("irsa_webhook_ready"), 0);
  std::this_thread::sleep_for(seconds(1));
  EXPECT_EQ(probe->get("/readyz").status, 503);
  EXPECT_GE(
      webhook->metric(
          "irsa_webhook_kube_api_errors_total{resource=\"serviceaccounts\",code=\"transport\"}"),
      1);
  api_->set_available(true);
  EXPECT_TRUE(webhook->wait_ready(seconds(15))) << webhook->process().log();
  EXPECT_TRUE(carries_role(review(*webhook, "apps", "web"), kWebRole));
}

TEST_F(ClusterWebhookTest, TheConfigMapIsFollowedThroughAddUpdateAndDelete) {
  const std::string first = "arn:aws:iam::111122223333:role/from-config-map";
  const std::string second = "arn:aws:iam::111122223333:role/updated";
  api_->put_config_map("eks", "pod-identity-webhook",
                       {{"config", R"({"apps/plain":{"RoleARN":")" + first + R"("}})"}});
  auto webhook =
      start({"--watch-config-map", "--namespace=eks", "--service-account-lookup-grace-period=0"});
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  EXPECT_TRUE(carries_role(review(*webhook, "apps", "plain"), first));
  // An annotated account shadows the ConfigMap.
  EXPECT_TRUE(carries_role(review(*webhook, "apps", "web"), kWebRole));

  api_->put_config_map(
      "eks", "pod-identity-webhook",
      {{"config", R"({"apps/plain":{"RoleARN":")" + second + R"("},"no-slash":{"RoleARN":"x"}})"}});
  EXPECT_TRUE(eventually([&] { return carries_role(review(*webhook, "apps", "plain"), second); }))
      << webhook->process().log();
  EXPECT_NE(webhook->process().log().find("no-slash"), std::string::npos)
      << "a key without a slash is skipped with a log line";

  api_->delete_config_map("eks", "pod-identity-webhook");
  EXPECT_TRUE(eventually([&] { return admitted_without_patch(review(*webhook, "apps", "plain")); }))
      << webhook->process().log();
  EXPECT_TRUE(webhook->process().running());
}

TEST_F(ClusterWebhookTest, AnExecPluginSuppliesTheToken) {
  const std::string runs = dir_.path("plugin-runs");
  const std::string plugin =
      dir_.write("get-token.sh",
                 "#!/bin/sh\necho run >> " + runs +
                     "\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":"
                     "\"ExecCredential\",\"status\":{\"token\":\"exec-token\"}}'\n");
  ASSERT_EQ(run_process("/bin/chmod", {"+x", plugin}).exit_code, 0);
  api_->set_tokens({"exec-token"});
  const std::string kubeconfig = dir_.write(
      "exec-kubeconfig",
      kubeconfig_yaml(api_->url(), dir_.path("api.crt"),
                      "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                      "      command: " +
                          plugin + "\n      args: [\"eks\", \"get-token\"]\n"));
  auto webhook = start({}, kubeconfig);
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  EXPECT_TRUE(carries_role(review(*webhook, "apps", "web"), kWebRole));
  EXPECT_EQ(api_->last_authorization(), "Bearer exec-token");
  EXPECT_EQ(api_->counts().unauthorized, 0);
  // Cached: the LIST and the WATCH did not each run the plugin.
  EXPECT_EQ(read_file(runs), "run\n");
}

TEST_F(ClusterWebhookTest, AClientCertificateAuthenticatesAsKindWritesIt) {
  // A CA and a client certificate it signed, given inline (*-data) as kind's kubeconfig does.
  const std::string openssl = "/usr/bin/openssl";
  ASSERT_EQ(run_process(openssl, {"req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
                                  "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                  "-keyout", dir_.path("ca.key"), "-out", dir_.path("ca.crt")})
                .exit_code,
            0);
  ASSERT_EQ(
      run_process(openssl, {"req", "-nodes", "-subj", "/CN=irsa-webhook/O=system:masters",
                            "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-keyout",
                            dir_.path("client.key"), "-out", dir_.path("client.csr")})
          .exit_code,
      0);
  ASSERT_EQ(run_process(openssl, {"x509", "-req", "-days", "1", "-in", dir_.path("client.csr"),
                                  "-CA", dir_.path("ca.crt"), "-CAkey", dir_.path("ca.key"),
                                  "-CAcreateserial", "-out", dir_.path("client.crt")})
                .exit_code,
            0);
  const auto base64 = [](const std::string& path) {
    return run_process("/usr/bin/base64", {"-w0", path}).out;
  };
  start_api({}, dir_.path("ca.crt"));
  api_->put_service_account("apps", "web", {{kRoleAnnotation, kWebRole}});
  const std::string kubeconfig = dir_.write(
      "cert-kubeconfig",
      kubeconfig_yaml(api_->url(), dir_.path("api.crt"),
                      "    client-certificate-data: " + base64(dir_.path("client.crt")) +
                          "\n    client-key-data: " + base64(dir_.path("client.key")) + "\n"));
  auto webhook = start({}, kubeconfig);
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  EXPECT_TRUE(carries_role(review(*webhook, "apps", "web"), kWebRole));
  EXPECT_EQ(api_->counts().unauthorized, 0);
  EXPECT_EQ(api_->last_authorization(), "");
}

TEST_F(ClusterWebhookTest, AWrongTokenKeepsTheWebhookUnreadyAndIsCounted) {
  auto webhook = start(
      {}, dir_.write("bad-kubeconfig",
                     kubeconfig_yaml(api_->url(), dir_.path("api.crt"), "    token: wrong\n")));
  EXPECT_TRUE(eventually([&] {
    return webhook->metric(
               "irsa_webhook_kube_api_errors_total{resource=\"serviceaccounts\",code=\"401\"}") >=
           1;
  })) << webhook->process().log();
  EXPECT_EQ(webhook->client(seconds(2))->get("/readyz").status, 503);
  EXPECT_GE(api_->counts().unauthorized, 1);
}

TEST_F(ClusterWebhookTest, TheCacheDumpUsesUpstreamsFormat) {
  auto webhook = start({"--enable-debugging-handlers"});
  ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  const auto dump = webhook->metrics_client()->get("/debug/alpha/cache");
  ASSERT_EQ(dump.status, 200);
  EXPECT_EQ(dump.body,
            "{\n \"apps/plain\": {\n  \"RoleARN\": \"\",\n  \"Audience\": \"sts.amazonaws.com\",\n"
            "  \"UseRegionalSTS\": false,\n  \"TokenExpiration\": 86400\n },\n \"apps/web\": {\n"
            "  \"RoleARN\": \"" +
                std::string(kWebRole) +
                "\",\n  \"Audience\": \"sts.amazonaws.com\",\n  \"UseRegionalSTS\": false,\n"
                "  \"TokenExpiration\": 86400\n }\n}");
  // Clearing empties the cache and lists again at once.
  const int lists = api_->counts().lists;
  ASSERT_EQ(webhook->metrics_client()->get("/debug/alpha/cache/clear").status, 200);
  EXPECT_TRUE(eventually([&] { return api_->counts().lists > lists; }));
  EXPECT_TRUE(eventually([&] { return carries_role(review(*webhook, "apps", "web"), kWebRole); }));
}

TEST(ClusterConfiguration, NoClusterAndNoFileStopsTheStartWithOneLine) {
  const ScratchDir dir{"irsa-cluster-config"};
  ASSERT_EQ(make_self_signed_pair(dir, "tls", ec_key_with_loopback_names()), "");
  WebhookProcess webhook(IRSA_WEBHOOK_BINARY,
                         {"--in-cluster=false", "--port=" + std::to_string(free_port()),
                          "--metrics-port=" + std::to_string(free_port()),
                          "--tls-cert=" + dir.path("tls.crt"), "--tls-key=" + dir.path("tls.key")},
                         dir.path("webhook.log"));
  EXPECT_EQ(webhook.wait_exit(seconds(10)), 1);
  EXPECT_NE(webhook.log().find("not running in a cluster"), std::string::npos) << webhook.log();
}

TEST(ClusterConfiguration, AKubeconfigThatCannotBeReadStopsTheStart) {
  const ScratchDir dir{"irsa-cluster-config"};
  ASSERT_EQ(make_self_signed_pair(dir, "tls", ec_key_with_loopback_names()), "");
  WebhookProcess webhook(
      IRSA_WEBHOOK_BINARY,
      {"--in-cluster=false", "--port=" + std::to_string(free_port()),
       "--metrics-port=" + std::to_string(free_port()), "--tls-cert=" + dir.path("tls.crt"),
       "--tls-key=" + dir.path("tls.key"), "--kubeconfig=" + dir.path("missing-kubeconfig")},
      dir.path("webhook.log"));
  EXPECT_EQ(webhook.wait_exit(seconds(10)), 1);
  EXPECT_NE(webhook.log().find("missing-kubeconfig"), std::string::npos) << webhook.log();
}

// The child process inherits the environment: the variable is set only while it starts.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);  // NOLINT(concurrency-mt-unsafe): no other thread reads it
  }
  ~ScopedEnvironment() { ::unsetenv(name_); }  // NOLINT(concurrency-mt-unsafe)
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  const char* name_;
};

TEST(ComposeRoleArn, TheAccountAndPartitionComeFromTheInstanceMetadata) {
  const ScratchDir dir{"irsa-compose"};
  dir.write("service-accounts.yaml", service_account_yaml("apps", "web", "web-role"));
  FakeMetadataService metadata({});
  std::unique_ptr<RunningWebhook> webhook;
  {
    const ScopedEnvironment endpoint("AWS_EC2_METADATA_SERVICE_ENDPOINT", metadata.url());
    webhook = std::make_unique<RunningWebhook>(dir, std::vector<std::string>{"--compose-role-arn"});
    ASSERT_TRUE(webhook->wait_ready()) << webhook->process().log();
  }
  // The fake's document says account 123456789012 in eu-west-1 (partition aws).
  const auto result = webhook->client()->post_json("/mutate", pod_review("apps", "web"));
  EXPECT_TRUE(carries_role(result, "arn:aws:iam::123456789012:role/web-role")) << result.body;
  EXPECT_EQ(metadata.token_requests(), 1);
  EXPECT_EQ(metadata.document_requests(), 1);
}

TEST(ComposeRoleArn, NoInstanceMetadataStopsTheStartWithOneLine) {
  const ScratchDir dir{"irsa-compose"};
  ASSERT_EQ(make_self_signed_pair(dir, "tls", ec_key_with_loopback_names()), "");
  dir.write("service-accounts.yaml", service_account_yaml("apps", "web", "web-role"));
  const ScopedEnvironment endpoint("AWS_EC2_METADATA_SERVICE_ENDPOINT",
                                   "http://127.0.0.1:" + std::to_string(free_port()));
  WebhookProcess webhook(
      IRSA_WEBHOOK_BINARY,
      {"--in-cluster=false", "--port=" + std::to_string(free_port()),
       "--metrics-port=" + std::to_string(free_port()), "--tls-cert=" + dir.path("tls.crt"),
       "--tls-key=" + dir.path("tls.key"),
       "--service-accounts=" + dir.path("service-accounts.yaml"), "--compose-role-arn"},
      dir.path("webhook.log"));
  EXPECT_EQ(webhook.wait_exit(std::chrono::seconds(30)), 1);
  const std::string log = webhook.log();
  EXPECT_NE(log.find("cannot start"), std::string::npos) << log;
  EXPECT_NE(log.find("--compose-role-arn: instance metadata at http://127.0.0.1:"),
            std::string::npos)
      << log;
}

}  // namespace
}  // namespace irsa::testing
