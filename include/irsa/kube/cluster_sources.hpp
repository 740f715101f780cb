// Everything the server reads from the Kubernetes API, on one strand of the server's io_context:
// the client, the ServiceAccount cache with its reflector and its lookup for accounts not seen
// yet, and (with --watch-config-map) the pod-identity-webhook ConfigMap.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <string>

#include "irsa/core/settings.hpp"
#include "irsa/kube/account_cache.hpp"
#include "irsa/kube/account_lookup.hpp"
#include "irsa/kube/api_client.hpp"
#include "irsa/kube/client_config.hpp"
#include "irsa/kube/config_map_source.hpp"
#include "irsa/kube/reflector.hpp"

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
                 ConfigMapSource::Publish publish_config_map);
  ~ClusterSources();
  ClusterSources(const ClusterSources&) = delete;
  ClusterSources& operator=(const ClusterSources&) = delete;

  void start();
  // Stops listing and watching and closes the API connections. Any thread.
  void stop();
  // The first LIST of ServiceAccounts (and of the ConfigMap, when watched) has completed.
  [[nodiscard]] bool synced() const noexcept;

  [[nodiscard]] const store::AccountIndex& accounts() const noexcept { return cache_.index(); }
  [[nodiscard]] AccountLookup& lookup() noexcept { return lookup_; }
  // Forgets every ServiceAccount and lists them again (upstream's /debug/alpha/cache/clear).
  // Any thread.
  void clear_accounts();

 private:
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  ApiClient client_;
  AccountCache cache_;
  AccountLookup lookup_;
  Reflector accounts_reflector_;
  std::unique_ptr<ConfigMapSource> config_map_;
  std::unique_ptr<Reflector> config_map_reflector_;
};

}  // namespace irsa::kube
