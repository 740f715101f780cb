#include "irsa/server/https_listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace irsa::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

// Shared between the listener object and its coroutines, which may outlive a stop().
struct HttpsListener::State {
  State(asio::io_context& io_context, std::shared_ptr<asio::ssl::context> tls_context,
        ServerLimits server_limits, Handler request_handler)
      : io(io_context),
        acceptor(asio::make_strand(io_context)),
        tls(std::move(tls_context)),
        limits(server_limits),
        handler(std::move(request_handler)) {}

  asio::io_context& io;
  tcp::acceptor acceptor;
  std::shared_ptr<asio::ssl::context> tls;
  ServerLimits limits;
  Handler handler;
  std::atomic<std::size_t> connections{0};
};

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// A response the listener itself sends when a request breaks a limit; it then closes.
Response limit_response(http::status status, std::string_view text) {
  return make_response(status, 11, /*keep_alive=*/false, kPlainText, std::string(text));
}

asio::awaitable<void> serve(std::shared_ptr<HttpsListener::State> state, tcp::socket socket) {
  // Counted from accept to close, including the handshake.
  struct Slot {
    std::atomic<std::size_t>& count;
    ~Slot() { count.fetch_sub(1, std::memory_order_relaxed); }
  } slot{state->connections};
  const ServerLimits& limits = state->limits;
  Stream stream(beast::tcp_stream(std::move(socket)), *state->tls);

  beast::get_lowest_layer(stream).expires_after(limits.tls_handshake);
  auto [handshake_error] =
      co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
  if (handshake_error) co_return;

  beast::flat_buffer buffer;
  bool first = true;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(limits.header_limit);
    parser.body_limit(limits.body_limit);
    // Between requests the connection may sit idle; the first request must come promptly.
    beast::get_lowest_layer(stream).expires_after(first ? limits.request_header : limits.idle);
    first = false;
    auto [header_error, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kNoThrow);
    (void)header_bytes;
    std::optional<Response> refusal;
    if (header_error == http::error::header_limit) {
      refusal = limit_response(http::status::request_header_fields_too_large,
                               "request headers too large\n");
    } else if (header_error == http::error::body_limit) {
      // A Content-Length over the limit is refused before any of the body is read.
      refusal = limit_response(http::status::payload_too_large, "request body too large\n");
    } else if (header_error) {
      break;  // closed, reset, timed out or not HTTP: nothing to answer
    } else {
      beast::get_lowest_layer(stream).expires_after(limits.request_body);
      auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, parser, kNoThrow);
      (void)body_bytes;
      if (body_error == http::error::body_limit) {
        refusal = limit_response(http::status::payload_too_large, "request body too large\n");
      } else if (body_error) {
        break;
      }
    }
    Response response = refusal ? std::move(*refusal) : state->handler(parser.release());
    const bool keep_alive = response.keep_alive();
    beast::get_lowest_layer(stream).expires_after(limits.response_write);
    auto [write_error, written] = co_await http::async_write(stream, response, kNoThrow);
    (void)written;
    if (write_error || !keep_alive) break;
  }
  beast::get_lowest_layer(stream).expires_after(limits.response_write);
  auto [shutdown_error] = co_await stream.async_shutdown(kNoThrow);
  (void)shutdown_error;  // the peer may already be gone; the socket closes either way
}

asio::awaitable<void> accept_loop(std::shared_ptr<HttpsListener::State> state) {
  for (;;) {
    // Each connection gets its own strand: its coroutine never runs on two threads at once.
    auto [error, socket] =
        co_await state->acceptor.async_accept(asio::make_strand(state->io), kNoThrow);
    if (error == asio::error::operation_aborted || !state->acceptor.is_open()) co_return;
    if (error) continue;  // e.g. too many open files: keep serving those already connected
    if (state->connections.load(std::memory_order_relaxed) >= state->limits.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    state->connections.fetch_add(1, std::memory_order_relaxed);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serve(state, std::move(socket)), asio::detached);
  }
}

}  // namespace

HttpsListener::HttpsListener(asio::io_context& io, const tcp::endpoint& endpoint,
                             std::shared_ptr<asio::ssl::context> tls, ServerLimits limits,
                             Handler handler)
    : state_(std::make_shared<State>(io, std::move(tls), limits, std::move(handler))) {
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  if (endpoint.address().is_v6()) {
    // "::" then serves IPv4 clients too, as Go's ":port" does.
    acceptor.set_option(asio::ip::v6_only(false));
  }
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
}

HttpsListener::~HttpsListener() {
  stop();
}

tcp::endpoint HttpsListener::local_endpoint() const {
  return state_->acceptor.local_endpoint();
}

std::size_t HttpsListener::open_connections() const noexcept {
  return state_->connections.load(std::memory_order_relaxed);
}

void HttpsListener::start() {
  asio::co_spawn(state_->acceptor.get_executor(), accept_loop(state_), asio::detached);
}

void HttpsListener::stop() {
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
  });
}

}  // namespace irsa::server
