// The metrics port's requests: /metrics and, with --enable-debugging-handlers, upstream's
// ServiceAccount cache dump and clear.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "irsa/server/account_source.hpp"
#include "irsa/server/http_handler.hpp"
#include "irsa/server/log.hpp"
#include "irsa/server/server_metrics.hpp"

namespace irsa::server {

class MetricsEndpoint {
 public:
  MetricsEndpoint(ServerMetrics& metrics, AccountSource& accounts, const Logger& log,
                  bool debugging_handlers);

  // The Listener's handler for the metrics port.
  boost::asio::awaitable<Response> serve(Request request);

 private:
  Response answer(const Request& request);

  ServerMetrics& metrics_;
  AccountSource& accounts_;
  const Logger& log_;
  bool debugging_handlers_;
};

}  // namespace irsa::server
