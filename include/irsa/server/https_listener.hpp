// Accepts TLS connections and serves HTTP/1.1 on them with C++20 coroutines, one strand per
// connection, every timeout and limit taken from ServerLimits. What a request means is the
// handler's business; this class only moves bytes and enforces limits.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <memory>

#include "irsa/server/http_handler.hpp"
#include "irsa/server/limits.hpp"

namespace irsa::server {

class HttpsListener {
 public:
  // Called on the connection's strand for every complete request.
  using Handler = std::function<Response(Request&&)>;

  // Binds and listens at once, so that a port in use is reported by the constructor (as a
  // boost::system::system_error naming the address).
  HttpsListener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                std::shared_ptr<boost::asio::ssl::context> tls, ServerLimits limits,
                Handler handler);
  ~HttpsListener();
  HttpsListener(const HttpsListener&) = delete;
  HttpsListener& operator=(const HttpsListener&) = delete;

  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
  [[nodiscard]] std::size_t open_connections() const noexcept;

  void start();
  // Stops accepting; connections already open finish their current exchange.
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace irsa::server
