// The load engine against a scripted stand-in webhook on loopback: what it counts, how it
// classifies failures, and that open-loop latency is free of coordinated omission.
#include "load_run.hpp"

#include <gtest/gtest.h>

#include "loadgen/stub_webhook.hpp"

namespace irsa::loadgen {
namespace {

using irsa::testing::StubReply;
using irsa::testing::StubWebhook;
using namespace std::chrono_literals;

Corpus two_reviews() {
  Corpus corpus;
  for (const char* uid : {"uid-0", "uid-1"}) {
    corpus.entries.push_back(
        {std::string(uid) + ".json",
         R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":")" +
             std::string(uid) + R"("}})",
         uid, 1});
  }
  return corpus;
}

LoadOptions options_for(const StubWebhook& stub) {
  LoadOptions options;
  options.target = parse_target(stub.url());
  options.endpoints = resolve_target(options.target, false);
  options.connections = 4;
  options.duration = 600ms;
  options.warmup = 100ms;
  options.timeout = 2s;
  return options;
}

// One connection at 200 requests/s, measured from the start: each request's fate is known.
LoadOptions single_connection_open_loop(const StubWebhook& stub, std::chrono::milliseconds length) {
  auto options = options_for(stub);
  options.mode = Mode::open_loop;
  options.rate = 200;
  options.connections = 1;
  options.warmup = 0ms;
  options.duration = length;
  return options;
}

StubReply good(const std::string& body, bool patch = true) {
  return {200, StubWebhook::answer(body, patch)};
}

TEST(LoadRunTest, ClosedLoopCountsGoodAnswersByKind) {
  const StubWebhook stub(
      [](const std::string& body, std::uint64_t number) { return good(body, number % 2 == 0); });
  const auto corpus = two_reviews();
  const auto result = run_load(options_for(stub), corpus);
  EXPECT_EQ(result.error_total(), 0U);
  EXPECT_GT(result.mutated, 50U);
  EXPECT_GT(result.unchanged, 50U);
  EXPECT_EQ(result.latency.count(), result.good());
  // Warm-up requests reached the server but are not in the figures.
  EXPECT_GT(stub.requests(), result.good());
  EXPECT_EQ(result.all_requests, stub.requests());
  EXPECT_EQ(result.connections_opened, 4U);
  EXPECT_NEAR(result.throughput(), static_cast<double>(result.good()) / 0.6, 1.0);
}

TEST(LoadRunTest, WrongAnswersAreCountedByKind) {
  const StubWebhook stub([](const std::string& body, std::uint64_t number) -> StubReply {
    switch (number % 4) {
      case 0:
        return {500, "oops"};
      case 1:
        return {200, StubWebhook::answer(R"({"request":{"uid":"someone-else"}})", false)};
      case 2:
        return {200, "<html>"};
      default:
        return good(body);
    }
  });
  const auto corpus = two_reviews();
  const auto result = run_load(options_for(stub), corpus);
  EXPECT_GT(result.errors.at("status"), 10U);
  EXPECT_GT(result.errors.at("wrong_uid"), 10U);
  EXPECT_GT(result.errors.at("not_a_review"), 10U);
  EXPECT_GT(result.mutated, 10U);
  EXPECT_EQ(result.latency.count(), result.mutated);
}

TEST(LoadRunTest, ConnectionCloseReconnectsWithoutAnError) {
  const StubWebhook stub([](const std::string& body, std::uint64_t) {
    auto reply = good(body);
    reply.close = true;
    return reply;
  });
  const auto corpus = two_reviews();
  const auto result = run_load(options_for(stub), corpus);
  EXPECT_EQ(result.error_total(), 0U);
  EXPECT_GT(result.good(), 20U);
  EXPECT_GE(result.connections_opened, result.good());
}

TEST(LoadRunTest, DroppedConnectionsAndTimeoutsAreErrors) {
  const StubWebhook stub([](const std::string& body, std::uint64_t number) {
    auto reply = good(body);
    if (number % 3 == 0) reply.drop = true;
    if (number % 3 == 1) reply.delay = 400ms;
    return reply;
  });
  const auto corpus = two_reviews();
  auto options = options_for(stub);
  options.timeout = 150ms;
  const auto result = run_load(options, corpus);
  EXPECT_GT(result.errors.at("closed"), 0U);
  EXPECT_GT(result.errors.at("timeout"), 0U);
  EXPECT_GT(result.good(), 0U);
  // No answer took longer than the timeout plus the watchdog's tick.
  EXPECT_LT(result.latency.max(), std::uint64_t{250'000'000});
}

