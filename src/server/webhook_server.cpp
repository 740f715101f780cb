#include "irsa/server/webhook_server.hpp"

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "irsa/core/admission.hpp"
#include "irsa/server/go_duration.hpp"
#include "irsa/server/http_handler.hpp"
#include "irsa/server/listener.hpp"
#include "irsa/server/server_metrics.hpp"
#include "irsa/server/serving_certificate.hpp"
#include "irsa/store/identity_files.hpp"
#include "irsa/store/live_identities.hpp"

namespace irsa::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Descriptors left for files, inotify and the like when sizing the connection limit.
constexpr std::size_t kReservedDescriptors = 64;

// Raises the soft descriptor limit to the hard one (idle keep-alive connections from many API
// server replicas add up) and returns the soft limit now in force.
std::size_t raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<std::size_t>(limit.rlim_cur);
}

asio::ip::address bind_address(const std::string& text) {
  boost::system::error_code error;
  auto address = asio::ip::make_address(text, error);
  if (error) {
    throw std::runtime_error("--bind-address: \"" + text + "\" is not an IPv4 or IPv6 address");
  }
  return address;
}

// Binds a listener on the configured address, or on every interface: IPv6 and IPv4 together
// where the host has IPv6, IPv4 alone where it does not.
std::unique_ptr<Listener> bind_listener(asio::io_context& io, const std::string& address, int port,
                                        Listener::TlsSource tls, const ServerLimits& limits,
                                        Listener::Handler handler, const char* what,
                                        const std::vector<asio::io_context*>& contexts = {}) {
  const auto port_number = static_cast<unsigned short>(port);
  try {
    if (!address.empty()) {
      return std::make_unique<Listener>(io, tcp::endpoint(bind_address(address), port_number),
                                        std::move(tls), limits, std::move(handler), contexts);
    }
    try {
      return std::make_unique<Listener>(io, tcp::endpoint(tcp::v6(), port_number), tls, limits,
                                        handler, contexts);
    } catch (const boost::system::system_error& error) {
      if (error.code() != asio::error::address_family_not_supported) throw;
      return std::make_unique<Listener>(io, tcp::endpoint(tcp::v4(), port_number), std::move(tls),
                                        limits, std::move(handler), contexts);
    }
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error(std::string("cannot listen for ") + what + " on " +
                             (address.empty() ? "*" : address) + ":" + std::to_string(port) + ": " +
                             error.code().message());
  }
}

// The items separated by commas, in `out` (replacing what it held).
void join_into(std::string& out, const std::vector<std::string>& items) {
  out.clear();
  for (const auto& item : items) {
    if (!out.empty()) out.push_back(',');
    out.append(item);
  }
}

// A number in decimal, as std::to_string writes it, without a string of its own.
class DecimalText {
 public:
  template <typename Integer>
  explicit DecimalText(Integer value) noexcept
      : end_(std::to_chars(digits_, digits_ + sizeof digits_, value).ptr) {}
  [[nodiscard]] std::string_view view() const noexcept {
    return {digits_, static_cast<std::size_t>(end_ - digits_)};
  }

 private:
  char digits_[24];
  char* end_;
};

std::string_view verb_of(const Request& request) {
  const auto verb = request.method_string();
  return {verb.data(), verb.size()};
}

bool instrumented(std::string_view path) {
  return path == "/mutate" || path == "/debug/alpha/deny" || path == "/debug/alpha/500";
}

// Upstream's cache dump: keys "<ns>/<name>" sorted, Go field names in struct order, indented by
// one space as Go's MarshalIndent(v, "", " ") does.
template <typename ForEach>
std::string cache_dump(ForEach&& for_each) {
  std::vector<std::pair<std::string, nlohmann::ordered_json>> entries;
  for_each([&](std::string_view key, const core::IdentityEntry& entry) {
    nlohmann::ordered_json value;
    value["RoleARN"] = entry.role_arn;
    value["Audience"] = entry.audience;
    value["UseRegionalSTS"] = entry.use_regional_sts;
    value["TokenExpiration"] = entry.token_expiration;
    entries.emplace_back(std::string(key), std::move(value));
  });
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  nlohmann::ordered_json dump = nlohmann::ordered_json::object();
  for (auto& [key, value] : entries) dump[key] = std::move(value);
  return dump.dump(1);
}

