#include "irsa/cli/doctor_command.hpp"

#include <openssl/crypto.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <ostream>
#include <set>

#include "doctor_cluster_reader.hpp"
#include "doctor_files.hpp"
#include "irsa/aws/sts_client.hpp"
#include "irsa/core/arn.hpp"
#include "irsa/core/identity_sources.hpp"
#include "irsa/doctor/checks.hpp"
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
  command
      ->add_option("--output,-o", options.output, "text or json")
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

constexpr std::int64_t kTokenSeconds = 600;  // the TokenRequest API's minimum
constexpr const char* kSessionName = "irsa-webhook-doctor";

// A command line that cannot work: exit 2 with this one line.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Target {
  doctor::Subject subject;
  std::string pod_name;  // pod/NAME: the pod whose account is checked
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// NS/NAME, NAME, pod/NAME; "" for a whole namespace or the cluster.
std::optional<Target> parse_subject(const DoctorOptions& options) {
  const std::string& text = options.subject;
  if (text.empty()) return std::nullopt;
  const std::string ns = options.ns.empty() ? std::string("default") : options.ns;
  const auto slash = text.find('/');
  if (slash == std::string::npos) return Target{{ns, text}, {}};
  const std::string first = text.substr(0, slash);
  const std::string rest = text.substr(slash + 1);
  if (rest.empty() || rest.find('/') != std::string::npos || first.empty()) {
    throw UsageError("\"" + text + "\" is not NAMESPACE/SERVICEACCOUNT, SERVICEACCOUNT or pod/NAME");
  }
  if (first == "pod" || first == "pods" || first == "po") return Target{{ns, ""}, rest};
  if (!options.ns.empty() && options.ns != first) {
    throw UsageError("\"" + text + "\" names namespace " + first + " but -n says " + options.ns);
  }
  return Target{{first, rest}, {}};
}

std::string read_input(const std::string& path) {
  auto read = store::read_text(path);
  if (!read.error.empty()) throw DoctorInputError(read.error);
  return std::move(read.text);
}

std::string environment_value(const kube::Environment& environment, const char* name) {
  const auto value = environment(name);
  return value ? *value : std::string();
}

// What every subject shares: the flags, the trust policy, the Pod Identity list.
struct Common {
  doctor::DoctorSettings settings;
  std::optional<std::string> trust_policy;
  std::set<core::NamespacedName> container_credentials;
  bool container_credentials_known = false;
  std::string region;
  std::string ca_bundle;
};

void add_outside_evidence(const DoctorOptions& options, const Common& common,
                          doctor::Evidence& evidence) {
  evidence.issuer_flag = options.issuer;
  evidence.trust_policy_text = common.trust_policy;
  evidence.trust_policy_source = options.trust_policy_file == "-" ? "stdin" : options.trust_policy_file;
  evidence.container_credentials_known = common.container_credentials_known;
  evidence.container_credentials_listed = common.container_credentials.contains(
      core::NamespacedName{evidence.subject.ns, evidence.subject.service_account});
  evidence.now = unix_now();
}

