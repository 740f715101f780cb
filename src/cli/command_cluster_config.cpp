#include "command_cluster_config.hpp"

#include <unistd.h>

#include <string_view>

namespace irsa::cli {

namespace {

bool readable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), R_OK) == 0;
}

// The kubeconfig kubectl would read when none is named.
std::string default_kubeconfig(const kube::Environment& environment) {
  if (const auto listed = environment("KUBECONFIG"); listed && !listed->empty()) {
    std::string_view rest = *listed;
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const std::string path(rest.substr(0, colon));
      if (readable(path)) return path;
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
    return {};
  }
  if (const auto home = environment("HOME"); home && !home->empty()) {
    const std::string candidate = *home + "/.kube/config";
    if (readable(candidate)) return candidate;
  }
  return {};
}

}  // namespace

kube::ConfigLoad command_client_config(const std::string& kubeconfig, const std::string& kube_api,
                                       const kube::Environment& environment) {
  const std::string path = kubeconfig.empty() ? default_kubeconfig(environment) : kubeconfig;
  kube::ConfigLoad load = kube::resolve_client_config(path, kube_api, environment);
  if (!load.error.empty() && path.empty() && kube_api.empty()) {
    load.error =
        "no cluster to read: not in a pod, and no --kubeconfig, $KUBECONFIG or ~/.kube/config; "
        "give one, or check files offline with --service-account=FILE";
  }
  return load;
}

}  // namespace irsa::cli
