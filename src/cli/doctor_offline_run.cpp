// doctor offline: the accounts, the ConfigMap and the pod come from files, and what needs a
// cluster is skipped.
#include "doctor_files.hpp"
#include "doctor_run.hpp"

namespace irsa::cli::doctor_run {

namespace {

std::string joined_names(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 5;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kShown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > kShown) out += " and " + std::to_string(names.size() - kShown) + " more";
  return out.empty() ? "none" : out;
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
  const OfflineWorld world = load_offline_world(options.service_account_files, options.pod_file);
  if (world.config_map) common.settings.watch_config_map = true;
  const auto names = account_names(world);

  std::vector<doctor::Subject> subjects;
  if (auto target = parse_subject(options); target && target->pod_name.empty()) {
    subjects.push_back(target->subject);
  } else if (target) {
    throw UsageError(
        "pod/NAME reads a pod from the cluster; offline, give the pod with --pod=FILE");
  } else if (world.pod) {
    const auto& pod = *world.pod;
    std::string account =
        pod.value("spec", nlohmann::json::object()).value("serviceAccountName", "");
    if (account.empty()) account = "default";
    subjects.push_back({pod["metadata"].value("namespace", "default"), account});
  } else if (options.all_namespaces || !options.ns.empty() || names.size() == 1) {
    for (const auto& account : world.service_accounts) {
      const std::string ns = account["metadata"].value("namespace", "");
      if (!options.all_namespaces && !options.ns.empty() && ns != options.ns) continue;
      subjects.push_back({ns, account["metadata"].value("name", "")});
    }
  } else if (names.empty()) {
    throw UsageError("no ServiceAccount to check: give --service-account=FILE or --pod=FILE");
  } else {
    throw UsageError("the files hold " + std::to_string(names.size()) + " ServiceAccounts (" +
                     joined_names(names) +
                     "); name one as NAMESPACE/NAME, or use -n NAMESPACE or --all-namespaces");
  }

  std::vector<doctor::SubjectReport> reports;
  for (const auto& subject : subjects) {
    doctor::Evidence evidence;
    evidence.subject = subject;
    add_outside_evidence(options, common, evidence);
    if (world.pod) evidence.pod = doctor::Read::of(*world.pod);
    if (world.config_map) evidence.config_map = doctor::Read::of(*world.config_map);
    for (const auto& account : world.service_accounts) {
      if (account["metadata"].value("namespace", "") == subject.ns &&
          account["metadata"].value("name", "") == subject.service_account) {
        evidence.service_account = doctor::Read::of(account);
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
