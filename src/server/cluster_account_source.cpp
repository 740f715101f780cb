#include "irsa/server/cluster_account_source.hpp"

#include <vector>

#include "irsa/server/log.hpp"
#include "irsa/server/server_metrics.hpp"
#include "irsa/store/live_identities.hpp"

namespace irsa::server {

namespace {

// Turns what the Kubernetes sources report into log lines and metrics.
class SourceReports final : public kube::SourceObserver {
 public:
  SourceReports(const Logger& log, ServerMetrics& metrics, std::function<void()> on_listed)
      : log_(log), metrics_(metrics), on_listed_(std::move(on_listed)) {}

  void log(Level level, std::string_view message, kube::SourceFields fields) override {
    // The two field types have the same shape; the server's log takes its own.
    std::vector<LogField> copied;
    copied.reserve(fields.size());
    for (const auto& field : fields) copied.push_back({field.key, field.value});
    if (level == Level::detail) {
      if (log_.enabled(2)) log_.write(LogLevel::info, message, copied);
      return;
    }
    log_.write(level == Level::info   ? LogLevel::info
               : level == Level::warn ? LogLevel::warn
                                      : LogLevel::error,
               message, copied);
  }
  void listed(std::string_view resource, std::size_t /*objects*/,
              std::chrono::nanoseconds /*took*/) override {
    metrics_.record_list(resource);
    on_listed_();
  }
  void relisted(std::string_view resource) override { metrics_.record_relist(resource); }
  void watch_restarted(std::string_view resource) override {
    metrics_.record_watch_restart(resource);
  }
  void api_error(std::string_view resource, std::string_view code) override {
    metrics_.record_api_error(resource, code);
  }
  void account_fetched(std::string_view outcome) override {
    metrics_.record_account_fetch(outcome);
  }

 private:
  const Logger& log_;
  ServerMetrics& metrics_;
  std::function<void()> on_listed_;
};

class ClusterAccountSource final : public AccountSource {
 public:
  ClusterAccountSource(const AccountSourceContext& context, kube::ClusterSourcesConfig config,
                       std::chrono::nanoseconds lookup_grace)
      : metrics_(context.metrics),
        readiness_changed_(context.readiness_changed),
        lookup_grace_(lookup_grace),
        reports_(context.log, context.metrics, context.readiness_changed),
        sources_(
            context.io, std::move(config), context.settings, reports_,
            [&identities =
                 context.identities](std::shared_ptr<const core::StaticIdentities> config_map) {
              identities.publish_accounts(std::move(config_map));
            },
            [&identities = context.identities, changed = context.readiness_changed](
                std::shared_ptr<const store::NamespaceLabels> namespaces) {
              identities.publish_namespaces(std::move(namespaces));
              if (changed) changed();
            }) {
    // Accounts are looked up in the cache itself; the published snapshots carry only the
    // ConfigMap's entries.
    context.identities.use_account_index(&sources_.accounts());
  }

  void start() override { sources_.start(); }
  void stop() override { sources_.stop(); }
  [[nodiscard]] bool synced() const noexcept override { return sources_.synced(); }

  void for_each(const Visit& visit) const override { sources_.accounts().for_each(visit); }
  void clear() override { sources_.clear_accounts(); }
  // The accounts come from a watch, which is always current; there is no file to read again.
  void reload_files() override {}
  void watch_namespaces() override {
    sources_.watch_namespaces();
    if (readiness_changed_) readiness_changed_();
  }
  // The cache changes with every watch event; counting it when asked is cheaper than on each.
  void refresh_metrics() override {
    metrics_.set_service_accounts(sources_.accounts().size());
    metrics_.set_account_waiters(sources_.lookup().waiting());
  }

  [[nodiscard]] std::chrono::nanoseconds lookup_grace() const noexcept override {
    return lookup_grace_;
  }
  boost::asio::awaitable<bool> wait_for(std::string ns, std::string name,
                                        std::chrono::steady_clock::time_point deadline) override {
    const auto outcome =
        co_await sources_.lookup().wait_for(std::move(ns), std::move(name), deadline);
    co_return outcome == kube::WaitOutcome::found;
  }

 private:
  ServerMetrics& metrics_;
  std::function<void()> readiness_changed_;
  std::chrono::nanoseconds lookup_grace_;
  // Declared before the sources, which report to it until they are gone.
  SourceReports reports_;
  kube::ClusterSources sources_;
};

}  // namespace

AccountSourceFactory cluster_account_source(kube::ClusterSourcesConfig config,
                                            std::chrono::nanoseconds lookup_grace) {
  return [config = std::move(config), lookup_grace](const AccountSourceContext& context) {
    return std::make_unique<ClusterAccountSource>(context, config, lookup_grace);
  };
}

}  // namespace irsa::server
