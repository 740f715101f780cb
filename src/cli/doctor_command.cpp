#include "irsa/cli/doctor_command.hpp"

#include <CLI/CLI.hpp>
#include <ostream>

#include "doctor_files.hpp"
#include "doctor_run.hpp"
#include "irsa/doctor/report.hpp"
#include "irsa/doctor/trust_policy.hpp"
#include "irsa/store/manifests.hpp"

namespace irsa::cli {

CLI::App& add_doctor_command(CLI::App& app, DoctorOptions& options) {
  CLI::App* command = app.add_subcommand(
      "doctor",
      "Find out why a workload's AWS identity does not work: checks the ServiceAccount, the "
      "role ARN, the webhook, the pods, the issuer, a token, the trust policy, the pod's "
      "environment and (with --try-assume) STS, and prints the fix for each link that fails");
  command->add_option("subject", options.subject,
                      "NAMESPACE/SERVICEACCOUNT, SERVICEACCOUNT (with -n), or pod/NAME (with -n); "
                      "omit with -n NAMESPACE or --all-namespaces to check every account that "
                      "names a role");
  command->add_option("-n,--namespace", options.ns, "Namespace of the subject (as in kubectl)");
  command->add_flag("-A,--all-namespaces", options.all_namespaces,
                    "Every ServiceAccount of the cluster that names a role");
  const std::string cluster = "Cluster (as the server reaches it)";
  command->add_option("--kubeconfig", options.kubeconfig, "kubeconfig file (current context)")
      ->group(cluster);
  command->add_option("--kube-api", options.kube_api, "API server URL, replacing the kubeconfig's")
      ->group(cluster);
  command
      ->add_flag("--watch-config-map", options.watch_config_map,
                 "The webhook reads the pod-identity-webhook ConfigMap")
      ->group(cluster);
  command
      ->add_option("--webhook-namespace", options.webhook_namespace,
                   "Namespace of the pod-identity-webhook ConfigMap (the server's --namespace)")
      ->capture_default_str()
      ->group(cluster);
  const std::string evidence = "Evidence from outside the cluster";
  command
      ->add_option("--trust-policy", options.trust_policy_file,
                   "The role's trust policy: the document or `aws iam get-role` output, "
                   "URL-encoded or not; - for stdin")
      ->group(evidence);
  command
      ->add_option("--issuer", options.issuer,
                   "The cluster's OIDC issuer URL, when the API server cannot be asked")
      ->group(evidence);
  const std::string offline = "Offline (no cluster)";
  command
      ->add_option("--service-account", options.service_account_files,
                   "ServiceAccount file (YAML or JSON; may hold the pod-identity-webhook "
                   "ConfigMap); repeatable")
      ->take_all()
      ->group(offline);
  command
      ->add_option("--pod", options.pod_file,
                   "Pod, AdmissionReview or workload file (YAML or JSON), - for stdin")
      ->group(offline);
  const std::string sts = "STS";
  command
      ->add_flag("--try-assume", options.try_assume,
                 "Call STS AssumeRoleWithWebIdentity with a fresh token (unsigned; the "
                 "credentials are discarded unread)")
      ->group(sts);
  command
      ->add_option("--sts-endpoint", options.sts_endpoint,
                   "STS URL (default: the partition's regional endpoint for the region, or the "
                   "global one); AWS_CA_BUNDLE names extra trusted CAs")
      ->group(sts);
  command->add_option("--output,-o", options.output, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  // As pflag does (and the server's flags): a repeated flag keeps its last value.
  for (CLI::Option* option : command->get_options()) {
    if (option->get_name() != "--service-account" && option->get_expected_max() == 1) {
      option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
  }
  add_mutation_flags(*command, options.mutation);
  return *command;
}

namespace {

using doctor_run::Common;
using doctor_run::UsageError;

std::string read_input(const std::string& path) {
  auto read = store::read_text(path);
  if (!read.error.empty()) throw DoctorInputError(read.error);
  return std::move(read.text);
}

std::string environment_value(const kube::Environment& environment, const char* name) {
  const auto value = environment(name);
  return value ? *value : std::string();
}

Common common_inputs(const DoctorOptions& options, const kube::Environment& environment) {
  Common common;
  try {
    common.settings.mutation = to_settings(options.mutation);
  } catch (const std::invalid_argument& error) {
    throw UsageError(error.what());
  }
  common.settings.watch_config_map = options.watch_config_map;
  common.settings.try_assume = options.try_assume;
  common.settings.container_credentials_file = options.mutation.container_credentials_config;
  if (!options.trust_policy_file.empty()) {
    std::string text = read_input(options.trust_policy_file);
    const auto parsed = doctor::parse_trust_policy(text);
    if (!parsed.error.empty()) {
      throw DoctorInputError(
          (options.trust_policy_file == "-" ? std::string("stdin") : options.trust_policy_file) +
          ": " + parsed.error);
    }
    common.trust_policy = std::move(text);
  }
  if (!options.mutation.container_credentials_config.empty()) {
    const std::string& path = options.mutation.container_credentials_config;
    const auto parsed = core::parse_container_credentials_config(read_input(path));
    if (!parsed.error.empty()) throw DoctorInputError(path + ": " + parsed.error);
    common.container_credentials = parsed.identities;
    common.container_credentials_known = true;
  }
  common.region = options.mutation.aws_default_region;
  if (common.region.empty()) common.region = environment_value(environment, "AWS_REGION");
  if (common.region.empty()) common.region = environment_value(environment, "AWS_DEFAULT_REGION");
  common.ca_bundle = environment_value(environment, "AWS_CA_BUNDLE");
  return common;
}

void print(const DoctorOptions& options, const std::vector<doctor::SubjectReport>& reports,
           bool single, std::ostream& out) {
  if (options.output == "json") {
    if (single) {
      out << doctor::to_json(reports.front()).dump(2) << '\n';
      return;
    }
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const auto& report : reports) all.push_back(doctor::to_json(report));
    out << all.dump(2) << '\n';
    return;
  }
  if (single) {
    out << doctor::render_text(reports.front());
    return;
  }
  if (reports.empty()) {
    out << "no ServiceAccount "
        << (options.all_namespaces ? "in the cluster" : "in namespace " + options.ns)
        << " names a role\n";
    return;
  }
  out << doctor::render_summary_text(reports);
}

}  // namespace

int run_doctor(const DoctorOptions& options, const kube::Environment& environment,
               std::ostream& out, std::ostream& err) {
  try {
    if (options.all_namespaces && !options.subject.empty()) {
      throw UsageError("--all-namespaces checks every account; drop \"" + options.subject + "\"");
    }
    if (options.pod_file == "-" && options.trust_policy_file == "-") {
      throw UsageError("--pod and --trust-policy cannot both read standard input");
    }
    const Common common = common_inputs(options, environment);
    const bool offline = !options.service_account_files.empty() || !options.pod_file.empty();
    const std::vector<doctor::SubjectReport> reports =
        offline ? doctor_run::run_offline(options, common)
                : doctor_run::run_cluster(options, common, environment);
    const bool single = !options.subject.empty() || (offline && reports.size() == 1 &&
                                                     !options.all_namespaces && options.ns.empty());
    print(options, reports, single && !reports.empty(), out);
    for (const auto& report : reports) {
      if (report.failed()) return 1;
    }
    return 0;
  } catch (const std::exception& error) {
    // A command line that cannot work (UsageError), an input that cannot be read
    // (DoctorInputError), or anything else that stopped the run: one line, exit 2.
    err << "irsa-webhook doctor: " << error.what() << '\n';
    return 2;
  }
}

}  // namespace irsa::cli
