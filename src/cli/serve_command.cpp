#include "irsa/cli/serve_command.hpp"

#include <malloc.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <ostream>
#include <stdexcept>

#include "byte_size.hpp"
#include "irsa/aws/instance_metadata.hpp"
#include "irsa/core/annotations.hpp"
#include "irsa/server/cluster_account_source.hpp"
#include "irsa/server/file_account_source.hpp"
#include "irsa/server/host_facts.hpp"
#include "irsa/server/log.hpp"
#include "irsa/server/tls_options.hpp"
#include "irsa/server/webhook_server.hpp"
#include "log_output.hpp"

namespace irsa::cli {

void add_serve_flags(CLI::App& app, ServeOptions& options) {
  add_server_flags(app, options.server);
  add_mutation_flags(app, options.mutation);
}

ServeConfig to_serve_config(const ServeOptions& options) {
  const ServerFlags& flags = options.server;
  validate(flags);
  ServeConfig config;
  server::ServerConfig& server_config = config.server;
  server_config.settings = to_settings(options.mutation, /*account_from_metadata=*/true);
  server_config.bind_address = flags.bind_address;
  server_config.port = flags.port;
  server_config.metrics_port = flags.metrics_port;
  server_config.tls_cert = flags.tls_cert;
  server_config.tls_key = flags.tls_key;
  server_config.tls = server::parse_tls_options(flags.tls_min_version, flags.tls_cipher_suites);
  server_config.pod_identity_file = options.mutation.container_credentials_config;
  server_config.role_policy_file = options.mutation.role_policy_file;
  server_config.debugging_handlers = flags.enable_debugging_handlers;
  server_config.worker_threads = flags.worker_threads > 0
                                     ? static_cast<unsigned>(flags.worker_threads)
                                     : server::usable_cpus();
  server_config.shutdown_delay = flags.shutdown_delay;
  server_config.shutdown_timeout = flags.shutdown_timeout;
  server_config.limits.max_connections = static_cast<std::size_t>(flags.max_connections);
  if (!flags.request_memory_budget.empty()) {
    const std::uint64_t budget =
        parse_byte_size(flags.request_memory_budget, "--request-memory-budget");
    // Less than one body at its limit would refuse the largest reviews every time.
    if (budget < server_config.limits.body_limit) {
      throw std::invalid_argument(
          "--request-memory-budget: " + flags.request_memory_budget +
          " is less than one request body may be (7Mi), so the largest reviews could never "
          "be read");
    }
    server_config.request_memory = static_cast<std::size_t>(budget);
  }
  config.service_accounts_file = flags.service_accounts_file;
  if (flags.service_accounts_file.empty()) {
    // The client's address and credentials are read at start-up (complete_from_environment).
    kube::ClusterSourcesConfig cluster;
    cluster.watch_config_map = flags.watch_config_map;
    cluster.config_map_namespace = flags.kube_namespace;
    config.cluster = std::move(cluster);
  }
  config.lookup_grace = flags.service_account_lookup_grace_period;
  return config;
}

server::AccountSourceFactory account_source(const ServeConfig& config) {
  if (config.cluster) return server::cluster_account_source(*config.cluster, config.lookup_grace);
  return server::file_account_source(config.service_accounts_file);
}

std::string complete_from_environment(ServeConfig& config, const ServeOptions& options,
                                      const kube::Environment& environment) {
  if (config.cluster) {
    auto load = kube::resolve_client_config(options.server.kubeconfig, options.server.kube_api,
                                            environment);
    if (!load.error.empty()) return load.error;
    config.cluster->client = std::move(load.config);
  }
  auto& compose = config.server.settings.compose_role_arn;
  if (compose.enabled && compose.account_id.empty()) {
    const auto fetch = aws::fetch_instance_identity(environment);
    if (!fetch.error.empty()) return "--compose-role-arn: " + fetch.error;
    compose.account_id = fetch.identity.account_id;
    if (options.mutation.aws_partition.empty()) {
      compose.partition = std::string(core::partition_for_region(fetch.identity.region));
    }
  }
  return {};
}

namespace {

// Upstream flags that this server accepts but has no use for, named once at start-up so that
// nobody wonders why changing them does nothing.
void log_unused_flags(const ServerFlags& flags, const server::Logger& log) {
  if (const std::string unused = unused_log_output_flags(flags.klog); !unused.empty()) {
    log.info(
        "klog output flags without effect: every line goes to standard error unless "
        "--logtostderr=false, and then to --log_file",
        {{"flags", unused}});
  }
  if (flags.in_cluster) {
    log.info(
        "--in-cluster=true: certificates are read from --tls-cert and --tls-key (the CSR-based "
        "in-cluster mode is not supported)",
        {{"tls_cert", flags.tls_cert}, {"tls_key", flags.tls_key}});
  }
  if (flags.service_accounts_file.empty()) return;
  std::string unused;
  const auto note = [&unused](bool set, const char* name) {
    if (!set) return;
    if (!unused.empty()) unused.append(", ");
    unused.append(name);
  };
  note(!flags.kubeconfig.empty(), "--kubeconfig");
  note(!flags.kube_api.empty(), "--kube-api");
  note(flags.watch_config_map, "--watch-config-map");
  note(flags.service_account_lookup_grace_period_given, "--service-account-lookup-grace-period");
  if (!unused.empty()) {
    log.info("flags without effect while ServiceAccounts come from --service-accounts",
             {{"flags", unused}});
  }
}

void log_sources(const ServeConfig& config, const server::Logger& log) {
  if (config.cluster) {
    log.info("ServiceAccounts come from the Kubernetes API",
             {{"server", config.cluster->client.server},
              {"credentials", config.cluster->client.description},
              {"watch_config_map", config.cluster->watch_config_map ? "true" : "false"}});
  }
  const auto& compose = config.server.settings.compose_role_arn;
  if (compose.enabled) {
    log.info("role names are composed into ARNs",
             {{"account", compose.account_id}, {"partition", compose.partition}});
  }
}

constexpr int kLargeBlockBytes = 1024 * 1024;

}  // namespace

int run_serve(const ServeOptions& options, std::ostream& err) {
  // Both thresholds are fixed, at 1 MiB. Left to itself, glibc raises its mmap threshold each
  // time a large block is freed, up to 32 MiB, and the heap then stays fragmented and resident
  // (20.2 MiB after the large corpus of `make bench-load`, against 17.1 with the threshold at 64
  // KiB). But a threshold below a large pod's buffers (a 64 KB review and its response) maps,
  // faults in and unmaps fresh pages for every such request, and keeping the heap's top only up
  // to the default 128 KiB gives it back and faults it in again: where the page tables are
  // expensive to change (a paravirtualised guest, 2026-12-08) that was 205-534 us of CPU per
  // large review against 98-137 us with 1 MiB (3-9 page faults per request against 0.1-0.5;
  // docs/performance.md). What the heap keeps for them goes back once their connections have
  // closed (MemoryTrimmer). Bodies of 1 MiB and more are still mapped on their own.
  ::mallopt(M_MMAP_THRESHOLD, kLargeBlockBytes);
  ::mallopt(M_TRIM_THRESHOLD, kLargeBlockBytes);
  // One heap for every thread instead of one per worker: what a flood of connections leaves
  // behind coalesces, so that it can go back to the kernel (after 4,096 connections sending
  // headers slowly: 16.2 MiB resident against 13.4 idle with an arena per thread, 14.7 with one).
  // Small blocks stay in each thread's own cache, so the threads rarely meet at the heap's lock.
  ::mallopt(M_ARENA_MAX, 1);
  ServeConfig config;
  try {
    config = to_serve_config(options);
  } catch (const std::invalid_argument& error) {
    err << "irsa-webhook: " << error.what() << '\n';
    return 2;
  }
  std::unique_ptr<server::Logger> logger;
  try {
    logger = std::make_unique<server::Logger>(
        options.server.log_format == "json" ? server::LogFormat::json : server::LogFormat::text,
        options.server.klog.verbosity, to_log_output(options.server.klog));
  } catch (const std::invalid_argument& error) {
    err << "irsa-webhook: " << error.what() << '\n';
    return 2;
  } catch (const std::exception& error) {
    err << "irsa-webhook: cannot open --log_file=" << options.server.klog.log_file << ": "
        << error.what() << '\n';
    return 1;
  }
  const server::Logger& log = *logger;
  log_unused_flags(options.server, log);
  if (const std::string error =
          complete_from_environment(config, options, kube::process_environment());
      !error.empty()) {
    log.error("cannot start", {{"error", error}});
    log.flush();
    return 1;
  }
  log_sources(config, log);
  try {
    server::WebhookServer webhook(std::move(config.server), account_source(config), log);
    return webhook.run();
  } catch (const std::exception& error) {
    log.error("cannot start", {{"error", error.what()}});
    log.flush();
    return 1;
  }
}

}  // namespace irsa::cli
