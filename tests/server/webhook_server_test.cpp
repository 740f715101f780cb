// The real irsa-webhook binary on loopback: routes, readiness, reloading of the watched files,
// certificate rotation, metrics, debug handlers and the log, driven by a Beast/OpenSSL client.
#include <gtest/gtest.h>

#include <unistd.h>
#include <csignal>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "server/running_webhook.hpp"
#include "support/raw_connection.hpp"
#include "support/reviews.hpp"
#include "support/run_process.hpp"

namespace irsa::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

nlohmann::json response_of(const HttpResult& result) {
  const auto review = nlohmann::json::parse(result.body, nullptr, false);
  return review.is_object() && review.contains("response") ? review["response"] : nlohmann::json();
}

// Whether the server counts a refused load of `file` within a few seconds.
bool sees_failed_reload(const RunningWebhook& webhook, const std::string& file) {
  const std::string series =
      "irsa_webhook_file_reloads_total{file=\"" + file + "\",result=\"failure\"}";
  return eventually([&] { return webhook.metric(series) >= 1; }, 5s);
}

TEST(WebhookServer, ServesMutateHealthAndReadinessOnOneConnection) {
  ScratchDir dir("irsa-server");
  RunningWebhook webhook(dir);
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  auto client = webhook.client();

  auto mutated = client->post_json("/mutate?timeout=10s", pod_review("apps", "web"));
  ASSERT_EQ(mutated.status, 200) << mutated.error;
  EXPECT_TRUE(mutated.new_connection);
  EXPECT_EQ(mutated.headers["content-type"], "application/json");
  const auto response = response_of(mutated);
  EXPECT_EQ(response["allowed"], true);
  EXPECT_EQ(response["auditAnnotations"]["role-arn"], kWebRole);
  EXPECT_NE(patch_of(mutated.body).find("AWS_ROLE_ARN"), std::string::npos);

  // JSON with parameters is JSON; the connection is reused.
  auto charset = client->request("POST", "/mutate", pod_review("apps", "web"),
                                 "application/json; charset=utf-8");
  EXPECT_EQ(charset.status, 200);
  EXPECT_FALSE(charset.new_connection);
  for (const char* path : {"/healthz", "/livez", "/readyz"}) {
    auto answer = client->get(path);
    EXPECT_EQ(answer.status, 200) << path;
    EXPECT_EQ(answer.body, "ok") << path;
    EXPECT_FALSE(answer.new_connection) << path;
  }
}

TEST(WebhookServer, AnswersWrongMethodPathAndContentTypeClearly) {
  ScratchDir dir("irsa-server");
  RunningWebhook webhook(dir);
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  auto client = webhook.client();

  auto get = client->get("/mutate");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.headers["allow"], "POST");
  EXPECT_EQ(client->post_json("/mutating", pod_review("apps", "web")).status, 404);
  auto text = client->request("POST", "/mutate", pod_review("apps", "web"), "text/plain");
  EXPECT_EQ(text.status, 415);
  EXPECT_EQ(text.body, "Invalid Content-Type, expected `application/json`\n");
  // Debug routes exist only with --enable-debugging-handlers.
  EXPECT_EQ(client->post_json("/debug/alpha/deny", "{}").status, 404);
  EXPECT_EQ(webhook.metrics_client()->get("/debug/alpha/cache").status, 404);
  // All of that on one connection: none of it is fatal to the connection.
  EXPECT_EQ(client->get("/healthz").status, 200);
}

TEST(WebhookServer, ExpectContinueIsAnsweredBeforeTheBody) {
  ScratchDir dir("irsa-server");
  RunningWebhook webhook(dir);
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  const std::string review = pod_review("apps", "web");
  RawConnection connection(webhook.port());
  ASSERT_TRUE(connection.handshake(webhook.ca_file()));
  ASSERT_TRUE(
      connection.send("POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: "
                      "application/json\r\nExpect: 100-continue\r\nContent-Length: " +
                      std::to_string(review.size()) + "\r\n\r\n"));
  EXPECT_EQ(connection.read_some(5s).rfind("HTTP/1.1 100 Continue\r\n", 0), 0u);
  ASSERT_TRUE(connection.send(review));
  std::string answer;
  ASSERT_TRUE(eventually([&] {
    answer += connection.read_some(100ms);
    return answer.find("\"allowed\":true") != std::string::npos;
  })) << answer;
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK", 0), 0u) << answer;
}

