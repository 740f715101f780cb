// `irsa-webhook mutate`: the offline preview of what the webhook does to a pod.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "irsa/cli/mutation_flags.hpp"

namespace CLI {
class App;
}

namespace irsa::cli {

struct MutateOptions {
  std::string pod_file;  // Pod or AdmissionReview, YAML or JSON; "-" = stdin
  std::vector<std::string> service_account_files;
  std::string output = "patch";  // patch | pod | review
  MutationFlags mutation;
};

// Registers the subcommand and its flags on app; the options live in `options`.
CLI::App& add_mutate_command(CLI::App& app, MutateOptions& options);

// Runs the preview. Returns the process exit code: 0 on success, 1 when an input is bad (one
// line on err naming the file and the problem).
int run_mutate(const MutateOptions& options, std::ostream& out, std::ostream& err);

}  // namespace irsa::cli
