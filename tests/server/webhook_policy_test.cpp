// --role-policy through the real binary on loopback: audit and enforce answers, the counters, the
// debug handler, reloads of the file (also while admissions run) and a policy that cannot load.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "server/running_webhook.hpp"

namespace irsa::testing {
namespace {

using namespace std::chrono_literals;

// apps/web names role/web (running_webhook.hpp); this rule wants apps-* roles in apps.
std::string apps_policy(const std::string& mode) {
  return "mode: " + mode + R"(
rules:
  - name: apps-roles
    namespaces: ["apps"]
    allowedRoles: ["arn:aws:iam::111122223333:role/{namespace}-*"]
  - name: everyone-else
    allowedRoles: ["*"]
)";
}

nlohmann::json review_response(const HttpResult& result) {
  const auto review = nlohmann::json::parse(result.body, nullptr, false);
  return review.is_object() && review.contains("response") ? review["response"] : nlohmann::json();
}

TEST(WebhookPolicy, AuditWarnsEnforceDeniesAndTheFileIsFollowed) {
  ScratchDir dir("irsa-policy");
  ProjectedVolume volume(dir, "policy");
  volume.publish({{"policy.yaml", apps_policy("audit")}});
  RunningWebhook webhook(
      dir, {"--role-policy=" + volume.path("policy.yaml"), "--enable-debugging-handlers"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  auto client = webhook.client();

  auto audited = client->post_json("/mutate", pod_review("apps", "web"));
  ASSERT_EQ(audited.status, 200);
  auto response = review_response(audited);
  EXPECT_EQ(response["allowed"], true);
  EXPECT_FALSE(patch_of(audited.body).empty()) << "audit mode admits with the usual patch";
  ASSERT_TRUE(response.contains("warnings")) << audited.body;
  EXPECT_NE(response["warnings"][0].get<std::string>().find("role policy rule apps-roles (audit)"),
            std::string::npos);
  EXPECT_EQ(response["auditAnnotations"]["policy-rule"], "apps-roles");
  EXPECT_EQ(
      webhook.metric(R"(irsa_webhook_policy_violations_total{rule="apps-roles",mode="audit"})"), 1);
  EXPECT_EQ(webhook.metric(R"(irsa_webhook_warnings_total{kind="policy"})"), 1);

  const auto dumped = nlohmann::json::parse(
      webhook.metrics_client()->get("/debug/alpha/policy").body, nullptr, false);
  ASSERT_TRUE(dumped.is_object());
  EXPECT_EQ(dumped["rules"][0]["name"], "apps-roles");
  EXPECT_EQ(dumped["rules"][0]["mode"], "audit");

  volume.publish({{"policy.yaml", apps_policy("enforce")}});
  const auto denied_now = [&] {
    return review_response(client->post_json("/mutate", pod_review("apps", "web")))["allowed"] ==
           false;
  };
  ASSERT_TRUE(eventually(denied_now, 5s)) << webhook.process().log();
  response = review_response(client->post_json("/mutate", pod_review("apps", "web")));
  EXPECT_EQ(response["status"]["code"], 403);
  const std::string message = response["status"]["message"];
  EXPECT_NE(message.find("apps-roles"), std::string::npos) << message;
  EXPECT_NE(message.find("role/web"), std::string::npos) << message;
  EXPECT_NE(message.find("role/apps-*"), std::string::npos) << message;
  EXPECT_GE(
      webhook.metric(R"(irsa_webhook_policy_violations_total{rule="apps-roles",mode="enforce"})"),
      1);
  EXPECT_GE(webhook.metric(R"(irsa_webhook_admissions_total{result="forbidden"})"), 1);

  // A broken version keeps the last good policy.
  volume.publish({{"policy.yaml", "mode: block\nrules: []\n"}});
  ASSERT_TRUE(eventually(
      [&] {
        return webhook.metric(
                   R"(irsa_webhook_file_reloads_total{file="role_policy",result="failure"})") >= 1;
      },
      5s));
  EXPECT_TRUE(denied_now());
  const std::string log = webhook.process().log();
  EXPECT_NE(log.find("role policy not reloaded"), std::string::npos);
  EXPECT_NE(log.find("line 1, column 7"), std::string::npos) << log;
}

TEST(WebhookPolicy, ReloadsUnderLoadFailNoRequestAndTheLogShowsEachSwitch) {
  ScratchDir dir("irsa-policy");
  ProjectedVolume volume(dir, "policy");
  volume.publish({{"policy.yaml", apps_policy("audit")}});
  RunningWebhook webhook(dir, {"--role-policy=" + volume.path("policy.yaml"), "--log-format=json"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();

  std::atomic<bool> done{false};
  std::atomic<int> answered{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&] {
      auto client = webhook.client();
      while (!done.load()) {
        const auto result = client->post_json("/mutate", pod_review("apps", "web"));
        const auto response = review_response(result);
        // Each answer is a whole review under one policy or the other, never an error.
        if (result.status == 200 && response.is_object() &&
            (response["allowed"] == true || response["status"]["code"] == 403)) {
          answered.fetch_add(1);
        } else {
          failed.fetch_add(1);
        }
      }
    });
  }
  constexpr int kSwitches = 6;
  for (int i = 1; i <= kSwitches; ++i) {
    std::this_thread::sleep_for(300ms);
    volume.publish({{"policy.yaml", apps_policy(i % 2 == 1 ? "enforce" : "audit")}});
    const auto loads = [&] {
      const std::string log = webhook.process().log();
      return log.find("\"version\":\"" + std::to_string(i + 1) + "\"") != std::string::npos;
    };
    EXPECT_TRUE(eventually(loads, 5s)) << "switch " << i;
  }
  std::this_thread::sleep_for(300ms);
  done = true;
  for (auto& thread : clients) thread.join();
  std::cout << "policy reloads under load: " << kSwitches << " switches, " << answered.load()
            << " answers, " << failed.load() << " failed\n";
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(answered.load(), 100);

  // Admissions under both modes show up in the audit log with the rule that judged them.
  int audit_lines = 0;
  int forbidden_lines = 0;
  std::istringstream lines(webhook.process().log());
  std::string line;
  while (std::getline(lines, line)) {
    const auto entry = nlohmann::json::parse(line, nullptr, false);
    if (!entry.is_object()) continue;
    if (entry["msg"] == "admission" && entry["policy_rule"] == "apps-roles") ++audit_lines;
    if (entry["msg"] == "admission forbidden by the role policy") ++forbidden_lines;
  }
  EXPECT_GT(audit_lines, 0);
  EXPECT_GT(forbidden_lines, 0);
}

TEST(WebhookPolicy, APolicyThatCannotLoadStopsTheStart) {
  ScratchDir dir("irsa-policy");
  dir.write("policy.yaml", "mode: audit\nrules:\n  - name: a\n    allowedRoles: '*'\n");
  RunningWebhook webhook(dir, {"--role-policy=" + dir.path("policy.yaml")});
  EXPECT_EQ(webhook.process().wait_exit(10s), 1);
  const std::string log = webhook.process().log();
  EXPECT_NE(log.find("--role-policy: " + dir.path("policy.yaml") + ": line 4"), std::string::npos)
      << log;

  RunningWebhook missing(dir, {"--role-policy=" + dir.path("absent.yaml")});
  EXPECT_EQ(missing.process().wait_exit(10s), 1);
  EXPECT_NE(missing.process().log().find("absent.yaml"), std::string::npos);
}

}  // namespace
}  // namespace irsa::testing
