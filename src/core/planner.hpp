// The mutation rules: from the facts of one review and the identities known, decide the mode,
// the env vars, mounts, volume and label to add, and write them as minimal JSON Patch ops.
#pragma once

#include <string>

#include "derived_settings.hpp"
#include "irsa/core/admission.hpp"
#include "review_facts.hpp"

namespace irsa::core::detail {

// Fills decision (everything but uid/envelope bookkeeping done by the caller) and appends the
// JSON Patch array to patch ("" when nothing is to change).
void plan_mutation(const ReviewFacts& facts, const Settings& settings,
                   const Mutator::Derived& derived, const IdentitySource& identities,
                   RequestEntropy entropy, const RolePolicy* policy, Decision& decision,
                   std::string& patch);

// Go's filepath.Join(mount_path, token_path): empty parts ignored, the result cleaned.
[[nodiscard]] std::string join_token_path(std::string_view mount_path, std::string_view token_path);
// "C:" followed by the path with every "/" turned into "\".
[[nodiscard]] std::string windows_form(std::string_view unix_path);

}  // namespace irsa::core::detail
