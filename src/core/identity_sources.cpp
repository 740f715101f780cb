#include "irsa/core/identity_sources.hpp"

#include <nlohmann/json.hpp>

#include "irsa/core/annotation_hints.hpp"
#include "irsa/core/annotations.hpp"

namespace irsa::core {

namespace {

const std::string* find_annotation(const Annotations& annotations, const std::string& key) {
  auto it = annotations.find(key);
  return it == annotations.end() ? nullptr : &it->second;
}

// The first annotation that is almost one the webhook reads and is not beside the real one.
void remember_near_miss(const Annotations& annotations, std::string_view prefix,
                        IdentityEntry& entry) {
  for (auto& hint : annotation_near_misses(annotations, prefix)) {
    if (hint.shadowed || hint.kind == HintKind::value) continue;
    entry.misspelled_key = std::move(hint.key);
    entry.intended_key = std::move(hint.fix);
    entry.misspelled_role_arn = hint.suffix == kRoleArnAnnotation;
    return;
  }
}

}  // namespace

std::optional<SessionNaming> parse_session_naming(std::string_view text) noexcept {
  if (text == kSessionNamePodName) return SessionNaming::pod_name;
  if (text == kSessionNameNone) return SessionNaming::none;
  return std::nullopt;
}

std::string account_key(std::string_view ns, std::string_view name) {
  std::string key;
  key.reserve(ns.size() + 1 + name.size());
  key.append(ns).append("/").append(name);
  return key;
}

IdentityEntry entry_from_service_account(const Annotations& annotations, const Settings& settings) {
  IdentityEntry entry;
  entry.audience = settings.web_identity.audience;
  entry.use_regional_sts = settings.sts_regional_endpoint;
  entry.token_expiration = settings.token_expiration;
  const auto& prefix = settings.annotation_prefix;

  if (const auto* role = find_annotation(annotations, annotation_key(prefix, kRoleArnAnnotation))) {
    entry.role_arn = *role;
    if (settings.compose_role_arn.enabled && !role->empty() &&
        role->find("arn:") == std::string::npos) {
      entry.role_arn = "arn:" + settings.compose_role_arn.partition +
                       ":iam::" + settings.compose_role_arn.account_id + ":role/" + *role;
    }
    if (!entry.role_arn.empty() && !is_iam_role_arn(entry.role_arn)) {
      entry.problems.push_back("role-arn " + quote_for_warning(entry.role_arn) +
                               " is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)");
    }
  }
  if (const auto* audience =
          find_annotation(annotations, annotation_key(prefix, kAudienceAnnotation))) {
    entry.audience = *audience;
  }
  if (const auto* sts =
          find_annotation(annotations, annotation_key(prefix, kStsRegionalEndpointsAnnotation))) {
    if (auto parsed = parse_go_bool(*sts)) {
      entry.use_regional_sts = *parsed;
    } else {
      entry.problems.push_back("sts-regional-endpoints " + quote_for_warning(*sts) +
                               " is not a boolean; using " +
                               (settings.sts_regional_endpoint ? "true" : "false"));
    }
  }
  if (const auto* expiration =
          find_annotation(annotations, annotation_key(prefix, kTokenExpirationAnnotation))) {
    if (auto parsed = parse_go_int64(*expiration)) {
      entry.token_expiration = clamp_token_expiration(*parsed);
    } else {
      entry.problems.push_back("token-expiration " + quote_for_warning(*expiration) +
                               " is not an integer; using " +
                               std::to_string(settings.token_expiration));
    }
  }
  if (const auto* region =
          find_annotation(annotations, annotation_key(prefix, kRegionAnnotation))) {
    if (is_aws_region(*region)) {
      entry.region = *region;
    } else {
      entry.problems.push_back("ServiceAccount region " + quote_for_warning(*region) +
                               " is not an AWS region; ignored");
    }
  }
  if (const auto* naming =
          find_annotation(annotations, annotation_key(prefix, kRoleSessionNameAnnotation))) {
    if (auto parsed = parse_session_naming(*naming)) {
      entry.session_naming = *parsed;
    } else {
      entry.problems.push_back("ServiceAccount role-session-name " + quote_for_warning(*naming) +
                               " is neither pod-name nor none; ignored");
    }
  }
  remember_near_miss(annotations, prefix, entry);
  return entry;
}

namespace {

// Go's encoding/json matches struct fields case-insensitively; the ConfigMap format relies on
// the Go field names, so accept any casing of them.
const nlohmann::json* find_field(const nlohmann::json& object, std::string_view wanted) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    if (key.size() != wanted.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < key.size() && same; ++i) {
      auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
      same = lower(key[i]) == lower(wanted[i]);
    }
    if (same) return &it.value();
  }
  return nullptr;
}

}  // namespace

