#include "irsa/kube/reflector.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include "irsa/net/no_throw.hpp"

namespace irsa::kube {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

using net::kNoThrow;

std::string milliseconds_text(std::chrono::nanoseconds elapsed) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
}

}  // namespace

std::string status_message(std::string_view body) {
  const auto status = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!status.is_object()) return {};
  const auto message = status.find("message");
  if (message == status.end() || !message->is_string()) return {};
  return message->get<std::string>();
}

struct Reflector::Pacing {
  explicit Pacing(const asio::any_io_executor& executor)
      : timer(executor), random(std::random_device{}()) {}
  asio::steady_timer timer;
  std::mt19937_64 random;
};

Reflector::Reflector(ApiClient& client, ListWatchTarget& target, SourceObserver& observer,
                     ReflectorTiming timing)
    : client_(client),
      target_(target),
      observer_(observer),
      timing_(timing),
      pacing_(std::make_unique<Pacing>(client.executor())) {}

Reflector::~Reflector() {
  *stopped_ = true;
}

void Reflector::start() {
  asio::co_spawn(client_.executor(), run(), asio::detached);
}

void Reflector::stop() {
  *stopped_ = true;
  pacing_->timer.cancel();
}

asio::awaitable<void> Reflector::run() {
  // The flag outlives the reflector, so a loop woken after its owner is gone ends quietly.
  const auto stopped = stopped_;
  while (!*stopped) {
    if (resource_version_.empty()) {
      // A relist asked for before this list starts is this list.
      relist_requested_ = false;
      if (!co_await list()) {
        if (*stopped) break;
        // A list cut short by a requested relist (its connection closed) starts over at once.
        if (!relist_requested_) co_await pause(next_backoff());
        continue;
      }
      if (*stopped) break;
      if (relist_requested_) {
        resource_version_.clear();
        continue;
      }
    }
    const auto started = Clock::now();
    const WatchOutcome outcome = co_await watch();
    if (*stopped || outcome == WatchOutcome::stopped) break;
    if (Clock::now() - started >= timing_.healthy_watch) backoff_ = {};
    if (relist_requested_) {
      relist_requested_ = false;
      resource_version_.clear();
      continue;
    }
    switch (outcome) {
      case WatchOutcome::timed_out:
        // The server ended the watch as asked: resume from where it left off, at once.
        break;
      case WatchOutcome::expired:
        observer_.relisted(target_.resource());
        observer_.log(SourceObserver::Level::info,
                      "watch resourceVersion expired (410); listing again",
                      {{"resource", target_.resource()}});
        resource_version_.clear();
        break;
      case WatchOutcome::failed:
        observer_.watch_restarted(target_.resource());
        co_await pause(next_backoff());
        break;
      case WatchOutcome::stopped:
        break;
    }
  }
}

std::chrono::milliseconds Reflector::next_backoff() {
  backoff_ =
      backoff_.count() == 0 ? timing_.backoff_initial : std::min(backoff_ * 2, timing_.backoff_max);
  // Jitter in [half, whole] of the step: replicas that lost the API server together do not
  // come back in the same millisecond.
  const auto half = backoff_.count() / 2;
  std::uniform_int_distribution<long long> spread(half, backoff_.count());
  return std::chrono::milliseconds(spread(pacing_->random));
}

asio::awaitable<void> Reflector::pause(std::chrono::milliseconds delay) {
  pacing_->timer.expires_after(delay);
  (void)co_await pacing_->timer.async_wait(kNoThrow);
}

void Reflector::report_status_error(std::string_view what, unsigned status, std::string_view body) {
  const std::string code = std::to_string(status);
  observer_.api_error(target_.resource(), code);
  const std::string message = status_message(body);
  observer_.log(SourceObserver::Level::warn, what,
                {{"resource", target_.resource()}, {"status", code}, {"message", message}});
}

