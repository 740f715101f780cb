// `irsa-webhook` / `irsa-webhook serve`: the admission server, configured by upstream's flags
// plus this project's. Flags are checked and turned into a ServeConfig here, once, and the
// ServiceAccount source is chosen here too.
#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

#include "irsa/cli/mutation_flags.hpp"
#include "irsa/cli/server_flags.hpp"
#include "irsa/kube/client_config.hpp"
#include "irsa/kube/cluster_sources.hpp"
#include "irsa/server/account_source.hpp"
#include "irsa/server/server_config.hpp"

namespace irsa::cli {

struct ServeOptions {
  ServerFlags server;
  MutationFlags mutation;
};

// What `serve` runs: the server's configuration and where its ServiceAccounts come from.
struct ServeConfig {
  server::ServerConfig server;
  // The Kubernetes API when set (complete_from_environment fills in its client), else the file.
  std::optional<kube::ClusterSourcesConfig> cluster;
  std::string service_accounts_file;
  // How long an admission whose ServiceAccount is not cached yet waits for it (API source only);
  // zero admits such pods at once, without credentials, as upstream's default does.
  std::chrono::nanoseconds lookup_grace = std::chrono::seconds{1};
};

// Registers every server and mutation flag on `app`.
void add_serve_flags(CLI::App& app, ServeOptions& options);

// Checks the flags and builds the configuration; throws std::invalid_argument whose message
// starts with the offending flag.
[[nodiscard]] ServeConfig to_serve_config(const ServeOptions& options);

// The ServiceAccount source the flags chose, for the server to build: the Kubernetes API, or the
// file of --service-accounts.
[[nodiscard]] server::AccountSourceFactory account_source(const ServeConfig& config);

// The start-up steps that read the environment: the Kubernetes client configuration (in cluster,
// --kubeconfig, --kube-api) when the API is the source, and the account and partition from the
// EC2 instance metadata for --compose-role-arn without --aws-account-id. Returns one line saying
// what failed, or "".
[[nodiscard]] std::string complete_from_environment(ServeConfig& config,
                                                    const ServeOptions& options,
                                                    const kube::Environment& environment);

// Runs the server until it is stopped. Returns the exit code: 0 after a clean shutdown, 2 for
// flags that cannot work (one line on err), 1 when start-up fails (logged).
int run_serve(const ServeOptions& options, std::ostream& err);

}  // namespace irsa::cli
