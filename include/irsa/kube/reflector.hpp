// Keeps a local copy of one kind of Kubernetes object current: a paginated LIST, then a WATCH
// from the list's resourceVersion with bookmarks, reconnecting with back-off and jitter when the
// stream breaks and listing again when the server says the version is gone (410). There is no
// periodic full resync: the watch alone keeps the copy exact, and a relist happens only when the
// watch cannot resume.
//
// What the objects mean is the target's business (ListWatchTarget); what happened is reported to
// a SourceObserver (the server turns it into log lines and metrics).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "irsa/kube/api_client.hpp"
#include "irsa/kube/watch_events.hpp"

namespace irsa::kube {

struct PageResult {
  std::size_t items = 0;
  std::string resource_version;
  std::string continue_token;
  std::string error;  // non-empty: the page could not be read
};

enum class EventKind {
  applied,    // an object was added, changed or removed
  bookmark,   // only the resourceVersion moved
  expired,    // ERROR with 410 Gone: the watch cannot resume, list again
  error,      // another ERROR event (the Status code is in `code`)
  malformed,  // the line is not a watch event
};

struct EventResult {
  EventKind kind = EventKind::malformed;
  std::string resource_version;
  int code = 0;
  std::string message;
};

// What a BOOKMARK or ERROR event means to a reflector, whatever the object type; none for the
// events that carry an object.
template <typename Event>
[[nodiscard]] std::optional<EventResult> bookmark_or_error(Event& event) {
  if (event.type == WatchType::bookmark) {
    return EventResult{EventKind::bookmark, std::move(event.object.resource_version), 0, {}};
  }
  if (event.type == WatchType::error) {
    return EventResult{event.status_code == 410 ? EventKind::expired : EventKind::error,
                       {},
                       event.status_code,
                       std::move(event.status_message)};
  }
  return std::nullopt;
}

// One kind of object as a reflector feeds it. Called on the reflector's strand only.
class ListWatchTarget {
 public:
  virtual ~ListWatchTarget() = default;
  // The resource name for logs and metrics ("serviceaccounts").
  [[nodiscard]] virtual std::string_view resource() const = 0;
  // The collection path ("/api/v1/serviceaccounts") and any extra query ("fieldSelector=...").
  [[nodiscard]] virtual std::string collection_path() const = 0;
  [[nodiscard]] virtual std::string extra_query() const { return {}; }

  // A LIST: begin, every page in order, then commit (or begin again when a list is abandoned).
  virtual void begin_list() = 0;
  [[nodiscard]] virtual PageResult add_page(std::string_view body) = 0;
  virtual void commit_list() = 0;
  // One line of a WATCH stream.
  [[nodiscard]] virtual EventResult apply_event(std::string_view line) = 0;

 protected:
  ListWatchTarget() = default;
  ListWatchTarget(const ListWatchTarget&) = default;
  ListWatchTarget& operator=(const ListWatchTarget&) = default;
};

struct SourceField {
  std::string_view key;
  std::string_view value;
};
using SourceFields = std::initializer_list<SourceField>;

// What the Kubernetes sources tell the rest of the server. All calls come from the sources'
// strand; the default implementations ignore everything.
class SourceObserver {
 public:
  enum class Level { detail, info, warn, error };
  virtual ~SourceObserver() = default;
  virtual void log(Level /*level*/, std::string_view /*message*/, SourceFields /*fields*/) {}
  // A LIST completed and replaced the local copy.
  virtual void listed(std::string_view /*resource*/, std::size_t /*objects*/,
                      std::chrono::nanoseconds /*took*/) {}
  virtual void relisted(std::string_view /*resource*/) {}
  virtual void watch_restarted(std::string_view /*resource*/) {}
  // A failed API call: code is the HTTP status ("500"), "transport" or "malformed".
  virtual void api_error(std::string_view /*resource*/, std::string_view /*code*/) {}
  // A GET for an account missing from the cache ended: "found", "not_found", "error", or it was
  // not sent: "recently_not_found", "overloaded", "abandoned" (nobody waits any more).
  virtual void account_fetched(std::string_view /*outcome*/) {}

 protected:
  SourceObserver() = default;
  SourceObserver(const SourceObserver&) = default;
  SourceObserver& operator=(const SourceObserver&) = default;
};

struct ReflectorTiming {
  std::size_t page_size = 500;
  std::chrono::milliseconds backoff_initial{250};
  std::chrono::milliseconds backoff_max{30'000};
  // Each watch asks the server to end it after a random time in this range, so that replicas do
  // not reconnect in step and no connection lives for ever.
  std::chrono::seconds watch_timeout_min{300};
  std::chrono::seconds watch_timeout_max{600};
  // A watch that lived this long without trouble resets the back-off.
  std::chrono::seconds healthy_watch{30};
};

class Reflector {
 public:
  // client, target and observer must outlive the reflector; it runs on the client's strand.
  Reflector(ApiClient& client, ListWatchTarget& target, SourceObserver& observer,
            ReflectorTiming timing = {});
  ~Reflector();
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  void start();
  // Ends the loop at its next step; call on the client's strand (close the client's connections
  // to interrupt a watch in flight).
  void stop();
  // Lists again as soon as the current watch ends (close the client's connections to end it
  // now). On the client's strand.
  void request_relist() noexcept { relist_requested_ = true; }
  // The first LIST has completed. Any thread.
  [[nodiscard]] bool synced() const noexcept { return synced_.load(std::memory_order_acquire); }

 private:
  enum class WatchOutcome { timed_out, expired, failed, stopped };

  boost::asio::awaitable<void> run();
  boost::asio::awaitable<bool> list();
  boost::asio::awaitable<WatchOutcome> watch();
  boost::asio::awaitable<void> pause(std::chrono::milliseconds delay);
  [[nodiscard]] std::chrono::milliseconds next_backoff();
  void report_status_error(std::string_view what, unsigned status, std::string_view body);

  ApiClient& client_;
  ListWatchTarget& target_;
  SourceObserver& observer_;
  ReflectorTiming timing_;
  // The back-off timer and the random source of watch timeouts, defined in the .cpp so that
  // includers of this header do not read Asio's timers.
  struct Pacing;
  std::unique_ptr<Pacing> pacing_;
  std::string resource_version_;
  std::chrono::milliseconds backoff_{0};
  bool relist_requested_ = false;
  std::atomic<bool> synced_{false};
  std::shared_ptr<bool> stopped_ = std::make_shared<bool>(false);
};

// The message of a Kubernetes Status body ("" when the body is not one).
[[nodiscard]] std::string status_message(std::string_view body);

}  // namespace irsa::kube
