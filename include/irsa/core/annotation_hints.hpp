// Annotations that were almost the ones the webhook reads. A misspelt key is silently ignored by
// the webhook (and by the API server), so the pod starts without credentials and nothing says
// why; naming the near miss is usually the whole diagnosis. Shared by `mutate` and `doctor`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "irsa/core/identity_sources.hpp"

namespace irsa::core {

// What is wrong with the annotation, for callers that word or rank the hint themselves.
enum class HintKind {
  key_case,  // the right key in the wrong case: keys are case-sensitive
  prefix,    // the right suffix under another prefix (eks.amazon.com/role-arn)
  suffix,    // the right prefix with the suffix spelt otherwise (role_arn, roleArn, iam-role-arn)
  key,       // a key one or two edits away from a whole key, or both halves wrong
  value,     // the exact role-arn key whose value carries surrounding whitespace or quotes
};

struct AnnotationHint {
  std::string key;      // the annotation as written
  std::string problem;  // one line in words
  std::string fix;      // the key (or key=value) it should be
  HintKind kind = HintKind::key;
  std::string_view suffix;  // the suffix meant (one of core's constants, so the view never dangles)
  // The intended key is present as well, so this one changes nothing (a leftover, not a cause).
  bool shadowed = false;
};

// Annotations that look like a misspelling of one the webhook reads under `prefix` (role-arn,
// audience, sts-regional-endpoints, token-expiration, skip-containers,
// region, include-containers, role-session-name): a key one or two edits
// away (case-insensitive), the right suffix under another AWS-looking prefix (eks.amazon.com/,
// amazonaws.com/, iam.amazonaws.com/, no prefix at all, ...), suffix spellings such as role_arn,
// roleArn, rolearn, role-ARN, iam-role-arn, and the exact role-arn key whose value has
// surrounding whitespace or quotes. Exact keys are not hints otherwise; keys under unrelated
// prefixes (app.kubernetes.io/, kubectl.kubernetes.io/, ...) never are. In key order.
[[nodiscard]] std::vector<AnnotationHint> annotation_near_misses(const Annotations& annotations,
                                                                 std::string_view prefix);

// Whether annotation_near_misses could flag `key` at all: a cheap test for readers that see every
// annotation of every ServiceAccount in a cluster and keep only those the webhook may need.
[[nodiscard]] bool may_be_near_miss(std::string_view key, std::string_view prefix);

// The measure of "near" above, for callers that look for near misses of other names (a
// ServiceAccount name) and should agree with it: edits (insert, delete, substitute, swap two
// neighbours) between a and b ignoring ASCII case, or limit + 1 when there are more than limit.
[[nodiscard]] std::size_t typo_distance(std::string_view a, std::string_view b, std::size_t limit);

}  // namespace irsa::core
