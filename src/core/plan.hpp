// What the planner's steps share: the plan of one review once its mode is known, which
// containers get credentials, and how a step adds a warning. Internal to the core.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "derived_settings.hpp"
#include "irsa/core/admission.hpp"
#include "review_facts.hpp"

namespace irsa::core::detail {

// Everything the per-container and pod-level steps need once the mode is known.
struct Plan {
  Mode mode = Mode::none;
  ModeSlot slot = kWebIdentitySlot;
  std::string_view role_arn;  // points into entry, which the plan keeps alive
  std::string_view audience;
  std::string_view mount_path;
  std::string_view volume_name;
  std::string_view token_path;
  bool use_regional_sts = false;
  std::int64_t token_expiration = 0;
  std::string role_var;             // AWS_ROLE_ARN rendered once per review
  std::string_view identity_var;    // AWS_ROLE_ARN or AWS_CONTAINER_CREDENTIALS_FULL_URI
  std::string_view token_file_var;  // the matching token file variable
  std::string_view mount;           // the token volumeMount
  IdentityEntryPtr entry;           // the source of the values, for its problems
  // AWS_DEFAULT_REGION and AWS_REGION as rendered objects (the flag's, or the account's or pod's
  // own region rendered for this review into own_*); empty: no region is injected.
  std::string_view default_region_var;
  std::string_view region_var;
  std::string own_default_region_var;
  std::string own_region_var;
  bool name_session = false;  // add AWS_ROLE_SESSION_NAME from the pod's name
};

// Which containers get credentials: those include-containers names (all when it is absent),
// less those skip-containers names.
struct ContainerChoice {
  std::set<std::string_view> skip;
  std::vector<std::string> skip_names;
  std::optional<std::set<std::string_view>> include;
  std::vector<std::string> include_names;

  [[nodiscard]] bool chosen(std::string_view name) const {
    return (!include || include->contains(name)) && !skip.contains(name);
  }
};

// Adds a warning unless the decision already holds the most the API server should be sent.
void warn(Decision& decision, WarningKind kind, const std::string& text);

// The pod's choices beyond upstream (plan_choices.cpp): which containers, which region, and
// whether sessions are named after the pod; each warns about values it cannot use.
void choose_containers(const ReviewFacts& facts, ContainerChoice& choice, Decision& decision);
void choose_region(const ReviewFacts& facts, const Mutator::Derived& derived, Plan& plan,
                   Decision& decision);
void choose_session_naming(const ReviewFacts& facts, const Settings& settings, Plan& plan,
                           Decision& decision);

// The checks that only warn or refuse (plan_checks.cpp).
void warn_near_miss(std::string_view ns, std::string_view service_account,
                    const IdentityEntry& account, bool injected, Decision& decision);
bool check_role_policy(const RolePolicy& policy, std::string_view ns,
                       std::string_view service_account, const Plan& plan,
                       const IdentitySource& identities, Decision& decision);
void warn_token_permissions(const ReviewFacts& facts, const ContainerChoice& choice,
                            Decision& decision);

}  // namespace irsa::core::detail
