#include "support/fake_kube_webhook_call.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "irsa/net/any_stream.hpp"
#include "irsa/net/no_throw.hpp"
#include "support/kube_admission.hpp"

namespace irsa::testing::fake_kube {

namespace {

using net::kNoThrow;
constexpr std::size_t kAnswerLimit = 8 * 1024 * 1024;

// Forgets the webhook's stream when the call ends, however it ends.
struct UpstreamGuard {
  explicit UpstreamGuard(Connection& c) : connection(c) {}
  UpstreamGuard(const UpstreamGuard&) = delete;
  UpstreamGuard& operator=(const UpstreamGuard&) = delete;
  ~UpstreamGuard() { connection.upstream = nullptr; }
  Connection& connection;
};

// Why a step failed, in the words of Go's HTTP client where they are well known.
std::string why(const beast::error_code& error, const char* step) {
  if (error == beast::error::timeout) return "context deadline exceeded";
  if (error == asio::error::operation_aborted) return "the fake API server is stopping";
  if (error == asio::error::connection_refused) {
    return std::string(step) + ": connect: connection refused";
  }
  return std::string(step) + ": " + error.message();
}

}  // namespace

asio::awaitable<WebhookCall> call_webhook(Connection& connection, const MutatingWebhook& webhook,
                                          const std::string& review) {
  const std::string address = "127.0.0.1:" + std::to_string(webhook.port);
  const std::string target = webhook.path + "?timeout=" + go_duration(webhook.timeout);
  const std::string prefix = "Post \"https://" + address + target + "\": ";
  WebhookCall call;
  const auto failed = [&](const std::string& problem) {
    call.error = prefix + problem;
    return call;
  };

  asio::ssl::context tls(asio::ssl::context::tls_client);
  beast::error_code error;
  tls.load_verify_file(webhook.ca_file, error);
  if (error) co_return failed("tls: cannot read the CA file " + webhook.ca_file);
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(connection.strand, tls);
  // Go's TLS client checks an address against the certificate's IP entries only.
  if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream.native_handle()), "127.0.0.1") != 1) {
    co_return failed("tls: cannot check the address");
  }
  auto& lowest = beast::get_lowest_layer(stream);
  const UpstreamGuard guard(connection);
  connection.upstream = &lowest;
  if (connection.closed) co_return failed("the fake API server is stopping");
  // One deadline for the whole exchange, as the API server's context has.
  const auto deadline = Clock::now() + webhook.timeout;

  lowest.expires_at(deadline);
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), webhook.port);
  auto [connect_error] = co_await lowest.async_connect(endpoint, kNoThrow);
  if (connect_error) co_return failed(why(connect_error, ("dial tcp " + address).c_str()));

  lowest.expires_at(deadline);
  auto [handshake_error] =
      co_await stream.async_handshake(asio::ssl::stream_base::client, kNoThrow);
  if (handshake_error) {
    const long verdict = SSL_get_verify_result(stream.native_handle());
    if (verdict != X509_V_OK) {
      co_return failed(std::string("tls: failed to verify certificate: ") +
                       X509_verify_cert_error_string(verdict));
    }
    co_return failed(why(handshake_error, "tls: handshake"));
  }

  net::AnyStream http_stream(stream);
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, address);
  request.set(http::field::user_agent, "kube-apiserver-admission");
  request.set(http::field::content_type, "application/json");
  request.set(http::field::accept, "application/json, */*");
  request.body() = review;
  request.prepare_payload();
  lowest.expires_at(deadline);
  auto [write_error, written] = co_await http::async_write(http_stream, request, kNoThrow);
  (void)written;
  if (write_error) co_return failed(why(write_error, "write"));

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kAnswerLimit);
  lowest.expires_at(deadline);
  auto [read_error, read] = co_await http::async_read(http_stream, buffer, parser, kNoThrow);
  (void)read;
  if (read_error) co_return failed(why(read_error, "read"));
  call.status = static_cast<int>(parser.get().result_int());
  call.body = std::move(parser.get().body());
  // No goodbye: the socket closes with the stream (the API server would keep it for the next
  // call; the fake does not).
  co_return call;
}

}  // namespace irsa::testing::fake_kube
