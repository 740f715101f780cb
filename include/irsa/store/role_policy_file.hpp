// The --role-policy file: YAML read into core::RolePolicy, every mistake reported with its line
// and column, since the file is written by hand and a bad one must be fixed before it is used.
#pragma once

#include "irsa/core/role_policy.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace irsa::store {

// Bounds on the file's size, so that a hostile file cannot make every admission slow.
inline constexpr std::size_t kMaxPolicyRules = 1000;
inline constexpr std::size_t kMaxPolicyListItems = 1000;  // per list (globs, roles, values, ...)

struct RolePolicyParse {
  core::RolePolicy policy;
  std::string error;  // non-empty: the file is unusable (and `policy` is empty)
};

// Parses a role policy file:
//
//   mode: audit                     # optional, audit|enforce; the mode of rules without their own
//   rules:                          # required list, may be empty; the first matching rule wins
//     - name: team-roles            # required, unique, [A-Za-z0-9._-]{1,63}
//       namespaces: ["shop-*"]      # optional globs of [a-z0-9-] and '*'
//       namespaceSelector: {matchLabels: {...}, matchExpressions: [{key, operator, values}]}
//       allowedRoles: ["arn:aws:iam::111122223333:role/{namespace}-*"]  # or "*"
//       allowedAccounts: ["111122223333"]
//       allowedPartitions: ["aws"]
//       maxServiceAccountsPerRole: 3
//       mode: enforce
//
// Unknown keys, duplicate keys, wrong types and invalid values are errors; every error starts
// with "line L, column C: " (1-based). Never throws.
[[nodiscard]] RolePolicyParse parse_role_policy(std::string_view yaml_text);

}  // namespace irsa::store
