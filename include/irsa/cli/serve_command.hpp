// `irsa-webhook` / `irsa-webhook serve`: the admission server, configured by upstream's flags
// plus this project's. Flags are checked and turned into a server::ServerConfig here, once.
#pragma once

#include <iosfwd>

#include "irsa/cli/mutation_flags.hpp"
#include "irsa/cli/server_flags.hpp"
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

// Runs the server until it is stopped. Returns the exit code: 0 after a clean shutdown, 2 for
// flags that cannot work (one line on err), 1 when start-up fails (logged).
int run_serve(const ServeOptions& options, std::ostream& err);

}  // namespace irsa::cli
