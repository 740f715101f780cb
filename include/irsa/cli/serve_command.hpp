// `irsa-webhook` / `irsa-webhook serve`: the admission server, configured by upstream's flags
// plus this project's. Flags are checked and turned into a server::ServerConfig here, once.
#pragma once

#include <iosfwd>

#include "irsa/cli/mutation_flags.hpp"
#include "irsa/cli/server_flags.hpp"
#include "irsa/kube/client_config.hpp"
#include "irsa/server/webhook_server.hpp"

namespace irsa::cli {

struct ServeOptions {
  ServerFlags server;
  MutationFlags mutation;
};

// Registers every server and mutation flag on `app`.
void add_serve_flags(CLI::App& app, ServeOptions& options);

// Checks the flags and builds the server configuration; throws std::invalid_argument whose
// message starts with the offending flag.
[[nodiscard]] server::ServerConfig to_server_config(const ServeOptions& options);

// The start-up steps that read the environment: the Kubernetes client configuration (in cluster,
// --kubeconfig, --kube-api) when the API is the source, and the account and partition from the
// EC2 instance metadata for --compose-role-arn without --aws-account-id. Returns one line saying
// what failed, or "".
[[nodiscard]] std::string complete_from_environment(server::ServerConfig& config,
                                                    const ServeOptions& options,
                                                    const kube::Environment& environment);

// Runs the server until it is stopped. Returns the exit code: 0 after a clean shutdown, 2 for
// flags that cannot work (one line on err), 1 when start-up fails (logged).
int run_serve(const ServeOptions& options, std::ostream& err);

}  // namespace irsa::cli