// The query parameter `name` of a request target ("" when absent).
std::string_view query_parameter(std::string_view target, std::string_view name) {
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t equals = pair.find('=');
    if (pair.substr(0, equals) == name) {
      return equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// The two signals the server handles, by name (strsignal is not thread-safe).
std::string_view signal_name(int number) {
  return number == SIGTERM ? "SIGTERM" : number == SIGINT ? "SIGINT" : "signal";
}

}  // namespace

std::chrono::nanoseconds account_wait_budget(std::string_view target,
                                             std::chrono::nanoseconds grace) {
  const auto timeout = parse_go_duration(query_parameter(target, "timeout"));
  if (!timeout || timeout->count() <= 0) return grace;
  // Leave the API server a tenth of its timeout (at least 250 ms) to receive the answer.
  const auto margin =
      std::max<std::chrono::nanoseconds>(std::chrono::milliseconds(250), *timeout / 10);
  return std::clamp(*timeout - margin, std::chrono::nanoseconds{0}, grace);
}

std::optional<unsigned> cpus_allowed_by_quota(std::string_view cpu_max) noexcept {
  const auto space = cpu_max.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view quota_text = cpu_max.substr(0, space);
  std::string_view period_text = cpu_max.substr(space + 1);
  while (!period_text.empty() && (period_text.back() == '\n' || period_text.back() == ' ')) {
    period_text.remove_suffix(1);
  }
  std::uint64_t quota = 0;
  std::uint64_t period = 0;
  const auto parse = [](std::string_view text, std::uint64_t& value) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size();
  };
  if (!parse(quota_text, quota) || !parse(period_text, period) || quota == 0 || period == 0) {
    return std::nullopt;  // "max" (no limit) lands here too
  }
  return static_cast<unsigned>(std::max<std::uint64_t>(1, (quota + period - 1) / period));
}

unsigned usable_cpus() noexcept {
  unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) {
    cpus = static_cast<unsigned>(CPU_COUNT(&set));
  }
  // cgroup v2, as on every current Kubernetes node; v1 nodes keep the affinity count.
  std::ifstream cpu_max("/sys/fs/cgroup/cpu.max");
  std::string line;
  if (cpu_max && std::getline(cpu_max, line)) {
    if (const auto quota = cpus_allowed_by_quota(line)) cpus = std::min(cpus, *quota);
  }
  return cpus;
}

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

// Group commit of the audit lines: an admission's answer leaves only once its line has been
// written, as when every line was written on its own, but the lines of all admissions answered in
// the same pass through the ready queue share one write(2). The flush is posted behind the
// handlers already queued; each waiting admission resumes after the flush that covered its line.
class AuditFlush {
 public:
  AuditFlush(asio::io_context& io, const Logger& log) : io_(io), log_(log) {}

  [[nodiscard]] const asio::execution_context& context() const noexcept { return io_; }

  // Completes once every line logged before the call has been written.
  asio::awaitable<void> written() {
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [this](auto handler) { wait(std::move(handler)); }, asio::use_awaitable);
  }

 private:
  template <typename Handler>
  void wait(Handler handler) {
    // Resumed on its own executor (the connection's strand), whichever thread flushes.
    const auto executor = asio::get_associated_executor(handler, io_.get_executor());
    const std::scoped_lock lock(mutex_);
    waiting_.emplace_back([executor, handler = std::move(handler)]() mutable {
      asio::post(executor, std::move(handler));
    });
    if (scheduled_) return;
    scheduled_ = true;
    asio::post(io_, [this] { flush(); });
  }

  void flush() {
    std::vector<asio::any_completion_handler<void()>> resumed;
    {
      const std::scoped_lock lock(mutex_);
      resumed.swap(waiting_);
      scheduled_ = false;
    }
    log_.flush();
    for (auto& resume : resumed) std::move(resume)();
  }

  asio::io_context& io_;
  const Logger& log_;
  std::mutex mutex_;
  bool scheduled_ = false;
  std::vector<asio::any_completion_handler<void()>> waiting_;
};

}  // namespace