ConfigMapParse parse_config_map_config(std::string_view json_text, const Settings& settings) {
  ConfigMapParse result;
  nlohmann::json root = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    result.error = "config is not valid JSON";
    return result;
  }
  if (!root.is_object()) {
    result.error = "config is not a JSON object keyed by <namespace>/<serviceAccount>";
    return result;
  }
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string& key = it.key();
    auto slash = key.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == key.size()) {
      result.value.problems.push_back("config key " + quote_for_warning(key) +
                                      " is not <namespace>/<serviceAccount>; skipped");
      continue;
    }
    // Upstream ignores anything after a second slash; so do we, for the same keys to match.
    std::string ns = key.substr(0, slash);
    std::string rest = key.substr(slash + 1);
    std::string name = rest.substr(0, rest.find('/'));
    const nlohmann::json& value = it.value();
    if (!value.is_object()) {
      result.value.problems.push_back("config entry " + quote_for_warning(key) +
                                      " is not an object; skipped");
      continue;
    }
    IdentityEntry entry;
    entry.audience = settings.web_identity.audience;
    entry.token_expiration = settings.token_expiration;
    bool ok = true;
    if (const auto* role = find_field(value, "RoleARN")) {
      if (role->is_string()) {
        entry.role_arn = role->get<std::string>();
        if (!entry.role_arn.empty() && !is_iam_role_arn(entry.role_arn)) {
          entry.problems.push_back("ConfigMap role " + quote_for_warning(entry.role_arn) +
                                   " is not an IAM role ARN");
        }
      } else if (!role->is_null()) {
        ok = false;
      }
    }
    if (const auto* audience = find_field(value, "Audience")) {
      if (audience->is_string()) {
        entry.audience = audience->get<std::string>();
      } else if (!audience->is_null()) {
        ok = false;
      }
    }
    if (const auto* sts = find_field(value, "UseRegionalSTS")) {
      if (sts->is_boolean()) {
        entry.use_regional_sts = sts->get<bool>();
      } else if (!sts->is_null()) {
        ok = false;
      }
    }
    if (const auto* expiration = find_field(value, "TokenExpiration")) {
      if (expiration->is_number_integer()) {
        auto seconds = expiration->get<std::int64_t>();
        entry.token_expiration =
            seconds == 0 ? settings.token_expiration : clamp_token_expiration(seconds);
      } else if (!expiration->is_null()) {
        ok = false;
      }
    }
    if (const auto* region = find_field(value, "Region")) {
      if (region->is_string() && is_aws_region(region->get_ref<const std::string&>())) {
        entry.region = region->get<std::string>();
      } else if (region->is_string()) {
        entry.problems.push_back("ConfigMap region " +
                                 quote_for_warning(region->get_ref<const std::string&>()) +
                                 " is not an AWS region; ignored");
      } else if (!region->is_null()) {
        ok = false;
      }
    }
    if (!ok) {
      result.value.problems.push_back("config entry " + quote_for_warning(key) +
                                      " has a field of the wrong type; skipped");
      continue;
    }
    result.value.entries.emplace_back(NamespacedName{std::move(ns), std::move(name)},
                                      std::move(entry));
  }
  return result;
}

