// What the server needs to run, parsed and checked at the command line: plain data, so that the
// command line and the tests can build it without reading Asio, Beast or the Kubernetes client.
// Where ServiceAccounts come from is not here: the command line picks an AccountSource.
#pragma once

#include <chrono>
#include <string>

#include "irsa/core/settings.hpp"
#include "irsa/server/file_watch_timing.hpp"
#include "irsa/server/limits.hpp"
#include "irsa/server/tls_options.hpp"

namespace irsa::server {

struct ServerConfig {
  core::Settings settings;
  std::string bind_address;  // an IP literal; empty = every interface, IPv6 and IPv4
  int port = 443;
  int metrics_port = 9999;
  std::string tls_cert;
  std::string tls_key;
  TlsOptions tls;
  std::string pod_identity_file;  // --watch-container-credentials-config; empty = off
  std::string role_policy_file;   // --role-policy; empty = no policy
  bool debugging_handlers = false;
  unsigned worker_threads = 1;
  std::chrono::nanoseconds shutdown_delay{0};
  std::chrono::nanoseconds shutdown_timeout = std::chrono::seconds{10};
  // Bytes request bodies may hold at once (MemoryBudget); 0: default_request_memory().
  std::size_t request_memory = 0;
  ServerLimits limits;
  FileWatchTiming watch_timing;
};

}  // namespace irsa::server
