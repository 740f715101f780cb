// ServiceAccounts from the Kubernetes API: listed and watched, fetched one by one when an
// admission meets an account not seen yet, and (with --watch-config-map) the
// pod-identity-webhook ConfigMap beside them. What the Kubernetes sources report becomes log
// lines and metrics.
#pragma once

#include <chrono>

#include "irsa/kube/cluster_sources.hpp"
#include "irsa/server/account_source.hpp"

namespace irsa::server {

// `lookup_grace`: how long an admission may wait for an account not in the cache yet; zero
// admits such pods at once, without credentials, as upstream does.
[[nodiscard]] AccountSourceFactory cluster_account_source(kube::ClusterSourcesConfig config,
                                                          std::chrono::nanoseconds lookup_grace);

}  // namespace irsa::server
