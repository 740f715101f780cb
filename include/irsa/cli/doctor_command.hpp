// `irsa-webhook doctor`: walks the chain that gives a workload its AWS identity (annotation, role
// ARN, webhook, pods, issuer, token, trust policy, environment, STS) and says, link by link, what
// holds, what does not and how to fix it. Reads the cluster with the server's own client, or
// works offline from files.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "irsa/cli/mutation_flags.hpp"
#include "irsa/kube/client_config.hpp"

namespace CLI {
class App;
}

namespace irsa::cli {

struct DoctorOptions {
  std::string subject;  // NS/NAME, NAME (with -n), pod/NAME (with -n), or "" (a namespace / -A)
  std::string ns;       // -n / --namespace: the subject's namespace (kubectl's meaning)
  bool all_namespaces = false;
  // The cluster, as the server finds it.
  std::string kubeconfig;
  std::string kube_api;
  bool watch_config_map = false;
  std::string webhook_namespace = "eks";  // where the pod-identity-webhook ConfigMap lives
  // Evidence from outside the cluster.
  std::string trust_policy_file;  // - for stdin
  std::string issuer;
  // Offline.
  std::vector<std::string> service_account_files;
  std::string pod_file;
  // STS.
  bool try_assume = false;
  std::string sts_endpoint;
  std::string output = "text";  // text | json
  MutationFlags mutation;
};

CLI::App& add_doctor_command(CLI::App& app, DoctorOptions& options);

// 0: no check failed; 1: a check failed; 2: a command line that cannot work or an input that
// cannot be read (one line on err).
int run_doctor(const DoctorOptions& options, const kube::Environment& environment,
               std::ostream& out, std::ostream& err);

}  // namespace irsa::cli
