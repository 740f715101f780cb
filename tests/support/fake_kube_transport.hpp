// The fake API server's sockets (fake_kube_transport.cpp): TLS on 127.0.0.1 with HTTP/1.1 picked
// by ALPN and client certificates judged per request, one coroutine session per connection on a
// strand of its own, and the listening socket that set_available closes and opens again. A
// WATCH answer is streamed by fake_kube_watch_stream, and a Pod create's webhook called by
// fake_kube_webhook_call. Private to the fake.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>

namespace irsa::testing::fake_kube {

namespace asio = boost::asio;
namespace beast = boost::beast;
using Executor = asio::strand<asio::io_context::executor_type>;

// One accepted connection. The session coroutine and everything posted to `strand` touch the
// fields below; other threads only post to the strand.
struct Connection {
  explicit Connection(const Executor& executor) : strand(executor), timer(executor) {}
  Executor strand;
  // The session's own waits (a delayed GET, a watch between events); cancelling it wakes the
  // session, which then looks at what changed.
  asio::steady_timer timer;
  beast::tcp_stream* stream = nullptr;  // null before the session starts and after it ends
  // The stream to an admission webhook while the session calls one (fake_kube_webhook_call).
  beast::tcp_stream* upstream = nullptr;
  bool closed = false;
  bool read_wait_armed = false;
  bool client_readable = false;  // the client sent something (or left) during a watch

  void close() {
    closed = true;
    if (stream != nullptr) {
      beast::error_code ignored;
      stream->socket().close(ignored);
    }
    if (upstream != nullptr) upstream->close();
    timer.cancel();
  }
};

// Makes a watch session look at its queue again; callable from any thread.
void wake(const std::shared_ptr<Connection>& connection);

}  // namespace irsa::testing::fake_kube
