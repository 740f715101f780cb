// Everything the server reads from the Kubernetes API, on one strand of the server's io_context:
// the client, the ServiceAccount cache with its reflector and its lookup for accounts not seen
// yet, (with --watch-config-map) the pod-identity-webhook ConfigMap, and (when a role policy
// selects namespaces by label) the Namespaces. The parts live behind a
// pimpl: includers read no Asio strand or io_context, only their declarations.
#pragma once

#include "irsa/kube/namespace_cache.hpp"

#include <memory>
#include <string>

#include "irsa/core/settings.hpp"
#include "irsa/kube/account_cache.hpp"
#include "irsa/kube/account_lookup.hpp"
#include "irsa/kube/api_client.hpp"
#include "irsa/kube/client_config.hpp"
#include "irsa/kube/config_map_source.hpp"
#include "irsa/kube/reflector.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace irsa::kube {

struct ClusterSourcesConfig {
  ClientConfig client;
  bool watch_config_map = false;
  std::string config_map_namespace = "eks";  // --namespace
  ApiLimits api;
  ReflectorTiming timing;
  LookupLimits lookup;
};

class ClusterSources {
 public:
  // Throws std::invalid_argument when the client configuration cannot work (see ApiClient).
  ClusterSources(boost::asio::io_context& io, ClusterSourcesConfig config,
                 const core::Settings& settings, SourceObserver& observer,
                 ConfigMapSource::Publish publish_config_map,
                 NamespaceCache::Publish publish_namespaces = {});
  ~ClusterSources();
  ClusterSources(const ClusterSources&) = delete;
  ClusterSources& operator=(const ClusterSources&) = delete;

  void start();
  // Stops listing and watching and closes the API connections. Any thread.
  void stop();
  // The first LIST of ServiceAccounts (and of the ConfigMap, when watched) has completed.
  [[nodiscard]] bool synced() const noexcept;

  [[nodiscard]] const store::AccountIndex& accounts() const noexcept;
  [[nodiscard]] AccountLookup& lookup() noexcept;
  // Starts listing and watching Namespaces (once; later calls do nothing), for role policy rules
  // with a namespaceSelector. Until that list completes, synced() is false. Any thread.
  void watch_namespaces();

  // Forgets every ServiceAccount and lists them again (upstream's /debug/alpha/cache/clear).
  // Any thread.
  void clear_accounts();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace irsa::kube
