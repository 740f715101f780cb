// The metrics port's requests: /metrics and, with --enable-debugging-handlers, upstream's
// ServiceAccount cache dump and clear, and the role policy in force.
#pragma once

#include "irsa/store/live_policy.hpp"

#include <boost/asio/awaitable.hpp>
#include <functional>

#include "irsa/server/account_source.hpp"
#include "irsa/server/http_handler.hpp"
#include "irsa/server/log.hpp"
#include "irsa/server/server_metrics.hpp"

namespace irsa::server {

class MetricsEndpoint {
 public:
  // `refresh` brings the server's own gauges up to date before each /metrics.
  MetricsEndpoint(ServerMetrics& metrics, AccountSource& accounts, const store::LivePolicy& policy,
                  const Logger& log, bool debugging_handlers, std::function<void()> refresh);

  // The Listener's handler for the metrics port.
  boost::asio::awaitable<Response> serve(const Request& request);

 private:
  Response answer(const Request& request);

  ServerMetrics& metrics_;
  AccountSource& accounts_;
  const store::LivePolicy& policy_;
  const Logger& log_;
  bool debugging_handlers_;
  std::function<void()> refresh_;
};

}  // namespace irsa::server
