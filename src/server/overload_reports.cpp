#include "overload_reports.hpp"

#include <string>

namespace irsa::server {

namespace {

std::string_view phase_name(WaitingPhase phase) {
  switch (phase) {
    case WaitingPhase::idle:
      return "idle";
    case WaitingPhase::headers:
      return "headers";
    case WaitingPhase::unused:
      break;
  }
  return "unused";
}

}  // namespace

void OverloadReports::connection_pressure(std::string_view port, bool active, std::size_t open,
                                          std::size_t limit) {
  metrics_.set_under_pressure(std::string(port) + "_connections", active);
  const std::string open_text = std::to_string(open);
  const std::string limit_text = std::to_string(limit);
  if (active) {
    log_.warn(
        "connection pressure began: waits are shortened, and at the limit each new connection "
        "closes the one that has waited longest for its client",
        {{"port", port}, {"connections", open_text}, {"limit", limit_text}});
  } else {
    log_.info("connection pressure ended",
              {{"port", port}, {"connections", open_text}, {"limit", limit_text}});
  }
}

void OverloadReports::closed_for_pressure(std::string_view port, WaitingPhase phase) {
  metrics_.record_closed_for_pressure(port, phase_name(phase));
}

void OverloadReports::connection_refused(std::string_view port) {
  metrics_.record_connection_refused(port);
}

void OverloadReports::memory_pressure(bool active, std::size_t used, std::size_t limit) {
  metrics_.set_under_pressure("request_memory", active);
  const std::string used_text = std::to_string(used);
  const std::string limit_text = std::to_string(limit);
  if (active) {
    log_.warn("request memory pressure began: bodies that do not fit are refused with 503",
              {{"used_bytes", used_text}, {"limit_bytes", limit_text}});
  } else {
    log_.info("request memory pressure ended",
              {{"used_bytes", used_text}, {"limit_bytes", limit_text}});
  }
}

void OverloadReports::refused_for_memory(std::string_view port) {
  metrics_.record_refused_for_memory(port);
}

}  // namespace irsa::server
