// The running webhook: the TLS listener for /mutate and the health routes, the plain-HTTP
// listener for /metrics, the ServiceAccounts (from the source the command line chose), the
// watched files (the certificate pair, the Pod Identity associations), readiness, and the
// shutdown sequence. This class only puts those parts together and runs them.
#pragma once

#include <memory>

#include "irsa/server/account_source.hpp"
#include "irsa/server/log.hpp"
#include "irsa/server/server_config.hpp"

namespace irsa::server {

class WebhookServer {
 public:
  // Builds the account source with `make_accounts`, loads the certificate pair and binds both
  // ports; throws std::runtime_error (or std::invalid_argument from the source) saying what
  // failed.
  WebhookServer(ServerConfig config, const AccountSourceFactory& make_accounts, const Logger& log);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Serves until SIGTERM or SIGINT, then drains; returns the process exit code (0 after a
  // clean drain). A second signal ends the process at once with status 1.
  int run();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace irsa::server
