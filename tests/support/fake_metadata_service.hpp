// A stand-in for the EC2 instance metadata service (IMDS) on 127.0.0.1 for tests: IMDSv2 tokens
// required (or IMDSv1 allowed), and the broken or partial behaviours met in practice on request
// (a refused token PUT, server errors, silence). Blocking Beast code, one thread per connection.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace irsa::testing {

namespace fake_metadata_detail {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
}  // namespace fake_metadata_detail

using namespace fake_metadata_detail;  // NOLINT(google-build-using-namespace): test helper

// As IMDS prints it, pretty and with more than the two fields read.
inline constexpr const char* kDocument = R"({
  "accountId" : "123456789012",
  "architecture" : "x86_64",
  "availabilityZone" : "eu-west-1a",
  "imageId" : "ami-0abcdef1234567890",
  "instanceId" : "i-0123456789abcdef0",
  "instanceType" : "m5.large",
  "pendingTime" : "2024-01-02T03:04:05Z",
  "privateIp" : "10.0.1.2",
  "region" : "eu-west-1",
  "version" : "2017-09-30"
})";

inline constexpr const char* kTokenPath = "/latest/api/token";
inline constexpr const char* kDocumentPath = "/latest/dynamic/instance-identity/document";

// IMDS on 127.0.0.1, one thread per connection: blocking code keeps the stand-in obvious.
class FakeMetadataService {
 public:
  enum class Token { issue, refuse, hang };
  enum class Document { serve, fail, hang };
  struct Behaviour {
    Token token = Token::issue;
    unsigned refusal = 403;   // the status of a refused PUT
    bool accepts_v1 = false;  // serves the document without a token, as IMDSv1 does
    Document document = Document::serve;
    std::string body = kDocument;
  };

  explicit FakeMetadataService(Behaviour behaviour) : behaviour_(std::move(behaviour)) {
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accepting_ = std::thread([this] { accept_loop(); });
  }

  ~FakeMetadataService() {
    {
      const std::scoped_lock lock(mutex_);
      stopping_ = true;
    }
    released_.notify_all();
    // A connection of our own wakes the blocking accept so that it sees stopping_.
    asio::io_context io;
    tcp::socket waker(io);
    beast::error_code ignored;
    waker.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ignored);
    accepting_.join();
    for (auto& connection : connections_) connection.join();
  }
  FakeMetadataService(const FakeMetadataService&) = delete;
  FakeMetadataService& operator=(const FakeMetadataService&) = delete;

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int token_requests() const {
    const std::scoped_lock lock(mutex_);
    return token_requests_;
  }
  [[nodiscard]] int document_requests() const {
    const std::scoped_lock lock(mutex_);
    return document_requests_;
  }
  [[nodiscard]] std::string last_ttl() const {
    const std::scoped_lock lock(mutex_);
    return last_ttl_;
  }

 private:
  using Request = http::request<http::string_body>;
  using Response = http::response<http::string_body>;

  void accept_loop() {
    for (;;) {
      tcp::socket socket(io_);
      beast::error_code error;
      acceptor_.accept(socket, error);
      const std::scoped_lock lock(mutex_);
      if (stopping_ || error) return;
      connections_.emplace_back(
          [this, connection = std::move(socket)]() mutable { serve(std::move(connection)); });
    }
  }

  void serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    Request request;
    beast::error_code error;
    http::read(socket, buffer, request, error);
    if (error) return;
    auto response = answer(request);
    if (!response) {
      // Hanging: hold the connection, say nothing, until the test ends.
      std::unique_lock lock(mutex_);
      released_.wait(lock, [this] { return stopping_; });
      return;
    }
    response->keep_alive(false);
    response->prepare_payload();
    http::write(socket, *response, error);
    socket.shutdown(tcp::socket::shutdown_both, error);
  }

  static Response reply(http::status status, std::string body = {}) {
    Response response(status, 11);
    response.set(http::field::content_type, "text/plain");
    response.body() = std::move(body);
    return response;
  }

  // Empty: no answer at all.
  std::optional<Response> answer(const Request& request) {
    const std::scoped_lock lock(mutex_);
    if (request.target() == kTokenPath) {
      if (request.method() != http::verb::put) return reply(http::status::method_not_allowed);
      ++token_requests_;
      last_ttl_ = std::string(request["X-aws-ec2-metadata-token-ttl-seconds"]);
      if (behaviour_.token == Token::hang) return std::nullopt;
      if (behaviour_.token == Token::refuse) return reply(http::int_to_status(behaviour_.refusal));
      // IMDS requires a TTL from 1 to 21600 seconds and answers 400 otherwise.
      int ttl = 0;
      const auto [end, parsed] =
          std::from_chars(last_ttl_.data(), last_ttl_.data() + last_ttl_.size(), ttl);
      if (parsed != std::errc() || end != last_ttl_.data() + last_ttl_.size() || ttl < 1 ||
          ttl > 21600) {
        return reply(http::status::bad_request);
      }
      const std::string token = "token-" + std::to_string(token_requests_);
      issued_.insert(token);
      auto response = reply(http::status::ok, token);
      response.set("X-aws-ec2-metadata-token-ttl-seconds", last_ttl_);
      return response;
    }
    if (request.target() == kDocumentPath && request.method() == http::verb::get) {
      ++document_requests_;
      const auto token = request.find("X-aws-ec2-metadata-token");
      const bool v1 = token == request.end() && behaviour_.accepts_v1;
      if (!v1 && (token == request.end() || !issued_.contains(std::string(token->value())))) {
        return reply(http::status::unauthorized);
      }
      if (behaviour_.document == Document::hang) return std::nullopt;
      if (behaviour_.document == Document::fail) return reply(http::status::internal_server_error);
      return reply(http::status::ok, behaviour_.body);
    }
    return reply(http::status::not_found);
  }

  Behaviour behaviour_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::thread accepting_;
  std::vector<std::thread> connections_;  // joined after accepting_, so no longer growing
  mutable std::mutex mutex_;
  std::condition_variable released_;
  bool stopping_ = false;
  int token_requests_ = 0;
  int document_requests_ = 0;
  std::string last_ttl_;
  std::set<std::string> issued_;
};

}  // namespace irsa::testing
