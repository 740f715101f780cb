#include "support/test_https_server.hpp"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include "irsa/net/any_stream.hpp"
#include "irsa/net/no_throw.hpp"

namespace irsa::testing {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

using net::kNoThrow;
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

// Turns the parsed request into the handler's view of it.
TestHttpRequest request_of(const http::request<http::string_body>& request) {
  TestHttpRequest given;
  given.method = std::string(request.method_string());
  given.target = std::string(request.target());
  for (const auto& field : request) {
    given.headers[lower(std::string(field.name_string()))] = std::string(field.value());
  }
  given.body = request.body();
  return given;
}

http::response<http::string_body> response_of(TestHttpResponse answer,
                                              const http::request<http::string_body>& request) {
  http::response<http::string_body> response{static_cast<http::status>(answer.status),
                                             request.version()};
  response.set(http::field::content_type, answer.content_type);
  for (const auto& [name, value] : answer.headers) response.set(name, value);
  response.keep_alive(request.keep_alive() && !answer.close_connection);
  response.body() = std::move(answer.body);
  response.prepare_payload();
  return response;
}

// How a connection's requests ended.
enum class Ending {
  goodbye,  // the client is done or the server closes: end the connection politely
  dropped,  // an error, a timeout or a silent answer: just close
};

}  // namespace

void use_server_pair(SSL_CTX* context, const std::string& cert_file, const std::string& key_file,
                     const std::string& who) {
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(context, cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(context) != 1) {
    throw std::runtime_error(who + ": cannot serve with " + cert_file + " and " + key_file);
  }
}

struct TestHttpsServer::Impl {
  Impl(TestHttpsServerOptions given, TestHttpHandler on_request)
      : options(std::move(given)), handler(std::move(on_request)), acceptor(io) {}

  [[nodiscard]] bool uses_tls() const { return tls.has_value(); }
  TestHttpResponse answer(const TestHttpRequest& request);
  // The request loop over either kind of stream.
  asio::awaitable<Ending> serve(net::AnyStream stream);
  asio::awaitable<void> session(tcp::socket socket);
  asio::awaitable<void> accept_loop();

  // Declared before io: the coroutine frames io destroys refer to them.
  TestHttpsServerOptions options;
  TestHttpHandler handler;
  std::optional<asio::ssl::context> tls;  // none: plain HTTP
  std::set<tcp::socket*> sockets;         // open connections; touched on the server thread only
  asio::io_context io{1};
  tcp::acceptor acceptor;
  unsigned short port = 0;
  std::thread thread;
};

TestHttpResponse TestHttpsServer::Impl::answer(const TestHttpRequest& request) {
  try {
    return handler(request);
  } catch (const std::exception& error) {
    return {500, "text/plain", std::string("handler failed: ") + error.what(), {}};
  }
}

asio::awaitable<Ending> TestHttpsServer::Impl::serve(net::AnyStream stream) {
  auto& lowest = stream.lowest();
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    lowest.expires_after(kIdleTimeout);
    auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, kNoThrow);
    (void)read_bytes;
    if (read_error == http::error::end_of_stream) co_return Ending::goodbye;
    if (read_error) co_return Ending::dropped;
    const auto request = parser.release();
    auto reply = answer(request_of(request));
    if (reply.silent) {
      // Held until the client leaves (the socket turns readable) or the server closes it.
      lowest.expires_never();
      auto [wait_error] = co_await lowest.socket().async_wait(tcp::socket::wait_read, kNoThrow);
      (void)wait_error;
      co_return Ending::dropped;
    }
    auto response = response_of(std::move(reply), request);
    lowest.expires_after(kWriteTimeout);
    auto [write_error, written] = co_await http::async_write(stream, response, kNoThrow);
    (void)written;
    if (write_error) co_return Ending::dropped;
    if (!response.keep_alive()) co_return Ending::goodbye;
  }
}

asio::awaitable<void> TestHttpsServer::Impl::session(tcp::socket socket) {
  // Known to the destructor, which closes it, while the session lasts.
  struct Registration {
    Registration(std::set<tcp::socket*>& all, tcp::socket& socket) : sockets(all), open(&socket) {
      sockets.insert(open);
    }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration() { sockets.erase(open); }
    std::set<tcp::socket*>& sockets;
    tcp::socket* open;
  };
  if (!uses_tls()) {
    beast::tcp_stream stream(std::move(socket));
    const Registration registration(sockets, stream.socket());
    if (co_await serve(net::AnyStream(stream)) == Ending::goodbye) {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    co_return;
  }
  TlsStream stream(beast::tcp_stream(std::move(socket)), *tls);
  auto& lowest = beast::get_lowest_layer(stream);
  const Registration registration(sockets, lowest.socket());
  lowest.expires_after(kHandshakeTimeout);
  auto [handshake_error] =
      co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
  if (handshake_error) co_return;
  if (co_await serve(net::AnyStream(stream)) == Ending::dropped) co_return;
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
  if (!impl.options.cert_file.empty() || !impl.options.key_file.empty()) {
    use_server_pair(impl.tls.emplace(asio::ssl::context::tls_server).native_handle(),
                    impl.options.cert_file, impl.options.key_file, impl.options.name);
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
  return std::string(impl_->uses_tls() ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(impl_->port);
}

}  // namespace irsa::testing
