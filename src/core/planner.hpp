// The mutation rules: from the facts of one review and the identities known, decide the mode,
// the env vars, mounts, volume and label to add, and write them as minimal JSON Patch ops.
#pragma once

#include <string>

#include "irsa/core/admission.hpp"
#include "review_facts.hpp"

namespace irsa::core::detail {

// Fills decision (everything but uid/envelope bookkeeping done by the caller) and appends the
// JSON Patch array to patch ("" when nothing is to change).
void plan_mutation(const ReviewFacts& facts, const Settings& settings,
                   const IdentitySource& identities, RequestEntropy entropy, Decision& decision,
                   std::string& patch);

}  // namespace irsa::core::detail
