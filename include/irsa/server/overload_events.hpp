// What the listeners and the request memory budget report about overload. The server turns the
// reports into metrics and log lines; the listener itself neither logs nor counts.
#pragma once

#include <cstddef>
#include <string_view>

namespace irsa::server {

// Where a connection was when it was closed to make room: accepted but not yet used ("unused":
// TLS handshake or first request not begun), between requests ("idle"), or with a request's
// headers still arriving ("headers").
enum class WaitingPhase { unused, idle, headers };

class OverloadEvents {
 public:
  OverloadEvents() = default;
  virtual ~OverloadEvents() = default;
  OverloadEvents(const OverloadEvents&) = delete;
  OverloadEvents& operator=(const OverloadEvents&) = delete;

  // `port` names the listener ("webhook", "metrics"). Called from any thread.
  // Open connections reached the pressure mark (active) or fell back to the relief mark.
  virtual void connection_pressure(std::string_view port, bool active, std::size_t open,
                                   std::size_t limit) = 0;
  // A waiting connection was closed so that a new one could be served.
  virtual void closed_for_pressure(std::string_view port, WaitingPhase phase) = 0;
  // A new connection was closed at once: at the cap, with no waiting connection to close instead.
  virtual void connection_refused(std::string_view port) = 0;
  // Request bodies in memory reached the pressure mark of the budget (active) or fell back.
  virtual void memory_pressure(bool active, std::size_t used, std::size_t limit) = 0;
  // A request was answered 503 because its body did not fit in what is left of the budget.
  virtual void refused_for_memory(std::string_view port) = 0;
};

}  // namespace irsa::server
