// doctor's offline evidence: the ServiceAccounts (and the pod-identity-webhook ConfigMap) of the
// --service-account files, read and checked exactly as `mutate` reads them, and the pod of --pod.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "irsa/core/settings.hpp"

namespace irsa::cli {

// An input that cannot be read: one line, naming the file.
struct DoctorInputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct OfflineAccount {
  std::string ns;
  std::string name;
  nlohmann::json object;  // a ServiceAccount with its annotations as written
};

struct OfflineWorld {
  std::vector<OfflineAccount> service_accounts;  // in file order, a later definition replacing
  std::optional<nlohmann::json> config_map;      // the pod-identity-webhook ConfigMap
  std::optional<nlohmann::json> pod;             // --pod as a Pod, with metadata.namespace set
  std::optional<nlohmann::json> controller;      // the workload --pod named, when it was one
};

// Throws DoctorInputError. `pod_file` may be a Pod, an AdmissionReview, or a workload
// (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) whose pod template is taken.
[[nodiscard]] OfflineWorld load_offline_world(const std::vector<std::string>& account_files,
                                              const std::string& pod_file,
                                              const core::Settings& settings);

// "namespace/name" of every account in the world, for messages.
[[nodiscard]] std::vector<std::string> account_names(const OfflineWorld& world);

}  // namespace irsa::cli
