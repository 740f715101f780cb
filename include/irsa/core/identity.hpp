// What the core needs to know about identities: ServiceAccount entries (from annotations),
// ConfigMap entries, and the container-credentials (EKS Pod Identity) association list.
// The core defines the lookup interface; stores (file, Kubernetes API) implement it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "irsa/core/role_policy.hpp"

namespace irsa::core {

// Whether the role session gets the pod's name (AWS_ROLE_SESSION_NAME from the downward API).
// unset: the account says nothing, so the pod annotation or --role-session-name decides.
enum class SessionNaming : std::uint8_t { unset, pod_name, none };

// One ServiceAccount (or ConfigMap mapping) as the mutation sees it, values already resolved
// against the flag defaults.
struct IdentityEntry {
  std::string role_arn;  // empty: the account names no role
  std::string audience;  // empty: the projected token carries no explicit audience
  bool use_regional_sts = false;
  std::int64_t token_expiration = 0;
  std::string region;  // empty: --aws-default-region applies
  SessionNaming session_naming = SessionNaming::unset;
  // An annotation that is almost one the webhook reads (eks.amazon.com/role-arn): the key as
  // written and the key meant. Kept so that the account's pods are told why nothing happened.
  std::string misspelled_key;
  std::string intended_key;
  bool misspelled_role_arn = false;  // the near miss is of role-arn
  // Human-readable problems found while parsing the source (bad annotation values, an ARN that
  // is not an IAM role ARN). Surfaced as AdmissionResponse warnings for pods that use the entry.
  std::vector<std::string> problems;
};

using IdentityEntryPtr = std::shared_ptr<const IdentityEntry>;

// Read-only view of the identities known right now. Implementations must be safe to call from
// many threads at once and must not block on I/O.
class IdentitySource {
 public:
  virtual ~IdentitySource() = default;

  // The ServiceAccount namespace/name, annotated or not; nullptr when it is not known at all.
  [[nodiscard]] virtual IdentityEntryPtr find_service_account(std::string_view ns,
                                                              std::string_view name) const = 0;
  // The ConfigMap entry stored under exactly "<ns>/<name>" (ns may be the wildcard "*").
  [[nodiscard]] virtual IdentityEntryPtr find_config_map_entry(std::string_view ns,
                                                               std::string_view name) const = 0;
  // Whether namespace/name is listed in the container-credentials configuration.
  [[nodiscard]] virtual bool uses_container_credentials(std::string_view ns,
                                                        std::string_view name) const = 0;

  // What a role policy looks at beyond the pod. Sources that do not know answer as below:
  // unknown labels (a rule with a namespaceSelector does not match) and no sharing.
  // The labels of namespace ns; nullptr when the namespace is not known.
  [[nodiscard]] virtual std::shared_ptr<const Labels> namespace_labels(std::string_view ns) const {
    (void)ns;
    return nullptr;
  }
  // How many ServiceAccounts, ConfigMap mappings and Pod Identity associations name role_arn.
  [[nodiscard]] virtual std::size_t accounts_naming_role(std::string_view role_arn) const {
    (void)role_arn;
    return 0;
  }
  // The role of the Pod Identity association of namespace/name, when its file names one.
  [[nodiscard]] virtual std::string container_credentials_role(std::string_view ns,
                                                               std::string_view name) const {
    (void)ns;
    (void)name;
    return {};
  }

 protected:
  // Implementations may be values (a snapshot is copied or moved into place); slicing through
  // the interface is prevented by keeping these protected.
  IdentitySource() = default;
  IdentitySource(const IdentitySource&) = default;
  IdentitySource& operator=(const IdentitySource&) = default;
  IdentitySource(IdentitySource&&) = default;
  IdentitySource& operator=(IdentitySource&&) = default;
};

}  // namespace irsa::core
