// Every metric the server exposes on /metrics: upstream's names and labels, so that existing
// dashboards keep working, and this project's own beside them. Series that every admission
// touches are looked up once, so recording takes a few relaxed atomic adds.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "irsa/core/admission.hpp"
#include "irsa/server/metrics.hpp"

namespace irsa::server {

class ServerMetrics {
 public:
  ServerMetrics();

  // One instrumented HTTP request (upstream instruments /mutate and its debug routes).
  void record_request(std::string_view verb, std::string_view path, unsigned code,
                      std::chrono::nanoseconds elapsed);
  // One AdmissionReview answered, with how long the review took; counted under its result
  // (core::to_string), or under "error" when decision is null because reviewing failed.
  void record_admission(const core::Decision* decision, std::chrono::nanoseconds elapsed);

  void set_service_accounts(std::size_t known);
  void set_ready(bool ready);
  void record_certificate_reload(bool ok, double not_after);
  void record_file_reload(std::string_view source, bool ok);

  // The exposition, with the process metrics read fresh.
  [[nodiscard]] std::string render();

 private:
  Registry registry_;
  // Upstream.
  Family& request_count_;
  Family& request_latencies_;
  Family& request_duration_;
  Family& pod_count_;
  Family& missing_sa_;
  Family& used_;
  // This project.
  Family& admission_duration_;
  Family& admissions_;
  Family& warnings_;
  Family& service_accounts_;
  Family& ready_;
  Family& certificate_reloads_;
  Family& certificate_expiry_;
  Family& file_reloads_;
  // Process.
  Family& resident_memory_;
  Family& virtual_memory_;
  Family& cpu_seconds_;
  Family& open_fds_;
  Family& max_fds_;
  Family& start_time_;

  // The series of the common case, found once.
  AtomicDouble& mutate_ok_count_;
  Histogram& mutate_latencies_;
  Histogram& mutate_duration_;
  Histogram& admission_seconds_;
  AtomicDouble& warnings_total_;
};

}  // namespace irsa::server
