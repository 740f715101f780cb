// Kubernetes manifests (ServiceAccounts and the pod-identity-webhook ConfigMap) turned into the
// core's StaticIdentities, so the CLI can mutate pods offline with the identities a cluster
// would have.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "irsa/core/identity_sources.hpp"
#include "irsa/core/settings.hpp"

namespace irsa::store {

struct TextRead {
  std::string text;
  std::string error;  // non-empty: names the path and the reason; `text` is empty
};

// Reads a whole file; "-" means standard input.
[[nodiscard]] TextRead read_text(const std::string& path);

// The name upstream's webhook watches for its ConfigMap of ServiceAccount mappings.
inline constexpr std::string_view kConfigMapName = "pod-identity-webhook";

// Adds the identities found in `documents` (as parse_documents returns them) to `identities`.
//
// Each document is a ServiceAccount, the pod-identity-webhook ConfigMap, or a list of those (kind
// "List" or any kind ending in "List", with "items"). A ServiceAccount needs a non-empty
// metadata.name; metadata.namespace defaults to "default"; metadata.annotations, when present, is
// an object of string values. Its entry comes from core::entry_from_service_account, so
// annotation problems travel inside the entry. The ConfigMap's data.config goes through
// core::parse_config_map_config; its skipped keys and values are appended to `problems` (with
// the document index in front), each usable entry becomes a ConfigMap entry.
//
// Returns an empty string on success, otherwise the first error, naming the 1-based document
// (and list item) index and what is wrong, e.g. "document 2: kind Pod is not a ServiceAccount".
// All or nothing: on error neither `identities` nor `problems` is changed. A ServiceAccount
// defined twice (here, or already in `identities`) keeps the later definition and a note goes to
// `problems`.
[[nodiscard]] std::string add_identity_documents(const std::vector<nlohmann::json>& documents,
                                                 const core::Settings& settings,
                                                 core::StaticIdentities& identities,
                                                 std::vector<std::string>& problems);

}  // namespace irsa::store
