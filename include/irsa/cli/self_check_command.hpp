// `irsa-webhook self-check`: run inside a pod, tells whether the webhook mutated that pod the
// way its ServiceAccount asks. The chart's `helm test` pod runs it; users can run it with
// `kubectl exec` in any pod built on this image. It reads only the pod's own environment and
// token file: it calls no AWS or Kubernetes API.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace irsa::cli {

struct SelfCheckOptions {
  std::string role_arn;  // empty: any AWS_ROLE_ARN will do
  std::string token_audience = "sts.amazonaws.com";
};

// What the check reads from the outside world, so tests can supply their own.
struct SelfCheckInputs {
  std::function<std::optional<std::string>(const std::string& name)> environment;
  std::int64_t now_unix_seconds = 0;
};

CLI::App& add_self_check_command(CLI::App& app, SelfCheckOptions& options);

// Prints one line per check (on out when it passes, on err when it fails) and returns 0 when
// every check passed, 1 otherwise.
int run_self_check(const SelfCheckOptions& options, const SelfCheckInputs& inputs,
                   std::ostream& out, std::ostream& err);

}  // namespace irsa::cli
