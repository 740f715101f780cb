// Every metric the server exposes on /metrics: upstream's names and labels, so that existing
// dashboards keep working, and this project's own beside them. Series that every admission
// touches are looked up once, so recording takes a few relaxed atomic adds.
#pragma once

#include <array>

#include <chrono>
#include <string>
#include <string_view>

#include "irsa/core/decision.hpp"
#include "irsa/server/metrics.hpp"

namespace irsa::server {

class ServerMetrics {
 public:
  ServerMetrics();

  // One instrumented HTTP request (upstream instruments /mutate and its debug routes).
  void record_request(std::string_view verb, std::string_view path, unsigned code,
                      std::chrono::nanoseconds elapsed);
  // One AdmissionReview answered, with how long the review took, counted under its result
  // (core::to_string).
  void record_admission(const core::Decision& decision, std::chrono::nanoseconds elapsed);
  // One AdmissionReview that failed inside the server (answered 500), counted under "error".
  void record_failed_admission(std::chrono::nanoseconds elapsed);

  void set_service_accounts(std::size_t known);
  void set_ready(bool ready);
  void record_certificate_reload(bool ok, double not_after);
  void record_file_reload(std::string_view source, bool ok);

  // The Kubernetes API sources.
  void record_list(std::string_view resource);
  void record_relist(std::string_view resource);
  void record_watch_restart(std::string_view resource);
  void record_api_error(std::string_view resource, std::string_view code);
  void record_account_fetch(std::string_view outcome);
  // How an admission's ServiceAccount was found: "cached" (at once), "missing" (not known, no
  // wait), or after waiting `waited`: "found_after_wait" or "missing_after_wait".
  void record_account_lookup(std::string_view outcome);
  void record_account_wait(std::chrono::nanoseconds waited);
  void set_account_waiters(std::size_t waiting);

  // Overload: `port` is "webhook" or "metrics"; `phase` what a closed connection was waiting for.
  void record_closed_for_pressure(std::string_view port, std::string_view phase);
  void record_connection_refused(std::string_view port);
  void record_refused_for_memory(std::string_view port);
  // `resource`: "webhook_connections", "metrics_connections" or "request_memory".
  void set_under_pressure(std::string_view resource, bool active);
  void set_open_connections(std::string_view port, std::size_t open);
  void set_request_memory(std::size_t used, std::size_t limit);

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
  Family& policy_violations_;
  Family& service_accounts_;
  Family& ready_;
  Family& certificate_reloads_;
  Family& certificate_expiry_;
  Family& file_reloads_;
  Family& kube_lists_;
  Family& kube_relists_;
  Family& kube_watch_restarts_;
  Family& kube_api_errors_;
  Family& account_fetches_;
  Family& account_lookups_;
  Family& account_wait_;
  Family& account_waiters_;
  // Overload.
  Family& closed_for_pressure_;
  Family& connections_refused_;
  Family& overload_refusals_;
  Family& under_pressure_;
  Family& open_connections_;
  Family& request_memory_;
  Family& request_memory_limit_;
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
  // One series per warning kind, indexed by core::WarningKind.
  std::array<AtomicDouble*, core::kWarningKinds> warnings_by_kind_{};
  // The admission series with fixed labels (created in the constructor), found once: looking
  // them up builds label strings and takes the family's mutex on every admission.
  std::array<std::pair<core::Result, AtomicDouble*>, 5> admissions_by_result_{};
  AtomicDouble* failed_admissions_ = nullptr;
  AtomicDouble* web_identity_pods_ = nullptr;
  AtomicDouble* container_credentials_pods_ = nullptr;
  std::array<std::pair<std::string_view, AtomicDouble*>, 4> lookups_by_outcome_{};
};

}  // namespace irsa::server
