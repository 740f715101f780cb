// The running webhook: the TLS listener for /mutate and the health routes, the plain-HTTP
// listener for /metrics, the ServiceAccounts (from the Kubernetes API or a file), the watched
// files (Pod Identity associations, the certificate pair), readiness, logging and the shutdown
// sequence, all on one io_context.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "irsa/core/settings.hpp"
#include "irsa/kube/cluster_sources.hpp"
#include "irsa/server/file_watcher.hpp"
#include "irsa/server/limits.hpp"
#include "irsa/server/log.hpp"
#include "irsa/server/tls_options.hpp"

namespace irsa::server {

// Everything the server needs, parsed and checked at the command line.
struct ServerConfig {
  core::Settings settings;
  std::string bind_address;  // an IP literal; empty = every interface, IPv6 and IPv4
  int port = 443;
  int metrics_port = 9999;
  std::string tls_cert;
  std::string tls_key;
  TlsOptions tls;
  // Where ServiceAccounts come from: the Kubernetes API when `cluster` is set, else this file.
  std::optional<kube::ClusterSourcesConfig> cluster;
  std::string service_accounts_file;
  // How long an admission whose ServiceAccount is not cached yet waits for it (API source only);
  // zero admits such pods at once, without credentials, as upstream's default does.
  std::chrono::nanoseconds lookup_grace = std::chrono::seconds{1};
  std::string pod_identity_file;  // --watch-container-credentials-config; empty = off
  bool debugging_handlers = false;
  unsigned worker_threads = 1;
  std::chrono::nanoseconds shutdown_delay{0};
  std::chrono::nanoseconds shutdown_timeout = std::chrono::seconds{10};
  ServerLimits limits;
  FileWatchTiming watch_timing;
};

class WebhookServer {
 public:
  // Loads the certificate pair and binds both ports; throws std::runtime_error (or
  // boost::system::system_error for a port in use) saying what failed.
  WebhookServer(ServerConfig config, const Logger& log);
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

// How long an admission may wait for its ServiceAccount: the grace period, but never so long
// that the API server (which says how long it waits in the request's ?timeout=) gives up first.
[[nodiscard]] std::chrono::nanoseconds account_wait_budget(std::string_view target,
                                                           std::chrono::nanoseconds grace);

// The CPUs this process may use: its affinity mask, lowered to its cgroup's CPU quota rounded up
// (a pod with a CPU limit of 1 on a 16-core node gets 1, not 16 threads that the quota would
// throttle in turns). At least 1.
[[nodiscard]] unsigned usable_cpus() noexcept;

// The CPUs a cgroup v2 `cpu.max` line ("<quota> <period>" in microseconds, or "max <period>")
// allows, rounded up; nothing when unlimited or unreadable.
[[nodiscard]] std::optional<unsigned> cpus_allowed_by_quota(std::string_view cpu_max) noexcept;

}  // namespace irsa::server
