#include "irsa/server/server_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace irsa::server {

namespace {

// The result label of a review that failed inside the server (the core answers bad input itself).
constexpr std::string_view kFailedReview = "error";

// Upstream's latency buckets, in microseconds (0.125 s to 8 s).
std::vector<double> upstream_latency_buckets() {
  return {125000, 250000, 500000, 1e6, 2e6, 4e6, 8e6};
}

// 50 microseconds to 10 seconds: the fast path lives in the first buckets, a stuck request in
// the last.
std::vector<double> admission_buckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
}

// The verb label of a request. It comes from the client, and every distinct value would be a new
// series kept for the life of the process: the methods HTTP defines keep their name, anything
// else is counted as "other", so that made-up methods cannot grow /metrics without bound.
std::string_view verb_label(std::string_view verb) noexcept {
  static constexpr std::array<std::string_view, 9> kHttpMethods{
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  for (const std::string_view method : kHttpMethods) {
    if (verb == method) return method;
  }
  return "other";
}

double microseconds(std::chrono::nanoseconds elapsed) {
  return static_cast<double>(elapsed.count()) / 1e3;
}

double seconds(std::chrono::nanoseconds elapsed) {
  return static_cast<double>(elapsed.count()) / 1e9;
}

// What /proc says about this process.
struct ProcessSample {
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double cpu_seconds = 0;
  double start_time = 0;
  double open_fds = 0;
  double max_fds = 0;
};

double boot_time() {
  std::ifstream stat("/proc/stat");
  std::string key;
  double value = 0;
  while (stat >> key) {
    if (key == "btime" && stat >> value) return value;
    stat.ignore(1 << 16, '\n');
  }
  return 0;
}

ProcessSample sample_process() {
  ProcessSample sample;
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // The command name may hold spaces; fields are counted from the parenthesis that closes it.
  const auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    std::vector<std::string> values;
    while (fields >> field) values.push_back(field);
    // Field numbers from proc(5), minus the three before the state field.
    const auto at = [&](std::size_t number) -> double {
      const std::size_t index = number - 3;
      return index < values.size() ? std::stod(values[index]) : 0.0;
    };
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    sample.cpu_seconds = (at(14) + at(15)) / ticks;
    sample.start_time = boot_time() + at(22) / ticks;
    sample.virtual_bytes = at(23);
    sample.resident_bytes = at(24) * page;
  }
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    sample.open_fds += 1;
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    sample.max_fds = static_cast<double>(limit.rlim_cur);
  }
  return sample;
}

}  // namespace

