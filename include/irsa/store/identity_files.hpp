// The two identity files a server may watch, read into the snapshots LiveIdentities publishes:
// --service-accounts (ServiceAccounts, Lists of them and the pod-identity-webhook ConfigMap) and
// --watch-container-credentials-config (the EKS Pod Identity association list); and the role
// policy (--role-policy) that admissions are checked against.
#pragma once

#include "irsa/core/role_policy.hpp"

#include <memory>
#include <string>
#include <vector>

#include "irsa/core/identity_sources.hpp"
#include "irsa/core/settings.hpp"
#include "irsa/store/live_identities.hpp"

namespace irsa::store {

struct AccountsLoad {
  std::shared_ptr<const core::StaticIdentities> accounts;  // null when error is set
  std::vector<std::string> problems;  // entries skipped or values replaced by defaults
  std::string error;                  // names the file and what is wrong
};

[[nodiscard]] AccountsLoad load_service_accounts_file(const std::string& path,
                                                      const core::Settings& settings);

struct AssociationsLoad {
  std::shared_ptr<const PodIdentityAssociations> associations;  // null when error is set
  std::shared_ptr<const PodIdentityRoles> roles;                // null when none is named
  std::string error;
};

// As upstream: a missing or empty file is an empty list (Pod Identity off for everyone), not an
// error; text that is not a valid file is.
[[nodiscard]] AssociationsLoad load_pod_identity_file(const std::string& path);

struct RolePolicyLoad {
  std::shared_ptr<const core::RolePolicy> policy;  // null when error is set
  std::string error;  // names the file, the line and column, and what is wrong
};

// The --role-policy file. A missing or empty file is an error: a policy that was asked for and
// is not there must not pass for one that allows everything.
[[nodiscard]] RolePolicyLoad load_role_policy_file(const std::string& path);

}  // namespace irsa::store
