// doctor offline: the accounts, the ConfigMap and the pod come from files, and what needs a
// cluster is skipped.
#include "doctor_files.hpp"
#include "doctor_run.hpp"
#include "irsa/doctor/json_fields.hpp"

namespace irsa::cli::doctor_run {

namespace {

using doctor::fields::field;
using doctor::fields::text;

std::string joined_names(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 5;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kShown; ++i) {
    out.append(i == 0 ? "" : ", ").append(names[i]);
  }
  if (names.size() > kShown) out += " and " + std::to_string(names.size() - kShown) + " more";
  return out.empty() ? "none" : out;
}

// The account a pod runs as: spec.serviceAccountName, "default" when it names none.
doctor::Subject account_of(const nlohmann::json& pod) {
  std::string account = text(field(pod, "spec"), "serviceAccountName");
  if (account.empty()) account = "default";
  return {text(field(pod, "metadata"), "namespace"), account};
}

std::vector<doctor::Subject> choose_subjects(const DoctorOptions& options, const Common& common,
                                             const OfflineWorld& world) {
  const auto names = account_names(world);
  std::vector<doctor::Subject> subjects;
  const std::optional<Target> target = parse_subject(options);
  if (target && !target->pod_name.empty()) {
    throw UsageError(
        "pod/NAME reads a pod from the cluster; offline, give the pod with --pod=FILE");
  }
  if (target) {
    if (world.pod) {
      const doctor::Subject runs_as = account_of(*world.pod);
      if (runs_as.ns != target->subject.ns ||
          runs_as.service_account != target->subject.service_account) {
        throw UsageError("the pod of " + options.pod_file + " runs as " + runs_as.ns + "/" +
                         runs_as.service_account + ", not " + target->subject.ns + "/" +
                         target->subject.service_account);
      }
    }
    return {target->subject};
  }
  if (world.pod) return {account_of(*world.pod)};
  const doctor::Read config_map =
      world.config_map ? doctor::Read::of(*world.config_map) : doctor::Read{};
  if (options.all_namespaces || !options.ns.empty()) {
    // As against a cluster: every account that names a role.
    for (const auto& account : world.service_accounts) {
      if (!options.all_namespaces && account.ns != options.ns) continue;
      if (names_role(account.object, common, config_map)) {
        subjects.push_back({account.ns, account.name});
      }
    }
    return subjects;
  }
  if (names.size() == 1)
    return {{world.service_accounts.front().ns, world.service_accounts.front().name}};
  if (names.empty()) {
    throw UsageError("no ServiceAccount to check: give --service-account=FILE or --pod=FILE");
  }
  throw UsageError("the files hold " + std::to_string(names.size()) + " ServiceAccounts (" +
                   joined_names(names) +
                   "); name one as NAMESPACE/NAME, or use -n NAMESPACE or --all-namespaces");
}

}  // namespace

std::vector<doctor::SubjectReport> run_offline(const DoctorOptions& options, Common common) {
  if (!options.kubeconfig.empty() || !options.kube_api.empty()) {
    throw UsageError(
        "--service-account and --pod read files offline; drop --kubeconfig and "
        "--kube-api, or drop the files to read the cluster");
  }
  if (options.try_assume) {
    throw UsageError("--try-assume needs a token from a cluster; it does not work offline");
  }
  const OfflineWorld world =
      load_offline_world(options.service_account_files, options.pod_file, common.settings.mutation);
  if (world.config_map) common.settings.watch_config_map = true;
  const auto names = account_names(world);

  std::vector<doctor::SubjectReport> reports;
  for (const auto& subject : choose_subjects(options, common, world)) {
    doctor::Evidence evidence;
    evidence.subject = subject;
    add_outside_evidence(options, common, evidence);
    if (world.pod) evidence.pod = doctor::Read::of(*world.pod);
    if (world.controller) evidence.pod_controller = doctor::Read::of(*world.controller);
    if (world.config_map) evidence.config_map = doctor::Read::of(*world.config_map);
    for (const auto& account : world.service_accounts) {
      if (account.ns == subject.ns && account.name == subject.service_account) {
        evidence.service_account = doctor::Read::of(account.object);
      }
    }
    if (!evidence.service_account.found()) {
      evidence.service_account =
          options.service_account_files.empty()
              ? doctor::Read{}
              : doctor::Read::refused(doctor::ReadState::not_found, {},
                                      "the files hold " + joined_names(names));
    }
    reports.push_back(doctor::run_checks(evidence, common.settings));
  }
  return reports;
}

}  // namespace irsa::cli::doctor_run
