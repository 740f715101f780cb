// A small HTTPS server for test fakes that answer each request on its own (no streaming): TLS
// on 127.0.0.1 from PEM files, keep-alive, its own thread, and a handler that turns a request
// into a response. The handler runs on the server thread, one request at a time.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace irsa::testing {

struct TestHttpRequest {
  std::string method;                          // "GET", "POST"
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  [[nodiscard]] std::string header(const std::string& lower_case_name) const {
    const auto found = headers.find(lower_case_name);
    return found == headers.end() ? std::string() : found->second;
  }
};

struct TestHttpResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // more header fields
};

using TestHttpHandler = std::function<TestHttpResponse(const TestHttpRequest&)>;

struct TestHttpsServerOptions {
  std::string cert_file, key_file;   // PEM
  unsigned short port = 0;           // 0: the kernel picks one
  std::string name = "test server";  // for error messages
};

class TestHttpsServer {
 public:
  // Binds and starts serving; throws std::runtime_error when the certificate or key cannot be
  // used or the port cannot be bound.
  TestHttpsServer(TestHttpsServerOptions options, TestHttpHandler handler);
  // Stops accepting, drops every connection and joins the thread.
  ~TestHttpsServer();
  TestHttpsServer(const TestHttpsServer&) = delete;
  TestHttpsServer& operator=(const TestHttpsServer&) = delete;

  [[nodiscard]] unsigned short port() const;
  [[nodiscard]] std::string url() const;  // "https://127.0.0.1:PORT"

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace irsa::testing