// STS's word on a token, with the credentials it returns never leaving the AWS client.
doctor::StsOutcome ask_sts(const DoctorOptions& options, const Common& common,
                           const std::string& role_arn, const std::string& token) {
  doctor::StsOutcome outcome;
  outcome.asked = true;
  const core::RoleArnCheck role = core::check_role_arn(role_arn);
  outcome.endpoint = !options.sts_endpoint.empty()
                         ? options.sts_endpoint
                         : aws::sts_endpoint(role.ok ? role.partition : "aws", common.region);
  const aws::StsAnswer answer = aws::assume_role_with_web_identity(
      {outcome.endpoint, role_arn, kSessionName, token, common.ca_bundle});
  outcome.transport_error = answer.transport_error;
  outcome.status = answer.status;
  outcome.error_code = answer.error_code;
  outcome.error_message = answer.error_message;
  outcome.assumed_role_arn = answer.assumed_role_arn;
  outcome.expiration = answer.expiration;
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// From the cluster

struct ClusterWide {
  doctor::Read webhook_configurations;
  std::map<std::string, doctor::Read> service_endpoints;
  doctor::Read discovery;
  doctor::Read config_map;
};

ClusterWide read_cluster_wide(DoctorClusterReader& reader, const DoctorOptions& options) {
  ClusterWide wide;
  wide.webhook_configurations = reader.webhook_configurations();
  if (wide.webhook_configurations.found()) {
    for (const auto& key : doctor::identity_webhook_services(wide.webhook_configurations.object)) {
      const auto slash = key.find('/');
      wide.service_endpoints[key] =
          reader.service_endpoints(key.substr(0, slash), key.substr(slash + 1));
    }
  }
  wide.discovery = reader.discovery();
  if (options.watch_config_map) {
    wide.config_map = reader.config_map(options.webhook_namespace, std::string(store::kConfigMapName));
  }
  return wide;
}

doctor::Evidence cluster_evidence(DoctorClusterReader& reader, const DoctorOptions& options,
                                  const Common& common, const ClusterWide& wide,
                                  const doctor::Subject& subject, const doctor::Read& pod,
                                  doctor::Read account) {
  doctor::Evidence evidence;
  evidence.subject = subject;
  evidence.cluster = true;
  add_outside_evidence(options, common, evidence);
  evidence.service_account = std::move(account);
  evidence.pod = pod;
  if (pod.found()) evidence.pod_controller = reader.controller_of(pod.object);
  evidence.config_map = wide.config_map;
  evidence.namespace_object = reader.namespace_object(subject.ns);
  evidence.webhook_configurations = wide.webhook_configurations;
  evidence.service_endpoints = wide.service_endpoints;
  evidence.account_pods = reader.account_pods(subject.ns, subject.service_account);
  evidence.discovery = wide.discovery;

  const doctor::ResolvedIdentity identity = doctor::resolve_identity(evidence, common.settings);
  const bool web_identity = identity.source == doctor::IdentitySource::annotation ||
                            identity.source == doctor::IdentitySource::config_map;
  if (!web_identity) return evidence;
  auto minted = reader.token(subject.ns, subject.service_account, identity.audience,
                             kTokenSeconds, options.try_assume);
  evidence.token_claims = std::move(minted.claims);
  evidence.token_lifetime_requested = kTokenSeconds;
  if (options.try_assume && !minted.token.empty()) {
    evidence.sts = ask_sts(options, common, identity.role_arn, minted.token);
  }
  OPENSSL_cleanse(minted.token.data(), minted.token.size());
  return evidence;
}

// Whether an account names a role (or a Pod Identity association) as the webhook decides it.
bool names_role(const nlohmann::json& account, const Common& common, const ClusterWide& wide) {
  doctor::Evidence probe;
  const auto metadata = account.value("metadata", nlohmann::json::object());
  probe.subject = {metadata.value("namespace", ""), metadata.value("name", "")};
  probe.service_account = doctor::Read::of(account);
  probe.config_map = wide.config_map;
  probe.container_credentials_listed = common.container_credentials.contains(
      core::NamespacedName{probe.subject.ns, probe.subject.service_account});
  return doctor::resolve_identity(probe, common.settings).source != doctor::IdentitySource::none;
}

std::vector<doctor::SubjectReport> run_cluster(const DoctorOptions& options, const Common& common,
                                               const kube::Environment& environment) {
  const kube::ConfigLoad load =
      kube::resolve_client_config(options.kubeconfig, options.kube_api, environment);
  if (!load.error.empty()) throw UsageError(load.error);
  DoctorClusterReader reader(load.config);
  const std::optional<Target> target = parse_subject(options);

  // The first read also tells whether the API server answers at all.
  doctor::Read first;
  doctor::Read pod;
  if (target && !target->pod_name.empty()) {
    pod = reader.pod(target->subject.ns, target->pod_name);
    first = pod;
  } else if (target) {
    first = reader.service_account(target->subject.ns, target->subject.service_account);
  } else {
    first = reader.service_accounts(options.all_namespaces ? std::string() : options.ns);
  }
  if (first.state == doctor::ReadState::failed) {
    throw DoctorInputError("cannot read from the API server at " + reader.server() + ": " +
                           first.message);
  }
  if (first.state == doctor::ReadState::forbidden) {
    throw DoctorInputError("the API server refused to " + first.request + ": " + first.message);
  }
  if (target && !target->pod_name.empty()) {
    if (!pod.found()) {
      throw DoctorInputError("pod " + target->subject.ns + "/" + target->pod_name +
                             " not found: " + pod.message);
    }
    std::string account = pod.object.value("spec", nlohmann::json::object()).value("serviceAccountName", "");
    if (account.empty()) account = "default";
    doctor::Subject subject{target->subject.ns, account};
    const ClusterWide wide = read_cluster_wide(reader, options);
    return {doctor::run_checks(
        cluster_evidence(reader, options, common, wide, subject, pod,
                         reader.service_account(subject.ns, subject.service_account)),
        common.settings)};
  }
  const ClusterWide wide = read_cluster_wide(reader, options);
  if (target) {
    return {doctor::run_checks(
        cluster_evidence(reader, options, common, wide, target->subject, {}, std::move(first)),
        common.settings)};
  }
  std::vector<doctor::SubjectReport> reports;
  const auto& items = first.object.value("items", nlohmann::json::array());
  // The API lists nothing, without an error, in a namespace that does not exist.
  if (!options.all_namespaces && (!items.is_array() || items.empty()) &&
      reader.namespace_object(options.ns).state == doctor::ReadState::not_found) {
    throw DoctorInputError("namespace " + options.ns + " does not exist");
  }
  for (const auto& account : items) {
    if (!account.is_object() || !names_role(account, common, wide)) continue;
    const auto metadata = account.value("metadata", nlohmann::json::object());
    const doctor::Subject subject{metadata.value("namespace", ""), metadata.value("name", "")};
    reports.push_back(doctor::run_checks(
        cluster_evidence(reader, options, common, wide, subject, {}, doctor::Read::of(account)),
        common.settings));
  }
  return reports;
}

// ---------------------------------------------------------------------------------------------
// Offline, from files

std::string joined_names(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 5;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kShown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > kShown) out += " and " + std::to_string(names.size() - kShown) + " more";
  return out.empty() ? "none" : out;
}

