// Closes the gap between a ServiceAccount's creation and its arrival through the watch. A pod
// created together with its account can reach the webhook first; instead of admitting it without
// credentials, the admission waits (asynchronously, up to a deadline) while one GET per missing
// account asks the API server directly. Whichever comes first, the GET's answer or the watch
// event, wakes every admission waiting for that account.
//
// GETs are coalesced per account, rate limited (a token bucket), retried on server errors and
// timeouts, and a NotFound is remembered for a short while so that pods of an account that does
// not exist cost one GET, not one each. Waiters always leave the registry when they finish, found
// or not.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "irsa/kube/account_cache.hpp"
#include "irsa/kube/api_client.hpp"
#include "irsa/kube/reflector.hpp"

namespace irsa::kube {

struct LookupLimits {
  double gets_per_second = 20;  // the token bucket's rate...
  double burst = 40;            // ...and its depth
  std::chrono::milliseconds get_timeout{2'000};
  int attempts = 3;  // for 5xx, 429 and transport errors
  std::chrono::milliseconds retry_delay{100};
  std::chrono::milliseconds not_found_memory{5'000};
  std::size_t max_in_flight = 256;  // distinct accounts being fetched at once
};

enum class WaitOutcome { found, timed_out };

class AccountLookup {
 public:
  // client and cache must outlive this object; GETs run on the client's strand. Installs itself
  // as the cache's change listener.
  AccountLookup(ApiClient& client, AccountCache& cache, SourceObserver& observer,
                LookupLimits limits = {});
  ~AccountLookup();
  AccountLookup(const AccountLookup&) = delete;
  AccountLookup& operator=(const AccountLookup&) = delete;

  // Waits until ns/name is in the cache or `deadline` passes. Runs on the caller's executor,
  // which must be a strand (as every connection's is). Any thread.
  [[nodiscard]] boost::asio::awaitable<WaitOutcome> wait_for(
      std::string ns, std::string name, std::chrono::steady_clock::time_point deadline);

  // Admissions waiting right now (for tests and metrics).
  [[nodiscard]] std::size_t waiting() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace irsa::kube