TEST(WebhookServer, MalformedReviewsGetAnAdmissionErrorAndServingGoesOn) {
  ScratchDir dir("irsa-server");
  RunningWebhook webhook(dir);
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  auto client = webhook.client();
  const std::string good = pod_review("apps", "web");
  const std::vector<std::string> bad = {
      "{",
      good.substr(0, good.size() / 2),
      "[]",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",)"
      R"("operation":"CREATE","namespace":"apps","object":"not a pod"}})",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u2",)"
      R"("operation":"CREATE","namespace":"apps","object":[1,2]}})",
  };
  for (const auto& body : bad) {
    auto answer = client->post_json("/mutate", body);
    ASSERT_EQ(answer.status, 200) << body << " " << answer.error;
    const auto response = response_of(answer);
    EXPECT_EQ(response["allowed"], false) << body;
    EXPECT_EQ(response["status"]["code"], 400) << body;
    EXPECT_FALSE(response["status"]["message"].get<std::string>().empty()) << body;
  }
  EXPECT_EQ(response_of(client->post_json("/mutate", good))["allowed"], true);
  EXPECT_EQ(webhook.metric(R"(irsa_webhook_admissions_total{result="denied"})"), 5);
  EXPECT_EQ(webhook.metric(R"(irsa_webhook_admissions_total{result="mutated"})"), 1);
}

