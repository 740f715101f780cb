// The parts of `irsa-webhook doctor` between its flags and its report: which accounts to check,
// and the evidence about each, gathered from the cluster (doctor_cluster_run.cpp) or from files
// (doctor_offline_run.cpp). Private to src/cli.
#pragma once

#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "irsa/cli/doctor_command.hpp"
#include "irsa/core/identity_sources.hpp"
#include "irsa/doctor/checks.hpp"

namespace irsa::cli::doctor_run {

// A command line that cannot work: exit 2 with this one line.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Target {
  doctor::Subject subject;
  std::string pod_name;  // pod/NAME: the pod whose account is checked
};

// NS/NAME, NAME, pod/NAME; nullopt for a whole namespace or the cluster. Throws UsageError.
[[nodiscard]] std::optional<Target> parse_subject(const DoctorOptions& options);

// What every subject shares: the flags, the trust policy, the Pod Identity list, STS's region
// and CA bundle.
struct Common {
  doctor::DoctorSettings settings;
  std::optional<std::string> trust_policy;
  std::set<core::NamespacedName> container_credentials;
  bool container_credentials_known = false;
  std::string region;
  std::string ca_bundle;
};

// Whether an account names a role (or has a Pod Identity association) as the webhook decides it,
// given the pod-identity-webhook ConfigMap when there is one: the accounts a namespace-wide or
// cluster-wide run checks.
[[nodiscard]] bool names_role(const nlohmann::json& account, const Common& common,
                              const doctor::Read& config_map);

// The evidence that comes from the command line rather than the cluster or the files.
void add_outside_evidence(const DoctorOptions& options, const Common& common,
                          doctor::Evidence& evidence);

// One report per account checked. Throw UsageError for a command line that cannot work and
// DoctorInputError for an input that cannot be read.
[[nodiscard]] std::vector<doctor::SubjectReport> run_cluster(const DoctorOptions& options,
                                                             const Common& common,
                                                             const kube::Environment& environment);
[[nodiscard]] std::vector<doctor::SubjectReport> run_offline(const DoctorOptions& options,
                                                             Common common);

}  // namespace irsa::cli::doctor_run
