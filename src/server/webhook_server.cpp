#include "irsa/server/webhook_server.hpp"

#include <algorithm>
#include <string>

#include "admission_endpoint.hpp"
#include "bind_listener.hpp"
#include "io_threads.hpp"
#include "irsa/server/host_facts.hpp"
#include "irsa/server/listener.hpp"
#include "irsa/server/memory_budget.hpp"
#include "irsa/server/server_metrics.hpp"
#include "irsa/store/live_identities.hpp"
#include "irsa/store/live_policy.hpp"
#include "memory_trimmer.hpp"
#include "metrics_endpoint.hpp"
#include "overload_reports.hpp"
#include "readiness.hpp"
#include "reload_signal.hpp"
#include "shutdown_sequence.hpp"
#include "watched_files.hpp"

namespace irsa::server {

namespace {

// Descriptors left for files, inotify and the like when sizing the connection limit.
constexpr std::size_t kReservedDescriptors = 64;

// The configured limits, with the connection limit lowered to what the descriptor limit allows
// once raised as far as the host lets it.
ServerLimits within_descriptor_limit(ServerLimits limits) {
  const std::size_t descriptors = raise_descriptor_limit();
  if (descriptors > kReservedDescriptors) {
    limits.max_connections =
        std::min(limits.max_connections, (descriptors - kReservedDescriptors) / 2 * 2);
  }
  return limits;
}

}  // namespace

// Members are built in the order declared, which is the start-up order: the account source (so
// that a client configuration that cannot work is reported first), the certificate pair, then
// the ports. They are destroyed in reverse, the threads' io_contexts last, since everything
// else has work queued on them.
struct WebhookServer::Impl {
  Impl(ServerConfig server_config, const AccountSourceFactory& make_accounts, const Logger& logger)
      : config(std::move(server_config)),
        log(logger),
        threads(config.worker_threads),
        shutdown(threads.main(), log, config.shutdown_delay, config.shutdown_timeout,
                 {.begin_draining = [this] { return readiness.begin_draining(); },
                  .close = [this] { close(); },
                  .open_connections = [this] { return open_connections(); },
                  .stop = [this] { threads.stop(); }}),
        reload_signal(threads.main(), log, [this] { reload_files(); }),
        accounts(make_accounts({.io = threads.main(),
                                .settings = config.settings,
                                .log = log,
                                .metrics = metrics,
                                .identities = identities,
                                .watch_timing = config.watch_timing,
                                .readiness_changed = [this] { readiness.update(); }})),
        readiness(*accounts, !config.pod_identity_file.empty(), metrics),
        role_policy(config.role_policy_file.empty() ? nullptr
                                                    : std::make_unique<RolePolicyFile>(
                                                          threads.main(), config.role_policy_file,
                                                          config.watch_timing, policy, metrics, log,
                                                          [this](const core::RolePolicy& rules) {
                                                            if (rules.uses_namespace_labels()) {
                                                              accounts->watch_namespaces();
                                                            }
                                                          })),
        admissions(config.settings, identities, *accounts, policy, readiness, metrics, log,
                   config.debugging_handlers, threads.contexts()),
        metrics_endpoint(metrics, *accounts, policy, log, config.debugging_handlers,
                         [this] { refresh_overload_metrics(); }),
        certificate(threads.main(), config.tls_cert, config.tls_key, config.tls,
                    config.watch_timing, metrics, log),
        overload_reports(metrics, log),
        request_memory(config.request_memory != 0 ? config.request_memory
                                                  : default_request_memory(cgroup_memory_limit()),
                       &overload_reports),
        trimmer(
            threads.main(), [this] { return open_connections(); },
            [this] {
              return webhook->take_peak_connections() + metrics_listener->take_peak_connections();
            }) {
    config.limits = within_descriptor_limit(config.limits);
    threads.prepare_for_connections(config.limits.max_connections);
    // The metrics port needs only a handful of connections.
    ServerLimits metrics_limits = config.limits;
    metrics_limits.max_connections = 64;
    webhook = bind_listener(
        threads.main(), config.bind_address, config.port, [this] { return certificate.current(); },
        config.limits, [this](Request& request) { return admissions.serve(request); },
        "the webhook (--port)", threads.connection_contexts(),
        {.port = "webhook", .events = &overload_reports, .memory = &request_memory});
    metrics_listener =
        bind_listener(threads.main(), config.bind_address, config.metrics_port, {}, metrics_limits,
                      [this](const Request& request) { return metrics_endpoint.serve(request); },
                      "metrics (--metrics-port)", {},
                      {.port = "metrics", .events = &overload_reports, .memory = &request_memory});
    if (!config.pod_identity_file.empty()) {
      pod_identity = std::make_unique<PodIdentityFile>(
          threads.main(), config.pod_identity_file, config.watch_timing, identities, metrics, log,
          [this] { readiness.pod_identity_loaded(); });
    }
  }

