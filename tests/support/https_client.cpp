#include "support/https_client.hpp"

#include <openssl/bn.h>
#include <openssl/x509.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <optional>

#include "support/raw_connection.hpp"

namespace irsa::testing {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

struct HttpClient::Impl {
  unsigned short port = 0;
  std::string ca_file;
  std::chrono::milliseconds timeout{};
  std::unique_ptr<RawConnection> connection;
  std::string pending;  // bytes read past the end of the last response

  std::string connect() {
    pending.clear();
    auto fresh = std::make_unique<RawConnection>(port);
    if (fresh->fd() < 0) return "connect: refused";
    if (!ca_file.empty() && !fresh->handshake(ca_file, timeout)) return "handshake failed";
    connection = std::move(fresh);
    return {};
  }

  // Reads one response: the bytes go through Beast's parser as they arrive.
  std::string read_response(http::response_parser<http::string_body>& parser) {
    parser.eager(true);
    parser.body_limit(boost::none);
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      while (!pending.empty() && !parser.is_done()) {
        boost::beast::error_code error;
        const std::size_t used = parser.put(boost::asio::buffer(pending), error);
        // Consumed bytes go even when more are needed: Beast takes the start line of a header
        // that has not all arrived yet (a header of many fields comes in several records).
        pending.erase(0, used);
        if (error == http::error::need_more) break;
        if (error) return "parse: " + error.message();
        if (used == 0) break;
      }
      if (parser.is_done()) return {};
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return "read: timed out";
      bool closed = false;
      const std::string more = connection->read_some(left, &closed);
      if (more.empty()) {
        if (!closed) return "read: timed out";
        if (!parser.got_some()) return "read: connection closed before any response";
        // A response delimited by the end of the connection ends here.
        boost::beast::error_code error;
        parser.put_eof(error);
        if (!error && parser.is_done()) return {};
        return "read: connection closed";
      }
      pending += more;
    }
  }
};

HttpClient::HttpClient(unsigned short port, std::string ca_file, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->ca_file = std::move(ca_file);
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& body, const std::string& content_type) {
  HttpResult result;
  if (!impl_->connection) {
    result.error = impl_->connect();
    if (!result.error.empty()) return result;
    result.new_connection = true;
  }
  std::string message = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                        "User-Agent: irsa-webhook-tests\r\n";
  if (!content_type.empty()) message += "Content-Type: " + content_type + "\r\n";
  if (!body.empty() || method == "POST") {
    message += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  message += "\r\n" + body;
  if (!impl_->connection->send(message)) {
    result.error = "write failed";
    impl_->connection.reset();
    return result;
  }
  http::response_parser<http::string_body> parser;
  result.error = impl_->read_response(parser);
  if (!result.error.empty()) {
    impl_->connection.reset();
    return result;
  }
  const auto& response = parser.get();
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[name] = std::string(field.value());
    result.header_list.emplace_back(std::move(name), std::string(field.value()));
  }
  result.keep_alive = response.keep_alive();
  if (!result.keep_alive) impl_->connection.reset();
  return result;
}

std::string HttpClient::peer_serial() const {
  if (!impl_->connection || impl_->connection->ssl() == nullptr) return {};
  X509* certificate = SSL_get1_peer_certificate(impl_->connection->ssl());
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
  impl_->connection.reset();
}

}  // namespace irsa::testing
