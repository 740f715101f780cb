// The small HTTPS server under the fakes: what the handler sees, keep-alive, a handler that
// throws, and the errors of a bad setup.
#include "support/test_https_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "support/https_client.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::testing {
namespace {

struct ServerPair {
  ServerPair() : dir("test-https") {
    EXPECT_EQ(make_self_signed_pair(dir, "server",
                                    {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                     "-addext", "subjectAltName=IP:127.0.0.1"}),
              "");
  }
  [[nodiscard]] TestHttpsServerOptions options() const {
    return {dir.path("server.crt"), dir.path("server.key"), 0, "test server"};
  }
  ScratchDir dir;
};

TEST(TestHttpsServer, HandsTheRequestToTheHandlerAndSendsItsAnswer) {
  ServerPair pair;
  TestHttpRequest seen;
  TestHttpsServer server(pair.options(), [&](const TestHttpRequest& request) {
    seen = request;
    return TestHttpResponse{201, "text/xml", "<ok/>", {{"X-Extra", "yes"}}};
  });
  HttpClient client(server.port(), pair.dir.path("server.crt"));
  const auto result = client.request("POST", "/a?b=c", "x=1", "application/x-www-form-urlencoded");
  EXPECT_EQ(result.status, 201) << result.error;
  EXPECT_EQ(result.body, "<ok/>");
  EXPECT_EQ(result.headers.at("content-type"), "text/xml");
  EXPECT_EQ(result.headers.at("x-extra"), "yes");
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/a?b=c");
  EXPECT_EQ(seen.body, "x=1");
  EXPECT_EQ(seen.header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(server.url(), "https://127.0.0.1:" + std::to_string(server.port()));
}

TEST(TestHttpsServer, KeepsTheConnectionAlive) {
  ServerPair pair;
  std::atomic<int> calls{0};
  TestHttpsServer server(pair.options(), [&](const TestHttpRequest&) {
    ++calls;
    return TestHttpResponse{};
  });
  HttpClient client(server.port(), pair.dir.path("server.crt"));
  EXPECT_TRUE(client.get("/").new_connection);
  EXPECT_FALSE(client.get("/").new_connection);
  EXPECT_EQ(calls.load(), 2);
}

TEST(TestHttpsServer, AHandlerThatThrowsAnswers500) {
  ServerPair pair;
  TestHttpsServer server(pair.options(), [](const TestHttpRequest&) -> TestHttpResponse {
    throw std::runtime_error("scripted");
  });
  HttpClient client(server.port(), pair.dir.path("server.crt"));
  const auto result = client.get("/");
  EXPECT_EQ(result.status, 500);
  EXPECT_NE(result.body.find("scripted"), std::string::npos);
}

TEST(TestHttpsServer, RefusesAnUnusableKeyOrATakenPort) {
  ServerPair pair;
  auto options = pair.options();
  options.key_file = pair.dir.write("bad.key", "not a key");
  EXPECT_THROW(TestHttpsServer(options, [](const TestHttpRequest&) { return TestHttpResponse{}; }),
               std::runtime_error);
  TestHttpsServer first(pair.options(), [](const TestHttpRequest&) { return TestHttpResponse{}; });
  auto same_port = pair.options();
  same_port.port = first.port();
  EXPECT_THROW(
      TestHttpsServer(same_port, [](const TestHttpRequest&) { return TestHttpResponse{}; }),
      std::runtime_error);
}

}  // namespace
}  // namespace irsa::testing