// Failures before measuring begins stay out of the figures but are still reported.
TEST(LoadRunTest, WarmUpFailuresAreCountedApart) {
  const auto started = std::chrono::steady_clock::now();
  const StubWebhook stub([started](const std::string& body, std::uint64_t) -> StubReply {
    if (std::chrono::steady_clock::now() - started < 60ms) return {503, "starting"};
    return good(body);
  });
  const auto corpus = two_reviews();
  auto options = options_for(stub);
  options.warmup = 200ms;
  options.duration = 300ms;
  const auto result = run_load(options, corpus);
  EXPECT_GT(result.warmup_errors, 0U);
  EXPECT_EQ(result.error_total(), 0U);
  EXPECT_GT(result.good(), 0U);
}

TEST(LoadRunTest, NobodyListeningIsAConnectError) {
  std::string url;
  {
    const StubWebhook gone([](const std::string& body, std::uint64_t) { return good(body); });
    url = gone.url();
  }
  LoadOptions options;
  options.target = parse_target(url);
  options.endpoints = resolve_target(options.target, false);
  options.connections = 2;
  options.duration = 300ms;
  options.warmup = 0ms;
  const auto corpus = two_reviews();
  const auto result = run_load(options, corpus);
  EXPECT_EQ(result.good(), 0U);
  EXPECT_GT(result.errors.at("connect"), 0U);
}

TEST(LoadRunTest, OpenLoopKeepsTheAskedRate) {
  const StubWebhook stub([](const std::string& body, std::uint64_t) { return good(body); });
  const auto corpus = two_reviews();
  auto options = options_for(stub);
  options.mode = Mode::open_loop;
  options.rate = 400;
  options.duration = 1s;
  const auto result = run_load(options, corpus);
  EXPECT_EQ(result.error_total(), 0U);
  EXPECT_NEAR(static_cast<double>(result.good()), 400.0, 8.0);
  EXPECT_EQ(result.lateness.count(), result.good());
}

// The server stalls once for 300 ms in a run at 200 requests/s. Requests due during the stall
// could not leave (the one connection was busy); timed from their due moments they waited up to
// 300 ms, so about 60 requests are slow, not one. A generator that timed from the send would
// report a single slow request and a p90 near the normal latency.
TEST(LoadRunTest, OpenLoopLatencyCountsFromTheDueTime) {
  std::atomic<bool> stalled{false};
  const StubWebhook stub([&](const std::string& body, std::uint64_t number) {
    auto reply = good(body);
    if (number >= 60 && !stalled.exchange(true)) reply.delay = 300ms;
    return reply;
  });
  const auto corpus = two_reviews();
  const auto result = run_load(single_connection_open_loop(stub, 1s), corpus);
  ASSERT_TRUE(stalled.load());
  EXPECT_EQ(result.error_total(), 0U);
  EXPECT_EQ(result.good(), 200U);
  // At least 24 of the 200 requests (12%) took 100 ms or more.
  EXPECT_GE(result.latency.percentile(88), std::uint64_t{100'000'000});
  EXPECT_GE(result.latency.max(), std::uint64_t{290'000'000});
  EXPECT_GE(result.lateness.percentile(88), std::uint64_t{100'000'000});
}

// A server that cannot keep up leaves requests unsent at the end; they are reported.
TEST(LoadRunTest, OpenLoopReportsRequestsNeverSent) {
  const StubWebhook stub([](const std::string& body, std::uint64_t) {
    auto reply = good(body);
    reply.delay = 50ms;
    return reply;
  });
  const auto corpus = two_reviews();
  const auto result = run_load(single_connection_open_loop(stub, 500ms), corpus);
  // About 10 answers fit in 500 ms at 50 ms each; the other ~90 due requests never left.
  EXPECT_LE(result.good(), 12U);
  EXPECT_GE(result.behind, 80U);
  EXPECT_LE(result.good() + result.behind, 101U);
}

}  // namespace
}  // namespace irsa::loadgen
