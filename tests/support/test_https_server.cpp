#include "support/test_https_server.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <future>
#include <set>
#include <stdexcept>
#include <thread>

namespace irsa::testing {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr std::chrono::seconds kIdleTimeout{60};
constexpr std::chrono::seconds kWriteTimeout{30};
constexpr std::chrono::seconds kGoodbyeTimeout{2};
constexpr std::size_t kBodyLimit = 1024 * 1024;

std::string lower(std::string text) {
  for (auto& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

struct TestHttpsServer::Impl {
  Impl(TestHttpsServerOptions given, TestHttpHandler on_request)
      : options(std::move(given)),
        handler(std::move(on_request)),
        tls(asio::ssl::context::tls_server),
        acceptor(io) {}

  asio::awaitable<void> session(tcp::socket socket);
  asio::awaitable<void> accept_loop();

  // Declared before io: the coroutine frames io destroys refer to them.
  TestHttpsServerOptions options;
  TestHttpHandler handler;
  asio::ssl::context tls;
  std::set<tcp::socket*> sockets;  // open connections; touched on the server thread only
  asio::io_context io{1};
  tcp::acceptor acceptor;
  unsigned short port = 0;
  std::thread thread;
};

asio::awaitable<void> TestHttpsServer::Impl::session(tcp::socket socket) {
  TlsStream stream(beast::tcp_stream(std::move(socket)), tls);
  auto& lowest = beast::get_lowest_layer(stream);
  sockets.insert(&lowest.socket());
  struct Forget {
    std::set<tcp::socket*>& sockets;
    tcp::socket* socket;
    ~Forget() { sockets.erase(socket); }
  } forget{sockets, &lowest.socket()};

  lowest.expires_after(kHandshakeTimeout);
  auto [handshake_error] =
      co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
  if (handshake_error) co_return;
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    lowest.expires_after(kIdleTimeout);
    auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, kNoThrow);
    (void)read_bytes;
    if (read_error == http::error::end_of_stream) break;
    if (read_error) co_return;
    const auto request = parser.release();
    TestHttpRequest given;
    given.method = std::string(request.method_string());
    given.target = std::string(request.target());
    for (const auto& field : request) {
      given.headers[lower(std::string(field.name_string()))] = std::string(field.value());
    }
    given.body = request.body();
    TestHttpResponse answer;
    try {
      answer = handler(given);
    } catch (const std::exception& error) {
      answer = {500, "text/plain", std::string("handler failed: ") + error.what(), {}};
    }
    http::response<http::string_body> response{static_cast<http::status>(answer.status),
                                               request.version()};
    response.set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers) response.set(name, value);
    response.keep_alive(request.keep_alive());
    response.body() = std::move(answer.body);
    response.prepare_payload();
    lowest.expires_after(kWriteTimeout);
    auto [write_error, written] = co_await http::async_write(stream, response, kNoThrow);
    (void)written;
    if (write_error) co_return;
    if (!response.keep_alive()) break;
  }
  lowest.expires_after(kGoodbyeTimeout);
  auto [shutdown_error] = co_await stream.async_shutdown(kNoThrow);
  (void)shutdown_error;  // the client may be gone already
}

asio::awaitable<void> TestHttpsServer::Impl::accept_loop() {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(kNoThrow);
    if (!acceptor.is_open()) co_return;
    if (error) continue;
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(io, session(std::move(socket)), asio::detached);
  }
}

TestHttpsServer::TestHttpsServer(TestHttpsServerOptions options, TestHttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {
  auto& impl = *impl_;
  SSL_CTX* native = impl.tls.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(native, impl.options.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(native, impl.options.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error(impl.options.name + ": cannot serve with " + impl.options.cert_file +
                             " and " + impl.options.key_file);
  }
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), impl.options.port);
  try {
    impl.acceptor.open(endpoint.protocol());
    impl.acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl.acceptor.bind(endpoint);
    impl.acceptor.listen(asio::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error(impl.options.name + ": cannot listen on 127.0.0.1:" +
                             std::to_string(endpoint.port()) + ": " + error.what());
  }
  impl.port = impl.acceptor.local_endpoint().port();
  asio::co_spawn(impl.io, impl.accept_loop(), asio::detached);
  impl.thread = std::thread([&impl] { impl.io.run(); });
}

TestHttpsServer::~TestHttpsServer() {
  auto& impl = *impl_;
  std::promise<void> closed;
  asio::post(impl.io, [&impl, &closed] {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
    for (auto* socket : impl.sockets) socket->close(ignored);
    closed.set_value();
  });
  closed.get_future().wait();
  // The sessions end on their own now; stop() only cuts short a goodbye that never comes.
  impl.io.stop();
  impl.thread.join();
}

unsigned short TestHttpsServer::port() const {
  return impl_->port;
}

std::string TestHttpsServer::url() const {
  return "https://127.0.0.1:" + std::to_string(impl_->port);
}

}  // namespace irsa::testing
