// Stopping the real binary: readiness drops first, requests in flight are answered, idle
// connections are closed at once, the exit status says how it went.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/running_webhook.hpp"
#include "support/raw_connection.hpp"

namespace irsa::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(WebhookShutdown, SigtermFailsReadinessServesThroughTheDelayThenExitsZero) {
  ScratchDir dir("irsa-shutdown");
  RunningWebhook webhook(dir, {"--shutdown-delay=1500ms"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  auto client = webhook.client();
  ASSERT_EQ(client->get("/readyz").status, 200);

  const auto signalled = Clock::now();
  webhook.process().signal(SIGTERM);
  EXPECT_TRUE(eventually([&] { return client->get("/readyz").status == 503; }, 1s));
  // Still serving during the delay, but asking every client to go elsewhere next time.
  auto during = client->post_json("/mutate", pod_review("apps", "web"));
  EXPECT_EQ(during.status, 200);
  EXPECT_FALSE(during.keep_alive);
  EXPECT_EQ(during.headers["connection"], "close");
  EXPECT_EQ(client->get("/healthz").status, 200);
  EXPECT_EQ(webhook.metric("irsa_webhook_ready"), 0);

  EXPECT_EQ(webhook.process().wait_exit(10s), 0) << webhook.process().log();
  EXPECT_GT(seconds_since(signalled), 1.4);
  EXPECT_NE(webhook.process().log().find("shut down gracefully"), std::string::npos);
  EXPECT_FALSE(webhook.client()->get("/healthz").error.empty()) << "nothing listens any more";
}

TEST(WebhookShutdown, RequestInFlightIsAnsweredBeforeExit) {
  ScratchDir dir("irsa-shutdown");
  RunningWebhook webhook(dir);
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  const std::string review = pod_review("apps", "web");
  RawConnection connection(webhook.port());
  ASSERT_TRUE(connection.handshake());
  ASSERT_TRUE(connection.send(
      "POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nContent-Length: " +
      std::to_string(review.size()) + "\r\n\r\n" + review.substr(0, review.size() / 2)));
  std::this_thread::sleep_for(200ms);
  webhook.process().signal(SIGTERM);
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(webhook.process().running()) << "the request in flight holds the exit";
  ASSERT_TRUE(connection.send(review.substr(review.size() / 2)));
  bool closed = false;
  const std::string answer = connection.read_until_closed(5s, closed);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"allowed\":true"), std::string::npos);
  EXPECT_TRUE(closed);
  EXPECT_EQ(webhook.process().wait_exit(5s), 0) << webhook.process().log();
}

TEST(WebhookShutdown, IdleKeepAliveConnectionsDoNotDelayExit) {
  ScratchDir dir("irsa-shutdown");
  RunningWebhook webhook(dir);
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  std::vector<std::unique_ptr<HttpClient>> idle;
  for (int i = 0; i < 20; ++i) {
    idle.push_back(webhook.client());
    ASSERT_EQ(idle.back()->get("/healthz").status, 200);
  }
  const auto signalled = Clock::now();
  webhook.process().signal(SIGTERM);
  EXPECT_EQ(webhook.process().wait_exit(10s), 0) << webhook.process().log();
  // Far below the 10 s shutdown timeout: idle connections were closed, not waited for.
  EXPECT_LT(seconds_since(signalled), 2.0);
}

