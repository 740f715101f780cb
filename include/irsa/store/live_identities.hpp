// The identities a running server answers from. Two parts change independently: the
// ServiceAccounts (with the ConfigMap mappings), fed by a file or the Kubernetes API, and the
// EKS Pod Identity associations, fed by their file. Each part is an immutable snapshot that a
// writer replaces as a whole, so a lookup never sees half an update and never waits for a
// writer to finish building one.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "irsa/core/identity_sources.hpp"
#include "irsa/store/account_index.hpp"

namespace irsa::store {

// Orders associations by namespace, then name, and lets a lookup use string views, so that the
// check made for every admission allocates nothing.
struct NamespacedNameLess {
  using is_transparent = void;
  using View = std::pair<std::string_view, std::string_view>;
  static View view(const core::NamespacedName& id) noexcept { return {id.ns, id.name}; }
  static View view(const View& id) noexcept { return id; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const noexcept {
    return view(a) < view(b);
  }
};

using PodIdentityAssociations = std::set<core::NamespacedName, NamespacedNameLess>;

// The roles the association file names ("roleArn"), and how many associations name each.
struct PodIdentityRoles {
  std::map<core::NamespacedName, std::string, NamespacedNameLess> roles;
  std::map<std::string, std::size_t, std::less<>> counts;
};

// Namespace name to labels. Ordered, so that a lookup by string_view needs no key string.
using NamespaceLabels = std::map<std::string, std::shared_ptr<const core::Labels>, std::less<>>;

class LiveIdentities final : public core::IdentitySource {
 public:
  LiveIdentities();

  // With the Kubernetes API as the source, ServiceAccounts are looked up in `index` (which must
  // outlive this object) and the published account snapshots carry only ConfigMap entries. Call
  // before the first lookup.
  void use_account_index(const AccountIndex* index) noexcept { index_ = index; }

  void publish_accounts(std::shared_ptr<const core::StaticIdentities> accounts);
  void publish_pod_identity(std::shared_ptr<const PodIdentityAssociations> associations,
                            std::shared_ptr<const PodIdentityRoles> roles = nullptr);

  [[nodiscard]] std::shared_ptr<const core::StaticIdentities> accounts() const;
  [[nodiscard]] std::shared_ptr<const PodIdentityAssociations> pod_identity() const;

  [[nodiscard]] core::IdentityEntryPtr find_service_account(std::string_view ns,
                                                            std::string_view name) const override;
  [[nodiscard]] core::IdentityEntryPtr find_config_map_entry(std::string_view ns,
                                                             std::string_view name) const override;
  [[nodiscard]] bool uses_container_credentials(std::string_view ns,
                                                std::string_view name) const override;
  // From the published namespaces (the cluster's), else the account snapshot's (a file's).
  [[nodiscard]] std::shared_ptr<const core::Labels> namespace_labels(
      std::string_view ns) const override;
  // The index's accounts, the snapshot's (file accounts and ConfigMap mappings) and the Pod
  // Identity associations together.
  [[nodiscard]] std::size_t accounts_naming_role(std::string_view role_arn) const override;
  [[nodiscard]] std::string container_credentials_role(std::string_view ns,
                                                       std::string_view name) const override;

  // The cluster's namespaces with their labels, for role policy rules with a namespaceSelector.
  void publish_namespaces(std::shared_ptr<const NamespaceLabels> namespaces);

 private:
  const AccountIndex* index_ = nullptr;
  std::atomic<std::shared_ptr<const core::StaticIdentities>> accounts_;
  std::atomic<std::shared_ptr<const PodIdentityAssociations>> pod_identity_;
  std::atomic<std::shared_ptr<const PodIdentityRoles>> pod_identity_roles_;
  std::atomic<std::shared_ptr<const NamespaceLabels>> namespaces_;
};

}  // namespace irsa::store
