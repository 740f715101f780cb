#include <chrono>

#include "doctor_run.hpp"
#include "irsa/doctor/json_fields.hpp"

namespace irsa::cli::doctor_run {

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<Target> parse_subject(const DoctorOptions& options) {
  const std::string& text = options.subject;
  if (text.empty()) return std::nullopt;
  const std::string ns = options.ns.empty() ? std::string("default") : options.ns;
  const auto slash = text.find('/');
  if (slash == std::string::npos) return Target{{ns, text}, {}};
  const std::string first = text.substr(0, slash);
  const std::string rest = text.substr(slash + 1);
  if (rest.empty() || rest.find('/') != std::string::npos || first.empty()) {
    throw UsageError("\"" + text +
                     "\" is not NAMESPACE/SERVICEACCOUNT, SERVICEACCOUNT or pod/NAME");
  }
  if (first == "pod" || first == "pods" || first == "po") return Target{{ns, ""}, rest};
  if (!options.ns.empty() && options.ns != first) {
    throw UsageError("\"" + text + "\" names namespace " + first + " but -n says " + options.ns);
  }
  return Target{{first, rest}, {}};
}

void add_outside_evidence(const DoctorOptions& options, const Common& common,
                          doctor::Evidence& evidence) {
  evidence.issuer_flag = options.issuer;
  evidence.trust_policy_text = common.trust_policy;
  evidence.trust_policy_source =
      options.trust_policy_file == "-" ? "stdin" : options.trust_policy_file;
  evidence.container_credentials_known = common.container_credentials_known;
  evidence.container_credentials_listed = common.container_credentials.contains(
      core::NamespacedName{evidence.subject.ns, evidence.subject.service_account});
  evidence.now = unix_now();
}

bool names_role(const nlohmann::json& account, const Common& common,
                const doctor::Read& config_map) {
  doctor::Evidence probe;
  const auto& metadata = doctor::fields::field(account, "metadata");
  probe.subject = {doctor::fields::text(metadata, "namespace"),
                   doctor::fields::text(metadata, "name")};
  probe.service_account = doctor::Read::of(account);
  probe.config_map = config_map;
  probe.container_credentials_listed = common.container_credentials.contains(
      core::NamespacedName{probe.subject.ns, probe.subject.service_account});
  return doctor::resolve_identity(probe, common.settings).source != doctor::IdentitySource::none;
}

}  // namespace irsa::cli::doctor_run
