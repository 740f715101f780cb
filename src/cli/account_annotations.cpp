#include "account_annotations.hpp"

#include <string_view>

namespace irsa::cli {

namespace {

std::string string_at(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return {};
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

void add_service_account(const nlohmann::json& account, AccountAnnotations& accounts) {
  const auto metadata = account.find("metadata");
  if (metadata == account.end() || !metadata->is_object()) return;
  const std::string name = string_at(*metadata, "name");
  if (name.empty()) return;
  std::string ns = string_at(*metadata, "namespace");
  if (ns.empty()) ns = "default";
  core::Annotations annotations;
  if (const auto written = metadata->find("annotations");
      written != metadata->end() && written->is_object()) {
    for (const auto& [key, value] : written->items()) {
      if (value.is_string()) annotations.emplace(key, value.get<std::string>());
    }
  }
  accounts.insert_or_assign(core::account_key(ns, name), std::move(annotations));
}

// item_kind: what the items of a typed list are when they do not say (the API server leaves
// "kind" out of a ServiceAccountList's items). Lists inside lists are not read, as in the store.
void add_object(const nlohmann::json& object, bool in_list, std::string_view item_kind,
                AccountAnnotations& accounts) {
  if (!object.is_object()) return;
  std::string kind = string_at(object, "kind");
  if (kind.empty()) kind = item_kind;
  if (kind == "ServiceAccount") {
    add_service_account(object, accounts);
    return;
  }
  if (in_list || !std::string_view(kind).ends_with("List")) return;
  const auto items = object.find("items");
  if (items == object.end() || !items->is_array()) return;
  const std::string typed = kind.substr(0, kind.size() - std::string_view("List").size());
  for (const auto& item : *items) add_object(item, /*in_list=*/true, typed, accounts);
}

}  // namespace

void collect_account_annotations(const std::vector<nlohmann::json>& documents,
                                 AccountAnnotations& accounts) {
  for (const auto& document : documents) add_object(document, /*in_list=*/false, {}, accounts);
}

}  // namespace irsa::cli
