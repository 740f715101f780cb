// The server's answer to overload reports: a log line when pressure begins and ends, and the
// counters and gauges of /metrics. Closing and refusing is the listeners' and the budget's job.
#pragma once

#include "irsa/server/log.hpp"
#include "irsa/server/overload_events.hpp"
#include "irsa/server/server_metrics.hpp"

namespace irsa::server {

class OverloadReports final : public OverloadEvents {
 public:
  OverloadReports(ServerMetrics& metrics, const Logger& log) : metrics_(metrics), log_(log) {}

  void connection_pressure(std::string_view port, bool active, std::size_t open,
                           std::size_t limit) override;
  void closed_for_pressure(std::string_view port, WaitingPhase phase) override;
  void connection_refused(std::string_view port) override;
  void memory_pressure(bool active, std::size_t used, std::size_t limit) override;
  void refused_for_memory(std::string_view port) override;

 private:
  ServerMetrics& metrics_;
  const Logger& log_;
};

}  // namespace irsa::server
