#include "plan.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "irsa/core/annotations.hpp"
#include "irsa/core/identity_sources.hpp"
#include "json_writer.hpp"

namespace irsa::core::detail {

namespace {

// STS takes a role session name of 2 to 64 characters from [\w+=,.@-].
constexpr std::size_t kMaxSessionName = 64;
// The API server cuts a generateName to this before it appends 5 random characters.
constexpr std::size_t kMaxGenerateNameBase = 58;
constexpr std::size_t kGeneratedSuffix = 5;
bool is_session_name_text(std::string_view text) noexcept {
  for (char c : text) {
    const bool word =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word && c != '+' && c != '=' && c != ',' && c != '.' && c != '@' && c != '-') {
      return false;
    }
  }
  return true;
}

// A pod annotation's CSV list of container names, or nullopt (with a warning) when it does not
// parse.
std::optional<std::vector<std::string>> container_list(std::string_view annotation,
                                                       std::string_view value,
                                                       std::string_view consequence,
                                                       Decision& decision) {
  auto names = parse_skip_list(value);
  if (!names) {
    warn(decision, WarningKind::container_list,
         "pod annotation " + std::string(annotation) + " " + quote_for_warning(value) +
             " is not valid CSV; " + std::string(consequence));
  }
  return names;
}

}  // namespace

void choose_containers(const ReviewFacts& facts, ContainerChoice& choice, Decision& decision) {
  if (facts.skip_containers_annotation) {
    if (auto names = container_list("skip-containers", *facts.skip_containers_annotation,
                                    "no container skipped", decision)) {
      choice.skip_names = std::move(*names);
      for (const auto& name : choice.skip_names) choice.skip.insert(name);
    }
  }
  if (facts.include_containers_annotation) {
    choice.include.emplace();
    // A list that does not parse includes nothing: the annotation meant to narrow the grant.
    if (auto names = container_list("include-containers", *facts.include_containers_annotation,
                                    "no container gets credentials", decision)) {
      choice.include_names = std::move(*names);
      for (const auto& name : choice.include_names) choice.include->insert(name);
    }
    if (facts.skip_containers_annotation) {
      warn(decision, WarningKind::container_list,
           "both include-containers and skip-containers are set: included containers get "
           "credentials unless skipped");
    }
  }
}

// The region to inject: the pod's annotation, else the account's, else --aws-default-region.
void choose_region(const ReviewFacts& facts, const Mutator::Derived& derived, Plan& plan,
                   Decision& decision) {
  std::string_view region = plan.entry ? std::string_view(plan.entry->region) : "";
  if (facts.region_annotation) {
    if (is_aws_region(*facts.region_annotation)) {
      region = *facts.region_annotation;
    } else {
      warn(decision, WarningKind::annotation,
           "pod annotation region " + quote_for_warning(*facts.region_annotation) +
               " is not an AWS region; ignored");
    }
  }
  if (region.empty()) {
    plan.default_region_var = derived.default_region_var;
    plan.region_var = derived.region_var;
    return;
  }
  plan.own_default_region_var = render_env_var("AWS_DEFAULT_REGION", region);
  plan.own_region_var = render_env_var("AWS_REGION", region);
  plan.default_region_var = plan.own_default_region_var;
  plan.region_var = plan.own_region_var;
}

// Whether the pod's name becomes the role session name: the pod's annotation, else the
// account's, else --role-session-name; web identity only, and only for names STS accepts.
void choose_session_naming(const ReviewFacts& facts, const Settings& settings, Plan& plan,
                           Decision& decision) {
  bool wanted = settings.role_session_name_from_pod;
  if (plan.entry && plan.entry->session_naming != SessionNaming::unset) {
    wanted = plan.entry->session_naming == SessionNaming::pod_name;
  }
  if (facts.role_session_name_annotation) {
    if (auto naming = parse_session_naming(*facts.role_session_name_annotation)) {
      wanted = *naming == SessionNaming::pod_name;
    } else {
      warn(decision, WarningKind::annotation,
           "pod annotation role-session-name " +
               quote_for_warning(*facts.role_session_name_annotation) +
               " is neither pod-name nor none; ignored");
    }
  }
  if (!wanted || plan.mode != Mode::web_identity) return;
  // A named pod keeps its name; a generated one is the base (cut to 58) and 5 characters.
  const std::string_view base = !facts.name.empty() ? facts.name : facts.generate_name;
  const std::size_t length = !facts.name.empty()
                                 ? base.size()
                                 : std::min(base.size(), kMaxGenerateNameBase) + kGeneratedSuffix;
  if (length < 2 || length > kMaxSessionName || !is_session_name_text(base)) {
    warn(decision, WarningKind::session_name,
         "no AWS_ROLE_SESSION_NAME: pod name " + quote_for_warning(base) +
             " is not 2-64 of [\\w+=,.@-]");
    return;
  }
  plan.name_session = true;
}

}  // namespace irsa::core::detail
