#include "planner.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <string_view>

#include "irsa/core/annotations.hpp"
#include "irsa/core/identity_sources.hpp"
#include "json_writer.hpp"

namespace irsa::core::detail {

using namespace std::string_view_literals;

namespace {

// The API server turns warnings into HTTP Warning headers and asks for short ones; it also
// drops everything past 4 KiB in total, so a pathological pod must not flood it.
constexpr std::size_t kMaxWarningChars = 119;
constexpr std::size_t kMaxWarnings = 16;

void warn(Decision& decision, WarningKind kind, const std::string& text) {
  if (decision.warnings.size() >= kMaxWarnings) return;
  decision.warnings.push_back(clip_for_warning(text, kMaxWarningChars));
  decision.warning_kinds.push_back(kind);
}

// STS takes a role session name of 2 to 64 characters from [\w+=,.@-].
constexpr std::size_t kMaxSessionName = 64;
// The API server cuts a generateName to this before it appends 5 random characters.
constexpr std::size_t kMaxGenerateNameBase = 58;
constexpr std::size_t kGeneratedSuffix = 5;
// A denial's message and the audit log's violation: long enough for a rule, a role ARN and the
// allowed patterns, short enough that a hostile annotation cannot bloat the answer.
constexpr std::size_t kMaxPolicyMessage = 1024;

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

// Writes JSON Patch "add" operations one by one into a single array.
class PatchWriter {
 public:
  explicit PatchWriter(std::string& out) : out_(out) {}

  // Starts an op and its path; the caller appends the rest of the path, then calls value().
  std::string& begin() {
    out_.append(count_ == 0 ? "[" : ",");
    ++count_;
    out_.append(R"({"op":"add","path":")"sv);
    return out_;
  }
  std::string& value() {
    out_.append(R"(","value":)"sv);
    return out_;
  }
  void end() { out_.push_back('}'); }
  void finish() {
    if (count_ > 0) out_.push_back(']');
  }
  [[nodiscard]] std::size_t count() const noexcept { return count_; }

