// Building IdentityEntry values from their sources (ServiceAccount annotations, the
// pod-identity-webhook ConfigMap, the container-credentials file), and an in-memory
// IdentitySource over them. Pure data: callers read files or the API and hand in the contents.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "irsa/core/identity.hpp"
#include "irsa/core/settings.hpp"

namespace irsa::core {

using Annotations = std::map<std::string, std::string, std::less<>>;

// Upstream's ServiceAccount annotation rules (section 4.3 of the contract): role ARN (composed
// when enabled), audience, regional STS and token expiration, each falling back to the flag.
// Values that do not parse are recorded in IdentityEntry::problems with the fallback used.
[[nodiscard]] IdentityEntry entry_from_service_account(const Annotations& annotations,
                                                       const Settings& settings);

// The value of a role-session-name annotation: pod-name or none; nullopt for anything else.
[[nodiscard]] std::optional<SessionNaming> parse_session_naming(std::string_view text) noexcept;

// The key "<ns>/<name>" that upstream logs and its ConfigMap uses.
[[nodiscard]] std::string account_key(std::string_view ns, std::string_view name);

// Calls lookup with the key "<ns>/<name>" as a string_view. ServiceAccount and namespace names
// are DNS names (at most 253 characters), so a stack buffer fits every real key and the lookup
// allocates nothing; longer ones fall back to a string.
template <typename Lookup>
auto with_account_key(std::string_view ns, std::string_view name, Lookup&& lookup) {
  char buffer[512];
  if (ns.size() + 1 + name.size() <= sizeof(buffer)) {
    std::size_t n = ns.copy(buffer, ns.size());
    buffer[n++] = '/';
    n += name.copy(buffer + n, name.size());
    return lookup(std::string_view(buffer, n));
  }
  const std::string key = account_key(ns, name);
  return lookup(std::string_view(key));
}

struct NamespacedName {
  std::string ns;
  std::string name;
  friend bool operator==(const NamespacedName&, const NamespacedName&) = default;
  friend auto operator<=>(const NamespacedName&, const NamespacedName&) = default;
};

struct ConfigMapEntries {
  std::vector<std::pair<NamespacedName, IdentityEntry>> entries;
  std::vector<std::string> problems;  // keys skipped, values ignored
};

// The "config" value of the pod-identity-webhook ConfigMap: a JSON object keyed by
// "<namespace>/<serviceAccount>" with RoleARN, Audience, UseRegionalSTS and TokenExpiration.
// Returns an error string when the text is not a JSON object; a bad key or value skips only
// that entry and is reported. Unlike upstream, a missing Audience means --token-audience and a
// TokenExpiration under 600 is raised to 600 (the API server rejects shorter tokens).
struct ConfigMapParse {
  ConfigMapEntries value;
  std::string error;  // non-empty: nothing usable
};
[[nodiscard]] ConfigMapParse parse_config_map_config(std::string_view json_text,
                                                     const Settings& settings);

// The container-credentials file: {"identities":[{"namespace":..,"serviceAccount":..},..]}.
// Empty or whitespace-only text is an empty list, as upstream treats it. An identity may also
// carry "roleArn" (the EKS association's role, as the EKS API names it), which only the role
// policy looks at: the credentials themselves come from the EKS Pod Identity agent.
struct ContainerCredentialsParse {
  std::set<NamespacedName> identities;
  std::map<NamespacedName, std::string> roles;  // the identities that name their role
  std::string error;                            // non-empty: the text is not a valid file
};
[[nodiscard]] ContainerCredentialsParse parse_container_credentials_config(
    std::string_view json_text);

// A fixed snapshot of identities. Immutable once built, so concurrent reads need no lock.
class StaticIdentities final : public IdentitySource {
 public:
  void add_service_account(std::string_view ns, std::string_view name, IdentityEntry entry);
  void add_config_map_entry(std::string_view ns, std::string_view name, IdentityEntry entry);
  // role_arn: the association's role, when known (for the role policy only).
  void add_container_credentials(std::string_view ns, std::string_view name,
                                 std::string_view role_arn = {});

  [[nodiscard]] IdentityEntryPtr find_service_account(std::string_view ns,
                                                      std::string_view name) const override;
  [[nodiscard]] IdentityEntryPtr find_config_map_entry(std::string_view ns,
                                                       std::string_view name) const override;
  [[nodiscard]] bool uses_container_credentials(std::string_view ns,
                                                std::string_view name) const override;
  [[nodiscard]] std::shared_ptr<const Labels> namespace_labels(std::string_view ns) const override;
  [[nodiscard]] std::size_t accounts_naming_role(std::string_view role_arn) const override;
  [[nodiscard]] std::string container_credentials_role(std::string_view ns,
                                                       std::string_view name) const override;

  // Namespaces and their labels, for role policy rules with a namespaceSelector.
  void add_namespace(std::string_view name, Labels labels);

  [[nodiscard]] std::size_t service_account_count() const noexcept {
    return service_accounts_.size();
  }
  [[nodiscard]] std::size_t config_map_entry_count() const noexcept {
    return config_map_entries_.size();
  }
  // Calls visit(key, entry) for every ServiceAccount, key being "<ns>/<name>"; order unspecified.
  template <typename Visit>
  void for_each_service_account(Visit&& visit) const {
    for (const auto& [key, entry] : service_accounts_) visit(std::string_view(key), *entry);
  }

 private:
  // Keys are "<ns>/<name>", the form upstream logs and the ConfigMap uses.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept {
      return std::hash<std::string_view>{}(key);
    }
  };
  using Map = std::unordered_map<std::string, IdentityEntryPtr, KeyHash, std::equal_to<>>;
  static IdentityEntryPtr find(const Map& map, std::string_view ns, std::string_view name);

  void count_role(const IdentityEntry* before, const IdentityEntry& after);

  Map service_accounts_;
  Map config_map_entries_;
  std::unordered_map<std::string, std::size_t, KeyHash, std::equal_to<>> role_counts_;
  std::unordered_map<std::string, std::shared_ptr<const Labels>, KeyHash, std::equal_to<>>
      namespaces_;
  std::unordered_set<std::string, KeyHash, std::equal_to<>> container_credentials_;
  std::unordered_map<std::string, std::string, KeyHash, std::equal_to<>> association_roles_;
};

}  // namespace irsa::core
