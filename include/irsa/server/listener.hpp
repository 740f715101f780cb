// Accepts connections and serves HTTP/1.1 on them with C++20 coroutines, each connection on one
// thread, every timeout and limit taken from ServerLimits. The webhook port speaks TLS, the
// metrics port plain HTTP; both use this class. What a request means is the handler's business;
// the listener only moves bytes, enforces limits and closes connections when asked to drain.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "irsa/server/http_handler.hpp"
#include "irsa/server/limits.hpp"

namespace irsa::server {

class MemoryBudget;
class OverloadEvents;

// How a listener takes part in overload handling; every part optional.
struct ListenerOverload {
  std::string port = "webhook";  // how reports name this listener
  OverloadEvents* events = nullptr;
  // Shared with the other listener: request bodies are read only when their share fits.
  MemoryBudget* memory = nullptr;
};

class Listener {
 public:
  // Called on the connection's thread for every complete request. A coroutine, so that an
  // admission can wait (for a ServiceAccount still on its way) without holding a thread. The
  // request is the session's, and lives until the handler's coroutine has finished: taken by
  // reference, it is not moved into every handler's frame. Not const: the review lends its body
  // (Mutator::review_in_place), which its read left room for.
  using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;
  // The TLS context for a connection being accepted, asked once per connection, so that a
  // reloaded certificate reaches new connections while open ones keep theirs.
  using TlsSource = std::function<std::shared_ptr<boost::asio::ssl::context>()>;

  // Binds and listens at once, so that a port in use is reported by the constructor (as a
  // boost::system::system_error naming the address). An empty `tls` serves plain HTTP. The
  // acceptor runs on `io`; accepted connections go to `connection_contexts` in turn, or stay on
  // `io` when empty. Every context that serves connections must be run by exactly one thread:
  // a connection's handlers rely on that instead of a strand, and never meet another thread.
  Listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
           TlsSource tls, ServerLimits limits, Handler handler,
           std::vector<boost::asio::io_context*> connection_contexts = {},
           ListenerOverload overload = {});
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
  // At the connection cap (ServerLimits::max_connections) a new connection is served anyway and
  // the connection that has waited longest for its client is closed instead; from three
  // quarters of the cap until half, waits get the shorter `pressure_*` budgets.
  // Connections from accept to close, handshakes included.
  [[nodiscard]] std::size_t open_connections() const noexcept;
  // The most connections open at once since the last call.
  [[nodiscard]] std::size_t take_peak_connections() noexcept;

  void start();
  // Stops accepting. Open connections go on as before.
  void stop();
  // Stops accepting (after taking the connections the kernel has already completed) and winds
  // connections down: each closes after its next response, which says Connection: close.
  // Keep-alive connections idle between requests stay open for `quiet_period`, so that a
  // request sent just as the stop began is answered, then those still idle with nothing
  // readable are closed. A connection accepted but not yet used (handshake, first request on its
  // way) is served once, under the usual timeouts, since its client has already chosen us.
  void drain(std::chrono::milliseconds quiet_period);

  struct State;

 private:
  // What connections share. It holds nothing of `io`: a connection on another thread's context
  // may release it last, after `io` is gone.
  std::shared_ptr<State> state_;
  // Bound to `io`, shared with the accept loop only.
  std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  // Ends drain()'s quiet period; cancelled with the listener.
  boost::asio::steady_timer quiet_timer_;
};

}  // namespace irsa::server