TEST(WebhookShutdown, ShutdownTimeoutBoundsARequestThatNeverCompletes) {
  ScratchDir dir("irsa-shutdown");
  RunningWebhook webhook(dir, {"--shutdown-timeout=1s"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  RawConnection stuck(webhook.port());
  ASSERT_TRUE(stuck.handshake());
  ASSERT_TRUE(stuck.send("POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"));
  std::this_thread::sleep_for(200ms);
  const auto signalled = Clock::now();
  webhook.process().signal(SIGTERM);
  EXPECT_EQ(webhook.process().wait_exit(10s), 0) << webhook.process().log();
  EXPECT_GT(seconds_since(signalled), 0.9);
  EXPECT_LT(seconds_since(signalled), 3.0);
  EXPECT_NE(webhook.process().log().find("shutdown timeout reached"), std::string::npos);
}

TEST(WebhookShutdown, SecondSignalExitsOneAtOnce) {
  ScratchDir dir("irsa-shutdown");
  RunningWebhook webhook(dir, {"--shutdown-delay=20s"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  webhook.process().signal(SIGTERM);
  auto client = webhook.client();
  ASSERT_TRUE(eventually([&] { return client->get("/readyz").status == 503; }, 2s));
  const auto signalled = Clock::now();
  webhook.process().signal(SIGINT);
  EXPECT_EQ(webhook.process().wait_exit(5s), 1) << webhook.process().log();
  EXPECT_LT(seconds_since(signalled), 2.0);
}

// The load balancer's view: endpoints drop the pod shortly after SIGTERM, so no new connection
// arrives after that; requests on connections already open must all be answered.
TEST(WebhookShutdown, SigtermUnderLoadFailsNoRequest) {
  ScratchDir dir("irsa-shutdown");
  RunningWebhook webhook(dir, {"--shutdown-delay=1s"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  std::atomic<bool> endpoint_removed{false};
  std::atomic<int> requests{0};
  std::atomic<int> after_signal{0};
  std::atomic<int> failures{0};
  std::atomic<bool> signalled{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      auto client = webhook.client();
      bool connected = false;
      for (;;) {
        if (!connected && endpoint_removed) return;  // would go to another replica
        auto answer = client->post_json("/mutate", pod_review("apps", "web"));
        ++requests;
        if (signalled) ++after_signal;
        if (answer.status != 200) {
          ++failures;
          return;
        }
        connected = answer.keep_alive;
      }
    });
  }
  std::this_thread::sleep_for(1s);
  signalled = true;
  webhook.process().signal(SIGTERM);
  std::this_thread::sleep_for(300ms);
  endpoint_removed = true;
  for (auto& thread : clients) thread.join();
  std::cout << "SIGTERM under load: " << requests.load() << " requests (" << after_signal.load()
            << " after the signal), " << failures.load() << " failed\n";
  EXPECT_EQ(failures.load(), 0) << "of " << requests.load();
  EXPECT_GT(requests.load(), 100);
  EXPECT_GT(after_signal.load(), 4);
  EXPECT_EQ(webhook.process().wait_exit(10s), 0) << webhook.process().log();
}

// No load balancer this time and the default flags (no --shutdown-delay): clients keep sending on
// their keep-alive connections until the server closes them. A request that reached the server
// must be answered; only a connection the server refuses to open is a clean "go elsewhere".
TEST(WebhookShutdown, SigtermWithDefaultFlagsLosesNoRequestAlreadySent) {
  constexpr int kRuns = 4;
  constexpr int kClients = 8;
  int requests = 0;
  int after_signal = 0;
  int lost = 0;
  std::string first_loss;
  for (int run = 0; run < kRuns; ++run) {
    ScratchDir dir("irsa-shutdown");
    RunningWebhook webhook(dir);
    ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
    std::atomic<bool> signalled{false};
    std::atomic<int> run_requests{0};
    std::atomic<int> run_after_signal{0};
    std::atomic<int> run_lost{0};
    std::mutex loss_mutex;
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&] {
        auto client = webhook.client();
        const std::string review = pod_review("apps", "web");
        for (;;) {
          auto answer = client->post_json("/mutate", review);
          const bool refused_before_sending =
              answer.error.rfind("connect", 0) == 0 || answer.error.rfind("handshake", 0) == 0;
          if (refused_before_sending) return;  // the server is gone or going: try elsewhere
          ++run_requests;
          if (signalled) ++run_after_signal;
          if (answer.status != 200) {
            ++run_lost;
            const std::scoped_lock lock(loss_mutex);
            if (first_loss.empty())
              first_loss = answer.error + " (status " + std::to_string(answer.status) + ")";
            return;
          }
        }
      });
    }
    std::this_thread::sleep_for(300ms);
    signalled = true;
    webhook.process().signal(SIGTERM);
    for (auto& thread : clients) thread.join();
    EXPECT_EQ(webhook.process().wait_exit(10s), 0) << webhook.process().log();
    requests += run_requests;
    after_signal += run_after_signal;
    lost += run_lost;
  }
  std::cout << "SIGTERM with default flags, " << kRuns << " runs of " << kClients
            << " clients: " << requests << " requests (" << after_signal << " after the signal), "
            << lost << " lost\n";
  EXPECT_EQ(lost, 0) << "first: " << first_loss;
  EXPECT_GT(requests, 100 * kRuns);
  EXPECT_GE(after_signal, kClients) << "requests already sent when the signal came were answered";
}

}  // namespace
}  // namespace irsa::testing