struct WebhookServer::Impl {
  Impl(ServerConfig server_config, const Logger& logger)
      : config(std::move(server_config)),
        log(logger),
        // One thread runs each context (hint 1): no thread hands a connection's work to another.
        io(1),
        mutator(config.settings),
        certificate(config.tls_cert, config.tls_key, config.tls),
        signals(io, SIGINT, SIGTERM),
        shutdown_timer(io),
        source_reports(log, metrics, [this] { update_readiness(); }) {
    if (config.cluster) {
      cluster = std::make_unique<kube::ClusterSources>(
          io, *config.cluster, config.settings, source_reports,
          [this](std::shared_ptr<const core::StaticIdentities> config_map) {
            identities.publish_accounts(std::move(config_map));
          });
      identities.use_account_index(&cluster->accounts());
    }
    make_worker_contexts();
    const std::string certificate_error = certificate.reload();
    if (!certificate_error.empty()) throw std::runtime_error(certificate_error);
    metrics.record_certificate_reload(true, certificate.not_after());

    const std::size_t descriptors = raise_descriptor_limit();
    if (descriptors > kReservedDescriptors) {
      config.limits.max_connections =
          std::min(config.limits.max_connections, (descriptors - kReservedDescriptors) / 2 * 2);
    }
    // Both listeners share the connection budget; the metrics port needs only a handful.
    ServerLimits metrics_limits = config.limits;
    metrics_limits.max_connections = 64;
    webhook = bind_listener(
        io, config.bind_address, config.port, [this] { return certificate.current(); },
        config.limits, [this](Request request) { return serve_webhook(std::move(request)); },
        "the webhook (--port)", connection_contexts());
    metrics_listener = bind_listener(
        io, config.bind_address, config.metrics_port, {}, metrics_limits,
        [this](Request request) { return serve_metrics(std::move(request)); },
        "metrics (--metrics-port)");
    make_watchers();
  }

  // Worker threads beyond the first each get an io_context of their own; the acceptor hands them
  // connections in turn. With one shared context, every handler of every connection went through
  // one scheduler lock and one epoll set, and the second thread bought little.
  void make_worker_contexts() {
    audit_flushes.push_back(std::make_unique<AuditFlush>(io, log));
    for (unsigned i = 1; i < config.worker_threads; ++i) {
      auto& context = worker_contexts.emplace_back(std::make_unique<asio::io_context>(1));
      worker_guards.push_back(asio::make_work_guard(*context));
      audit_flushes.push_back(std::make_unique<AuditFlush>(*context, log));
    }
  }

  std::vector<asio::io_context*> connection_contexts() {
    if (worker_contexts.empty()) return {};
    std::vector<asio::io_context*> contexts{&io};
    for (const auto& context : worker_contexts) contexts.push_back(context.get());
    return contexts;
  }

  // The group commit of the thread a connection runs on, so that flushing never crosses threads.
  AuditFlush& audit_flush_for(const asio::any_io_executor& executor) {
    const auto& context = asio::query(executor, asio::execution::context);
    for (const auto& flush : audit_flushes) {
      if (&flush->context() == &context) return *flush;
    }
    return *audit_flushes.front();
  }

  void stop_all() {
    io.stop();
    worker_guards.clear();
    for (const auto& context : worker_contexts) context->stop();
  }

  void make_watchers() {
    certificate_watcher = std::make_unique<FileWatcher>(
        io, std::vector<std::string>{config.tls_cert, config.tls_key},
        [this] { return reload_certificate(); }, config.watch_timing);
    if (!cluster) {
      accounts_watcher = std::make_unique<FileWatcher>(
          io, std::vector<std::string>{config.service_accounts_file},
          [this] { return reload_accounts(); }, config.watch_timing);
    }
    if (!config.pod_identity_file.empty()) {
      pod_identity_watcher = std::make_unique<FileWatcher>(
          io, std::vector<std::string>{config.pod_identity_file},
          [this] { return reload_pod_identity(); }, config.watch_timing);
    }
  }

  bool reload_certificate() {
    const std::string error = certificate.reload();
    metrics.record_certificate_reload(error.empty(), certificate.not_after());
    if (!error.empty()) {
      log.error("serving certificate not reloaded; the previous one stays in service",
                {{"error", error}});
      return false;
    }
    log.info("serving certificate reloaded",
             {{"cert", config.tls_cert},
              {"not_after", std::to_string(static_cast<long long>(certificate.not_after()))}});
    return true;
  }

