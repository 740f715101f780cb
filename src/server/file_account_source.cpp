#include "irsa/server/file_account_source.hpp"

#include <atomic>

#include "irsa/server/file_watcher.hpp"
#include "irsa/server/log.hpp"
#include "irsa/server/server_metrics.hpp"
#include "irsa/store/identity_files.hpp"
#include "irsa/store/live_identities.hpp"

namespace irsa::server {

namespace {

class FileAccountSource final : public AccountSource {
 public:
  FileAccountSource(const AccountSourceContext& context, std::string path)
      : path_(std::move(path)),
        settings_(context.settings),
        log_(context.log),
        metrics_(context.metrics),
        identities_(context.identities),
        readiness_changed_(context.readiness_changed),
        watcher_(
            context.io, std::vector<std::string>{path_}, [this] { return reload(); },
            context.watch_timing) {}

  void start() override { watcher_.start(); }
  void stop() override { watcher_.stop(); }
  [[nodiscard]] bool synced() const noexcept override {
    return loaded_.load(std::memory_order_acquire);
  }

  void for_each(const Visit& visit) const override {
    identities_.accounts()->for_each_service_account(visit);
  }
  void clear() override {
    identities_.publish_accounts(std::make_shared<const core::StaticIdentities>());
    metrics_.set_service_accounts(0);
    watcher_.reload_soon();
  }
  void reload_files() override { watcher_.reload_now(); }
  void refresh_metrics() override {}  // the gauge is set by every load and clear

  // An account missing from the file arrives with the next version of the file, not within an
  // admission's wait.
  [[nodiscard]] std::chrono::nanoseconds lookup_grace() const noexcept override { return {}; }
  boost::asio::awaitable<bool> wait_for(
      std::string /*ns*/, std::string /*name*/,
      std::chrono::steady_clock::time_point /*deadline*/) override {
    co_return false;
  }

 private:
  bool reload() {
    auto load = store::load_service_accounts_file(path_, settings_);
    metrics_.record_file_reload("service_accounts", load.error.empty());
    if (!load.error.empty()) {
      log_.error("ServiceAccounts not loaded; the previous ones stay in use",
                 {{"error", load.error}});
      return false;
    }
    for (const auto& problem : load.problems) {
      log_.warn("ServiceAccount file problem", {{"file", path_}, {"problem", problem}});
    }
    const std::size_t count = load.accounts->service_account_count();
    identities_.publish_accounts(std::move(load.accounts));
    metrics_.set_service_accounts(count);
    log_.info("ServiceAccounts loaded", {{"file", path_}, {"count", std::to_string(count)}});
    loaded_.store(true, std::memory_order_release);
    readiness_changed_();
    return true;
  }

  const std::string path_;
  const core::Settings& settings_;
  const Logger& log_;
  ServerMetrics& metrics_;
  store::LiveIdentities& identities_;
  std::function<void()> readiness_changed_;
  std::atomic<bool> loaded_{false};
  // Last: it calls reload(), which uses everything above.
  FileWatcher watcher_;
};

}  // namespace

AccountSourceFactory file_account_source(std::string path) {
  return [path = std::move(path)](const AccountSourceContext& context) {
    return std::make_unique<FileAccountSource>(context, path);
  };
}

}  // namespace irsa::server
