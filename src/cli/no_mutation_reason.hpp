// Why `irsa-webhook mutate` changed no container, in one line. An empty patch alone leaves a
// new user guessing between a wrong namespace, a wrong account name, a misspelt annotation and
// a pod that needs nothing; the facts to tell them apart are all at hand, so say which.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "account_annotations.hpp"
#include "irsa/core/decision.hpp"

namespace irsa::cli {

// What the command knows beyond the decision: how the pod was given and what the files held.
struct MutationContext {
  bool namespace_defaulted = false;        // a Pod without metadata.namespace: "default" used
  bool review_without_namespace = false;   // an AdmissionReview naming no namespace anywhere
  bool service_account_defaulted = false;  // no spec.serviceAccountName: "default" used
  bool service_account_files_given = false;
  std::vector<std::string> accounts;  // "<ns>/<name>" of every ServiceAccount read, sorted
  const AccountAnnotations* annotations = nullptr;  // as written, for near misses
  std::string annotation_prefix;
  std::size_t container_count = 0;  // containers and init containers
};

// The reason, without a trailing newline; empty when some container was mutated.
[[nodiscard]] std::string no_mutation_reason(const core::Decision& decision,
                                             const MutationContext& context);

}  // namespace irsa::cli
