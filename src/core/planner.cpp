#include "planner.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <optional>
#include <set>
#include <string_view>

#include "irsa/core/annotations.hpp"
#include "irsa/core/identity_sources.hpp"
#include "json_writer.hpp"
#include "plan.hpp"

namespace irsa::core::detail {

using namespace std::string_view_literals;

namespace {

// The API server turns warnings into HTTP Warning headers and asks for short ones; it also
// drops everything past 4 KiB in total, so a pathological pod must not flood it.
constexpr std::size_t kMaxWarningChars = 119;
constexpr std::size_t kMaxWarnings = 16;

}  // namespace

void warn(Decision& decision, WarningKind kind, const std::string& text) {
  if (decision.warnings.size() >= kMaxWarnings) return;
  decision.warnings.push_back(clip_for_warning(text, kMaxWarningChars));
  decision.warning_kinds.push_back(kind);
}

namespace {

// How each JSON Patch operation written here starts, and what lies between its path and value.
constexpr std::string_view kOpStart = R"({"op":"add","path":")";
constexpr std::string_view kOpBeforeValue = R"(","value":)";

// Writes JSON Patch "add" operations one by one into a single array.
class PatchWriter {
 public:
  explicit PatchWriter(std::string& out) : out_(out) {}

  // Starts an op and its path; the caller appends the rest of the path, then calls value().
  std::string& begin() {
    separate();
    out_.append(kOpStart);
    return out_;
  }
  std::string& value() {
    out_.append(kOpBeforeValue);
    return out_;
  }
  void end() { out_.push_back('}'); }
  // A whole operation whose start, up to its value, is already written out (OpHead).
  void add(std::string_view head, std::string_view value) {
    separate();
    out_.append(head);
    out_.append(value);
    out_.push_back('}');
  }
  void finish() {
    if (count_ > 0) out_.push_back(']');
  }
  [[nodiscard]] std::size_t count() const noexcept { return count_; }

 private:
  // Opens the list before the first operation and separates each later one from the last.
  void separate() {
    out_.push_back(count_ == 0 ? '[' : ',');
    ++count_;
  }

  std::string& out_;
  std::size_t count_ = 0;
};

// The text of an "add" operation from its start to its value ({"op":"add","path":"...",
// "value":), for a container path and what follows it. A container gets up to seven operations
// that differ only in their value, so the start is put together once, in place, and each
// operation is then three appends instead of seven.
class OpHead {
 public:
  // The longest container path it holds: "/spec/initContainers/" with a 20-digit index
  // (plan_mutation asserts it). Suffixes are literals, checked against kMaxSuffix as compiled.
  static constexpr std::size_t kMaxPath = 48;
  static constexpr std::size_t kMaxSuffix = 16;

  template <std::size_t N>
  OpHead(std::string_view container_path, const char (&suffix)[N]) noexcept {
    static_assert(N - 1 <= kMaxSuffix);
    append(kOpStart);
    append(container_path);
    append(std::string_view(suffix, N - 1));
    append(kOpBeforeValue);
  }
  [[nodiscard]] std::string_view view() const noexcept { return {text_.data(), size_}; }

 private:
  void append(std::string_view part) noexcept {
    std::copy(part.begin(), part.end(), text_.begin() + static_cast<std::ptrdiff_t>(size_));
    size_ += part.size();
  }
  std::array<char, kOpStart.size() + kMaxPath + kMaxSuffix + kOpBeforeValue.size()> text_{};
  std::size_t size_ = 0;
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

// Adds vars and the token mount to one container, whose JSON Pointer is `container_path`
// ("/spec/containers/0"); returns whether anything was added.
bool plan_container(const ContainerFacts& container, std::string_view container_path,
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
    out.append(container_path);
    return out;
  };

  bool changed = false;
  if (var_count > 0) {
    changed = true;
    if (container.env_present) {
      // Appending keeps every existing entry (and any field this webhook does not know).
      const OpHead head(container_path, "/env/-");
      for (std::size_t i = 0; i < var_count; ++i) patch.add(head.view(), vars[i]);
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
    if (container.mounts_present) {
      patch.add(OpHead(container_path, "/volumeMounts/-").view(), plan.mount);
    } else {
      begin_container_op().append("/volumeMounts"sv);
      std::string& value = patch.value();
      value.push_back('[');
      value.append(plan.mount);
      value.push_back(']');
      patch.end();
    }
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
  // Each container's path is written once, for all of its operations: the list's path, then the
  // index, in a buffer that holds the longer list path and any index.
  constexpr std::string_view kContainers = "/spec/containers/";
  constexpr std::string_view kInitContainers = "/spec/initContainers/";
  static_assert(kContainers.size() <= kInitContainers.size());
  std::array<char, kInitContainers.size() + std::numeric_limits<std::size_t>::digits10 + 1> path{};
  static_assert(path.size() <= OpHead::kMaxPath);
  auto visit = [&](const std::vector<ContainerFacts>& containers, std::string_view list_path) {
    std::copy(list_path.begin(), list_path.end(), path.begin());
    for (std::size_t i = 0; i < containers.size(); ++i) {
      const ContainerFacts& container = containers[i];
      if (!choice.skip.empty() || choice.include) named_and_seen.insert(container.name);
      if (!choice.chosen(container.name)) {
        decision.skipped_containers.emplace_back(container.name);
        continue;
      }
      const char* end =
          std::to_chars(path.data() + list_path.size(), path.data() + path.size(), i).ptr;
      const std::string_view container_path(path.data(),
                                            static_cast<std::size_t>(end - path.data()));
      if (plan_container(container, container_path, plan, derived, patch, decision)) {
        decision.mutated_containers.emplace_back(container.name);
      }
    }
  };
  visit(facts.containers, kContainers);
  visit(facts.init_containers, kInitContainers);

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
