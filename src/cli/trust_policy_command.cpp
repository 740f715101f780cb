#include "irsa/cli/trust_policy_command.hpp"

#include <CLI/CLI.hpp>
#include <ostream>
#include <stdexcept>

#include "command_cluster_config.hpp"
#include "doctor_cluster_reader.hpp"
#include "irsa/core/arn.hpp"
#include "irsa/doctor/json_fields.hpp"
#include "irsa/doctor/text.hpp"
#include "irsa/doctor/trust_policy.hpp"

namespace irsa::cli {

CLI::App& add_trust_policy_command(CLI::App& app, TrustPolicyOptions& options) {
  CLI::App* command = app.add_subcommand(
      "trust-policy",
      "Print the IAM trust policy (JSON) that lets one ServiceAccount assume a role through the "
      "cluster's OIDC provider, for aws iam create-role --assume-role-policy-document");
  command->add_option("subject", options.subject, "NAMESPACE/SERVICEACCOUNT")->required();
  command->add_option("--account", options.account, "AWS account id of the role (12 digits)")
      ->required();
  command->add_option("--partition", options.partition, "AWS partition (default aws)");
  command->add_option("--issuer", options.issuer,
                      "The cluster's OIDC issuer URL (default: asked from the API server)");
  command->add_option("--audience", options.audience, "Token audience")->capture_default_str();
  command->add_option("--kubeconfig", options.kubeconfig, "kubeconfig file, to ask the issuer");
  command->add_option("--kube-api", options.kube_api, "API server URL, to ask the issuer");
  return *command;
}

namespace {

std::string issuer_from_cluster(const TrustPolicyOptions& options,
                                const kube::Environment& environment) {
  const kube::ConfigLoad load =
      command_client_config(options.kubeconfig, options.kube_api, environment);
  if (!load.error.empty()) {
    throw std::invalid_argument("no --issuer, and no cluster to ask: " + load.error);
  }
  DoctorClusterReader reader(load.config);
  const doctor::Read discovery = reader.discovery();
  const std::string issuer =
      discovery.found() ? doctor::fields::text(discovery.object, "issuer") : std::string();
  if (issuer.empty()) {
    throw std::invalid_argument(
        "no --issuer, and the API server at " + reader.server() + " did not name one (" +
        (discovery.found() ? std::string("its discovery document has no issuer")
                           : discovery.message) +
        "); on EKS: aws eks describe-cluster --name CLUSTER --query "
        "cluster.identity.oidc.issuer --output text");
  }
  return issuer;
}

}  // namespace

int run_trust_policy(const TrustPolicyOptions& options, const kube::Environment& environment,
                     std::ostream& out, std::ostream& err) {
  try {
    const auto slash = options.subject.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == options.subject.size() ||
        options.subject.find('/', slash + 1) != std::string::npos) {
      throw std::invalid_argument("\"" + options.subject + "\" is not NAMESPACE/SERVICEACCOUNT");
    }
    if (!core::is_account_id(options.account)) {
      throw std::invalid_argument("--account \"" + options.account + "\" is not 12 digits");
    }
    const std::string partition = options.partition.empty() ? "aws" : options.partition;
    if (!core::is_aws_partition(partition)) {
      throw std::invalid_argument("--partition \"" + partition + "\" is not one of " +
                                  core::aws_partition_list());
    }
    const std::string issuer = doctor::with_https(
        options.issuer.empty() ? issuer_from_cluster(options, environment) : options.issuer);
    if (!issuer.starts_with("https://")) {
      throw std::invalid_argument("the issuer " + issuer + " is not an https:// URL");
    }
    const doctor::TrustPolicyTarget target{partition,
                                           options.account,
                                           issuer,
                                           options.subject.substr(0, slash),
                                           options.subject.substr(slash + 1),
                                           options.audience};
    out << doctor::policy_json_text(doctor::trust_policy_document(target)) << '\n';
    return 0;
  } catch (const std::exception& error) {
    err << "irsa-webhook trust-policy: " << error.what() << '\n';
    return 2;
  }
}

}  // namespace irsa::cli
