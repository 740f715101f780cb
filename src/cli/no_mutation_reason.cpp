#include "no_mutation_reason.hpp"

#include <string_view>

#include "irsa/core/annotation_hints.hpp"
#include "irsa/core/annotations.hpp"

namespace irsa::cli {

namespace {

// Enough names to recognise the files, few enough to keep the reason on one screen line.
constexpr std::size_t kAccountsShown = 3;
// The near-miss measure the annotation hints use: a dropped, doubled or swapped letter or two.
constexpr std::size_t kNameEdits = 2;
// A shorter name inside a longer one (api in checkout-api) counts as similar from this length;
// below it, every name containing an "a" would.
constexpr std::size_t kMinContainedName = 3;

std::string join(const std::vector<std::string>& names, std::size_t shown) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < shown; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > shown) out += " and " + std::to_string(names.size() - shown) + " more";
  return out;
}

struct AccountName {
  std::string_view ns;
  std::string_view name;
};

AccountName split_account(std::string_view key) {
  const auto slash = key.find('/');
  if (slash == std::string_view::npos) return {{}, key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

// "ServiceAccount shop/api", with the defaults that chose it spelt out: they are the likeliest
// reason the account looked up is not the one the user meant.
std::string subject(const core::Decision& decision, const MutationContext& context) {
  std::vector<std::string> notes;
  if (context.namespace_defaulted) {
    notes.emplace_back("the Pod has no metadata.namespace, so namespace \"default\" was used");
  }
  if (context.review_without_namespace) notes.emplace_back("the review names no namespace");
  if (context.service_account_defaulted) {
    notes.emplace_back("the Pod has no spec.serviceAccountName, which means \"default\"");
  }
  std::string out = "ServiceAccount " + core::account_key(decision.ns, decision.service_account);
  for (std::size_t i = 0; i < notes.size(); ++i) out += (i == 0 ? " (" : "; ") + notes[i];
  if (!notes.empty()) out += ")";
  return out;
}

bool similar_names(std::string_view a, std::string_view b) {
  if (core::typo_distance(a, b, kNameEdits) <= kNameEdits) return true;
  const std::string_view shorter = a.size() < b.size() ? a : b;
  const std::string_view longer = a.size() < b.size() ? b : a;
  return shorter.size() >= kMinContainedName && longer.find(shorter) != std::string_view::npos;
}

// The account the user most likely meant: the same name in another namespace first (a
// forgotten or wrong namespace), then a similar name in the same namespace.
std::string near_account(const core::Decision& decision, const MutationContext& context) {
  for (const auto& key : context.accounts) {
    const AccountName held = split_account(key);
    if (held.name == decision.service_account && held.ns != decision.ns) {
      return key + " has the same name in another namespace";
    }
  }
  for (const auto& key : context.accounts) {
    const AccountName held = split_account(key);
    if (held.ns == decision.ns && similar_names(held.name, decision.service_account)) {
      return key + " has a similar name";
    }
  }
  return {};
}

std::string missing_account(const core::Decision& decision, const MutationContext& context) {
  std::string out = subject(decision, context);
  if (!context.service_account_files_given) {
    return out + " is unknown: no --service-account file was given";
  }
  if (context.accounts.empty()) return out + " is not in the files, which hold no ServiceAccount";
  out += " is not in the files; they hold " + join(context.accounts, kAccountsShown);
  if (std::string near = near_account(decision, context); !near.empty()) out += "; " + near;
  return out;
}

std::string roleless_account(const core::Decision& decision, const MutationContext& context) {
  const std::string role_key =
      core::annotation_key(context.annotation_prefix, core::kRoleArnAnnotation);
  std::string out = subject(decision, context) + " names no role";
  const core::Annotations* annotations = nullptr;
  if (context.annotations != nullptr) {
    const auto found =
        context.annotations->find(core::account_key(decision.ns, decision.service_account));
    if (found != context.annotations->end()) annotations = &found->second;
  }
  if (annotations == nullptr) return out + " (no " + role_key + " annotation)";
  if (annotations->contains(role_key)) return out + " (its " + role_key + " is empty)";
  std::vector<core::AnnotationHint> role_hints;
  for (auto& hint : core::annotation_near_misses(*annotations, context.annotation_prefix)) {
    if (hint.suffix == core::kRoleArnAnnotation && !hint.shadowed) {
      role_hints.push_back(std::move(hint));
    }
  }
  if (role_hints.empty()) return out + " (no " + role_key + " annotation)";
  out += ": " + role_hints.front().problem + " (fix: " + role_hints.front().fix + ")";
  if (role_hints.size() > 1) {
    out += " and " + std::to_string(role_hints.size() - 1) + " more near miss";
    if (role_hints.size() > 2) out += "es";
  }
  return out;
}

std::string identity_words(const core::Decision& decision) {
  if (decision.mode == core::Mode::container_credentials) return "EKS Pod Identity";
  return "web identity (role " + decision.role_arn + ")";
}

std::string untouched_containers(const core::Decision& decision, const MutationContext& context) {
  const auto& skipped = decision.skipped_containers;
  std::string out;
  if (!skipped.empty() && skipped.size() >= context.container_count) {
    out = core::annotation_key(context.annotation_prefix, core::kSkipContainersAnnotation) +
          " skips every container (" + join(skipped, skipped.size()) + ")";
  } else {
    out = "the pod already carries " + identity_words(decision) + " in every container";
    if (!skipped.empty())
      out += " it does not skip (skipped: " + join(skipped, skipped.size()) + ")";
  }
  // Pod-level additions (the token volume, the Pod Identity label) alone give no container
  // credentials; say so, or the non-empty patch reads as a success.
  if (decision.result == core::Result::mutated) out += "; the patch adds only pod-level fields";
  return out;
}

}  // namespace

std::string no_mutation_reason(const core::Decision& decision, const MutationContext& context) {
  if (!decision.mutated_containers.empty()) return {};
  switch (decision.result) {
    case core::Result::not_mutated:
      return decision.service_account_missing ? missing_account(decision, context)
                                              : roleless_account(decision, context);
    case core::Result::mutated:
    case core::Result::unchanged:
      return untouched_containers(decision, context);
    case core::Result::denied:
    case core::Result::forbidden:
      break;  // the decision's error says why
  }
  return {};
}

}  // namespace irsa::cli
