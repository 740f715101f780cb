#include "irsa/store/identity_files.hpp"

#include "irsa/store/role_policy_file.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "irsa/store/manifests.hpp"
#include "irsa/store/yaml_json.hpp"

namespace irsa::store {

AccountsLoad load_service_accounts_file(const std::string& path, const core::Settings& settings) {
  AccountsLoad load;
  auto read = read_text(path);
  if (!read.error.empty()) {
    load.error = std::move(read.error);
    return load;
  }
  auto parsed = parse_documents(read.text);
  if (!parsed.error.empty()) {
    load.error = path + ": " + parsed.error;
    return load;
  }
  auto accounts = std::make_shared<core::StaticIdentities>();
  const std::string error =
      add_identity_documents(parsed.documents, settings, *accounts, load.problems);
  if (!error.empty()) {
    load.error = path + ": " + error;
    load.problems.clear();
    return load;
  }
  load.accounts = std::move(accounts);
  return load;
}

AssociationsLoad load_pod_identity_file(const std::string& path) {
  AssociationsLoad load;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 && errno == ENOENT) {
    load.associations = std::make_shared<const PodIdentityAssociations>();
    return load;
  }
  auto read = read_text(path);
  if (!read.error.empty()) {
    load.error = std::move(read.error);
    return load;
  }
  auto parsed = core::parse_container_credentials_config(read.text);
  if (!parsed.error.empty()) {
    load.error = path + ": " + parsed.error;
    return load;
  }
  load.associations = std::make_shared<const PodIdentityAssociations>(parsed.identities.begin(),
                                                                      parsed.identities.end());
  if (!parsed.roles.empty()) {
    auto roles = std::make_shared<PodIdentityRoles>();
    for (auto& [id, role] : parsed.roles) {
      ++roles->counts[role];
      roles->roles.emplace(id, std::move(role));
    }
    load.roles = std::move(roles);
  }
  return load;
}

RolePolicyLoad load_role_policy_file(const std::string& path) {
  RolePolicyLoad load;
  auto read = read_text(path);
  if (!read.error.empty()) {
    load.error = std::move(read.error);
    return load;
  }
  auto parsed = parse_role_policy(read.text);
  if (!parsed.error.empty()) {
    load.error = path + ": " + parsed.error;
    return load;
  }
  load.policy = std::make_shared<const core::RolePolicy>(std::move(parsed.policy));
  return load;
}

}  // namespace irsa::store
