// The annotations of the ServiceAccounts in manifest documents, exactly as written. The store
// keeps only what the webhook derives from them (an IdentityEntry), which cannot show a
// misspelt key; `mutate` reads them once more to explain a pod that got no role.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "irsa/core/identity_sources.hpp"

namespace irsa::cli {

// Keyed "<ns>/<name>", the namespace defaulting to "default" as the store's does.
using AccountAnnotations = std::map<std::string, core::Annotations, std::less<>>;

// Adds the ServiceAccounts of `documents` (plain, or the items of a List or ServiceAccountList)
// to `accounts`, a later definition replacing an earlier one. Lenient: the store has already
// rejected malformed documents, so anything unexpected here is skipped, not reported.
void collect_account_annotations(const std::vector<nlohmann::json>& documents,
                                 AccountAnnotations& accounts);

}  // namespace irsa::cli
