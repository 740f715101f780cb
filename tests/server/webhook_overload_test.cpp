// The real binary at its limits, made small with flags so that each case takes seconds: at the
// connection cap a new client is still served, waits shorten under pressure, and request bodies
// that do not fit the memory budget are refused with 503, each reported in /metrics and the log.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/running_webhook.hpp"
#include "support/raw_connection.hpp"

namespace irsa::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kOpenWebhook = R"(irsa_webhook_open_connections{port="webhook"})";

std::string closed_for_pressure(const std::string& phase) {
  return R"(irsa_webhook_connections_closed_for_pressure_total{port="webhook",phase=")" + phase +
         "\"}";
}

// A healthy client's review, answered (200) within a second on a new connection.
void served_within_a_second(RunningWebhook& webhook) {
  const auto start = Clock::now();
  auto answer = webhook.client(1s)->post_json("/mutate", pod_review("apps", "web"));
  EXPECT_EQ(answer.status, 200) << answer.error;
  EXPECT_LT(seconds_since(start), 1.0);
}

TEST(WebhookOverload, AtTheCapTheConnectionWaitingLongestMakesRoom) {
  ScratchDir dir("irsa-overload");
  RunningWebhook webhook(dir, {"--max-connections=16"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();

  // Sixteen connections that never begin TLS hold every slot. The last five arrive under
  // pressure, with 2 s to begin; the healthy client comes right after them.
  std::vector<std::unique_ptr<RawConnection>> unused;
  for (int i = 0; i < 11; ++i) unused.push_back(std::make_unique<RawConnection>(webhook.port()));
  ASSERT_TRUE(eventually([&] { return webhook.metric(kOpenWebhook) == 11; }, 5s));
  for (int i = 0; i < 5; ++i) unused.push_back(std::make_unique<RawConnection>(webhook.port()));
  served_within_a_second(webhook);
  EXPECT_GE(webhook.metric(closed_for_pressure("unused")), 1);
  bool closed = false;
  EXPECT_EQ(unused.front()->read_some(2s, &closed), "");
  EXPECT_TRUE(closed) << "the oldest unused connection made room";
  EXPECT_FALSE(unused.back()->read_some(100ms, &closed).size() > 0 || closed)
      << "the newest one was left alone";
  unused.clear();
  ASSERT_TRUE(eventually([&] { return webhook.metric(kOpenWebhook) == 0; }, 5s));

  // Sixteen idle keep-alive connections: the same, with an idle one making room.
  std::vector<std::unique_ptr<HttpClient>> idle;
  for (int i = 0; i < 16; ++i) {
    idle.push_back(webhook.client());
    ASSERT_EQ(idle.back()->get("/healthz").status, 200);
  }
  served_within_a_second(webhook);
  EXPECT_GE(webhook.metric(closed_for_pressure("idle")), 1);
  const auto oldest_again = idle.front()->get("/healthz");
  EXPECT_TRUE(oldest_again.status != 200 || oldest_again.new_connection)
      << "the oldest idle connection made room";
  EXPECT_EQ(webhook.metric(R"(irsa_webhook_connections_refused_total{port="webhook"})"), 0);

  const std::string log = webhook.process().log();
  EXPECT_NE(log.find("connection pressure began"), std::string::npos) << log;
  idle.clear();
  // Pressure began and ended once for each half of this test.
  EXPECT_TRUE(eventually(
      [&] {
        return webhook.metric(R"(irsa_webhook_under_pressure{resource="webhook_connections"})") ==
               0;
      },
      5s));
  EXPECT_NE(log.find("connection pressure ended"), std::string::npos) << log;
}

// Under pressure the next request on a keep-alive connection gets the short header budget (2 s)
// once its first bytes arrive, not what is left of the idle one.
TEST(WebhookOverload, UnderPressureATricklingNextRequestIsCutAtTheHeaderBudget) {
  ScratchDir dir("irsa-overload");
  RunningWebhook webhook(dir, {"--max-connections=8"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  RawConnection keep_alive(webhook.port());
  ASSERT_TRUE(keep_alive.handshake(webhook.ca_file()));
  ASSERT_TRUE(keep_alive.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(keep_alive.read_some(2s).rfind("HTTP/1.1 200", 0), 0u);
  // Five more make six of eight open: pressure.
  std::vector<std::unique_ptr<RawConnection>> holders;
  for (int i = 0; i < 5; ++i) holders.push_back(std::make_unique<RawConnection>(webhook.port()));
  ASSERT_TRUE(eventually(
      [&] {
        return webhook.metric(R"(irsa_webhook_under_pressure{resource="webhook_connections"})") ==
               1;
      },
      5s));
  const auto start = Clock::now();
  ASSERT_TRUE(keep_alive.send("GET /healthz HTTP/1.1\r\nHo"));
  bool closed = false;
  (void)keep_alive.read_until_closed(8s, closed);
  EXPECT_TRUE(closed);
  EXPECT_GT(seconds_since(start), 1.5);
  EXPECT_LT(seconds_since(start), 3.5) << "the header budget under pressure is 2 s";
}

TEST(WebhookOverload, BodiesThatDoNotFitTheMemoryBudgetGet503WithRetryAfter) {
  ScratchDir dir("irsa-overload");
  RunningWebhook webhook(dir, {"--request-memory-budget=8Mi"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  const std::size_t size = 7 * 1024 * 1024;
  const std::string head =
      "POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(size) + "\r\n\r\n";
  const std::string in_use = "irsa_webhook_request_memory_bytes";

  RawConnection holder(webhook.port());
  ASSERT_TRUE(holder.handshake());
  ASSERT_TRUE(holder.send(head + std::string(1024, ' ')));
  ASSERT_TRUE(eventually([&] { return webhook.metric(in_use) >= size; }, 5s));
  EXPECT_EQ(webhook.metric(R"(irsa_webhook_under_pressure{resource="request_memory"})"), 1);

  RawConnection refused(webhook.port());
  ASSERT_TRUE(refused.handshake());
  ASSERT_TRUE(refused.send(head + std::string(1024, ' ')));
  bool closed = false;
  const std::string answer = refused.read_until_closed(5s, closed);
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
  EXPECT_NE(answer.find("Retry-After: 1\r\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Connection: close\r\n"), std::string::npos) << answer;
  EXPECT_TRUE(closed);
  EXPECT_EQ(webhook.metric(R"(irsa_webhook_overload_refusals_total{port="webhook"})"), 1);
  // A typical review still fits in what is left.
  served_within_a_second(webhook);

  holder.reset();
  EXPECT_TRUE(eventually([&] { return webhook.metric(in_use) == 0; }, 5s))
      << "the share went back with its connection";
  RawConnection next(webhook.port());
  ASSERT_TRUE(next.handshake());
  ASSERT_TRUE(next.send(head + std::string(1024, ' ')));
  EXPECT_EQ(next.read_some(500ms), "") << "no refusal once the budget is free again";
  const std::string log = webhook.process().log();
  EXPECT_NE(log.find("request memory pressure began"), std::string::npos) << log;
}

// Headers just under their 16 KiB limit make a connection's buffer grow past what it holds for
// free; thousands of them would add up to more than the budget guards, so they are charged too.
TEST(WebhookOverload, LargeHeadersAreChargedToTheMemoryBudget) {
  ScratchDir dir("irsa-overload");
  RunningWebhook webhook(dir, {"--request-memory-budget=7Mi"});
  ASSERT_TRUE(webhook.wait_ready()) << webhook.process().log();
  // A body leaves 200 KiB of the budget: room for some 25 buffers grown to 16 KiB (8 KiB free).
  const std::size_t size = 7 * 1024 * 1024 - 200 * 1024;
  RawConnection holder(webhook.port());
  ASSERT_TRUE(holder.handshake());
  ASSERT_TRUE(holder.send(
      "POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n{"));
  ASSERT_TRUE(
      eventually([&] { return webhook.metric("irsa_webhook_request_memory_bytes") >= size; }, 5s));
  const std::string large_head =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(15 * 1024, 'a');
  std::vector<std::unique_ptr<RawConnection>> stalled;
  int refused = 0;
  for (int i = 0; i < 80 && refused == 0; ++i) {
    stalled.push_back(std::make_unique<RawConnection>(webhook.port()));
    ASSERT_TRUE(stalled.back()->handshake());
    ASSERT_TRUE(stalled.back()->send(large_head));
    const std::string answer = stalled.back()->read_some(200ms);
    if (answer.rfind("HTTP/1.1 503", 0) == 0) ++refused;
  }
  EXPECT_EQ(refused, 1) << "one of 80 connections stalled in 15 KiB of headers was refused";
  EXPECT_LE(webhook.metric("irsa_webhook_request_memory_bytes"), 7 * 1024 * 1024);
  stalled.clear();
  holder.reset();
  EXPECT_TRUE(
      eventually([&] { return webhook.metric("irsa_webhook_request_memory_bytes") == 0; }, 5s))
      << "every charge went back with its connection";
}

}  // namespace
}  // namespace irsa::testing
