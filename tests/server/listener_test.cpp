// The listener on loopback with a real certificate, driven by the real curl client.
#include "irsa/server/listener.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "irsa/core/identity_sources.hpp"
#include "irsa/server/tls_options.hpp"
#include "support/reviews.hpp"
#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::server {
namespace {

using irsa::testing::run_process;

class ListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(irsa::testing::make_self_signed_pair(dir_, "tls", {"-newkey", "rsa:2048"}), "");
    core::IdentityEntry entry;
    entry.role_arn = "arn:aws:iam::111122223333:role/web";
    entry.audience = "sts.amazonaws.com";
    entry.token_expiration = 86400;
    identities_.add_service_account("apps", "web", entry);
  }

  void start(ServerLimits limits = {}) {
    auto tls = make_server_context(path("tls.crt"), path("tls.key"), parse_tls_options("", ""));
    listener_ = std::make_unique<Listener>(
        io_, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0),
        [tls] { return tls; }, limits,
        [this](Request& request) -> boost::asio::awaitable<Response> {
          HandlerContext context{mutator_, identities_, scratch_, 1, true, false, false};
          co_return handle(request, context).response;
        });
    listener_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (listener_) listener_->stop();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string path(const std::string& name) const { return dir_.path(name); }
  std::string url(const std::string& target) const {
    return "https://127.0.0.1:" + std::to_string(listener_->local_endpoint().port()) + target;
  }

  // curl with the test's CA; -w appends the status and how many connections it opened.
  irsa::testing::ProcessResult curl(std::vector<std::string> args) const {
    std::vector<std::string> all = {
        "-sS",        "--http1.1", "--cacert", path("tls.crt"),
        "--max-time", "10",        "-w",       "\n%{http_code} %{num_connects}\n"};
    all.insert(all.end(), args.begin(), args.end());
    return run_process("/usr/bin/curl", all);
  }

  bool wait_for_connections(std::size_t expected) const {
    for (int i = 0; i < 200; ++i) {
      if (listener_->open_connections() == expected) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  boost::asio::io_context io_{1};
  core::Mutator mutator_{core::Settings{}};
  core::StaticIdentities identities_;
  core::Scratch scratch_;
  std::unique_ptr<Listener> listener_;
  std::thread thread_;
  irsa::testing::ScratchDir dir_{"irsa-listener"};
};

TEST_F(ListenerTest, ServesHealthOverTls) {
  start();
  auto result = curl({url("/healthz")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "ok\n200 1\n");
}

TEST_F(ListenerTest, AnswersAdmissionReviewsAndKeepsTheConnection) {
  start();
  nlohmann::json pod = {
      {"spec", {{"serviceAccountName", "web"}, {"containers", {{{"name", "c"}}}}}}};
  dir_.write("review.json", irsa::testing::review_for_pod(pod, "apps"));
  auto result = curl({"-H", "Content-Type: application/json", "--data-binary",
                      "@" + path("review.json"), url("/mutate?timeout=10s"), "--next", "--cacert",
                      path("tls.crt"), "-w", "\n%{http_code} %{num_connects}\n", url("/readyz")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto newline = result.out.find('\n');
  auto response = nlohmann::json::parse(result.out.substr(0, newline));
  EXPECT_EQ(response["response"]["allowed"], true);
  EXPECT_EQ(response["response"]["patchType"], "JSONPatch");
  EXPECT_NE(result.out.find("200 1\nok\n200 0\n"), std::string::npos)
      << "the second request reuses the first connection:\n"
      << result.out;
}

TEST_F(ListenerTest, OversizedBodyGets413AndTheServerGoesOn) {
  ServerLimits limits;
  limits.body_limit = 1024;
  start(limits);
  dir_.write("big.json", std::string(4096, ' '));
  auto big = curl({"-H", "Content-Type: application/json", "--data-binary", "@" + path("big.json"),
                   url("/mutate")});
  EXPECT_NE(big.out.find("413"), std::string::npos) << big.out << big.err;
  auto after = curl({url("/healthz")});
  EXPECT_EQ(after.out, "ok\n200 1\n");
}

TEST_F(ListenerTest, PlainHttpIsDroppedAndConnectionsAreReleased) {
  start();
  const std::string plain =
      "http://127.0.0.1:" + std::to_string(listener_->local_endpoint().port()) + "/healthz";
  auto result = run_process("/usr/bin/curl", {"-sS", "--max-time", "5", plain});
  EXPECT_NE(result.exit_code, 0) << "plain HTTP must not be answered";
  EXPECT_TRUE(wait_for_connections(0)) << listener_->open_connections() << " still open";
  EXPECT_EQ(curl({url("/healthz")}).out, "ok\n200 1\n");
  EXPECT_TRUE(wait_for_connections(0));
}

}  // namespace
}  // namespace irsa::server