 private:
  std::string& out_;
  std::size_t count_ = 0;
};

bool is_windows_pod(const ReviewFacts& facts) {
  return facts.node_selector_os == "windows" || facts.node_selector_beta_os == "windows" ||
         facts.os_name == "windows";
}

std::int64_t jittered(std::int64_t expiration, TokenJitter jitter, RequestEntropy entropy) {
  if (expiration != kDefaultTokenExpirationSeconds) return expiration;
  constexpr auto kSpan =
      static_cast<std::uint64_t>(kDefaultTokenExpirationSeconds - kJitterFloorSeconds + 1);
  switch (jitter) {
    case TokenJitter::random:
      return kJitterFloorSeconds + static_cast<std::int64_t>(entropy.jitter % kSpan);
    case TokenJitter::min:
      return kJitterFloorSeconds;
    case TokenJitter::off:
      return expiration;
  }
  return expiration;
}

// Chooses the mode and fills plan from the identities. Returns false when the pod has none.
bool choose_identity(std::string_view ns, std::string_view service_account,
                     const Settings& settings, const IdentitySource& identities, Plan& plan,
                     Decision& decision, IdentityEntryPtr& account_out) {
  if (identities.uses_container_credentials(ns, service_account)) {
    const auto& cc = settings.container_credentials;
    plan.mode = Mode::container_credentials;
    plan.slot = kContainerCredentialsSlot;
    plan.audience = cc.audience;
    plan.mount_path = cc.mount_path;
    plan.volume_name = cc.volume_name;
    plan.token_path = cc.token_path;
    // Regional STS and lifetime come from the ServiceAccount, else the exact-namespace
    // ConfigMap entry, else the flags (upstream falls back to false/86400 here, ignoring them).
    plan.entry = identities.find_service_account(ns, service_account);
    account_out = plan.entry;
    if (!plan.entry) plan.entry = identities.find_config_map_entry(ns, service_account);
    plan.use_regional_sts =
        plan.entry ? plan.entry->use_regional_sts : settings.sts_regional_endpoint;
    plan.token_expiration = plan.entry ? plan.entry->token_expiration : settings.token_expiration;
    return true;
  }

  IdentityEntryPtr account = identities.find_service_account(ns, service_account);
  account_out = account;
  IdentityEntryPtr chosen = account && !account->role_arn.empty() ? account : nullptr;
  IdentityEntryPtr mapped;
  if (!chosen) {
    mapped = identities.find_config_map_entry(ns, service_account);
    if (!mapped) mapped = identities.find_config_map_entry("*", service_account);
    if (mapped && !mapped->role_arn.empty()) chosen = mapped;
  }
  if (!chosen) {
    decision.service_account_missing = !account && !mapped;
    return false;
  }
  const auto& web = settings.web_identity;
  plan.mode = Mode::web_identity;
  plan.slot = kWebIdentitySlot;
  plan.entry = chosen;
  plan.role_arn = chosen->role_arn;
  plan.audience = chosen->audience;
  plan.mount_path = web.mount_path;
  plan.volume_name = web.volume_name;
  plan.token_path = web.token_path;
  plan.use_regional_sts = chosen->use_regional_sts;
  plan.token_expiration = chosen->token_expiration;
  return true;
}

// A near miss on the pod's ServiceAccount, said on every pod of the account: the account itself
// cannot carry a warning, and its pods are where the missing credentials show.
void warn_near_miss(std::string_view ns, std::string_view service_account,
                    const IdentityEntry& account, bool injected, Decision& decision) {
  if (account.misspelled_key.empty()) return;
  std::string text = "ServiceAccount " + std::string(ns) + "/" + std::string(service_account) +
                     " has " + account.misspelled_key + "; did you mean " + account.intended_key +
                     "? ";
  text += !injected && account.misspelled_role_arn ? "No credentials injected" : "It is ignored";
  warn(decision, WarningKind::near_miss, text);
}

// Checks the pod's role against the role policy. A violation is a warning in audit mode and a
// refusal in enforce mode; returns false when the pod is refused.
bool check_role_policy(const RolePolicy& policy, std::string_view ns,
                       std::string_view service_account, const Plan& plan,
                       const IdentitySource& identities, Decision& decision) {
  // The cluster-wide lookups are made only when some rule needs them.
  std::shared_ptr<const Labels> labels;
  if (policy.uses_namespace_labels()) labels = identities.namespace_labels(ns);
  // A Pod Identity association's role is not injected (the agent hands out its credentials),
  // but when its file names the role the policy judges it like an annotated one.
  std::string association_role;
  if (plan.mode == Mode::container_credentials) {
    association_role = identities.container_credentials_role(ns, service_account);
  }
  const std::string_view role =
      plan.mode == Mode::container_credentials ? std::string_view(association_role) : plan.role_arn;
  PolicySubject subject{ns, service_account, role, labels.get(), 0};
  if (policy.limits_sharing() && !role.empty()) {
    subject.accounts_naming_role = identities.accounts_naming_role(role);
  }
  PolicyVerdict verdict = evaluate_role_policy(policy, subject);
  if (!verdict.violated) return true;
  decision.policy_rule = verdict.rule;
  decision.policy_mode = to_string(verdict.mode);
  decision.policy_violation = clip_for_warning(verdict.reason, kMaxPolicyMessage);
  if (verdict.mode == PolicyMode::enforce) {
    decision.result = Result::forbidden;
    // The reason names the rule; what the rule would allow tells the user what to change.
    decision.error =
        clip_for_warning("role policy: " + verdict.reason + "; the rule allows " + verdict.allowed,
                         kMaxPolicyMessage);
    return false;
  }
  // The rule first: a long role ARN may push the end of the line past the clip.
  warn(decision, WarningKind::policy,
       "role policy rule " + verdict.rule + " (audit): " + verdict.reason);
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

void apply_pod_annotations(const ReviewFacts& facts, const Settings& settings,
                           RequestEntropy entropy, Plan& plan, Decision& decision) {
  if (facts.token_expiration_annotation) {
    if (auto seconds = parse_go_int64(*facts.token_expiration_annotation)) {
      plan.token_expiration = clamp_token_expiration(*seconds);
    } else {
      warn(decision, WarningKind::annotation,
           "pod annotation token-expiration " +
               quote_for_warning(*facts.token_expiration_annotation) +
               " is not an integer; using " + std::to_string(plan.token_expiration));
    }
  }
  if (plan.mode == Mode::container_credentials) {
    plan.token_expiration = jittered(plan.token_expiration, settings.token_jitter, entropy);
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

// Adds vars and the token mount to one container; returns whether anything was added.
bool plan_container(const ContainerFacts& container, std::size_t index, std::string_view list_path,
                    const Plan& plan, const Mutator::Derived& derived, PatchWriter& patch,
                    Decision& decision) {
  const bool web = plan.mode == Mode::web_identity;
  const bool first_var = web ? container.has_role_arn : container.has_full_uri;
  const bool second_var =
      web ? container.has_web_identity_token_file : container.has_authorization_token_file;
  const bool identity_defined = first_var || second_var;
  const bool region_defined = container.has_region || container.has_default_region;
  const bool sts_defined = container.has_sts_regional_endpoints;
  const bool session_wanted = plan.name_session && !container.has_role_session_name;

  if (identity_defined && !(first_var && second_var)) {
    std::string_view set_name =
        first_var
            ? (web ? "AWS_ROLE_ARN" : "AWS_CONTAINER_CREDENTIALS_FULL_URI")
            : (web ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    warn(decision, WarningKind::container_env,
         "container " + quote_for_warning(container.name) + " sets " + std::string(set_name) +
             " itself, so no credential variable is injected");
  }
  if (container.has_static_keys || container.has_profile) {
    warn(decision, WarningKind::static_credentials,
         "container " + quote_for_warning(container.name) + " sets " +
             (container.has_static_keys ? "static AWS keys; the SDKs use them"
                                        : "AWS_PROFILE; the SDKs use it") +
             " before the role");
  }
  // Upstream leaves a container alone, mount included, once it already carries the identity,
  // region and STS variables; kept so that resulting pods stay identical.
  if (identity_defined && region_defined && sts_defined && !session_wanted) return false;

  // The variables to add, in upstream's order, as pre-rendered JSON objects.
  std::array<std::string_view, 6> vars;
  std::size_t var_count = 0;
  if (!sts_defined && plan.use_regional_sts) vars[var_count++] = derived.sts_var;
  if (!region_defined && !plan.region_var.empty()) {
    vars[var_count++] = plan.default_region_var;
    vars[var_count++] = plan.region_var;
    if (container.env_from_present) {
      warn(decision, WarningKind::env_from_region,
           "container " + quote_for_warning(container.name) +
               " has envFrom; the injected AWS_REGION wins over a region from it");
    }
  }
  if (!identity_defined) {
    vars[var_count++] = plan.identity_var;
    vars[var_count++] = plan.token_file_var;
  }
  if (session_wanted) vars[var_count++] = derived.session_name_var;

  auto begin_container_op = [&]() -> std::string& {
    std::string& out = patch.begin();
    out.append(list_path);
    append_int(out, static_cast<std::int64_t>(index));
    return out;
  };

  bool changed = false;
  if (var_count > 0) {
    changed = true;
    if (container.env_present) {
      // Appending keeps every existing entry (and any field this webhook does not know).
      for (std::size_t i = 0; i < var_count; ++i) {
        begin_container_op().append("/env/-"sv);
        patch.value().append(vars[i]);
        patch.end();
      }
    } else {
      begin_container_op().append("/env"sv);
      std::string& out = patch.value();
      out.push_back('[');
      for (std::size_t i = 0; i < var_count; ++i) {
        if (i > 0) out.push_back(',');
        out.append(vars[i]);
      }
      out.push_back(']');
      patch.end();
    }
  }

  const std::size_t slot = plan.slot;
  if (container.mounts_token_volume[slot]) {
    if (container.token_volume_mount_path[slot] != plan.mount_path) {
      warn(decision, WarningKind::mount,
           "container " + quote_for_warning(container.name) + " mounts " +
               quote_for_warning(plan.volume_name) + " at " +
               quote_for_warning(container.token_volume_mount_path[slot]) +
               ", not at the token file's directory");
    }
  } else if (!container.other_mount_at_token_path[slot].empty()) {
    // A second mount at the same path would make the API server reject the pod.
    warn(decision, WarningKind::mount,
         "container " + quote_for_warning(container.name) + " mounts " +
             quote_for_warning(container.other_mount_at_token_path[slot]) +
             " at the token path; token mount not added");
  } else {
    changed = true;
    begin_container_op().append(container.mounts_present ? "/volumeMounts/-" : "/volumeMounts");
    std::string& value = patch.value();
    if (container.mounts_present) {
      value.append(plan.mount);
    } else {
      value.push_back('[');
      value.append(plan.mount);
      value.push_back(']');
    }
    patch.end();
  }
  return changed;
}

void append_volume(std::string& out, const Plan& plan) {
  out.append(R"({"name":)"sv);
  append_json_string(out, plan.volume_name);
  out.append(R"(,"projected":{"sources":[{"serviceAccountToken":{)"sv);
  if (!plan.audience.empty()) {
    out.append(R"("audience":)"sv);
    append_json_string(out, plan.audience);
    out.push_back(',');
  }
  out.append(R"("expirationSeconds":)"sv);
  append_int(out, plan.token_expiration);
  out.append(R"(,"path":)"sv);
  append_json_string(out, plan.token_path);
  out.append("}}]}}"sv);
}

void plan_label(const ReviewFacts& facts, PatchWriter& patch) {
  if (facts.pod_identity_label == kPodIdentityLabelValue) return;
  if (facts.labels_present) {
    std::string& out = patch.begin();
    out.append("/metadata/labels/"sv);
    append_pointer_token(out, kPodIdentityLabelKey);
    append_json_string(patch.value(), kPodIdentityLabelValue);
  } else if (facts.metadata_present) {
    patch.begin().append("/metadata/labels"sv);
    std::string& out = patch.value();
    out.push_back('{');
    append_json_string(out, kPodIdentityLabelKey);
    out.push_back(':');
    append_json_string(out, kPodIdentityLabelValue);
    out.push_back('}');
  } else {
    patch.begin().append("/metadata"sv);
    std::string& out = patch.value();
    out.append(R"({"labels":{)"sv);
    append_json_string(out, kPodIdentityLabelKey);
    out.push_back(':');
    append_json_string(out, kPodIdentityLabelValue);
    out.append("}}"sv);
  }
  patch.end();
}

// The kubelet gives the projected token to the pod's user when every container runs as the same
// runAsUser, and to fsGroup when one is set; otherwise only root can read it. Said when a
// container that gets the token runs as a known non-root user and neither applies.
void warn_token_permissions(const ReviewFacts& facts, const ContainerChoice& choice,
                            Decision& decision) {
  if (facts.has_fs_group) return;
  bool one_user = true;  // every container runs as the same known runAsUser
  bool chosen_non_root = false;
  std::optional<std::int64_t> first_user;
  bool first = true;
  auto look = [&](const std::vector<ContainerFacts>& containers) {
    for (const auto& container : containers) {
      const auto user = container.run_as_user ? container.run_as_user : facts.pod_run_as_user;
      if (!user || (!first && user != first_user)) one_user = false;
      if (first) first_user = user;
      first = false;
      if (user && *user != 0 && choice.chosen(container.name)) chosen_non_root = true;
    }
  };
  look(facts.containers);
  look(facts.init_containers);
  if (!chosen_non_root || one_user) return;
  warn(decision, WarningKind::token_permissions,
       "containers run as different users and the pod has no fsGroup, so the token may be "
       "unreadable: set spec.securityContext.fsGroup");
}

}  // namespace

std::string join_token_path(std::string_view mount_path, std::string_view token_path) {
  // Go's filepath.Join: empty elements are ignored, the result is cleaned.
  std::string joined;
  if (!mount_path.empty()) joined.append(mount_path);
  if (!token_path.empty()) {
    if (!joined.empty()) joined.push_back('/');
    joined.append(token_path);
  }
  if (joined.empty()) return joined;
  return clean_path(joined);
}

std::string windows_form(std::string_view unix_path) {
  std::string out = "C:";
  for (char c : unix_path) out.push_back(c == '/' ? '\\' : c);
  return out;
}

void plan_mutation(const ReviewFacts& facts, const Settings& settings,
                   const Mutator::Derived& derived, const IdentitySource& identities,
                   RequestEntropy entropy, const RolePolicy* policy, Decision& decision,
                   std::string& patch_out) {
  std::string_view ns =
      !facts.request_namespace.empty() ? facts.request_namespace : facts.metadata_namespace;
  // The API server's ServiceAccount admission plugin names "default" before webhooks run; a
  // pod handed to the preview command without one gets the same.
  std::string_view service_account =
      facts.service_account_name.empty() ? std::string_view("default") : facts.service_account_name;
  decision.ns = std::string(ns);
  decision.service_account = std::string(service_account);

  Plan plan;
  IdentityEntryPtr account;
  if (!choose_identity(ns, service_account, settings, identities, plan, decision, account)) {
    if (account) warn_near_miss(ns, service_account, *account, false, decision);
    decision.result = Result::not_mutated;
    return;
  }
  decision.mode = plan.mode;
  decision.role_arn = std::string(plan.role_arn);
  if (plan.entry) {
    for (const auto& problem : plan.entry->problems) {
      warn(decision, WarningKind::annotation, problem);
    }
  }
  if (account) warn_near_miss(ns, service_account, *account, true, decision);
  if (policy && !check_role_policy(*policy, ns, service_account, plan, identities, decision)) {
    return;
  }

  apply_pod_annotations(facts, settings, entropy, plan, decision);
  ContainerChoice choice;
  choose_containers(facts, choice, decision);
  choose_region(facts, derived, plan, decision);
  choose_session_naming(facts, settings, plan, decision);

  const std::size_t windows = is_windows_pod(facts) ? 1 : 0;
  plan.token_file_var = derived.token_file_vars[plan.slot][windows];
  plan.mount = derived.token_mounts[plan.slot];
  if (plan.mode == Mode::web_identity) {
    plan.role_var = render_env_var("AWS_ROLE_ARN", plan.role_arn);
    plan.identity_var = plan.role_var;
  } else {
    plan.identity_var = derived.full_uri_var;
  }

  // One allocation for the whole patch: each mutated container takes a few hundred bytes.
  patch_out.reserve(320 + 960 * (facts.containers.size() + facts.init_containers.size()));
  PatchWriter patch(patch_out);
  if (plan.mode == Mode::container_credentials) plan_label(facts, patch);

  const std::size_t slot = plan.slot;
  if (!facts.has_token_volume[slot]) {
    // Upstream prepends to an existing list; doing the same keeps volume order identical.
    std::string& out = patch.begin();
    out.append(facts.volumes_present ? "/spec/volumes/0" : "/spec/volumes");
    std::string& value = patch.value();
    if (!facts.volumes_present) value.push_back('[');
    append_volume(value, plan);
    if (!facts.volumes_present) value.push_back(']');
    patch.end();
    decision.token_expiration = plan.token_expiration;
  } else if (!facts.token_volume_is_projected[slot]) {
    warn(decision, WarningKind::mount,
         "volume " + std::string(plan.volume_name) +
             " exists and is not a projected token; no token is projected into it");
  }

  std::set<std::string_view> named_and_seen;
  decision.mutated_containers.reserve(facts.containers.size() + facts.init_containers.size());
  auto visit = [&](const std::vector<ContainerFacts>& containers, std::string_view list_path) {
    for (std::size_t i = 0; i < containers.size(); ++i) {
      const ContainerFacts& container = containers[i];
      if (!choice.skip.empty() || choice.include) named_and_seen.insert(container.name);
      if (!choice.chosen(container.name)) {
        decision.skipped_containers.emplace_back(container.name);
        continue;
      }
      if (plan_container(container, i, list_path, plan, derived, patch, decision)) {
        decision.mutated_containers.emplace_back(container.name);
      }
    }
  };
  visit(facts.containers, "/spec/containers/");
  visit(facts.init_containers, "/spec/initContainers/");

  for (const auto& name : choice.skip_names) {
    if (!named_and_seen.contains(name)) {
      warn(decision, WarningKind::container_list,
           "skip-containers names " + quote_for_warning(name) +
               ", which is no container of this pod");
    }
  }
  for (const auto& name : choice.include_names) {
    if (!named_and_seen.contains(name)) {
      warn(decision, WarningKind::container_list,
           "include-containers names " + quote_for_warning(name) +
               ", which is no container of this pod");
    }
  }
  warn_token_permissions(facts, choice, decision);

  patch.finish();
  decision.result = patch.count() > 0 ? Result::mutated : Result::unchanged;
}

}  // namespace irsa::core::detail
