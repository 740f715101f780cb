#include "audit_log.hpp"

#include <charconv>
#include <string>
#include <vector>

namespace irsa::server {

namespace {

// The items separated by commas, in `out` (replacing what it held).
void join_into(std::string& out, const std::vector<std::string>& items) {
  out.clear();
  for (const auto& item : items) {
    if (!out.empty()) out.push_back(',');
    out.append(item);
  }
}

// A number in decimal, as std::to_string writes it, without a string of its own.
class DecimalText {
 public:
  template <typename Integer>
  explicit DecimalText(Integer value) noexcept
      : end_(std::to_chars(digits_, digits_ + sizeof digits_, value).ptr) {}
  [[nodiscard]] std::string_view view() const noexcept {
    return {digits_, static_cast<std::size_t>(end_ - digits_)};
  }

 private:
  char digits_[24];
  char* end_;
};

}  // namespace

std::string_view verb_of(const Request& request) noexcept {
  const auto verb = request.method_string();
  return {verb.data(), verb.size()};
}

// The values are put together in buffers of the calling thread, which keep their capacity, so
// that one line per admission costs no allocation.
void log_admission(const Logger& log, const core::Decision& decision,
                   std::chrono::nanoseconds elapsed) {
  thread_local std::string mutated;
  thread_local std::string skipped;
  thread_local std::string warning_kinds;
  join_into(mutated, decision.mutated_containers);
  join_into(skipped, decision.skipped_containers);
  warning_kinds.clear();
  for (const auto kind : decision.warning_kinds) {
    if (!warning_kinds.empty()) warning_kinds.push_back(',');
    warning_kinds.append(core::to_string(kind));
  }
  const DecimalText micros(elapsed.count() / 1000);
  const DecimalText warnings(decision.warnings.size());
  if (decision.result == core::Result::denied) {
    log.deferred(LogLevel::warn, "admission denied",
                 {{"uid", decision.uid},
                  {"namespace", decision.ns},
                  {"pod", decision.pod_name},
                  {"user", decision.user},
                  {"error", decision.error},
                  {"elapsed_us", micros.view()}});
    return;
  }
  if (decision.result == core::Result::forbidden) {
    log.deferred(LogLevel::warn, "admission forbidden by the role policy",
                 {{"uid", decision.uid},
                  {"namespace", decision.ns},
                  {"pod", decision.pod_name},
                  {"service_account", decision.service_account},
                  {"role_arn", decision.role_arn},
                  {"policy_rule", decision.policy_rule},
                  {"policy_mode", decision.policy_mode},
                  {"policy_violation", decision.policy_violation},
                  {"operation", decision.operation},
                  {"dry_run", decision.dry_run ? "true" : "false"},
                  {"user", decision.user},
                  {"elapsed_us", micros.view()}});
    return;
  }
  log.deferred(LogLevel::info, "admission",
               {{"result", core::to_string(decision.result)},
                {"uid", decision.uid},
                {"namespace", decision.ns},
                {"pod", decision.pod_name},
                {"service_account", decision.service_account},
                {"mode", core::to_string(decision.mode)},
                {"role_arn", decision.role_arn},
                {"containers_mutated", mutated},
                {"containers_skipped", skipped},
                {"operation", decision.operation},
                {"dry_run", decision.dry_run ? "true" : "false"},
                {"user", decision.user},
                {"warnings", warnings.view()},
                {"warning_kinds", warning_kinds},
                {"policy_rule", decision.policy_rule},
                {"policy_violation", decision.policy_violation},
                {"elapsed_us", micros.view()}});
}

void log_request(const Logger& log, const Request& request, std::string_view path, unsigned code,
                 std::size_t body_bytes) {
  if (!log.enabled(4)) return;
  const auto agent = request[http::field::user_agent];
  log.detail(4, "request",
             {{"path", path},
              {"method", verb_of(request)},
              {"status", std::to_string(code)},
              {"user_agent", {agent.data(), agent.size()}},
              {"body_bytes", std::to_string(body_bytes)}});
}

}  // namespace irsa::server
