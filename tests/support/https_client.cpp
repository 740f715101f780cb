#include "support/https_client.hpp"

#include <openssl/bn.h>
#include <openssl/x509.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace irsa::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpClient::Impl {
  unsigned short port;
  std::string ca_file;
  std::chrono::milliseconds timeout;
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  bool open() const { return plain.has_value() || secure.has_value(); }

  // Runs one asynchronous step to completion with the connection's deadline.
  template <typename Start>
  boost::system::error_code step(Start&& start) {
    boost::system::error_code result = asio::error::would_block;
    start([&result](boost::system::error_code error, auto&&...) { result = error; });
    io.restart();
    io.run();
    return result;
  }

  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*secure); }

  std::string connect() {
    buffer.clear();
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    if (auto error = step([&](auto handler) { stream.async_connect(endpoint, handler); })) {
      return "connect: " + error.message();
    }
    if (ca_file.empty()) {
      plain.emplace(std::move(stream));
      return {};
    }
    secure.emplace(std::move(stream), tls);
    if (auto error = step([&](auto handler) {
          secure->async_handshake(asio::ssl::stream_base::client, handler);
        })) {
      secure.reset();
      return "handshake: " + error.message();
    }
    return {};
  }

  template <typename Message>
  boost::system::error_code write(Message& message) {
    lowest().expires_after(timeout);
    if (plain) return step([&](auto handler) { http::async_write(*plain, message, handler); });
    return step([&](auto handler) { http::async_write(*secure, message, handler); });
  }

  template <typename Message>
  boost::system::error_code read(Message& message) {
    lowest().expires_after(timeout);
    if (plain) {
      return step([&](auto handler) { http::async_read(*plain, buffer, message, handler); });
    }
    return step([&](auto handler) { http::async_read(*secure, buffer, message, handler); });
  }

  void drop() {
    if (open()) {
      boost::system::error_code ignored;
      lowest().socket().close(ignored);
    }
    plain.reset();
    secure.reset();
  }
};

HttpClient::HttpClient(unsigned short port, std::string ca_file, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->ca_file = std::move(ca_file);
  impl_->timeout = timeout;
  if (!impl_->ca_file.empty()) {
    impl_->tls.load_verify_file(impl_->ca_file);
    impl_->tls.set_verify_mode(asio::ssl::verify_peer);
  }
}

HttpClient::~HttpClient() {
  impl_->drop();
}

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& body, const std::string& content_type) {
  HttpResult result;
  if (!impl_->open()) {
    result.error = impl_->connect();
    if (!result.error.empty()) return result;
    result.new_connection = true;
  }
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::user_agent, "irsa-webhook-tests");
  if (!content_type.empty()) request.set(http::field::content_type, content_type);
  request.body() = body;
  request.prepare_payload();
  if (auto error = impl_->write(request)) {
    result.error = "write: " + error.message();
    impl_->drop();
    return result;
  }
  http::response<http::string_body> response;
  if (auto error = impl_->read(response)) {
    result.error = "read: " + error.message();
    impl_->drop();
    return result;
  }
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[name] = std::string(field.value());
  }
  result.keep_alive = response.keep_alive();
  if (!result.keep_alive) impl_->drop();
  return result;
}

std::string HttpClient::peer_serial() const {
  if (!impl_->secure) return {};
  X509* certificate = SSL_get1_peer_certificate(impl_->secure->native_handle());
  if (certificate == nullptr) return {};
  BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr);
  char* hex = BN_bn2hex(number);
  std::string serial = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  BN_free(number);
  X509_free(certificate);
  return serial;
}

void HttpClient::close() {
  impl_->drop();
}

}  // namespace irsa::testing