  bool reload_accounts() {
    auto load = store::load_service_accounts_file(config.service_accounts_file, config.settings);
    metrics.record_file_reload("service_accounts", load.error.empty());
    if (!load.error.empty()) {
      log.error("ServiceAccounts not loaded; the previous ones stay in use",
                {{"error", load.error}});
      return false;
    }
    for (const auto& problem : load.problems) {
      log.warn("ServiceAccount file problem",
               {{"file", config.service_accounts_file}, {"problem", problem}});
    }
    const std::size_t count = load.accounts->service_account_count();
    identities.publish_accounts(std::move(load.accounts));
    metrics.set_service_accounts(count);
    log.info("ServiceAccounts loaded",
             {{"file", config.service_accounts_file}, {"count", std::to_string(count)}});
    accounts_loaded.store(true, std::memory_order_release);
    update_readiness();
    return true;
  }

  bool reload_pod_identity() {
    auto load = store::load_pod_identity_file(config.pod_identity_file);
    metrics.record_file_reload("container_credentials", load.error.empty());
    if (!load.error.empty()) {
      log.error("Pod Identity associations not loaded; the previous ones stay in use",
                {{"error", load.error}});
      return false;
    }
    const std::size_t count = load.associations->size();
    identities.publish_pod_identity(std::move(load.associations));
    log.info("Pod Identity associations loaded",
             {{"file", config.pod_identity_file}, {"count", std::to_string(count)}});
    pod_identity_loaded.store(true, std::memory_order_release);
    update_readiness();
    return true;
  }

  [[nodiscard]] bool ready() const noexcept {
    const bool accounts_ready =
        cluster ? cluster->synced() : accounts_loaded.load(std::memory_order_acquire);
    return accounts_ready &&
           (config.pod_identity_file.empty() ||
            pod_identity_loaded.load(std::memory_order_acquire)) &&
           !draining.load(std::memory_order_acquire);
  }

  void update_readiness() { metrics.set_ready(ready()); }

  // One pass of the handler with this thread's scratch state: the thread that runs the
  // connection's io_context, which a review that waited for its ServiceAccount resumes on too.
  Handled handle_once(const Request& request, std::string_view path, bool& failed) {
    thread_local core::Scratch scratch;
    thread_local std::mt19937_64 random{std::random_device{}()};
    const HandlerContext context{mutator,
                                 identities,
                                 scratch,
                                 random(),
                                 ready(),
                                 draining.load(std::memory_order_acquire),
                                 config.debugging_handlers};
    try {
      return handle(request, context);
    } catch (const std::exception& error) {
      // Not expected: the core answers bad input itself. The API server applies the webhook's
      // failure policy to a 500.
      failed = true;
      log.error("request failed", {{"path", path}, {"error", error.what()}});
      Handled handled;
      handled.response = make_response(http::status::internal_server_error, request.version(),
                                       false, kPlainText, "internal error\n");
      return handled;
    }
  }

  [[nodiscard]] bool waits_for_accounts() const noexcept {
    return cluster && config.lookup_grace.count() > 0;
  }

  asio::awaitable<Response> serve_webhook(Request request) {
    const auto started = Clock::now();
    const std::string_view path = request_path(request.target());
    bool failed = false;
    Handled handled = handle_once(request, path, failed);
    if (handled.decision && handled.decision->result != core::Result::denied &&
        !handled.decision->service_account.empty()) {
      std::string_view lookup = "cached";
      if (handled.decision->service_account_missing) {
        lookup = "missing";
        if (waits_for_accounts()) {
          // The account may be on its way (created together with the pod): wait for the watch
          // or a direct GET, then review again with what arrived.
          const auto budget = account_wait_budget(request.target(), config.lookup_grace);
          const auto waited_from = Clock::now();
          const auto outcome = co_await cluster->lookup().wait_for(
              handled.decision->ns, handled.decision->service_account, waited_from + budget);
          metrics.record_account_wait(Clock::now() - waited_from);
          if (outcome == kube::WaitOutcome::found) {
            lookup = "found_after_wait";
            handled = handle_once(request, path, failed);
          } else {
            lookup = "missing_after_wait";
          }
        }
      }
      metrics.record_account_lookup(lookup);
    }
    const auto elapsed = Clock::now() - started;
    const unsigned code = handled.response.result_int();
    if (instrumented(path)) metrics.record_request(verb_of(request), path, code, elapsed);
    if (handled.decision) {
      metrics.record_admission(&*handled.decision, elapsed);
      log_decision(*handled.decision, elapsed);
    } else if (failed && path == "/mutate") {
      metrics.record_admission(nullptr, elapsed);
    }
    log_request(request, path, code, handled.response.body().size());
    if (handled.decision) {
      const auto executor = co_await asio::this_coro::executor;
      co_await audit_flush_for(executor).written();
    }
    co_return std::move(handled.response);
  }