ServerMetrics::ServerMetrics()
    : request_count_(registry_.add("http_request_count",
                                   "Requests to the instrumented routes, by verb, path and code",
                                   MetricType::counter, {"verb", "path", "code"})),
      request_latencies_(
          registry_.add("http_request_latencies", "Time to answer a request, in microseconds",
                        MetricType::histogram, {"verb", "path"}, upstream_latency_buckets())),
      request_duration_(registry_.add("http_request_duration_microseconds",
                                      "Time to answer a request, in microseconds",
                                      MetricType::summary, {"verb", "path"})),
      pod_count_(registry_.add("pod_identity_webhook_pod_count",
                               "Pods given an identity, by credential method", MetricType::counter,
                               {"method"})),
      missing_sa_(registry_.add("pod_identity_webhook_missing_sa_count",
                                "Pods whose ServiceAccount was not known", MetricType::counter)),
      used_(registry_.add("pod_identity_webhook_used", "1 once any ServiceAccount has been loaded",
                          MetricType::gauge)),
      admission_duration_(registry_.add("irsa_webhook_admission_duration_seconds",
                                        "Time to review one AdmissionReview", MetricType::histogram,
                                        {}, admission_buckets())),
      admissions_(registry_.add("irsa_webhook_admissions_total",
                                "AdmissionReviews answered, by result", MetricType::counter,
                                {"result"})),
      warnings_(registry_.add("irsa_webhook_warnings_total",
                              "Warnings returned to the API server, by what they are about",
                              MetricType::counter, {"kind"})),
      policy_violations_(registry_.add("irsa_webhook_policy_violations_total",
                                       "Pods whose role violated a role policy rule, by rule and "
                                       "mode (audit: admitted with a warning; enforce: denied)",
                                       MetricType::counter, {"rule", "mode"})),
      service_accounts_(registry_.add("irsa_webhook_service_accounts",
                                      "ServiceAccounts known to the webhook", MetricType::gauge)),
      ready_(registry_.add("irsa_webhook_ready", "1 while /readyz answers 200", MetricType::gauge)),
      certificate_reloads_(registry_.add("irsa_webhook_certificate_reloads_total",
                                         "Loads of the serving certificate, by result",
                                         MetricType::counter, {"result"})),
      certificate_expiry_(
          registry_.add("irsa_webhook_certificate_expiry_timestamp_seconds",
                        "When the serving certificate expires, in seconds since the Unix epoch",
                        MetricType::gauge)),
      file_reloads_(registry_.add("irsa_webhook_file_reloads_total",
                                  "Loads of watched configuration files, by file and result",
                                  MetricType::counter, {"file", "result"})),
      kube_lists_(registry_.add("irsa_webhook_kube_lists_total",
                                "Complete LISTs from the Kubernetes API, by resource",
                                MetricType::counter, {"resource"})),
      kube_relists_(registry_.add("irsa_webhook_kube_relists_total",
                                  "LISTs made because a watch could not resume (410 Gone)",
                                  MetricType::counter, {"resource"})),
      kube_watch_restarts_(registry_.add("irsa_webhook_kube_watch_restarts_total",
                                         "Watches that broke and were opened again",
                                         MetricType::counter, {"resource"})),
      kube_api_errors_(registry_.add(
          "irsa_webhook_kube_api_errors_total",
          "Failed Kubernetes API calls, by resource and HTTP status (or transport, malformed)",
          MetricType::counter, {"resource", "code"})),
      account_fetches_(registry_.add("irsa_webhook_service_account_fetches_total",
                                     "GETs of ServiceAccounts missing from the cache, by outcome",
                                     MetricType::counter, {"outcome"})),
      account_lookups_(registry_.add("irsa_webhook_service_account_lookups_total",
                                     "ServiceAccount lookups of admissions, by outcome",
                                     MetricType::counter, {"outcome"})),
      account_wait_(
          registry_.add("irsa_webhook_service_account_wait_seconds",
                        "Time admissions waited for a ServiceAccount missing from the cache",
                        MetricType::histogram, {},
                        {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      account_waiters_(registry_.add("irsa_webhook_service_account_waiters",
                                     "Admissions waiting for a ServiceAccount right now",
                                     MetricType::gauge)),
      closed_for_pressure_(registry_.add(
          "irsa_webhook_connections_closed_for_pressure_total",
          "Connections waiting for their client that were closed to make room at the connection "
          "limit, by port and by what they waited for (unused, idle, headers)",
          MetricType::counter, {"port", "phase"})),
      connections_refused_(registry_.add(
          "irsa_webhook_connections_refused_total",
          "New connections closed at once: at the limit, with no waiting connection to close",
          MetricType::counter, {"port"})),
      overload_refusals_(registry_.add(
          "irsa_webhook_overload_refusals_total",
          "Requests answered 503 because their body did not fit in the request memory budget",
          MetricType::counter, {"port"})),
      under_pressure_(registry_.add("irsa_webhook_under_pressure",
                                    "1 while a resource is under pressure (connections past three "
                                    "quarters of their limit, request memory past three quarters "
                                    "of its budget), until it falls back to half",
                                    MetricType::gauge, {"resource"})),
      open_connections_(registry_.add("irsa_webhook_open_connections",
                                      "Connections open now, by port", MetricType::gauge,
                                      {"port"})),
      request_memory_(registry_.add("irsa_webhook_request_memory_bytes",
                                    "Request body memory taken from the budget now",
                                    MetricType::gauge)),
      request_memory_limit_(registry_.add("irsa_webhook_request_memory_limit_bytes",
                                          "The request memory budget", MetricType::gauge)),
      resident_memory_(registry_.add("process_resident_memory_bytes", "Resident memory size",
                                     MetricType::gauge)),
      virtual_memory_(
          registry_.add("process_virtual_memory_bytes", "Virtual memory size", MetricType::gauge)),
      cpu_seconds_(registry_.add("process_cpu_seconds_total", "User and system CPU time spent",
                                 MetricType::counter)),
      open_fds_(registry_.add("process_open_fds", "Open file descriptors", MetricType::gauge)),
      max_fds_(
          registry_.add("process_max_fds", "Limit on open file descriptors", MetricType::gauge)),
      start_time_(registry_.add("process_start_time_seconds",
                                "Start time of the process in seconds since the Unix epoch",
                                MetricType::gauge)),
      mutate_ok_count_(request_count_.value({"POST", "/mutate", "200"})),
      mutate_latencies_(request_latencies_.histogram({"POST", "/mutate"})),
      mutate_duration_(request_duration_.histogram({"POST", "/mutate"})),
      admission_seconds_(admission_duration_.histogram({})) {
  std::size_t slot = 0;
  for (auto result : {core::Result::mutated, core::Result::unchanged, core::Result::not_mutated,
                      core::Result::denied, core::Result::forbidden}) {
    admissions_by_result_[slot++] = {result,
                                     &admissions_.value({std::string(core::to_string(result))})};
  }
  failed_admissions_ = &admissions_.value({std::string(kFailedReview)});
  for (std::size_t kind = 0; kind < core::kWarningKinds; ++kind) {
    warnings_by_kind_[kind] =
        &warnings_.value({std::string(core::to_string(static_cast<core::WarningKind>(kind)))});
  }
  web_identity_pods_ = &pod_count_.value({"sts_web_identity"});
  container_credentials_pods_ = &pod_count_.value({"container_credentials"});
  slot = 0;
  for (const char* outcome : {"cached", "missing", "found_after_wait", "missing_after_wait"}) {
    lookups_by_outcome_[slot++] = {outcome, &account_lookups_.value({outcome})};
  }
  certificate_reloads_.value({"success"});
  certificate_reloads_.value({"failure"});
  for (const char* port : {"webhook", "metrics"}) {
    connections_refused_.value({port});
    overload_refusals_.value({port});
    open_connections_.value({port});
    for (const char* phase : {"unused", "idle", "headers"}) {
      closed_for_pressure_.value({port, phase});
    }
  }
  for (const char* resource : {"webhook_connections", "metrics_connections", "request_memory"}) {
    under_pressure_.value({resource});
  }
  request_memory_.value({});
  request_memory_limit_.value({});
  service_accounts_.value({});
  ready_.value({});
  certificate_expiry_.value({});
}

void ServerMetrics::record_request(std::string_view verb, std::string_view path, unsigned code,
                                   std::chrono::nanoseconds elapsed) {
  const double micros = microseconds(elapsed);
  if (verb == "POST" && path == "/mutate") {
    if (code == 200) {
      mutate_ok_count_.add(1);
    } else {
      request_count_.value({"POST", "/mutate", std::to_string(code)}).add(1);
    }
    mutate_latencies_.observe(micros);
    mutate_duration_.observe(micros);
    return;
  }
  // The path is one of the route table's (only routed requests are recorded); the verb is not.
  const std::string verb_text(verb_label(verb));
  const std::string path_text(path);
  request_count_.value({verb_text, path_text, std::to_string(code)}).add(1);
  request_latencies_.histogram({verb_text, path_text}).observe(micros);
  request_duration_.histogram({verb_text, path_text}).observe(micros);
}

void ServerMetrics::record_admission(const core::Decision& decision,
                                     std::chrono::nanoseconds elapsed) {
  admission_seconds_.observe(seconds(elapsed));
  for (const auto& [result, series] : admissions_by_result_) {
    if (result == decision.result) series->add(1);
  }
  for (const core::WarningKind kind : decision.warning_kinds) {
    warnings_by_kind_[static_cast<std::size_t>(kind)]->add(1);
  }
  if (!decision.policy_rule.empty()) {
    // The rule names come from the policy file (at most 1000 rules), so the series are bounded.
    policy_violations_.value({decision.policy_rule, std::string(decision.policy_mode)}).add(1);
  }
  // Upstream counts a pod whenever it works out an identity for it, patch or not.
  if (decision.result == core::Result::mutated || decision.result == core::Result::unchanged) {
    if (decision.mode == core::Mode::web_identity) web_identity_pods_->add(1);
    if (decision.mode == core::Mode::container_credentials) container_credentials_pods_->add(1);
  }
  if (decision.service_account_missing) missing_sa_.value({}).add(1);
}

void ServerMetrics::record_failed_admission(std::chrono::nanoseconds elapsed) {
  admission_seconds_.observe(seconds(elapsed));
  failed_admissions_->add(1);
}

void ServerMetrics::set_service_accounts(std::size_t known) {
  service_accounts_.value({}).set(static_cast<double>(known));
  if (known > 0) used_.value({}).set(1);
}

void ServerMetrics::set_ready(bool ready) {
  ready_.value({}).set(ready ? 1 : 0);
}

void ServerMetrics::record_certificate_reload(bool ok, double not_after) {
  certificate_reloads_.value({ok ? "success" : "failure"}).add(1);
  if (ok) certificate_expiry_.value({}).set(not_after);
}

void ServerMetrics::record_file_reload(std::string_view source, bool ok) {
  file_reloads_.value({std::string(source), ok ? "success" : "failure"}).add(1);
}

void ServerMetrics::record_list(std::string_view resource) {
  kube_lists_.value({std::string(resource)}).add(1);
}

void ServerMetrics::record_relist(std::string_view resource) {
  kube_relists_.value({std::string(resource)}).add(1);
}

void ServerMetrics::record_watch_restart(std::string_view resource) {
  kube_watch_restarts_.value({std::string(resource)}).add(1);
}

void ServerMetrics::record_api_error(std::string_view resource, std::string_view code) {
  kube_api_errors_.value({std::string(resource), std::string(code)}).add(1);
}

void ServerMetrics::record_account_fetch(std::string_view outcome) {
  account_fetches_.value({std::string(outcome)}).add(1);
}

void ServerMetrics::record_account_lookup(std::string_view outcome) {
  for (const auto& [known, series] : lookups_by_outcome_) {
    if (known == outcome) {
      series->add(1);
      return;
    }
  }
  account_lookups_.value({std::string(outcome)}).add(1);
}

void ServerMetrics::record_account_wait(std::chrono::nanoseconds waited) {
  account_wait_.histogram({}).observe(seconds(waited));
}

void ServerMetrics::set_account_waiters(std::size_t waiting) {
  account_waiters_.value({}).set(static_cast<double>(waiting));
}

void ServerMetrics::record_closed_for_pressure(std::string_view port, std::string_view phase) {
  closed_for_pressure_.value({std::string(port), std::string(phase)}).add(1);
}

void ServerMetrics::record_connection_refused(std::string_view port) {
  connections_refused_.value({std::string(port)}).add(1);
}

void ServerMetrics::record_refused_for_memory(std::string_view port) {
  overload_refusals_.value({std::string(port)}).add(1);
}

void ServerMetrics::set_under_pressure(std::string_view resource, bool active) {
  under_pressure_.value({std::string(resource)}).set(active ? 1 : 0);
}

void ServerMetrics::set_open_connections(std::string_view port, std::size_t open) {
  open_connections_.value({std::string(port)}).set(static_cast<double>(open));
}

void ServerMetrics::set_request_memory(std::size_t used, std::size_t limit) {
  request_memory_.value({}).set(static_cast<double>(used));
  request_memory_limit_.value({}).set(static_cast<double>(limit));
}

std::string ServerMetrics::render() {
  const ProcessSample sample = sample_process();
  resident_memory_.value({}).set(sample.resident_bytes);
  virtual_memory_.value({}).set(sample.virtual_bytes);
  cpu_seconds_.value({}).set(sample.cpu_seconds);
  open_fds_.value({}).set(sample.open_fds);
  max_fds_.value({}).set(sample.max_fds);
  start_time_.value({}).set(sample.start_time);
  return registry_.render();
}

}  // namespace irsa::server
