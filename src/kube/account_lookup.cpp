#include "irsa/kube/account_lookup.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include "irsa/net/no_throw.hpp"

namespace irsa::kube {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

using net::kNoThrow;
// Remembered NotFound answers are swept once there are this many.
constexpr std::size_t kNotFoundSweep = 1024;

// One admission waiting for an account. Its timer runs on the admission's strand; a wake-up is
// a cancel() posted to that strand.
struct Waiter {
  explicit Waiter(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
};

}  // namespace

struct AccountLookup::State : std::enable_shared_from_this<State> {
  State(ApiClient& api, AccountCache& accounts, SourceObserver& events, LookupLimits lookup)
      : client(api),
        cache(accounts),
        observer(events),
        limits(lookup),
        tokens(lookup.burst),
        refilled(Clock::now()) {}

  // Any thread.
  void add_waiter(const std::string& key, const std::shared_ptr<Waiter>& waiter) {
    const std::lock_guard lock(mutex);
    waiters.emplace(key, waiter);
  }

  void remove_waiter(const std::string& key, const Waiter* waiter) {
    const std::lock_guard lock(mutex);
    auto [first, last] = waiters.equal_range(key);
    for (auto it = first; it != last; ++it) {
      if (it->second.get() == waiter) {
        waiters.erase(it);
        return;
      }
    }
  }

  [[nodiscard]] bool has_waiters(const std::string& key) const {
    const std::lock_guard lock(mutex);
    return waiters.count(key) > 0;
  }

  // Wakes the waiters of `key`, or every waiter when key is empty (after a relist).
  void wake(std::string_view key) {
    const std::lock_guard lock(mutex);
    const auto poke = [](const std::shared_ptr<Waiter>& waiter) {
      asio::post(waiter->timer.get_executor(), [waiter] { waiter->timer.cancel(); });
    };
    if (key.empty()) {
      for (const auto& [ignored, waiter] : waiters) poke(waiter);
      return;
    }
    auto [first, last] = waiters.equal_range(std::string(key));
    for (auto it = first; it != last; ++it) poke(it->second);
  }

  // The client's strand from here on.
  void changed(std::string_view key) {
    // A GET in flight for this account now carries older news than the watch: drop its answer.
    if (key.empty()) {
      for (auto& [ignored, touched] : in_flight) touched = true;
    } else if (auto it = in_flight.find(std::string(key)); it != in_flight.end()) {
      it->second = true;
    }
    wake(key);
  }

  void request_fetch(const std::string& key) {
    if (closed.load(std::memory_order_acquire) || in_flight.contains(key)) return;
    const auto now = Clock::now();
    if (not_found.size() >= kNotFoundSweep) {
      std::erase_if(not_found, [now](const auto& item) { return item.second <= now; });
    }
    if (auto it = not_found.find(key); it != not_found.end()) {
      if (it->second > now) {
        observer.account_fetched("recently_not_found");
        return;
      }
      not_found.erase(it);
    }
    if (in_flight.size() >= limits.max_in_flight) {
      observer.account_fetched("overloaded");
      return;
    }
    in_flight.emplace(key, false);
    asio::co_spawn(client.executor(), fetch(shared_from_this(), key), asio::detached);
  }

  // The token bucket: how long to wait before the next GET may go out. A GET that has to wait
  // reserves its token now, so queued GETs leave at the steady rate.
  std::chrono::nanoseconds take_token() {
    const auto now = Clock::now();
    const std::chrono::duration<double> elapsed = now - refilled;
    refilled = now;
    tokens = std::min(limits.burst, tokens + elapsed.count() * limits.gets_per_second);
    tokens -= 1;
    if (tokens >= 0) return {};
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(-tokens / limits.gets_per_second));
  }

  static asio::awaitable<void> fetch(std::shared_ptr<State> self, std::string key) {
    const std::string_view outcome = co_await self->fetch_once(key);
    self->in_flight.erase(key);
    self->observer.account_fetched(outcome);
  }