  // The audit line: which workload got which role, and when.
  // Its values are put together in buffers of the calling thread, which keep their capacity: one
  // line per admission then costs no allocation.
  void log_decision(const core::Decision& decision, std::chrono::nanoseconds elapsed) const {
    thread_local std::string mutated;
    thread_local std::string skipped;
    join_into(mutated, decision.mutated_containers);
    join_into(skipped, decision.skipped_containers);
    const DecimalText micros(elapsed.count() / 1000);
    const DecimalText warnings(decision.warnings.size());
    if (decision.result == core::Result::denied) {
      log.deferred(LogLevel::warn, "admission denied",
                   {{"uid", decision.uid},
                    {"namespace", decision.ns},
                    {"pod", decision.pod_name},
                    {"user", decision.user},
                    {"error", decision.error},
                    {"elapsed_us", micros.view()}});
      return;
    }
    log.deferred(LogLevel::info, "admission",
                 {{"result", core::to_string(decision.result)},
                  {"uid", decision.uid},
                  {"namespace", decision.ns},
                  {"pod", decision.pod_name},
                  {"service_account", decision.service_account},
                  {"mode", core::to_string(decision.mode)},
                  {"role_arn", decision.role_arn},
                  {"containers_mutated", mutated},
                  {"containers_skipped", skipped},
                  {"operation", decision.operation},
                  {"dry_run", decision.dry_run ? "true" : "false"},
                  {"user", decision.user},
                  {"warnings", warnings.view()},
                  {"elapsed_us", micros.view()}});
  }

  // Upstream's V(4) request line.
  void log_request(const Request& request, std::string_view path, unsigned code,
                   std::size_t body_bytes) const {
    if (!log.enabled(4)) return;
    const auto agent = request[http::field::user_agent];
    log.detail(4, "request",
               {{"path", path},
                {"method", verb_of(request)},
                {"status", std::to_string(code)},
                {"user_agent", {agent.data(), agent.size()}},
                {"body_bytes", std::to_string(body_bytes)}});
  }

  std::string dump_accounts() const {
    if (cluster) {
      return cache_dump([this](const auto& visit) { cluster->accounts().for_each(visit); });
    }
    const auto accounts = identities.accounts();
    return cache_dump(
        [&accounts](const auto& visit) { accounts->for_each_service_account(visit); });
  }

  asio::awaitable<Response> serve_metrics(Request request) { co_return metrics_response(request); }

  Response metrics_response(const Request& request) {
    const std::string_view path = request_path(request.target());
    const bool keep_alive = request.keep_alive();
    if (path == "/metrics") {
      if (cluster) {
        metrics.set_service_accounts(cluster->accounts().size());
        metrics.set_account_waiters(cluster->lookup().waiting());
      }
      return make_response(http::status::ok, request.version(), keep_alive,
                           "text/plain; version=0.0.4; charset=utf-8", metrics.render());
    }
    if (config.debugging_handlers && path == "/debug/alpha/cache") {
      return make_response(http::status::ok, request.version(), keep_alive, kPlainText,
                           dump_accounts());
    }
    if (config.debugging_handlers && path == "/debug/alpha/cache/clear") {
      // As upstream, the entries are gone until the source delivers them again: here at once,
      // from a fresh LIST or the next check of the file.
      if (cluster) {
        cluster->clear_accounts();
      } else {
        identities.publish_accounts(std::make_shared<const core::StaticIdentities>());
        metrics.set_service_accounts(0);
        accounts_watcher->reload_soon();
      }
      log.info("ServiceAccount cache cleared through the debug handler");
      return make_response(http::status::ok, request.version(), keep_alive, kPlainText, "");
    }
    return make_response(http::status::not_found, request.version(), keep_alive, kPlainText,
                         "404 page not found\n");
  }

  void wait_for_signals() {
    signals.async_wait([this](boost::system::error_code error, int signal_number) {
      if (error) return;
      if (draining.exchange(true)) {
        log.error("second stop signal; exiting at once", {{"signal", signal_name(signal_number)}});
        log.flush();
        std::_Exit(1);
      }
      begin_shutdown(signal_number);
      wait_for_signals();
    });
  }