ContainerCredentialsParse parse_container_credentials_config(std::string_view json_text) {
  ContainerCredentialsParse result;
  if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos) return result;
  nlohmann::json root = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    result.error = "not valid JSON";
    return result;
  }
  if (!root.is_object()) {
    result.error = "expected a JSON object with an \"identities\" list";
    return result;
  }
  const auto* identities = find_field(root, "identities");
  if (identities == nullptr || identities->is_null()) return result;
  if (!identities->is_array()) {
    result.error = "\"identities\" is not a list";
    return result;
  }
  for (std::size_t i = 0; i < identities->size(); ++i) {
    const auto& item = (*identities)[i];
    const nlohmann::json* ns = item.is_object() ? find_field(item, "namespace") : nullptr;
    const nlohmann::json* sa = item.is_object() ? find_field(item, "serviceAccount") : nullptr;
    if (ns == nullptr || sa == nullptr || !ns->is_string() || !sa->is_string()) {
      result.error = "identities[" + std::to_string(i) +
                     "] needs string fields \"namespace\" and \"serviceAccount\"";
      result.identities.clear();
      return result;
    }
    NamespacedName id{ns->get<std::string>(), sa->get<std::string>()};
    const nlohmann::json* role = find_field(item, "roleArn");
    if (role != nullptr && !role->is_null()) {
      if (!role->is_string()) {
        result.error = "identities[" + std::to_string(i) + "].roleArn is not a string";
        result.identities.clear();
        result.roles.clear();
        return result;
      }
      if (!role->get_ref<const std::string&>().empty()) result.roles[id] = role->get<std::string>();
    }
    result.identities.insert(std::move(id));
  }
  return result;
}

void StaticIdentities::count_role(const IdentityEntry* before, const IdentityEntry& after) {
  if (before != nullptr && !before->role_arn.empty()) {
    auto it = role_counts_.find(before->role_arn);
    if (it != role_counts_.end() && --it->second == 0) role_counts_.erase(it);
  }
  if (!after.role_arn.empty()) ++role_counts_[after.role_arn];
}

void StaticIdentities::add_service_account(std::string_view ns, std::string_view name,
                                           IdentityEntry entry) {
  auto& slot = service_accounts_[account_key(ns, name)];
  count_role(slot.get(), entry);
  slot = std::make_shared<const IdentityEntry>(std::move(entry));
}

void StaticIdentities::add_config_map_entry(std::string_view ns, std::string_view name,
                                            IdentityEntry entry) {
  auto& slot = config_map_entries_[account_key(ns, name)];
  count_role(slot.get(), entry);
  slot = std::make_shared<const IdentityEntry>(std::move(entry));
}

void StaticIdentities::add_namespace(std::string_view name, Labels labels) {
  namespaces_[std::string(name)] = std::make_shared<const Labels>(std::move(labels));
}

std::shared_ptr<const Labels> StaticIdentities::namespace_labels(std::string_view ns) const {
  auto it = namespaces_.find(ns);
  return it == namespaces_.end() ? nullptr : it->second;
}

std::size_t StaticIdentities::accounts_naming_role(std::string_view role_arn) const {
  auto it = role_counts_.find(role_arn);
  return it == role_counts_.end() ? 0 : it->second;
}

void StaticIdentities::add_container_credentials(std::string_view ns, std::string_view name,
                                                 std::string_view role_arn) {
  std::string key = account_key(ns, name);
  if (!role_arn.empty() && !association_roles_.contains(key)) {
    IdentityEntry counted;
    counted.role_arn = std::string(role_arn);
    count_role(nullptr, counted);
    association_roles_.emplace(key, role_arn);
  }
  container_credentials_.insert(std::move(key));
}

std::string StaticIdentities::container_credentials_role(std::string_view ns,
                                                         std::string_view name) const {
  if (association_roles_.empty()) return {};
  return with_account_key(ns, name, [this](std::string_view key) {
    const auto it = association_roles_.find(key);
    return it == association_roles_.end() ? std::string() : it->second;
  });
}

IdentityEntryPtr StaticIdentities::find(const Map& map, std::string_view ns,
                                        std::string_view name) {
  return with_account_key(ns, name, [&map](std::string_view key) -> IdentityEntryPtr {
    auto it = map.find(key);
    return it == map.end() ? nullptr : it->second;
  });
}

IdentityEntryPtr StaticIdentities::find_service_account(std::string_view ns,
                                                        std::string_view name) const {
  return find(service_accounts_, ns, name);
}

IdentityEntryPtr StaticIdentities::find_config_map_entry(std::string_view ns,
                                                         std::string_view name) const {
  return find(config_map_entries_, ns, name);
}

bool StaticIdentities::uses_container_credentials(std::string_view ns,
                                                  std::string_view name) const {
  if (container_credentials_.empty()) return false;
  return with_account_key(
      ns, name, [this](std::string_view key) { return container_credentials_.contains(key); });
}

}  // namespace irsa::core
