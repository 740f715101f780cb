// The loaded role policy as JSON, in the file's own keys, for /debug/alpha/policy: what the
// webhook enforces right now, after defaults (each rule's mode) are filled in.
#pragma once

#include <nlohmann/json.hpp>

#include "irsa/core/role_policy.hpp"

namespace irsa::store {

[[nodiscard]] nlohmann::json role_policy_json(const core::RolePolicy& policy);

}  // namespace irsa::store
