// The lookup for accounts the watch has not delivered, against the fake API server: one GET per
// missing account however many admissions wait, the rate limit, retries on server errors, and a
// registry that is empty again once every wait has ended.
#include "irsa/kube/account_lookup.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "support/fake_kube_api.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::kube {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class CountingObserver final : public SourceObserver {
 public:
  void account_fetched(std::string_view outcome) override {
    const std::lock_guard lock(mutex_);
    outcomes_.emplace_back(outcome);
  }
  [[nodiscard]] std::vector<std::string> outcomes() const {
    const std::lock_guard lock(mutex_);
    return outcomes_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> outcomes_;
};

class AccountLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(
        testing::make_self_signed_pair(dir_, "api",
                                       {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                        "-addext", "subjectAltName=IP:127.0.0.1"}),
        "");
    testing::FakeKubeApiOptions options;
    options.cert_file = dir_.path("api.crt");
    options.key_file = dir_.path("api.key");
    api_ = std::make_unique<testing::FakeKubeApi>(options);
  }

  void start(LookupLimits limits) {
    ClientConfig config;
    config.server = api_->url();
    config.ca_pem = read(dir_.path("api.crt"));
    config.description = "test";
    client_ = std::make_unique<ApiClient>(client_strand_, config);
    cache_ = std::make_unique<AccountCache>(core::Settings{});
    lookup_ = std::make_unique<AccountLookup>(*client_, *cache_, observer_, limits);
    worker_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    work_.reset();
    io_.stop();
    if (worker_.joinable()) worker_.join();
  }

  static std::string read(const std::string& path) {
    std::ifstream file(path);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  }

  // Waits on a strand of its own, as an admission's connection does.
  std::future<WaitOutcome> wait_for(const std::string& ns, const std::string& name,
                                    milliseconds budget) {
    return asio::co_spawn(asio::make_strand(io_),
                          lookup_->wait_for(ns, name, Clock::now() + budget), asio::use_future);
  }

  testing::ScratchDir dir_{"irsa-lookup"};
  std::unique_ptr<testing::FakeKubeApi> api_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  asio::strand<asio::io_context::executor_type> client_strand_ = asio::make_strand(io_);
  CountingObserver observer_;
  std::unique_ptr<ApiClient> client_;
  std::unique_ptr<AccountCache> cache_;
  std::unique_ptr<AccountLookup> lookup_;
  std::thread worker_;
};

TEST_F(AccountLookupTest, ManyWaitersOfOneAccountShareOneGet) {
  api_->put_service_account("apps", "web",
                            {{"eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/x"}});
  api_->delay_gets(milliseconds(200));
  start({});
  std::vector<std::future<WaitOutcome>> waits;
  for (int i = 0; i < 10; ++i) waits.push_back(wait_for("apps", "web", milliseconds(5000)));
  for (auto& wait : waits) EXPECT_EQ(wait.get(), WaitOutcome::found);
  EXPECT_EQ(api_->counts().gets, 1);
  EXPECT_EQ(lookup_->waiting(), 0u);
  ASSERT_NE(cache_->index().find("apps", "web"), nullptr);
  EXPECT_EQ(cache_->index().find("apps", "web")->role_arn, "arn:aws:iam::1:role/x");
}

TEST_F(AccountLookupTest, ServerErrorsAreRetried) {
  api_->put_service_account("apps", "web");
  api_->fail_next_gets(2, 503);
  start({});
  EXPECT_EQ(wait_for("apps", "web", milliseconds(5000)).get(), WaitOutcome::found);
  EXPECT_EQ(api_->counts().gets, 3);
  EXPECT_EQ(observer_.outcomes(), std::vector<std::string>{"found"});
}

TEST_F(AccountLookupTest, GivingUpAfterTheAttemptsLeavesNoWaiterBehind) {
  api_->put_service_account("apps", "web");
  api_->fail_next_gets(10, 500);
  LookupLimits limits;
  limits.attempts = 2;
  start(limits);
  const auto started = Clock::now();
  EXPECT_EQ(wait_for("apps", "web", milliseconds(800)).get(), WaitOutcome::timed_out);
  EXPECT_GE(Clock::now() - started, milliseconds(700));
  EXPECT_EQ(api_->counts().gets, 2);
  EXPECT_EQ(observer_.outcomes(), std::vector<std::string>{"error"});
  EXPECT_EQ(lookup_->waiting(), 0u);
}

TEST_F(AccountLookupTest, GetsKeepToTheRateLimit) {
  for (int i = 0; i < 6; ++i) api_->put_service_account("apps", "sa-" + std::to_string(i));
  LookupLimits limits;
  limits.gets_per_second = 10;
  limits.burst = 1;
  start(limits);
  const auto started = Clock::now();
  std::vector<std::future<WaitOutcome>> waits;
  for (int i = 0; i < 6; ++i) {
    waits.push_back(wait_for("apps", "sa-" + std::to_string(i), milliseconds(5000)));
  }
  for (auto& wait : waits) EXPECT_EQ(wait.get(), WaitOutcome::found);
  // One token at once, then one every 100 ms: the sixth GET leaves after about 500 ms.
  EXPECT_GE(Clock::now() - started, milliseconds(450));
  EXPECT_EQ(api_->counts().gets, 6);
}

TEST_F(AccountLookupTest, ANotFoundIsRememberedAndTheWatchCanStillDeliver) {
  start({});
  EXPECT_EQ(wait_for("apps", "ghost", milliseconds(300)).get(), WaitOutcome::timed_out);
  EXPECT_EQ(wait_for("apps", "ghost", milliseconds(300)).get(), WaitOutcome::timed_out);
  EXPECT_EQ(api_->counts().gets, 1);
  EXPECT_EQ(observer_.outcomes(), (std::vector<std::string>{"not_found", "recently_not_found"}));
  // The account arrives through the cache (as the watch would deliver it) while one waits.
  auto wait = wait_for("apps", "ghost", milliseconds(5000));
  std::this_thread::sleep_for(milliseconds(100));
  asio::post(client_strand_, [this] {
    (void)cache_->apply_event(
        R"({"type":"ADDED","object":{"metadata":{"name":"ghost","namespace":"apps","resourceVersion":"9"}}})");
  });
  const auto started = Clock::now();
  EXPECT_EQ(wait.get(), WaitOutcome::found);
  EXPECT_LT(Clock::now() - started, milliseconds(1000));
  EXPECT_EQ(lookup_->waiting(), 0u);
}

}  // namespace
}  // namespace irsa::kube
