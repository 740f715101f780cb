#include "irsa/kube/cluster_sources.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace irsa::kube {

namespace asio = boost::asio;

ClusterSources::ClusterSources(asio::io_context& io, ClusterSourcesConfig config,
                               const core::Settings& settings, SourceObserver& observer,
                               ConfigMapSource::Publish publish_config_map)
    : strand_(asio::make_strand(io)),
      client_(strand_, std::move(config.client), config.api),
      cache_(settings),
      lookup_(client_, cache_, observer, config.lookup),
      accounts_reflector_(client_, cache_, observer, config.timing) {
  if (config.watch_config_map) {
    config_map_ = std::make_unique<ConfigMapSource>(config.config_map_namespace, settings, observer,
                                                    std::move(publish_config_map));
    config_map_reflector_ =
        std::make_unique<Reflector>(client_, *config_map_, observer, config.timing);
  }
}

ClusterSources::~ClusterSources() = default;

void ClusterSources::start() {
  asio::post(strand_, [this] {
    accounts_reflector_.start();
    if (config_map_reflector_) config_map_reflector_->start();
  });
}

void ClusterSources::stop() {
  asio::post(strand_, [this] {
    accounts_reflector_.stop();
    if (config_map_reflector_) config_map_reflector_->stop();
    client_.close_all();
  });
}

bool ClusterSources::synced() const noexcept {
  return accounts_reflector_.synced() &&
         (!config_map_reflector_ || config_map_reflector_->synced());
}

void ClusterSources::clear_accounts() {
  asio::post(strand_, [this] {
    cache_.clear();
    accounts_reflector_.request_relist();
    // Ends the watch in flight (and the ConfigMap's, which simply resumes).
    client_.close_all();
  });
}

}  // namespace irsa::kube
