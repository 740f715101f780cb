// Where the one-shot commands (doctor, trust-policy) find the cluster. Private to src/cli.
#pragma once

#include <string>

#include "irsa/kube/client_config.hpp"

namespace irsa::cli {

// Where the one-shot commands find the cluster, as kubectl does rather than as the server does:
// --kubeconfig, else the first file of $KUBECONFIG that exists, else ~/.kube/config when it exists,
// else the pod's own account in cluster; --kube-api replaces the server. A person runs doctor from
// a laptop where kubectl already works, and expects it to reach the same cluster.
[[nodiscard]] kube::ConfigLoad command_client_config(const std::string& kubeconfig,
                                                     const std::string& kube_api,
                                                     const kube::Environment& environment);

}  // namespace irsa::cli
