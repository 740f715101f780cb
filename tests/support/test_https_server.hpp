// A small HTTP server for test fakes that answer each request on its own (no streaming): TLS on
// 127.0.0.1 from PEM files (or plain HTTP when no certificate is given), keep-alive, its own
// thread, and a handler that turns a request into a response. The handler runs on the server
// thread, one request at a time, so it must not block; a response can instead stay silent.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

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
  bool close_connection = false;  // "Connection: close", and close after sending
  // No answer at all: the connection is held open, unanswered, until the client leaves or the
  // server stops (a server that hangs). The other fields are ignored.
  bool silent = false;
};

using TestHttpHandler = std::function<TestHttpResponse(const TestHttpRequest&)>;

// Sets up an OpenSSL server context (SSL_CTX) for the PEM pair at TLS 1.2 or later; throws
// std::runtime_error naming `who` when the pair cannot be used. TestHttpsServer starts from it,
// and so does the fake API server, which adds its own TLS settings.
void use_server_pair(ssl_ctx_st* context, const std::string& cert_file, const std::string& key_file,
                     const std::string& who);

struct TestHttpsServerOptions {
  std::string cert_file, key_file;   // PEM; both empty: plain HTTP
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
  [[nodiscard]] std::string url() const;  // "https://127.0.0.1:PORT" ("http://" without TLS)

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace irsa::testing
