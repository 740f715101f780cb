#include "support/fake_kube_transport.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <future>
#include <stdexcept>

#include "irsa/net/no_throw.hpp"
#include "support/fake_kube_server.hpp"
#include "support/fake_kube_watch_stream.hpp"
#include "support/fake_kube_webhook_call.hpp"
#include "support/test_https_server.hpp"

namespace irsa::testing::fake_kube {

namespace {

using Response = http::response<http::string_body>;
using TlsStream = net::AnyStream::TlsStream;

using net::kNoThrow;
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr std::chrono::seconds kIdleTimeout{120};
constexpr std::chrono::seconds kGoodbyeTimeout{2};

// The API server speaks HTTP/2 too, but the clients under test must be fine with HTTP/1.1:
// pick it from the client's offer, or agree on nothing.
int select_http11(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_length,
                  const unsigned char* offered, unsigned int offered_length, void* /*arg*/) {
  constexpr std::string_view kHttp11 = "http/1.1";
  unsigned int at = 0;
  while (at < offered_length) {
    const unsigned int length = offered[at];
    if (at + 1 + length > offered_length) break;
    if (std::string_view(reinterpret_cast<const char*>(offered + at + 1), length) == kHttp11) {
      *out = offered + at + 1;
      *out_length = static_cast<unsigned char>(length);
      return SSL_TLSEXT_ERR_OK;
    }
    at += 1 + length;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

std::shared_ptr<asio::ssl::context> make_tls_context(const FakeKubeApiOptions& options) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  use_server_pair(native, options.cert_file, options.key_file, "fake kube-apiserver");
  SSL_CTX_set_alpn_select_cb(native, select_http11, nullptr);
  // Resumed sessions must belong to this server when client certificates are asked for.
  static constexpr unsigned char kSessionContext[] = "irsa-fake-kube-api";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof(kSessionContext) - 1);
  if (!options.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(native, options.client_ca_file.c_str(), nullptr) != 1) {
      throw std::runtime_error("fake kube-apiserver: cannot read client CA " +
                               options.client_ca_file);
    }
    // Tells clients which CA to pick their certificate for.
    SSL_CTX_set_client_CA_list(native, SSL_load_client_CA_file(options.client_ca_file.c_str()));
    // Ask for a certificate but let every handshake through, as the API server does: the
    // verdict (which OpenSSL keeps) decides per request, so a bad certificate earns a 401, not
    // a failed handshake, and a token-only client need not send one.
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
  }
  return context;
}

bool verified_client_certificate(SSL* ssl) {
  return SSL_get0_peer_certificate(ssl) != nullptr && SSL_get_verify_result(ssl) == X509_V_OK;
}

// Unregisters the connection however the session ends.
struct SessionGuard {
  SessionGuard(Server& s, Connection& c) : server(s), connection(c) {}
  SessionGuard(const SessionGuard&) = delete;
  SessionGuard& operator=(const SessionGuard&) = delete;
  ~SessionGuard() {
    connection.stream = nullptr;
    const std::scoped_lock lock(server.mutex);
    server.connections.erase(&connection);
    server.connections_changed.notify_all();
  }
  Server& server;
  Connection& connection;
};

asio::awaitable<void> wait_out(Connection& connection, std::chrono::milliseconds delay) {
  const auto until = Clock::now() + delay;
  while (!connection.closed && Clock::now() < until) {
    connection.timer.expires_at(until);
    co_await connection.timer.async_wait(kNoThrow);
  }
}

asio::awaitable<void> session(std::shared_ptr<Server> server,
                              std::shared_ptr<Connection> connection, tcp::socket socket) {
  const SessionGuard guard{*server, *connection};
  TlsStream stream(beast::tcp_stream(std::move(socket)), *server->tls);
  auto& lowest = beast::get_lowest_layer(stream);
  connection->stream = &lowest;
  if (connection->closed) co_return;
  lowest.expires_after(kHandshakeTimeout);
  auto [handshake_error] =
      co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
  if (handshake_error) co_return;
  const bool certificate_ok = verified_client_certificate(stream.native_handle());
  // HTTP over the TLS stream through one type that every HTTP operation shares (any_stream.hpp).
  net::AnyStream http_stream(stream);
  beast::flat_buffer buffer;
  for (;;) {
    if (connection->closed) co_return;
    http::request_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    lowest.expires_after(kIdleTimeout);
    auto [read_error, read_bytes] =
        co_await http::async_read(http_stream, buffer, parser, kNoThrow);
    (void)read_bytes;
    if (read_error == http::error::end_of_stream) break;
    if (read_error) co_return;  // reset, timed out, not HTTP: no goodbye to say
    lowest.expires_never();
    const Request request = parser.release();
    Reply reply;
    {
      const std::scoped_lock lock(server->mutex);
      reply = server->handle(request, certificate_ok, connection);
    }
    if (reply.create) {
      // A Pod create asks its webhook first: without the lock and without blocking the server's
      // thread, since the webhook may call back into this server before it answers.
      const std::shared_ptr<PodCreate> create = std::move(reply.create);
      const WebhookCall call = co_await call_webhook(*connection, create->webhook, create->review);
      if (connection->closed) co_return;
      const std::scoped_lock lock(server->mutex);
      reply = server->finish_pod_create(*create, call);
    }
    if (reply.watch) {
      const WatchEnd end = co_await stream_watch(*server, connection, http_stream, reply.watch,
                                                 reply.watch_deadline, request);
      // A cut leaves without close_notify: the socket closes when the stream goes.
      if (end != WatchEnd::finished) co_return;
      if (!request.keep_alive()) break;
      continue;
    }
    if (reply.delay.count() > 0) {
      co_await wait_out(*connection, reply.delay);
      if (connection->closed) co_return;
    }
    Response response{reply.status, request.version()};
    response.set(http::field::content_type, reply.content_type);
    response.set(http::field::cache_control, "no-cache, private");
    for (const auto& [name, value] : reply.headers) response.insert(name, value);
    response.keep_alive(request.keep_alive());
    response.body() = std::move(reply.body);
    response.prepare_payload();
    lowest.expires_after(kWriteTimeout);
    auto [write_error, written] = co_await http::async_write(http_stream, response, kNoThrow);
    (void)written;
    if (write_error) co_return;
    if (!response.keep_alive()) break;
  }
  if (connection->closed) co_return;
  lowest.expires_after(kGoodbyeTimeout);
  auto [shutdown_error] = co_await stream.async_shutdown(kNoThrow);
  (void)shutdown_error;  // the client may be gone already; the socket closes either way
}

asio::awaitable<void> accept_loop(std::shared_ptr<Server> server, std::uint64_t generation) {
  for (;;) {
    // One strand per connection: its session never runs on two threads at once.
    Executor strand = asio::make_strand(server->io);
    auto [error, socket] = co_await server->acceptor.async_accept(strand, kNoThrow);
    if (generation != server->accept_generation || !server->acceptor.is_open()) co_return;
    if (error) {
      // Out of descriptors, say: pause instead of spinning on the same error.
      asio::steady_timer pause(server->acceptor_strand, std::chrono::milliseconds(50));
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    // As Go's net package does for every TCP connection: without it, the last segment of a
    // response waits for the client's delayed ACK (40 ms a page).
    beast::error_code no_delay_error;
    socket.set_option(tcp::no_delay(true), no_delay_error);
    auto connection = std::make_shared<Connection>(strand);
    {
      const std::scoped_lock lock(server->mutex);
      if (server->stopping) co_return;
      server->connections.emplace(connection.get(), connection);
    }
    asio::co_spawn(strand, session(server, connection, std::move(socket)), asio::detached);
  }
}

}  // namespace

void wake(const std::shared_ptr<Connection>& connection) {
  asio::post(connection->strand, [connection] { connection->timer.cancel(); });
}

Server::Server(asio::io_context& io_context, FakeKubeApiOptions given)
    : io(io_context),
      options(std::move(given)),
      tls(make_tls_context(options)),
      acceptor_strand(asio::make_strand(io_context)),
      acceptor(acceptor_strand),
      port(options.port),
      tokens(options.tokens) {}

void Server::on_acceptor(const std::function<void()>& f) {
  std::promise<void> done;
  asio::post(acceptor_strand, [&] {
    try {
      f();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  done.get_future().get();
}

void Server::start_listening() {
  if (acceptor.is_open()) return;
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port.load());
  try {
    acceptor.open(endpoint.protocol());
    // After set_available(false) the same port is taken again, while connections of the last
    // round may still linger in TIME_WAIT.
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& error) {
    beast::error_code ignored;
    acceptor.close(ignored);
    throw std::runtime_error("fake kube-apiserver: cannot listen on 127.0.0.1:" +
                             std::to_string(endpoint.port()) + ": " + error.what());
  }
  port = acceptor.local_endpoint().port();
  asio::co_spawn(acceptor_strand, accept_loop(shared_from_this(), ++accept_generation),
                 asio::detached);
}

void Server::stop_listening() {
  ++accept_generation;
  beast::error_code ignored;
  acceptor.close(ignored);
}

void Server::close_connections() {
  std::vector<std::shared_ptr<Connection>> all;
  {
    const std::scoped_lock lock(mutex);
    for (const auto& [key, connection] : connections) all.push_back(connection);
    end_watches();
  }
  for (const auto& connection : all) {
    asio::post(connection->strand, [connection] { connection->close(); });
  }
}

bool Server::wait_for_no_connections(std::chrono::milliseconds within) {
  std::unique_lock lock(mutex);
  return connections_changed.wait_for(lock, within, [&] { return connections.empty(); });
}

}  // namespace irsa::testing::fake_kube
