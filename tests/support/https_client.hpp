// A small blocking HTTP/1.1 client for the integration tests: OpenSSL with certificate
// verification against the test's CA file (or plain HTTP), Beast's response parser, keep-alive
// reuse, and a deadline on every wait. It reports failures as values so that load tests can
// count them.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace irsa::testing {

struct HttpResult {
  int status = 0;  // 0 when no response arrived
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case; of repeated ones, the last
  // Every header field in the order received (names in lower case), repeated ones included.
  std::vector<std::pair<std::string, std::string>> header_list;
  bool keep_alive = false;
  std::string error;  // why no response arrived
  bool new_connection = false;

  // The values of every field with this (lower-case) name, in order: the Warning fields, say.
  [[nodiscard]] std::vector<std::string> header_values(const std::string& lower_case_name) const {
    std::vector<std::string> values;
    for (const auto& [name, value] : header_list) {
      if (name == lower_case_name) values.push_back(value);
    }
    return values;
  }
};

class HttpClient {
 public:
  // ca_file empty: plain HTTP.
  HttpClient(unsigned short port, std::string ca_file,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request on the open connection, opening one first when there is none or the
  // server closed the last one.
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = {},
                     const std::string& content_type = "application/json");
  HttpResult get(const std::string& target) { return request("GET", target, {}, {}); }
  HttpResult post_json(const std::string& target, const std::string& body) {
    return request("POST", target, body, "application/json");
  }

  // The serial number (hex) of the certificate the server presented on the open connection.
  [[nodiscard]] std::string peer_serial() const;
  void close();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace irsa::testing
