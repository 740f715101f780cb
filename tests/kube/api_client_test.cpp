// ApiClient::close_all reaches every operation, at whatever step it is: waiting for credentials,
// connecting, or in its TLS handshake with a server that never answers. (The reflector's relist
// after /debug/alpha/cache/clear relies on it: a watch that slipped past close_all would run
// for minutes before the relist.)
#include "irsa/kube/api_client.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "support/scratch_dir.hpp"

namespace irsa::kube {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// Accepts TCP connections and never writes a byte: a TLS handshake with it waits forever.
class SilentServer {
 public:
  explicit SilentServer(asio::io_context& io)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
  }
  [[nodiscard]] unsigned short port() const { return acceptor_.local_endpoint().port(); }
  [[nodiscard]] int accepted() const { return accepted_.load(); }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code error, tcp::socket socket) {
      if (error) return;
      held_.push_back(std::move(socket));
      ++accepted_;
      accept();
    });
  }

  tcp::acceptor acceptor_;
  std::vector<tcp::socket> held_;
  std::atomic<int> accepted_{0};
};

class ApiClientCloseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<SilentServer>(io_);
    worker_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    asio::post(strand_, [this] { client_.reset(); });
    work_.reset();
    // The server's acceptor is closed on the io thread, so that its pending accept ends.
    asio::post(io_, [this] { server_.reset(); });
    worker_.join();
  }

  // A client whose connect limit (TCP plus TLS handshake) is far beyond the test's patience.
  void make_client(ClientConfig config) {
    config.server = "https://127.0.0.1:" + std::to_string(server_->port());
    config.insecure_skip_tls_verify = true;
    config.description = "test";
    ApiLimits limits;
    limits.connect = 60s;
    client_ = std::make_unique<ApiClient>(strand_, std::move(config), limits);
  }

  void close_all() {
    asio::post(strand_, [this] { client_->close_all(); });
  }

  bool eventually_accepted(int count) {
    for (int i = 0; i < 500 && server_->accepted() < count; ++i) std::this_thread::sleep_for(10ms);
    return server_->accepted() >= count;
  }

  std::future<WatchEnd> start_watch() {
    return asio::co_spawn(
        strand_,
        client_->watch("/api/v1/serviceaccounts?watch=1", [](std::string_view) { return true; }),
        asio::use_future);
  }

  std::future<ApiReply> start_get() {
    return asio::co_spawn(strand_, client_->get("/api/v1/namespaces/a/serviceaccounts/b"),
                          asio::use_future);
  }

  testing::ScratchDir dir_{"irsa-api-client"};
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  asio::strand<asio::io_context::executor_type> strand_ = asio::make_strand(io_);
  std::unique_ptr<SilentServer> server_;
  std::unique_ptr<ApiClient> client_;
  std::thread worker_;
};

TEST_F(ApiClientCloseTest, EndsAWatchWaitingInItsTlsHandshake) {
  make_client({});
  auto watch = start_watch();
  ASSERT_TRUE(eventually_accepted(1));
  // Let the ClientHello go out: the client now waits for a ServerHello that never comes.
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(watch.wait_for(0s), std::future_status::timeout);
  close_all();
  ASSERT_EQ(watch.wait_for(10s), std::future_status::ready);
  const WatchEnd end = watch.get();
  EXPECT_EQ(end.status, 0U);
  EXPECT_NE(end.error.find("handshake"), std::string::npos) << end.error;
}

TEST_F(ApiClientCloseTest, EndsAGetWaitingInItsTlsHandshake) {
  make_client({});
  auto get = start_get();
  ASSERT_TRUE(eventually_accepted(1));
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(get.wait_for(0s), std::future_status::timeout);
  close_all();
  ASSERT_EQ(get.wait_for(10s), std::future_status::ready);
  const ApiReply reply = get.get();
  EXPECT_EQ(reply.status, 0U);
  EXPECT_NE(reply.error.find("handshake"), std::string::npos) << reply.error;
  // Closed means closed: the GET did not try again on a new connection.
  EXPECT_EQ(server_->accepted(), 1);
}

TEST_F(ApiClientCloseTest, EndsAWatchStillWaitingForItsCredentials) {
  // The plugin takes a second; close_all comes while it runs, before any socket exists.
  const std::string plugin =
      dir_.write("slow-plugin",
                 "#!/bin/sh\nsleep 1\n"
                 R"(echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
                 R"("status":{"token":"t"}}')"
                 "\n");
  ASSERT_EQ(::chmod(plugin.c_str(), 0755), 0);
  ClientConfig config;
  config.exec = ExecPlugin{"client.authentication.k8s.io/v1", plugin, {}, {}};
  make_client(std::move(config));
  auto watch = start_watch();
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(watch.wait_for(0s), std::future_status::timeout);
  close_all();
  ASSERT_EQ(watch.wait_for(10s), std::future_status::ready);
  const WatchEnd end = watch.get();
  EXPECT_NE(end.error.find("closed"), std::string::npos) << end.error;
  EXPECT_EQ(server_->accepted(), 0);
}

TEST_F(ApiClientCloseTest, OperationsStartedAfterACloseProceed) {
  make_client({});
  close_all();
  auto watch = start_watch();
  // It reaches the server (and waits there): an earlier close_all does not end later work.
  EXPECT_TRUE(eventually_accepted(1));
  close_all();
  ASSERT_EQ(watch.wait_for(10s), std::future_status::ready);
}

}  // namespace
}  // namespace irsa::kube

namespace irsa::kube {
namespace {

// A server URL the client cannot use stops the start with one line saying why.
TEST(ApiClientServerUrl, AnUnusableServerUrlIsRefusedWithItsReason) {
  asio::io_context io;
  const auto refusal = [&](const std::string& server) -> std::string {
    ClientConfig config;
    config.server = server;
    try {
      const ApiClient client(asio::make_strand(io), config);
    } catch (const std::invalid_argument& error) {
      return error.what();
    }
    return {};
  };
  EXPECT_EQ(refusal("https://127.0.0.1:99999"),
            "API server \"https://127.0.0.1:99999\": port must be a number from 1 to 65535");
  EXPECT_EQ(refusal("https://127.0.0.1/api?x=1"),
            "API server \"https://127.0.0.1/api?x=1\": a query has no place in it");
  EXPECT_EQ(refusal("https://[::1"), "API server \"https://[::1\": unclosed [ in the address");
  EXPECT_EQ(refusal("http://127.0.0.1:8001/proxy/"), "");
}

}  // namespace
}  // namespace irsa::kube
