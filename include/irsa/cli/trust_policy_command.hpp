// `irsa-webhook trust-policy NAMESPACE/SERVICEACCOUNT --account ID`: prints the trust policy
// (JSON) that lets exactly that account assume a role through the cluster's OIDC provider, the
// one doctor's trust-policy check passes, ready for `aws iam create-role`.
#pragma once

#include <iosfwd>
#include <string>

#include "irsa/kube/client_config.hpp"

namespace CLI {
class App;
}

namespace irsa::cli {

struct TrustPolicyOptions {
  std::string subject;    // NAMESPACE/SERVICEACCOUNT
  std::string account;    // the AWS account of the role and the OIDC provider
  std::string partition;  // empty: aws
  std::string issuer;     // empty: from the cluster's discovery document
  std::string audience = "sts.amazonaws.com";
  std::string kubeconfig;
  std::string kube_api;
};

CLI::App& add_trust_policy_command(CLI::App& app, TrustPolicyOptions& options);

// 0 with the policy on out; 2 with one line on err for a command line that cannot work or an
// issuer that cannot be found.
int run_trust_policy(const TrustPolicyOptions& options, const kube::Environment& environment,
                     std::ostream& out, std::ostream& err);

}  // namespace irsa::cli
