// Check 1: does anything give the account a role the way the webhook reads it? When nothing
// does, the likeliest reasons are named: a misspelled key, the annotation put on the pod or its
// controller, a value with stray whitespace.
#include <string>

#include "irsa/core/annotation_hints.hpp"
#include "irsa/core/annotations.hpp"
#include "irsa/doctor/checks.hpp"
#include "irsa/doctor/json_fields.hpp"

namespace irsa::doctor {

namespace {

std::string role_key(const CheckContext& context) {
  return core::annotation_key(context.settings.mutation.annotation_prefix,
                              core::kRoleArnAnnotation);
}

std::string subject_name(const Subject& subject) {
  return subject.ns + "/" + subject.service_account;
}

std::string annotate_command(const CheckContext& context, const std::string& value) {
  const Subject& subject = context.evidence.subject;
  return "kubectl annotate serviceaccount -n " + subject.ns + " " + subject.service_account + " " +
         role_key(context) + "=" + value + " --overwrite";
}

CheckResult unreadable_account(const CheckContext& context) {
  const Read& read = context.evidence.service_account;
  const Subject& subject = context.evidence.subject;
  CheckResult result{std::string(kAnnotationCheck), Status::fail, {}, {}, {}, {}};
  if (read.state == ReadState::not_found) {
    const bool no_namespace = context.evidence.namespace_object.state == ReadState::not_found;
    result.finding = no_namespace ? "namespace " + subject.ns + " does not exist"
                                  : "ServiceAccount " + subject_name(subject) + " does not exist" +
                                        (read.message.empty() ? "" : " (" + read.message + ")");
    result.remedy = (no_namespace ? "kubectl create namespace " + subject.ns + "\n" : "") +
                    "kubectl create serviceaccount -n " + subject.ns + " " +
                    subject.service_account + "\n" +
                    annotate_command(context, "arn:aws:iam::<account>:role/<name>");
    return result;
  }
  result.finding = "cannot read ServiceAccount " + subject_name(subject) + ": " + read.message;
  result.remedy = read.state == ReadState::forbidden
                      ? "grant the caller: " + read.request
                      : "check that the API server answers, then run doctor again";
  return result;
}

// Role annotations people put where the webhook does not look: on the pod or its controller.
void misplaced_annotations(const CheckContext& context, const std::string& where,
                           const Read& object, std::vector<std::string>& details,
                           std::string& value_found) {
  if (!object.found()) return;
  const auto annotations = fields::annotations_of(object.object);
  const core::Annotations given(annotations.begin(), annotations.end());
  const auto exact = given.find(role_key(context));
  if (exact != given.end()) {
    details.push_back(where + " " + fields::name_of(object.object) + " carries " +
                      role_key(context) +
                      ", but the webhook reads it only from the ServiceAccount");
    if (value_found.empty()) value_found = exact->second;
  }
  for (const auto& hint :
       core::annotation_near_misses(given, context.settings.mutation.annotation_prefix)) {
    details.push_back(where + " " + fields::name_of(object.object) + ": " + hint.problem);
  }
}

// The commands that put a near miss right: the value moved under the right key (or trimmed), and
// the misspelt key removed.
std::string hint_fix(const CheckContext& context, const core::AnnotationHint& hint,
                     const core::Annotations& given) {
  const Subject& subject = context.evidence.subject;
  const std::string annotate =
      "kubectl annotate serviceaccount -n " + subject.ns + " " + subject.service_account + " ";
  if (hint.kind == core::HintKind::value) return annotate + hint.fix + " --overwrite";
  const auto value = given.find(hint.key);
  return annotate + hint.fix + "=" + (value == given.end() ? std::string() : value->second) + "\n" +
         annotate + hint.key + "-";
}

}  // namespace

CheckResult check_annotation(const CheckContext& context) {
  const Evidence& evidence = context.evidence;
  const ResolvedIdentity& identity = context.identity;
  CheckResult result{std::string(kAnnotationCheck), Status::pass, {}, {}, {}, {}};
  const std::string who = subject_name(evidence.subject);

  if (identity.source == IdentitySource::pod_identity) {
    result.finding = who + " is listed in the Pod Identity associations (" +
                     context.settings.container_credentials_file +
                     "): the webhook injects container credentials, not a role";
    return result;
  }
  if (evidence.service_account.state == ReadState::not_asked) {
    result.status = Status::skip;
    result.finding = "no ServiceAccount to read (give one with --service-account=FILE)";
    return result;
  }
  if (!evidence.service_account.found() && identity.source != IdentitySource::config_map) {
    return unreadable_account(context);
  }

  const auto annotations = evidence.service_account.found()
                               ? fields::annotations_of(evidence.service_account.object)
                               : std::map<std::string, std::string, std::less<>>{};
  const core::Annotations given(annotations.begin(), annotations.end());
  const auto hints =
      core::annotation_near_misses(given, context.settings.mutation.annotation_prefix);

  if (identity.source == IdentitySource::annotation) {
    result.finding = role_key(context) + " = " + identity.role_arn;
    for (const auto& problem : identity.problems) result.details.push_back(problem);
    for (const auto& hint : hints) {
      if (hint.shadowed) {
        result.details.push_back(hint.problem + " (a leftover: the right key is there too)");
        continue;
      }
      result.details.push_back(hint.problem);
      if (result.status == Status::warn) continue;
      result.status = Status::warn;
      result.remedy = hint_fix(context, hint, given);
    }
    if (!identity.problems.empty() && result.status == Status::pass) {
      result.status = Status::warn;
      result.remedy = "correct the annotation values named above";
    }
    if (result.status == Status::warn) result.finding += "; " + result.details.front();
    return result;
  }
  if (identity.source == IdentitySource::config_map) {
    result.finding = "no " + role_key(context) + " on the account; the pod-identity-webhook " +
                     "ConfigMap maps it (key " + identity.config_map_key + ") to " +
                     identity.role_arn;
    return result;
  }

  // Nothing names a role: say why as precisely as the evidence allows.
  result.status = Status::fail;
  result.finding = "ServiceAccount " + who + " has no " + role_key(context) + " annotation";
  std::string value_found;
  for (const auto& hint : hints) {
    result.details.push_back(hint.problem);
    const auto annotation = given.find(hint.key);
    if (hint.suffix == core::kRoleArnAnnotation && value_found.empty() &&
        annotation != given.end()) {
      value_found = annotation->second;
      result.finding += ": " + hint.problem;
    }
  }
  if (!identity.config_map_problem.empty()) result.details.push_back(identity.config_map_problem);
  misplaced_annotations(context, "pod", evidence.pod, result.details, value_found);
  misplaced_annotations(context, "controller", evidence.pod_controller, result.details,
                        value_found);
  result.remedy = annotate_command(
      context, value_found.empty() ? "arn:aws:iam::<account>:role/<name>" : value_found);
  for (const auto& hint : hints) {
    if (hint.suffix != core::kRoleArnAnnotation) continue;
    result.remedy += "\nkubectl annotate serviceaccount -n " + evidence.subject.ns + " " +
                     evidence.subject.service_account + " " + hint.key + "-";
  }
  return result;
}

}  // namespace irsa::doctor