  asio::awaitable<std::string_view> fetch_once(const std::string& key) {
    asio::steady_timer timer(client.executor());
    if (const auto delay = take_token(); delay.count() > 0) {
      timer.expires_after(delay);
      (void)co_await timer.async_wait(kNoThrow);
    }
    // Every admission that wanted this account may have given up while the GET queued.
    if (!has_waiters(key)) co_return "abandoned";
    const std::size_t slash = key.find('/');
    const std::string path = "/api/v1/namespaces/" + url_encode(key.substr(0, slash)) +
                             "/serviceaccounts/" + url_encode(key.substr(slash + 1));
    for (int attempt = 1;; ++attempt) {
      const ApiReply reply = co_await client.get(path, limits.get_timeout);
      if (closed.load(std::memory_order_acquire)) co_return "abandoned";
      if (reply.status == 200) {
        AccountParse parse = parse_service_account(reply.body, cache.annotation_prefix());
        if (!parse.error.empty()) {
          observer.log(SourceObserver::Level::warn, "ServiceAccount GET not understood",
                       {{"account", key}, {"error", parse.error}});
          co_return "error";
        }
        if (!in_flight[key]) cache.add_fetched(parse.account);
        co_return "found";
      }
      if (reply.status == 404) {
        not_found[key] = Clock::now() + limits.not_found_memory;
        co_return "not_found";
      }
      const bool retryable = !reply.error.empty() || reply.status >= 500 || reply.status == 429;
      if (!retryable || attempt >= limits.attempts) {
        const std::string status = std::to_string(reply.status);
        observer.api_error("serviceaccounts", reply.error.empty() ? status : "transport");
        observer.log(SourceObserver::Level::warn, "ServiceAccount GET failed",
                     {{"account", key},
                      {"status", status},
                      {"error", reply.error.empty() ? status_message(reply.body) : reply.error}});
        co_return "error";
      }
      timer.expires_after(limits.retry_delay * (1 << (attempt - 1)));
      (void)co_await timer.async_wait(kNoThrow);
    }
  }

  ApiClient& client;
  AccountCache& cache;
  SourceObserver& observer;
  LookupLimits limits;
  std::atomic<bool> closed{false};

  mutable std::mutex mutex;  // guards waiters only
  std::unordered_multimap<std::string, std::shared_ptr<Waiter>> waiters;

  // The client's strand only.
  std::unordered_map<std::string, bool> in_flight;  // account -> the watch spoke meanwhile
  std::unordered_map<std::string, Clock::time_point> not_found;
  double tokens;
  Clock::time_point refilled;
};

AccountLookup::AccountLookup(ApiClient& client, AccountCache& cache, SourceObserver& observer,
                             LookupLimits limits)
    : state_(std::make_shared<State>(client, cache, observer, limits)) {
  cache.set_change_listener([weak = std::weak_ptr<State>(state_)](std::string_view key) {
    if (auto state = weak.lock()) state->changed(key);
  });
}

AccountLookup::~AccountLookup() {
  state_->closed.store(true, std::memory_order_release);
  state_->cache.set_change_listener({});
}

std::size_t AccountLookup::waiting() const {
  const std::lock_guard lock(state_->mutex);
  return state_->waiters.size();
}

asio::awaitable<WaitOutcome> AccountLookup::wait_for(std::string ns, std::string name,
                                                     Clock::time_point deadline) {
  const auto state = state_;
  const std::string key = core::account_key(ns, name);
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  state->add_waiter(key, waiter);
  // Leaves the registry however the wait ends: found, timed out, or the frame destroyed at exit.
  struct Leave {
    State& state;
    const std::string& key;
    const Waiter* waiter;
    ~Leave() { state.remove_waiter(key, waiter); }
  } const leave{*state, key, waiter.get()};
  asio::post(state->client.executor(), [state, key] { state->request_fetch(key); });
  for (;;) {
    // Registered before this check, so an arrival after it posts a wake-up that cannot run before
    // the wait below has started (both run on this strand).
    if (state->cache.index().find(ns, name)) co_return WaitOutcome::found;
    if (Clock::now() >= deadline) co_return WaitOutcome::timed_out;
    waiter->timer.expires_at(deadline);
    (void)co_await waiter->timer.async_wait(kNoThrow);
  }
}

}  // namespace irsa::kube
