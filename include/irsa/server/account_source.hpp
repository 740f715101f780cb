// Where the running server's ServiceAccounts come from, as the server sees it: something to start
// and stop, that says when its first complete set has arrived, and that an admission can wait on
// for an account not known yet. The command line picks the source (the Kubernetes API or a
// file); the server only asks these questions, so it has no branch per source.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "irsa/core/identity_sources.hpp"
#include "irsa/core/settings.hpp"
#include "irsa/server/file_watch_timing.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace irsa::store {
class LiveIdentities;
}  // namespace irsa::store

namespace irsa::server {

class Logger;
class ServerMetrics;

// The parts of the server a source is built from. All of them outlive the source.
struct AccountSourceContext {
  boost::asio::io_context& io;
  const core::Settings& settings;
  const Logger& log;
  ServerMetrics& metrics;
  // Where loaded accounts are published; admissions look them up there.
  store::LiveIdentities& identities;
  FileWatchTiming watch_timing;
  // Called whenever synced() may have changed, so that readiness is worked out again.
  std::function<void()> readiness_changed;
};

class AccountSource {
 public:
  using Visit = std::function<void(std::string_view key, const core::IdentityEntry& entry)>;

  AccountSource() = default;
  virtual ~AccountSource() = default;
  AccountSource(const AccountSource&) = delete;
  AccountSource& operator=(const AccountSource&) = delete;

  virtual void start() = 0;
  // Stops for good (the server is shutting down). Any thread.
  virtual void stop() = 0;
  // The first complete set of accounts has arrived; /readyz fails until then.
  [[nodiscard]] virtual bool synced() const noexcept = 0;

  // Every known ServiceAccount, keyed "<ns>/<name>", in no particular order.
  virtual void for_each(const Visit& visit) const = 0;
  // Forgets every account until the source delivers them again (upstream's debug clear).
  virtual void clear() = 0;
  // Reads the source's files again now, changed or not (SIGHUP). A source that watches the
  // cluster has no file and nothing to do.
  virtual void reload_files() = 0;
  // A role policy selects namespaces by label: from now on, publish the namespaces' labels to
  // the identities (and count them in synced()). A source that knows no namespaces (a file)
  // does nothing, and rules with a namespaceSelector then match no namespace.
  virtual void watch_namespaces() {}
  // Brings the gauges that only the source can count up to date; called before /metrics renders.
  virtual void refresh_metrics() = 0;

  // How long an admission whose account is unknown may wait for it. Zero when waiting cannot
  // help: the account would not arrive before the source's next load anyway.
  [[nodiscard]] virtual std::chrono::nanoseconds lookup_grace() const noexcept = 0;
  // Completes with true once ns/name is known, with false when `deadline` passes first. Runs on
  // the caller's executor, which must be a strand (as every connection's is).
  [[nodiscard]] virtual boost::asio::awaitable<bool> wait_for(
      std::string ns, std::string name, std::chrono::steady_clock::time_point deadline) = 0;
};

// Builds the chosen source once the server's parts exist.
using AccountSourceFactory =
    std::function<std::unique_ptr<AccountSource>(const AccountSourceContext& context)>;

}  // namespace irsa::server
