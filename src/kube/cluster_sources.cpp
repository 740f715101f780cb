#include "irsa/kube/cluster_sources.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace irsa::kube {

namespace asio = boost::asio;

// The client and everything read through it, on one strand of the server's io_context.
struct ClusterSources::Parts {
  Parts(asio::io_context& io, ClusterSourcesConfig config, const core::Settings& settings,
        SourceObserver& observer, ConfigMapSource::Publish publish_config_map,
        NamespaceCache::Publish publish_namespaces)
      : strand(asio::make_strand(io)),
        client(strand, std::move(config.client), config.api),
        cache(settings),
        lookup(client, cache, observer, config.lookup),
        accounts_reflector(client, cache, observer, config.timing),
        namespaces(std::move(publish_namespaces)),
        namespaces_reflector(client, namespaces, observer, config.timing) {
    if (config.watch_config_map) {
      config_map = std::make_unique<ConfigMapSource>(config.config_map_namespace, settings,
                                                     observer, std::move(publish_config_map));
      config_map_reflector =
          std::make_unique<Reflector>(client, *config_map, observer, config.timing);
    }
  }

  asio::strand<asio::io_context::executor_type> strand;
  ApiClient client;
  AccountCache cache;
  AccountLookup lookup;
  Reflector accounts_reflector;
  std::unique_ptr<ConfigMapSource> config_map;
  std::unique_ptr<Reflector> config_map_reflector;
  // Built always, started only when asked: most policies (and no policy) need no labels.
  NamespaceCache namespaces;
  Reflector namespaces_reflector;
  std::atomic<bool> namespaces_wanted{false};
  bool namespaces_started = false;  // on the strand
  bool stopped = false;             // on the strand
};

ClusterSources::ClusterSources(asio::io_context& io, ClusterSourcesConfig config,
                               const core::Settings& settings, SourceObserver& observer,
                               ConfigMapSource::Publish publish_config_map,
                               NamespaceCache::Publish publish_namespaces)
    : parts_(std::make_unique<Parts>(io, std::move(config), settings, observer,
                                     std::move(publish_config_map),
                                     std::move(publish_namespaces))) {}

ClusterSources::~ClusterSources() = default;

void ClusterSources::start() {
  asio::post(parts_->strand, [parts = parts_.get()] {
    parts->accounts_reflector.start();
    if (parts->config_map_reflector) parts->config_map_reflector->start();
  });
}

void ClusterSources::stop() {
  asio::post(parts_->strand, [parts = parts_.get()] {
    parts->stopped = true;
    parts->accounts_reflector.stop();
    if (parts->config_map_reflector) parts->config_map_reflector->stop();
    if (parts->namespaces_started) parts->namespaces_reflector.stop();
    parts->client.close_all();
  });
}

bool ClusterSources::synced() const noexcept {
  return parts_->accounts_reflector.synced() &&
         (!parts_->config_map_reflector || parts_->config_map_reflector->synced()) &&
         (!parts_->namespaces_wanted.load(std::memory_order_acquire) ||
          parts_->namespaces_reflector.synced());
}

void ClusterSources::watch_namespaces() {
  if (parts_->namespaces_wanted.exchange(true)) return;
  asio::post(parts_->strand, [parts = parts_.get()] {
    if (parts->stopped || parts->namespaces_started) return;
    parts->namespaces_started = true;
    parts->namespaces_reflector.start();
  });
}

const store::AccountIndex& ClusterSources::accounts() const noexcept {
  return parts_->cache.index();
}

AccountLookup& ClusterSources::lookup() noexcept {
  return parts_->lookup;
}

void ClusterSources::clear_accounts() {
  asio::post(parts_->strand, [parts = parts_.get()] {
    parts->cache.clear();
    parts->accounts_reflector.request_relist();
    // Ends the watch in flight (and the ConfigMap's, which simply resumes).
    parts->client.close_all();
  });
}

}  // namespace irsa::kube
