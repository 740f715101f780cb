#include "irsa/store/live_identities.hpp"

namespace irsa::store {

LiveIdentities::LiveIdentities()
    : accounts_(std::make_shared<const core::StaticIdentities>()),
      pod_identity_(std::make_shared<const PodIdentityAssociations>()) {}

void LiveIdentities::publish_accounts(std::shared_ptr<const core::StaticIdentities> accounts) {
  if (!accounts) accounts = std::make_shared<const core::StaticIdentities>();
  accounts_.store(std::move(accounts), std::memory_order_release);
}

void LiveIdentities::publish_pod_identity(
    std::shared_ptr<const PodIdentityAssociations> associations,
    std::shared_ptr<const PodIdentityRoles> roles) {
  if (!associations) associations = std::make_shared<const PodIdentityAssociations>();
  // Roles first: a reader that sees the new associations sees their roles too, or newer ones.
  pod_identity_roles_.store(std::move(roles), std::memory_order_release);
  pod_identity_.store(std::move(associations), std::memory_order_release);
}

std::shared_ptr<const core::StaticIdentities> LiveIdentities::accounts() const {
  return accounts_.load(std::memory_order_acquire);
}

std::shared_ptr<const PodIdentityAssociations> LiveIdentities::pod_identity() const {
  return pod_identity_.load(std::memory_order_acquire);
}

core::IdentityEntryPtr LiveIdentities::find_service_account(std::string_view ns,
                                                            std::string_view name) const {
  if (index_ != nullptr) return index_->find(ns, name);
  // The snapshot stays alive for this call even if a writer publishes meanwhile; the entry
  // returned is shared, so it outlives the snapshot too.
  return accounts()->find_service_account(ns, name);
}

core::IdentityEntryPtr LiveIdentities::find_config_map_entry(std::string_view ns,
                                                             std::string_view name) const {
  return accounts()->find_config_map_entry(ns, name);
}

bool LiveIdentities::uses_container_credentials(std::string_view ns, std::string_view name) const {
  const auto associations = pod_identity();
  if (associations->empty()) return false;
  return associations->find(NamespacedNameLess::View{ns, name}) != associations->end();
}

void LiveIdentities::publish_namespaces(std::shared_ptr<const NamespaceLabels> namespaces) {
  namespaces_.store(std::move(namespaces), std::memory_order_release);
}

std::shared_ptr<const core::Labels> LiveIdentities::namespace_labels(std::string_view ns) const {
  if (const auto namespaces = namespaces_.load(std::memory_order_acquire)) {
    const auto it = namespaces->find(ns);
    return it == namespaces->end() ? nullptr : it->second;
  }
  return accounts()->namespace_labels(ns);
}

std::size_t LiveIdentities::accounts_naming_role(std::string_view role_arn) const {
  const std::size_t from_index = index_ != nullptr ? index_->accounts_naming(role_arn) : 0;
  std::size_t from_associations = 0;
  if (const auto roles = pod_identity_roles_.load(std::memory_order_acquire)) {
    const auto it = roles->counts.find(role_arn);
    if (it != roles->counts.end()) from_associations = it->second;
  }
  return from_index + from_associations + accounts()->accounts_naming_role(role_arn);
}

std::string LiveIdentities::container_credentials_role(std::string_view ns,
                                                       std::string_view name) const {
  const auto roles = pod_identity_roles_.load(std::memory_order_acquire);
  if (!roles) return {};
  const auto it = roles->roles.find(NamespacedNameLess::View{ns, name});
  return it == roles->roles.end() ? std::string() : it->second;
}

}  // namespace irsa::store