TEST(WebhookServer, ReadyOnlyOnceTheServiceAccountsFileIsLoaded) {
  ScratchDir dir("irsa-server");
  const std::string later = dir.path("arrives-later.yaml");
  RunningWebhook webhook(dir, {"--service-accounts=" + later});
  auto client = webhook.client();
  ASSERT_TRUE(eventually([&] { return client->get("/healthz").status == 200; }))
      << webhook.process().log();
  auto not_ready = client->get("/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(webhook.metric("irsa_webhook_ready"), 0);

  dir.write("arrives-later.yaml", service_account_yaml("apps", "web", kWebRole));
  EXPECT_TRUE(webhook.wait_ready(5s)) << webhook.process().log();
  EXPECT_EQ(webhook.metric("irsa_webhook_ready"), 1);
  EXPECT_EQ(webhook.metric("irsa_webhook_service_accounts"), 1);
  EXPECT_NE(webhook.process().log().find("not loaded"), std::string::npos);
}

TEST(WebhookServer, ServiceAccountFileChangesAndSymlinkSwapsAreServed) {
  ScratchDir dir("irsa-server");
  ProjectedVolume volume(dir, "accounts");
  volume.publish({{"sa.yaml", service_account_yaml("apps", "web", kWebRole)}});
  RunningWebhook webhook(dir, {"--service-accounts=" + volume.path("sa.yaml")});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  auto client = webhook.client();
  const auto role_now = [&] {
    auto answer = client->post_json("/mutate", pod_review("apps", "web"));
    const auto response = response_of(answer);
    if (!response.contains("auditAnnotations")) return std::string();
    return response["auditAnnotations"].value("role-arn", std::string());
  };
  EXPECT_EQ(role_now(), kWebRole);

  const std::string next_role = "arn:aws:iam::111122223333:role/web-v2";
  volume.publish({{"sa.yaml", service_account_yaml("apps", "web", next_role)}});
  EXPECT_TRUE(eventually([&] { return role_now() == next_role; }, 5s)) << webhook.process().log();

  // A broken version is refused; the last good one stays in use.
  volume.publish({{"sa.yaml", "kind: ServiceAccount\nmetadata: [unterminated\n"}});
  EXPECT_TRUE(sees_failed_reload(webhook, "service_accounts"));
  EXPECT_EQ(role_now(), next_role);
  EXPECT_EQ(client->get("/readyz").status, 200);
}

TEST(WebhookServer, PodIdentityAssociationsFollowTheirFile) {
  ScratchDir dir("irsa-server");
  ProjectedVolume volume(dir, "pod-identity");
  volume.publish({{"config.json", R"({"identities":[]})"}});
  RunningWebhook webhook(dir, {"--watch-container-credentials-config=" + volume.path("config.json"),
                               "--token-jitter=min"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  auto client = webhook.client();
  const auto mode_now = [&] {
    const auto response = response_of(client->post_json("/mutate", pod_review("apps", "web")));
    return response["auditAnnotations"].value("mode", std::string());
  };
  EXPECT_EQ(mode_now(), "web-identity");
  volume.publish(
      {{"config.json", R"({"identities":[{"namespace":"apps","serviceAccount":"web"}]})"}});
  EXPECT_TRUE(eventually([&] { return mode_now() == "container-credentials"; }, 5s))
      << webhook.process().log();
  // Invalid text keeps the previous list, as upstream does.
  volume.publish({{"config.json", "{not json"}});
  EXPECT_TRUE(sees_failed_reload(webhook, "container_credentials"));
  EXPECT_EQ(mode_now(), "container-credentials");
}

TEST(WebhookServer, RotatedCertificatesReachNewConnectionsAndBrokenOnesAreRefused) {
  ScratchDir dir("irsa-server");
  ScratchDir pairs("irsa-pairs");
  ASSERT_EQ(make_self_signed_pair(pairs, "first", {"-newkey", "rsa:2048"}), "");
  ASSERT_EQ(make_self_signed_pair(pairs, "second",
                                  {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"}),
            "");
  const auto read = [](const std::string& path) { return read_file(path); };
  ProjectedVolume secret(dir, "certs");
  secret.publish(
      {{"tls.crt", read(pairs.path("first.crt"))}, {"tls.key", read(pairs.path("first.key"))}});
  RunningWebhook webhook(
      dir, {"--tls-cert=" + secret.path("tls.crt"), "--tls-key=" + secret.path("tls.key")});
  // The client trusts both certificates.
  dir.write("tls.crt", read(pairs.path("first.crt")) + read(pairs.path("second.crt")));
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  auto old_connection = webhook.client();
  ASSERT_EQ(old_connection->get("/healthz").status, 200);
  const std::string first_serial = old_connection->peer_serial();
  ASSERT_FALSE(first_serial.empty());
  const double first_expiry = webhook.metric("irsa_webhook_certificate_expiry_timestamp_seconds");
  EXPECT_GT(first_expiry, static_cast<double>(::time(nullptr)));

  secret.publish(
      {{"tls.crt", read(pairs.path("second.crt"))}, {"tls.key", read(pairs.path("second.key"))}});
  std::string new_serial;
  EXPECT_TRUE(eventually(
      [&] {
        auto fresh = webhook.client();
        if (fresh->get("/healthz").status != 200) return false;
        new_serial = fresh->peer_serial();
        return new_serial != first_serial;
      },
      5s))
      << webhook.process().log();
  // The connection opened before the rotation goes on with its certificate.
  auto still = old_connection->get("/healthz");
  EXPECT_EQ(still.status, 200);
  EXPECT_FALSE(still.new_connection);
  EXPECT_EQ(old_connection->peer_serial(), first_serial);

  // A key that does not match is refused and logged; the second pair stays in service.
  secret.publish(
      {{"tls.crt", read(pairs.path("first.crt"))}, {"tls.key", read(pairs.path("second.key"))}});
  EXPECT_TRUE(eventually(
      [&] {
        return webhook.metric(R"(irsa_webhook_certificate_reloads_total{result="failure"})") >= 1;
      },
      5s));
  auto after = webhook.client();
  EXPECT_EQ(after->get("/healthz").status, 200);
  EXPECT_EQ(after->peer_serial(), new_serial);
  EXPECT_NE(webhook.process().log().find("serving certificate not reloaded"), std::string::npos);
}

TEST(WebhookServer, SighupReadsEveryWatchedFileAgainAndServingGoesOn) {
  ScratchDir dir("irsa-server");
  dir.write("pod-identity.json", R"({"identities":[]})");
  RunningWebhook webhook(dir,
                         {"--watch-container-credentials-config=" + dir.path("pod-identity.json")});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  const std::vector<std::string> loads = {
      R"(irsa_webhook_certificate_reloads_total{result="success"})",
      R"(irsa_webhook_file_reloads_total{file="service_accounts",result="success"})",
      R"(irsa_webhook_file_reloads_total{file="container_credentials",result="success"})"};
  std::vector<double> before;
  for (const auto& series : loads) before.push_back(webhook.metric(series));
  webhook.process().signal(SIGHUP);
  for (std::size_t i = 0; i < loads.size(); ++i) {
    EXPECT_TRUE(eventually([&] { return webhook.metric(loads[i]) == before[i] + 1; }, 5s))
        << loads[i] << " stayed at " << webhook.metric(loads[i]) << "\n"
        << webhook.process().log();
  }
  EXPECT_TRUE(webhook.process().running()) << webhook.process().log();
  EXPECT_NE(webhook.process().log().find("SIGHUP received"), std::string::npos);
  EXPECT_EQ(webhook.client()->post_json("/mutate", pod_review("apps", "web")).status, 200);
  // A second one is handled the same way: the handler is armed again each time.
  webhook.process().signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return webhook.metric(loads[0]) == before[0] + 2; }, 5s));
  EXPECT_TRUE(webhook.process().running());
}

// What glibc's malloc is told before the server starts (see src/cli/malloc_tunables.hpp): the
// process runs again with a smaller per-thread cache, unless the environment already chose one.
TEST(WebhookServer, TheServerRunsWithASmallMallocCacheUnlessTheEnvironmentChoseOne) {
  const auto environment_of = [](int pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/environ");
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::replace(text.begin(), text.end(), '\0', '\n');
    return "\n" + text;
  };
  ScratchDir dir("irsa-server");
  {
    RunningWebhook webhook(dir);
    ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
    EXPECT_NE(environment_of(webhook.process().pid())
                  .find("\nGLIBC_TUNABLES=glibc.malloc.tcache_count=2\n"),
              std::string::npos);
  }
  ScratchDir other("irsa-server-also");
  ::setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=5", 1);
  RunningWebhook chosen(other);
  ::unsetenv("GLIBC_TUNABLES");
  ASSERT_TRUE(chosen.wait_ready()) << chosen.process().log();
  EXPECT_NE(
      environment_of(chosen.process().pid()).find("\nGLIBC_TUNABLES=glibc.malloc.tcache_count=5\n"),
      std::string::npos);
}

TEST(WebhookServer, MetricsCarryUpstreamNamesAndPassPromtool) {
  ScratchDir dir("irsa-server");
  RunningWebhook webhook(dir);
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  auto client = webhook.client();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(client->post_json("/mutate", pod_review("apps", "web")).status, 200);
  }
  ASSERT_EQ(client->post_json("/mutate", pod_review("apps", "nobody")).status, 200);
  ASSERT_EQ(client->get("/mutate").status, 405);

  EXPECT_EQ(webhook.metric(R"(http_request_count{verb="POST",path="/mutate",code="200"})"), 4);
  EXPECT_EQ(webhook.metric(R"(http_request_count{verb="GET",path="/mutate",code="405"})"), 1);
  EXPECT_EQ(webhook.metric(R"(http_request_latencies_count{verb="POST",path="/mutate"})"), 4);
  EXPECT_EQ(
      webhook.metric(R"(http_request_latencies_bucket{verb="POST",path="/mutate",le="500000"})"),
      4);
  EXPECT_EQ(
      webhook.metric(R"(http_request_duration_microseconds_count{verb="POST",path="/mutate"})"), 4);
  EXPECT_EQ(webhook.metric(R"(pod_identity_webhook_pod_count{method="sts_web_identity"})"), 3);
  EXPECT_EQ(webhook.metric("pod_identity_webhook_missing_sa_count"), 1);
  EXPECT_EQ(webhook.metric("pod_identity_webhook_used"), 1);
  EXPECT_EQ(webhook.metric(R"(irsa_webhook_admissions_total{result="mutated"})"), 3);
  EXPECT_EQ(webhook.metric(R"(irsa_webhook_admissions_total{result="not_mutated"})"), 1);
  EXPECT_EQ(webhook.metric("irsa_webhook_admission_duration_seconds_count"), 4);
  EXPECT_EQ(webhook.metric(R"(irsa_webhook_admission_duration_seconds_bucket{le="10"})"), 4);
  EXPECT_GT(webhook.metric("process_resident_memory_bytes"), 1e6);
  EXPECT_GT(webhook.metric("process_open_fds"), 3);
  EXPECT_GT(webhook.metric("process_start_time_seconds"), 1.7e9);
  EXPECT_GT(webhook.metric("irsa_webhook_certificate_expiry_timestamp_seconds"), 1.7e9);

  // promtool exits 0 when clean, 3 on naming advice, 1 when the text does not parse. The only
  // advice allowed concerns the names upstream chose and dashboards depend on.
  dir.write("metrics.txt", webhook.metrics());
  auto promtool =
      run_process("/bin/sh", {"-c", "promtool check metrics < " + dir.path("metrics.txt")});
  ASSERT_TRUE(promtool.exit_code == 0 || promtool.exit_code == 3)
      << promtool.exit_code << promtool.out << promtool.err;
  std::istringstream advice(promtool.out + promtool.err);
  std::string line;
  while (std::getline(advice, line)) {
    if (line.empty()) continue;
    EXPECT_TRUE(line.rfind("http_request_", 0) == 0 || line.rfind("pod_identity_webhook_", 0) == 0)
        << "promtool: " << line;
  }
}

TEST(WebhookServer, DebugHandlersMatchUpstream) {
  ScratchDir dir("irsa-server");
  dir.write("service-accounts.yaml", service_account_yaml("apps", "web", kWebRole) + "---\n" +
                                         service_account_yaml("apps", "plain", ""));
  RunningWebhook webhook(dir, {"--enable-debugging-handlers"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  auto client = webhook.client();
  auto deny = client->post_json("/debug/alpha/deny", "{}");
  EXPECT_EQ(deny.status, 200);
  EXPECT_EQ(nlohmann::json::parse(deny.body)["response"]["allowed"], false);
  EXPECT_EQ(client->get("/debug/alpha/500").status, 500);

  auto metrics = webhook.metrics_client();
  auto cache = metrics->get("/debug/alpha/cache");
  ASSERT_EQ(cache.status, 200);
  const auto dump = nlohmann::json::parse(cache.body);
  EXPECT_EQ(dump["apps/web"]["RoleARN"], kWebRole);
  EXPECT_EQ(dump["apps/web"]["Audience"], "sts.amazonaws.com");
  EXPECT_EQ(dump["apps/plain"]["RoleARN"], "");
  EXPECT_EQ(cache.body.rfind("{\n \"apps/plain\": {\n  \"RoleARN\"", 0), 0u) << cache.body;

  EXPECT_EQ(metrics->get("/debug/alpha/cache/clear").status, 200);
  // Cleared, then back from the source at its next check.
  EXPECT_TRUE(eventually(
      [&] { return metrics->get("/debug/alpha/cache").body.find("apps/web") != std::string::npos; },
      5s));
  EXPECT_EQ(
      webhook.metric(R"(http_request_count{verb="POST",path="/debug/alpha/deny",code="200"})"), 1);
}

TEST(WebhookServer, LogsOneDecisionLinePerAdmissionAsJson) {
  ScratchDir dir("irsa-server");
  RunningWebhook webhook(dir, {"--log-format=json"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  auto client = webhook.client();
  ASSERT_EQ(client->post_json("/mutate", pod_review("apps", "web", "web-7f9c")).status, 200);
  webhook.process().signal(SIGTERM);
  ASSERT_EQ(webhook.process().wait_exit(10s), 0);

  std::istringstream lines(webhook.process().log());
  std::string line;
  int decisions = 0;
  while (std::getline(lines, line)) {
    const auto entry = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(entry.is_object()) << "not JSON: " << line;
    EXPECT_TRUE(entry.contains("ts") && entry.contains("level") && entry.contains("msg")) << line;
    if (entry["msg"] != "admission") continue;
    ++decisions;
    EXPECT_EQ(entry["namespace"], "apps");
    EXPECT_EQ(entry["pod"], "web-7f9c");
    EXPECT_EQ(entry["uid"], kTestUid);
    EXPECT_EQ(entry["service_account"], "web");
    EXPECT_EQ(entry["mode"], "web-identity");
    EXPECT_EQ(entry["role_arn"], kWebRole);
    EXPECT_EQ(entry["containers_mutated"], "app");
    EXPECT_EQ(entry["dry_run"], "false");
    EXPECT_TRUE(entry.contains("user"));
  }
  EXPECT_EQ(decisions, 1);
  // The pod body is never logged at the default verbosity.
  EXPECT_EQ(webhook.process().log().find("serviceAccountName"), std::string::npos);
}

TEST(WebhookServer, TextLogsAndVerbosityFollowKlogFlags) {
  ScratchDir dir("irsa-server");
  RunningWebhook webhook(dir,
                         {"-v=4", "--logtostderr", "--alsologtostderr", "--skip_headers",
                          "--log_dir=/nonexistent", "--vmodule=foo=2", "--stderrthreshold", "INFO",
                          "--add_dir_header", "--one_output", "-log_file_max_size=10"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  ASSERT_EQ(webhook.client()->post_json("/mutate", pod_review("apps", "web")).status, 200);
  const std::string log = webhook.process().log();
  EXPECT_NE(log.find(" info admission result=mutated"), std::string::npos) << log;
  // -v=4 adds upstream's request line.
  EXPECT_NE(log.find("request path=/mutate method=POST status=200 user_agent=irsa-webhook-tests"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("--in-cluster=true"), std::string::npos) << "false was passed; no notice";
}

TEST(WebhookServer, LogFileFlagsSendTheLogWhereKlogWould) {
  ScratchDir dir("irsa-server");
  const std::string file = dir.path("server.log");
  RunningWebhook webhook(dir, {"--logtostderr=false", "--log_file=" + file});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  ASSERT_EQ(webhook.client()->post_json("/mutate", pod_review("apps", "web")).status, 200);
  EXPECT_TRUE(eventually(
      [&] { return read_file(file).find("admission result=mutated") != std::string::npos; }, 5s))
      << read_file(file);
  EXPECT_NE(read_file(file).find(" info serving "), std::string::npos);
  EXPECT_EQ(webhook.process().log().find("admission"), std::string::npos)
      << "below --stderrthreshold (ERROR): the file only";
  // An error goes to both, as klog's default threshold sends it.
  dir.write("service-accounts.yaml", "kind: ServiceAccount\nmetadata: [unterminated\n");
  EXPECT_TRUE(eventually(
      [&] {
        return webhook.process().log().find("ServiceAccounts not loaded") != std::string::npos;
      },
      5s))
      << webhook.process().log();
  EXPECT_NE(read_file(file).find("ServiceAccounts not loaded"), std::string::npos);

  ScratchDir other("irsa-server-also");
  RunningWebhook both(other, {"--logtostderr=false", "--alsologtostderr",
                              "--log_file=" + other.path("server.log")});
  ASSERT_TRUE(both.wait_ready()) << both.process().log();
  ASSERT_EQ(both.client()->post_json("/mutate", pod_review("apps", "web")).status, 200);
  EXPECT_TRUE(eventually(
      [&] {
        return both.process().log().find("admission result=mutated") != std::string::npos &&
               read_file(other.path("server.log")).find("admission result=mutated") !=
                   std::string::npos;
      },
      5s))
      << both.process().log();
}

TEST(WebhookServer, TheNoticeOfFlagsWithoutEffectNamesOnlyFlagsGiven) {
  ScratchDir dir("irsa-server");
  RunningWebhook quiet(dir, {});
  ASSERT_TRUE(quiet.wait_ready()) << quiet.process().log();
  EXPECT_EQ(quiet.process().log().find("flags without effect"), std::string::npos)
      << "no such flag was given: " << quiet.process().log();
  ScratchDir other("irsa-server");
  RunningWebhook noisy(other, {"--service-account-lookup-grace-period=2s", "--watch-config-map"});
  ASSERT_TRUE(noisy.wait_ready()) << noisy.process().log();
  const std::string log = noisy.process().log();
  EXPECT_NE(log.find("flags without effect"), std::string::npos) << log;
  EXPECT_NE(log.find("--watch-config-map, --service-account-lookup-grace-period"),
            std::string::npos)
      << log;
}

TEST(WebhookServer, UpstreamDefaultInClusterModeSaysWhereCertificatesComeFrom) {
  ScratchDir dir("irsa-server");
  RunningWebhook webhook(dir, {"--in-cluster"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  EXPECT_NE(webhook.process().log().find(
                "--in-cluster=true: certificates are read from --tls-cert and --tls-key"),
            std::string::npos)
      << webhook.process().log();
}

// `make run` as a user meets it: the script makes a certificate, starts the server and prints
// curl commands; those commands, run as printed, get the examples' answers.
TEST(MakeRun, PrintedCurlCommandsWorkAgainstTheStartedServer) {
  ScratchDir dir("irsa-make-run");
  // The script ends in exec of the server, so a port taken before the server binds it ends the
  // script too, and it is started again on other ports.
  const ServerOnFreePorts started = start_on_free_ports(
      [&](unsigned short port, unsigned short metrics_port) {
        return std::make_unique<WebhookProcess>(
            "/usr/bin/env",
            std::vector<std::string>{"IRSA_RUN_DIR=" + dir.path("run"), "bash",
                                     std::string(IRSA_SOURCE_DIR) + "/scripts/run-server.sh",
                                     IRSA_WEBHOOK_BINARY, std::to_string(port),
                                     std::to_string(metrics_port)},
            dir.path("run.log"));
      },
      [&](unsigned short port) {
        if (!fs::exists(dir.path("run/tls.crt"))) return false;
        HttpClient client(port, dir.path("run/tls.crt"), 2s);
        return client.get("/readyz").status == 200;
      },
      20s);
  WebhookProcess& script = *started.process;
  ASSERT_TRUE(started.ready) << script.log();

  std::map<std::string, std::string> answers;
  std::istringstream lines(script.log());
  std::string line;
  while (std::getline(lines, line)) {
    const auto start = line.find("curl --cacert");
    if (start == std::string::npos || line.find("/mutate") == std::string::npos ||
        line.find("jq") != std::string::npos) {
      continue;
    }
    const auto review = line.substr(line.find("@examples/reviews/") + 18);
    auto result = run_process("/bin/sh", {"-c", "cd " + std::string(IRSA_SOURCE_DIR) + " && " +
                                                    line.substr(start) + " -sS"});
    ASSERT_EQ(result.exit_code, 0) << line << result.err;
    answers[review.substr(0, review.find(' '))] = result.out;
  }
  ASSERT_EQ(answers.size(), 3u) << script.log();
  EXPECT_NE(patch_of(answers["checkout.json"]).find("arn:aws:iam::111122223333:role/checkout-api"),
            std::string::npos);
  EXPECT_NE(patch_of(answers["report-builder.json"]).find("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
            std::string::npos);
  EXPECT_EQ(patch_of(answers["web.json"]), "");
  EXPECT_NE(answers["web.json"].find("\"allowed\":true"), std::string::npos);
  // The example role policy (audit mode) flags the checkout pod's role and nothing else.
  const auto checkout = nlohmann::json::parse(answers["checkout.json"])["response"];
  ASSERT_TRUE(checkout.contains("warnings")) << answers["checkout.json"];
  EXPECT_NE(checkout["warnings"].dump().find("role policy rule roles-mirror-namespace (audit)"),
            std::string::npos)
      << checkout.dump();
  EXPECT_EQ(answers["report-builder.json"].find("role policy"), std::string::npos);

  script.signal(SIGINT);
  EXPECT_EQ(script.wait_exit(10s), 0) << script.log();
}

}  // namespace
}  // namespace irsa::testing