  int run() {
    shutdown.start();
    reload_signal.start();
    webhook->start();
    metrics_listener->start();
    certificate.start();
    trimmer.start();
    accounts->start();
    if (pod_identity) pod_identity->start();
    if (role_policy) role_policy->start();
    log.info("serving", {{"webhook", listener_url(*webhook, "https")},
                         {"metrics", listener_url(*metrics_listener, "http")},
                         {"worker_threads", std::to_string(config.worker_threads)},
                         {"max_connections", std::to_string(config.limits.max_connections)},
                         {"request_memory_budget", std::to_string(request_memory.limit())}});
    threads.run();
    log.flush();
    return 0;
  }

  // The shutdown sequence's step after --shutdown-delay.
  void close() {
    const auto quiet_period = std::min(
        config.limits.drain_quiet_period,
        std::chrono::duration_cast<std::chrono::milliseconds>(config.shutdown_timeout / 2));
    webhook->drain(quiet_period);
    metrics_listener->drain(quiet_period);
    certificate.stop();
    trimmer.stop();
    accounts->stop();
    if (pod_identity) pod_identity->stop();
    if (role_policy) role_policy->stop();
  }

  // SIGHUP's action.
  void reload_files() {
    certificate.reload_now();
    accounts->reload_files();
    if (pod_identity) pod_identity->reload_now();
    if (role_policy) role_policy->reload_now();
  }

  void refresh_overload_metrics() {
    metrics.set_open_connections("webhook", webhook->open_connections());
    metrics.set_open_connections("metrics", metrics_listener->open_connections());
    metrics.set_request_memory(request_memory.used(), request_memory.limit());
  }

  [[nodiscard]] std::size_t open_connections() const {
    return webhook->open_connections() + metrics_listener->open_connections();
  }

  ServerConfig config;
  const Logger& log;
  IoThreads threads;
  store::LiveIdentities identities;
  ServerMetrics metrics;
  ShutdownSequence shutdown;
  ReloadSignal reload_signal;
  std::unique_ptr<AccountSource> accounts;
  Readiness readiness;
  store::LivePolicy policy;
  std::unique_ptr<RolePolicyFile> role_policy;
  AdmissionEndpoint admissions;
  MetricsEndpoint metrics_endpoint;
  CertificateFiles certificate;
  OverloadReports overload_reports;
  // Shared by both listeners, which are declared (and so destroyed) after it.
  MemoryBudget request_memory;
  MemoryTrimmer trimmer;
  std::unique_ptr<Listener> webhook;
  std::unique_ptr<Listener> metrics_listener;
  std::unique_ptr<PodIdentityFile> pod_identity;
};

WebhookServer::WebhookServer(ServerConfig config, const AccountSourceFactory& make_accounts,
                             const Logger& log)
    : impl_(std::make_unique<Impl>(std::move(config), make_accounts, log)) {}

WebhookServer::~WebhookServer() = default;

int WebhookServer::run() {
  return impl_->run();
}

}  // namespace irsa::server