  void begin_shutdown(int signal_number) {
    update_readiness();
    log.info(
        "stop signal received; /readyz now fails",
        {{"signal", signal_name(signal_number)},
         {"shutdown_delay_ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  config.shutdown_delay)
                                                  .count())}});
    shutdown_timer.expires_after(config.shutdown_delay);
    shutdown_timer.async_wait([this](boost::system::error_code error) {
      if (error) return;
      close_listeners();
    });
  }

  void close_listeners() {
    log.info("closing listeners and idle connections");
    webhook->drain();
    metrics_listener->drain();
    certificate_watcher->stop();
    if (accounts_watcher) accounts_watcher->stop();
    if (cluster) cluster->stop();
    if (pod_identity_watcher) pod_identity_watcher->stop();
    drain_deadline = Clock::now() + config.shutdown_timeout;
    wait_for_connections();
  }

  void wait_for_connections() {
    const std::size_t open = webhook->open_connections() + metrics_listener->open_connections();
    if (open == 0) {
      log.info("shut down gracefully");
      stop_all();
      return;
    }
    if (Clock::now() >= drain_deadline) {
      log.warn("shutdown timeout reached; closing the remaining connections",
               {{"connections", std::to_string(open)}});
      stop_all();
      return;
    }
    shutdown_timer.expires_after(std::chrono::milliseconds(10));
    shutdown_timer.async_wait([this](boost::system::error_code error) {
      if (!error) wait_for_connections();
    });
  }

  int run() {
    wait_for_signals();
    webhook->start();
    metrics_listener->start();
    certificate_watcher->start(/*load_first=*/false);
    if (accounts_watcher) accounts_watcher->start();
    if (cluster) cluster->start();
    if (pod_identity_watcher) pod_identity_watcher->start();
    log.info("serving", {{"webhook", describe(*webhook, "https")},
                         {"metrics", describe(*metrics_listener, "http")},
                         {"worker_threads", std::to_string(config.worker_threads)},
                         {"max_connections", std::to_string(config.limits.max_connections)}});
    std::vector<std::thread> workers;
    workers.reserve(config.worker_threads);
    workers.emplace_back([this] { io.run(); });
    for (const auto& context : worker_contexts) {
      workers.emplace_back([&context = *context] { context.run(); });
    }
    for (auto& worker : workers) worker.join();
    log.flush();
    return 0;
  }

  static std::string describe(const Listener& listener, const char* scheme) {
    const auto endpoint = listener.local_endpoint();
    const auto address = endpoint.address();
    std::string url(scheme);
    url.append("://");
    if (address.is_v6()) url.push_back('[');
    url.append(address.to_string());
    if (address.is_v6()) url.push_back(']');
    url.push_back(':');
    url.append(std::to_string(endpoint.port()));
    return url;
  }

  ServerConfig config;
  const Logger& log;
  // Declared before `io`, so destroyed after it: an accept still pending on `io` at exit holds a
  // socket that belongs to one of these contexts.
  std::vector<std::unique_ptr<asio::io_context>> worker_contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> worker_guards;
  asio::io_context io;
  std::vector<std::unique_ptr<AuditFlush>> audit_flushes;  // one per context, `io` first
  core::Mutator mutator;
  store::LiveIdentities identities;
  ServerMetrics metrics;
  ServingCertificate certificate;
  std::atomic<bool> accounts_loaded{false};
  std::atomic<bool> pod_identity_loaded{false};
  std::atomic<bool> draining{false};
  asio::signal_set signals;
  asio::steady_timer shutdown_timer;
  Clock::time_point drain_deadline;
  std::unique_ptr<Listener> webhook;
  std::unique_ptr<Listener> metrics_listener;
  std::unique_ptr<FileWatcher> certificate_watcher;
  std::unique_ptr<FileWatcher> accounts_watcher;
  std::unique_ptr<FileWatcher> pod_identity_watcher;
  SourceReports source_reports;
  std::unique_ptr<kube::ClusterSources> cluster;
};

WebhookServer::WebhookServer(ServerConfig config, const Logger& log)
    : impl_(std::make_unique<Impl>(std::move(config), log)) {}

WebhookServer::~WebhookServer() = default;

int WebhookServer::run() {
  return impl_->run();
}

}  // namespace irsa::server