std::vector<doctor::SubjectReport> run_offline(const DoctorOptions& options, Common common) {
  if (!options.kubeconfig.empty() || !options.kube_api.empty()) {
    throw UsageError("--service-account and --pod read files offline; drop --kubeconfig and "
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
    throw UsageError("pod/NAME reads a pod from the cluster; offline, give the pod with --pod=FILE");
  } else if (world.pod) {
    const auto& pod = *world.pod;
    std::string account = pod.value("spec", nlohmann::json::object()).value("serviceAccountName", "");
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
    throw UsageError("the files hold " + std::to_string(names.size()) +
                     " ServiceAccounts (" + joined_names(names) +
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
      evidence.service_account = options.service_account_files.empty()
                                     ? doctor::Read{}
                                     : doctor::Read::refused(doctor::ReadState::not_found, {},
                                                             "the files hold " + joined_names(names));
    }
    reports.push_back(doctor::run_checks(evidence, common.settings));
  }
  return reports;
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
      throw DoctorInputError((options.trust_policy_file == "-" ? std::string("stdin")
                                                               : options.trust_policy_file) +
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
    out << "no ServiceAccount " << (options.all_namespaces ? "in the cluster" : "in namespace " + options.ns)
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
    const Common common = common_inputs(options, environment);
    const bool offline = !options.service_account_files.empty() || !options.pod_file.empty();
    const std::vector<doctor::SubjectReport> reports =
        offline ? run_offline(options, common) : run_cluster(options, common, environment);
    const bool single = !options.subject.empty() ||
                        (offline && reports.size() == 1 && !options.all_namespaces && options.ns.empty());
    print(options, reports, single && !reports.empty(), out);
    for (const auto& report : reports) {
      if (report.failed()) return 1;
    }
    return 0;
  } catch (const UsageError& error) {
    err << "irsa-webhook doctor: " << error.what() << '\n';
    return 2;
  } catch (const std::exception& error) {
    err << "irsa-webhook doctor: " << error.what() << '\n';
    return 2;
  }
}

}  // namespace irsa::cli