asio::awaitable<bool> Reflector::list() {
  const auto started = Clock::now();
  target_.begin_list();
  std::string continue_token;
  std::string list_version;
  std::size_t objects = 0;
  const std::string extra = target_.extra_query();
  do {
    std::string path = target_.collection_path() + "?limit=" + std::to_string(timing_.page_size);
    if (!extra.empty()) path += "&" + extra;
    if (!continue_token.empty()) path += "&continue=" + url_encode(continue_token);
    const ApiReply reply = co_await client_.get(path);
    if (*stopped_) co_return false;
    if (!reply.error.empty()) {
      observer_.api_error(target_.resource(), "transport");
      observer_.log(SourceObserver::Level::warn, "list failed",
                    {{"resource", target_.resource()}, {"error", reply.error}});
      co_return false;
    }
    if (reply.status != 200) {
      // 410 on a later page: the continue token expired; the list starts over after back-off.
      report_status_error("list failed", reply.status, reply.body);
      co_return false;
    }
    PageResult page = target_.add_page(reply.body);
    if (!page.error.empty()) {
      observer_.api_error(target_.resource(), "malformed");
      observer_.log(SourceObserver::Level::error, "list page not understood",
                    {{"resource", target_.resource()}, {"error", page.error}});
      co_return false;
    }
    objects += page.items;
    if (list_version.empty()) list_version = page.resource_version;
    continue_token = std::move(page.continue_token);
  } while (!continue_token.empty());
  target_.commit_list();
  resource_version_ = list_version;
  backoff_ = {};
  const auto took = Clock::now() - started;
  // Synced before the observer hears of it, so that readiness computed there is already true.
  synced_.store(true, std::memory_order_release);
  observer_.listed(target_.resource(), objects, took);
  observer_.log(SourceObserver::Level::info, "listed",
                {{"resource", target_.resource()},
                 {"objects", std::to_string(objects)},
                 {"resource_version", resource_version_},
                 {"elapsed_ms", milliseconds_text(took)}});
  co_return true;
}

asio::awaitable<Reflector::WatchOutcome> Reflector::watch() {
  std::uniform_int_distribution<long long> spread(timing_.watch_timeout_min.count(),
                                                  timing_.watch_timeout_max.count());
  std::string path = target_.collection_path() + "?watch=1&allowWatchBookmarks=true" +
                     "&resourceVersion=" + url_encode(resource_version_) +
                     "&timeoutSeconds=" + std::to_string(spread(pacing_->random));
  const std::string extra = target_.extra_query();
  if (!extra.empty()) path += "&" + extra;

  bool expired = false;
  std::string event_error;
  std::size_t lines = 0;
  const auto started = Clock::now();
  const WatchEnd end = co_await client_.watch(path, [&](std::string_view line) {
    ++lines;
    EventResult event = target_.apply_event(line);
    switch (event.kind) {
      case EventKind::applied:
      case EventKind::bookmark:
        if (!event.resource_version.empty()) resource_version_ = std::move(event.resource_version);
        return true;
      case EventKind::expired:
        expired = true;
        return false;
      case EventKind::error:
        observer_.api_error(target_.resource(), std::to_string(event.code));
        event_error = "ERROR event " + std::to_string(event.code) + ": " + event.message;
        return false;
      case EventKind::malformed:
        // Resuming would replay the same line; only a fresh list gets past it.
        observer_.api_error(target_.resource(), "malformed");
        event_error = "watch event not understood: " + event.message;
        expired = true;
        return false;
    }
    return false;
  });
  if (*stopped_) co_return WatchOutcome::stopped;
  if (!event_error.empty()) {
    observer_.log(SourceObserver::Level::warn, "watch ended by the server",
                  {{"resource", target_.resource()}, {"error", event_error}});
  }
  if (expired) co_return WatchOutcome::expired;
  if (!event_error.empty()) co_return WatchOutcome::failed;
  if (!end.error.empty()) {
    observer_.api_error(target_.resource(), "transport");
    observer_.log(SourceObserver::Level::warn, "watch broke; reconnecting",
                  {{"resource", target_.resource()}, {"error", end.error}});
    co_return WatchOutcome::failed;
  }
  if (end.status == 410) co_return WatchOutcome::expired;
  if (end.status != 200) {
    report_status_error("watch refused", end.status, end.body);
    co_return WatchOutcome::failed;
  }
  // A server that ends every watch at once, saying nothing, would otherwise be asked again in a
  // tight loop.
  if (lines == 0 && Clock::now() - started < std::chrono::seconds(1)) {
    observer_.log(SourceObserver::Level::warn, "watch ended at once without events",
                  {{"resource", target_.resource()}});
    co_return WatchOutcome::failed;
  }
  co_return WatchOutcome::timed_out;
}

}  // namespace irsa::kube
