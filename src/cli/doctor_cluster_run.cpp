// doctor against a cluster: the reads every account shares (webhook configurations, their
// endpoints, the issuer, the ConfigMap) once, then per account its object, namespace, pods, a
// token and, with --try-assume, STS's answer.
#include <openssl/crypto.h>

#include <map>

#include "command_cluster_config.hpp"
#include "doctor_cluster_reader.hpp"
#include "doctor_files.hpp"
#include "doctor_run.hpp"
#include "irsa/aws/sts_client.hpp"
#include "irsa/core/arn.hpp"
#include "irsa/doctor/json_fields.hpp"
#include "irsa/store/manifests.hpp"

namespace irsa::cli::doctor_run {

namespace {

constexpr std::int64_t kTokenSeconds = 600;  // the TokenRequest API's minimum
constexpr const char* kSessionName = "irsa-webhook-doctor";

// STS's word on a token, with the credentials it returns never leaving the AWS client.
// `token` is moved into the call, which wipes it.
doctor::StsOutcome ask_sts(const DoctorOptions& options, const Common& common,
                           const std::string& role_arn, std::string& token) {
  doctor::StsOutcome outcome;
  outcome.asked = true;
  const core::RoleArnCheck role = core::check_role_arn(role_arn);
  outcome.endpoint = !options.sts_endpoint.empty()
                         ? options.sts_endpoint
                         : aws::sts_endpoint(role.ok ? role.partition : "aws", common.region);
  aws::AssumeRoleCall call{outcome.endpoint, role_arn, kSessionName, std::move(token),
                           common.ca_bundle};
  const aws::StsAnswer answer = aws::assume_role_with_web_identity(call);
  outcome.transport_error = answer.transport_error;
  outcome.status = answer.status;
  outcome.error_code = answer.error_code;
  outcome.error_message = answer.error_message;
  outcome.assumed_role_arn = answer.assumed_role_arn;
  outcome.expiration = answer.expiration;
  return outcome;
}

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
    wide.config_map =
        reader.config_map(options.webhook_namespace, std::string(store::kConfigMapName));
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
  auto minted = reader.token(subject.ns, subject.service_account, identity.audience, kTokenSeconds,
                             options.try_assume);
  evidence.token_claims = std::move(minted.claims);
  evidence.token_lifetime_requested = kTokenSeconds;
  if (options.try_assume && !minted.token.empty()) {
    evidence.sts = ask_sts(options, common, identity.role_arn, minted.token);
  }
  OPENSSL_cleanse(minted.token.data(), minted.token.size());
  return evidence;
}

}  // namespace

std::vector<doctor::SubjectReport> run_cluster(const DoctorOptions& options, const Common& common,
                                               const kube::Environment& environment) {
  if (options.subject.empty() && options.ns.empty() && !options.all_namespaces) {
    throw UsageError(
        "name what to check: NAMESPACE/SERVICEACCOUNT, SERVICEACCOUNT -n NAMESPACE, "
        "pod/NAME -n NAMESPACE, -n NAMESPACE or --all-namespaces");
  }
  const kube::ConfigLoad load =
      command_client_config(options.kubeconfig, options.kube_api, environment);
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
    std::string account =
        doctor::fields::text(doctor::fields::spec_of(pod.object), "serviceAccountName");
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
  const std::vector<nlohmann::json> items = doctor::fields::field(first.object, "items").is_array()
                                                ? doctor::fields::items_of(first.object)
                                                : std::vector<nlohmann::json>{};
  // The API lists nothing, without an error, in a namespace that does not exist.
  if (!options.all_namespaces && items.empty() &&
      reader.namespace_object(options.ns).state == doctor::ReadState::not_found) {
    throw DoctorInputError("namespace " + options.ns + " does not exist");
  }
  for (const auto& account : items) {
    if (!names_role(account, common, wide.config_map)) continue;
    const auto& metadata = doctor::fields::field(account, "metadata");
    const doctor::Subject subject{doctor::fields::text(metadata, "namespace"),
                                  doctor::fields::text(metadata, "name")};
    reports.push_back(doctor::run_checks(
        cluster_evidence(reader, options, common, wide, subject, {}, doctor::Read::of(account)),
        common.settings));
  }
  return reports;
}

}  // namespace irsa::cli::doctor_run
