// The small HTTP(S) server under the fakes: what the handler sees, keep-alive, a handler that
// throws, the errors of a bad setup, plain HTTP, closing after an answer and silent answers.
#include "support/test_https_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>

#include "support/https_client.hpp"
#include "support/raw_connection.hpp"
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

TestHttpsServerOptions plain_options() {
  TestHttpsServerOptions options;
  options.name = "plain test server";
  return options;
}

TEST(TestHttpsServer, ServesPlainHttpWithoutACertificate) {
  TestHttpsServer server(plain_options(), [](const TestHttpRequest& request) {
    return TestHttpResponse{200, "text/plain", "plain " + request.target, {}};
  });
  EXPECT_EQ(server.url(), "http://127.0.0.1:" + std::to_string(server.port()));
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.send("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const std::string answer = connection.read_some(std::chrono::seconds(5));
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_NE(answer.find("plain /x"), std::string::npos) << answer;
}

TEST(TestHttpsServer, ClosesTheConnectionWhenTheAnswerSaysSo) {
  TestHttpsServer server(plain_options(), [](const TestHttpRequest&) {
    TestHttpResponse response{200, "text/plain", "once", {}};
    response.close_connection = true;
    return response;
  });
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  bool closed = false;
  const std::string answer = connection.read_until_closed(std::chrono::seconds(5), closed);
  EXPECT_TRUE(closed);
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_NE(answer.find("once"), std::string::npos) << answer;
}

TEST(TestHttpsServer, ASilentAnswerHoldsTheConnectionWithoutStoppingOthers) {
  auto server = std::make_unique<TestHttpsServer>(plain_options(), [](const TestHttpRequest& r) {
    TestHttpResponse response{200, "text/plain", "answered", {}};
    response.silent = r.target == "/hang";
    return response;
  });
  RawConnection hanging(server->port());
  ASSERT_TRUE(hanging.send("GET /hang HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  bool closed = true;
  EXPECT_EQ(hanging.read_some(std::chrono::milliseconds(200), &closed), "");
  EXPECT_FALSE(closed);
  // The server thread is not stuck: another connection is answered meanwhile.
  RawConnection other(server->port());
  ASSERT_TRUE(other.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  EXPECT_NE(other.read_some(std::chrono::seconds(5)).find("answered"), std::string::npos);
  // Stopping the server ends the held connection.
  server.reset();
  closed = false;
  EXPECT_EQ(hanging.read_until_closed(std::chrono::seconds(5), closed), "");
  EXPECT_TRUE(closed);
}

}  // namespace
}  // namespace irsa::testing
