#include "irsa/core/admission.hpp"

#include "derived_settings.hpp"
#include "irsa/core/annotations.hpp"
#include "planner.hpp"
#include "response_writer.hpp"
#include "review_reader.hpp"

namespace irsa::core {

using namespace std::string_view_literals;

std::string_view to_string(Mode mode) noexcept {
  switch (mode) {
    case Mode::none:
      return "none";
    case Mode::web_identity:
      return "web-identity";
    case Mode::container_credentials:
      return "container-credentials";
  }
  return "none";
}

std::string_view to_string(WarningKind kind) noexcept {
  switch (kind) {
    case WarningKind::annotation:
      return "annotation";
    case WarningKind::near_miss:
      return "near_miss";
    case WarningKind::container_env:
      return "container_env";
    case WarningKind::mount:
      return "mount";
    case WarningKind::container_list:
      return "container_list";
    case WarningKind::static_credentials:
      return "static_credentials";
    case WarningKind::env_from_region:
      return "env_from_region";
    case WarningKind::token_permissions:
      return "token_permissions";
    case WarningKind::session_name:
      return "session_name";
    case WarningKind::policy:
      return "policy";
  }
  return "annotation";
}

std::string_view to_string(Result result) noexcept {
  switch (result) {
    case Result::mutated:
      return "mutated";
    case Result::unchanged:
      return "unchanged";
    case Result::not_mutated:
      return "not_mutated";
    case Result::denied:
      return "denied";
    case Result::forbidden:
      return "forbidden";
  }
  return "denied";
}

struct Scratch::State {
  detail::JsonTokens tokens;
  std::string padded;  // the body and the padding the token pass reads past its end
  detail::ReviewFacts facts;
};

Scratch::Scratch() : state_(std::make_unique<State>()) {}
Scratch::~Scratch() = default;
Scratch::Scratch(Scratch&&) noexcept = default;
Scratch& Scratch::operator=(Scratch&&) noexcept = default;

namespace {

Admission deny(const detail::Envelope& envelope, std::string_view uid, std::string message) {
  Admission admission;
  admission.decision.result = Result::denied;
  admission.decision.uid = std::string(uid);
  detail::write_denied_response(admission.response, envelope, uid, message);
  admission.decision.error = std::move(message);
  return admission;
}

void copy_request_facts(const detail::ReviewFacts& facts, Decision& decision) {
  decision.uid = std::string(facts.uid);
  decision.pod_name = std::string(!facts.name.empty() ? facts.name : facts.generate_name);
  decision.user = std::string(facts.username);
  decision.operation = std::string(facts.operation);
  decision.dry_run = facts.dry_run;
}

}  // namespace

Mutator::Derived::Derived(const Settings& settings)
    : token_expiration_annotation(
          annotation_key(settings.annotation_prefix, kTokenExpirationAnnotation)),
      skip_containers_annotation(
          annotation_key(settings.annotation_prefix, kSkipContainersAnnotation)),
      include_containers_annotation(
          annotation_key(settings.annotation_prefix, kIncludeContainersAnnotation)),
      region_annotation(annotation_key(settings.annotation_prefix, kRegionAnnotation)),
      role_session_name_annotation(
          annotation_key(settings.annotation_prefix, kRoleSessionNameAnnotation)) {
  const std::array<std::pair<std::string_view, std::string_view>, 2> paths = {{
      {settings.web_identity.mount_path, settings.web_identity.token_path},
      {settings.container_credentials.mount_path, settings.container_credentials.token_path},
  }};
  const std::array<std::string_view, 2> token_file_names = {
      "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"};
  const std::array<std::string_view, 2> volume_names = {settings.web_identity.volume_name,
                                                        settings.container_credentials.volume_name};
  for (std::size_t slot = 0; slot < paths.size(); ++slot) {
    token_files[slot][0] = detail::join_token_path(paths[slot].first, paths[slot].second);
    token_files[slot][1] = detail::windows_form(token_files[slot][0]);
    for (std::size_t windows = 0; windows < 2; ++windows) {
      token_file_vars[slot][windows] =
          detail::render_env_var(token_file_names[slot], token_files[slot][windows]);
    }
    auto& mount = token_mounts[slot];
    mount = R"({"name":)";
    detail::append_json_string(mount, volume_names[slot]);
    mount.append(R"(,"readOnly":true,"mountPath":)"sv);
    detail::append_json_string(mount, paths[slot].first);
    mount.push_back('}');
  }
  sts_var = detail::render_env_var("AWS_STS_REGIONAL_ENDPOINTS", "regional");
  if (!settings.aws_default_region.empty()) {
    default_region_var = detail::render_env_var("AWS_DEFAULT_REGION", settings.aws_default_region);
    region_var = detail::render_env_var("AWS_REGION", settings.aws_default_region);
  }
  full_uri_var = detail::render_env_var("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                        settings.container_credentials.full_uri);
  // The downward API fills the variable with the pod's name once the API server has chosen it,
  // which is what makes this work for pods named by generateName.
  session_name_var =
      R"({"name":"AWS_ROLE_SESSION_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1",)"
      R"("fieldPath":"metadata.name"}}})";
  reader_keys = detail::ReaderKeys{
      token_expiration_annotation,
      skip_containers_annotation,
      include_containers_annotation,
      region_annotation,
      role_session_name_annotation,
      {settings.web_identity.volume_name, settings.container_credentials.volume_name},
      {settings.web_identity.mount_path, settings.container_credentials.mount_path},
  };
}

// Derived holds views into settings_, so a move rebuilds it from the moved-to settings.
Mutator::Mutator(Settings settings)
    : settings_(std::move(settings)), derived_(std::make_unique<const Derived>(settings_)) {}
Mutator::~Mutator() = default;
Mutator::Mutator(Mutator&& other) noexcept
    : settings_(std::move(other.settings_)), derived_(std::make_unique<const Derived>(settings_)) {}
Mutator& Mutator::operator=(Mutator&& other) noexcept {
  settings_ = std::move(other.settings_);
  derived_ = std::make_unique<const Derived>(settings_);
  return *this;
}

Admission review_admission(std::string_view body, const Settings& settings,
                           const IdentitySource& identities, RequestEntropy entropy,
                           Scratch& scratch, const RolePolicy* policy) {
  return Mutator(settings).review(body, identities, entropy, scratch, policy);
}

static_assert(Mutator::kBodyPadding == detail::JsonTokens::kPadding);

Admission Mutator::review(std::string_view body, const IdentitySource& identities,
                          RequestEntropy entropy, Scratch& scratch,
                          const RolePolicy* policy) const {
  auto& padded = scratch.state().padded;
  padded.assign(body);
  padded.resize(body.size() + kBodyPadding);
  return review_padded({padded.data(), body.size()}, identities, entropy, scratch, policy);
}

Admission Mutator::review_in_place(std::string& body, const IdentitySource& identities,
                                   RequestEntropy entropy, Scratch& scratch,
                                   const RolePolicy* policy) const {
  const std::size_t size = body.size();
  body.append(kBodyPadding, '\0');
  // Taken off again however the review ends: bad input is answered, but allocating can throw.
  struct Unpad {
    std::string& body;
    std::size_t size;
    ~Unpad() { body.resize(size); }
  } unpad{body, size};
  return review_padded({body.data(), size}, identities, entropy, scratch, policy);
}

Admission Mutator::review_padded(std::string_view body, const IdentitySource& identities,
                                 RequestEntropy entropy, Scratch& scratch,
                                 const RolePolicy* policy) const {
  const Settings& settings = settings_;
  auto& state = scratch.state();
  auto& facts = state.facts;

  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return deny({}, {}, "the request body is empty; expected an AdmissionReview");
  }

  try {
    detail::read_review(state.tokens, body.data(), body.size(), derived_->reader_keys, facts);
  } catch (const detail::ReviewShapeError& error) {
    // The envelope fields may not have been read yet; answer without them.
    return deny({}, {}, std::string("invalid AdmissionReview: ") + error.what());
  } catch (const detail::JsonSyntaxError& error) {
    return deny({}, {}, std::string("the request body is not valid JSON: ") + error.what());
  }

  const detail::Envelope envelope{facts.api_version, facts.kind};
  if (!facts.has_request) {
    return deny(envelope, {}, "the AdmissionReview has no request");
  }
  if (!facts.object_present) {
    return deny(envelope, facts.uid, "the AdmissionReview request has no object; expected a Pod");
  }
  if (!facts.request_kind.empty() && facts.request_kind != "Pod") {
    return deny(envelope, facts.uid,
                "request.kind is " + clip_for_warning(facts.request_kind, 60) +
                    "; this webhook mutates Pods only");
  }
  if (!facts.object_kind.empty() && facts.object_kind != "Pod") {
    return deny(envelope, facts.uid,
                "request.object is a " + clip_for_warning(facts.object_kind, 60) + ", not a Pod");
  }
  if (!facts.containers_present) {
    return deny(envelope, facts.uid, "request.object has no spec.containers; expected a Pod");
  }

  Admission admission;
  Decision& decision = admission.decision;
  copy_request_facts(facts, decision);
  // The webhook is registered for CREATE; a pod's spec cannot change afterwards, so any other
  // operation is let through untouched rather than answered with a patch the API would refuse.
  if (!facts.operation.empty() && facts.operation != "CREATE") {
    decision.result = Result::not_mutated;
    decision.ns = std::string(facts.request_namespace);
  } else {
    detail::plan_mutation(facts, settings, *derived_, identities, entropy, policy, decision,
                          admission.patch);
  }
  if (decision.result == Result::forbidden) {
    admission.patch.clear();
    detail::write_denied_response(admission.response, envelope, decision.uid, decision.error,
                                  detail::kForbiddenCode);
    return admission;
  }
  detail::write_allowed_response(admission.response, envelope, decision, admission.patch);
  return admission;
}

}  // namespace irsa::core
