#include "irsa/cli/mutate_command.hpp"

#include "irsa/store/identity_files.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string_view>

#include "irsa/core/admission.hpp"
#include "irsa/core/identity_sources.hpp"
#include "irsa/store/manifests.hpp"
#include "irsa/store/yaml_emit.hpp"
#include "irsa/store/yaml_json.hpp"
#include "no_mutation_reason.hpp"

namespace irsa::cli {

CLI::App& add_mutate_command(CLI::App& app, MutateOptions& options) {
  CLI::App* command = app.add_subcommand(
      "mutate",
      "Show what the webhook does to a pod, offline: reads a Pod or an AdmissionReview and "
      "the ServiceAccounts, prints the JSON Patch, the mutated pod or the response");
  command
      ->add_option("--pod", options.pod_file,
                   "Pod or AdmissionReview file (YAML or JSON), - for stdin")
      ->required();
  command
      ->add_option("--service-account", options.service_account_files,
                   "ServiceAccount file (YAML or JSON; several documents or a List); "
                   "repeatable. May also hold the pod-identity-webhook ConfigMap")
      ->take_last()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command
      ->add_option("--output,-o", options.output,
                   "patch (JSON Patch), pod (YAML) or review (response JSON)")
      ->capture_default_str()
      ->check(CLI::IsMember({"patch", "pod", "review"}));
  add_mutation_flags(*command, options.mutation);
  return *command;
}

namespace {

// A bad input: the message is printed as one line, prefixed by the file it came from.
struct InputError : std::runtime_error {
  InputError(const std::string& file, const std::string& problem)
      : std::runtime_error(file + ": " + problem) {}
};

// A whole file (read_text already names the path in its errors).
std::string read_file(const std::string& path) {
  auto read = store::read_text(path);
  if (!read.error.empty()) throw std::runtime_error(read.error);
  return std::move(read.text);
}

std::vector<nlohmann::json> read_input_documents(const std::string& path) {
  auto parsed = store::parse_documents(read_file(path));
  if (!parsed.error.empty()) throw InputError(path, parsed.error);
  return std::move(parsed.documents);
}

nlohmann::json load_single_document(const std::string& path) {
  auto documents = read_input_documents(path);
  if (documents.empty()) throw InputError(path, "no document found");
  if (documents.size() > 1) {
    throw InputError(path, "holds " + std::to_string(documents.size()) +
                               " documents; expected one Pod or AdmissionReview");
  }
  return std::move(documents.front());
}

// The review body and the pod (for --output=pod) from what the user gave.
struct ReviewInput {
  nlohmann::json review;
  nlohmann::json pod;
  bool namespace_defaulted = false;       // a Pod without metadata.namespace
  bool review_without_namespace = false;  // an AdmissionReview naming none, nor its object
};

// The label the chart's MutatingWebhookConfiguration selects out: such pods never reach the
// webhook. The preview has no objectSelector, so it must say so rather than show a mutation the
// cluster would never make.
constexpr std::string_view kSkipWebhookLabel = "eks.amazonaws.com/skip-pod-identity-webhook";

// A non-empty string member of a JSON object.
bool has_text(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return false;
  const auto found = object.find(key);
  return found != object.end() && found->is_string() && !found->get<std::string>().empty();
}

const nlohmann::json& member(const nlohmann::json& object, std::string_view key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  const auto found = object.find(key);
  return found != object.end() ? *found : kNull;
}

ReviewInput make_review(const std::string& path, nlohmann::json document) {
  if (!document.is_object()) throw InputError(path, "is not a Pod or AdmissionReview object");
  const std::string kind = document.value("kind", "");
  if (kind == "AdmissionReview") {
    ReviewInput input;
    const auto request = document.find("request");
    if (request != document.end() && request->is_object() && request->contains("object")) {
      input.pod = (*request)["object"];
    }
    input.review_without_namespace = !has_text(member(document, "request"), "namespace") &&
                                     !has_text(member(input.pod, "metadata"), "namespace");
    input.review = std::move(document);
    return input;
  }
  if (!kind.empty() && kind != "Pod") {
    throw InputError(path, "is a " + kind + "; expected a Pod or an AdmissionReview");
  }
  std::string ns = "default";
  if (auto metadata = document.find("metadata");
      metadata != document.end() && metadata->is_object()) {
    if (auto found = metadata->find("namespace");
        found != metadata->end() && found->is_string() && !found->get<std::string>().empty()) {
      ns = found->get<std::string>();
    }
  }
  ReviewInput input;
  input.namespace_defaulted = !has_text(member(document, "metadata"), "namespace");
  input.pod = document;
  input.review = {
      {"apiVersion", "admission.k8s.io/v1"},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", "00000000-0000-0000-0000-000000000000"},
        {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
        {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
        {"namespace", ns},
        {"operation", "CREATE"},
        {"object", std::move(document)}}},
  };
  return input;
}

void load_identities(const MutateOptions& options, const core::Settings& settings,
                     core::StaticIdentities& identities, std::vector<std::string>& problems,
                     AccountAnnotations& annotations) {
  for (const auto& path : options.service_account_files) {
    const auto documents = read_input_documents(path);
    auto error = store::add_identity_documents(documents, settings, identities, problems);
    if (!error.empty()) throw InputError(path, error);
    collect_account_annotations(documents, annotations);
  }
  const auto& cc_path = options.mutation.container_credentials_config;
  if (!cc_path.empty()) {
    auto parsed = core::parse_container_credentials_config(read_file(cc_path));
    if (!parsed.error.empty()) throw InputError(cc_path, parsed.error);
    for (const auto& identity : parsed.identities) {
      const auto role = parsed.roles.find(identity);
      identities.add_container_credentials(
          identity.ns, identity.name, role != parsed.roles.end() ? role->second : std::string());
    }
  }
}

std::size_t container_count(const nlohmann::json& pod) {
  const auto& spec = member(pod, "spec");
  std::size_t count = 0;
  for (const char* list : {"containers", "initContainers"}) {
    if (const auto& containers = member(spec, list); containers.is_array()) {
      count += containers.size();
    }
  }
  return count;
}

MutationContext mutation_context(const MutateOptions& options, const core::Settings& settings,
                                 const ReviewInput& input, const core::StaticIdentities& identities,
                                 const AccountAnnotations& annotations) {
  MutationContext context;
  context.namespace_defaulted = input.namespace_defaulted;
  context.review_without_namespace = input.review_without_namespace;
  context.service_account_defaulted = !has_text(member(input.pod, "spec"), "serviceAccountName");
  context.service_account_files_given = !options.service_account_files.empty();
  identities.for_each_service_account(
      [&context](std::string_view key, const auto&) { context.accounts.emplace_back(key); });
  std::ranges::sort(context.accounts);
  context.annotations = &annotations;
  context.annotation_prefix = settings.annotation_prefix;
  context.container_count = container_count(input.pod);
  return context;
}

}  // namespace

int run_mutate(const MutateOptions& options, std::ostream& out, std::ostream& err) {
  // Beside 1 (bad input) and 2 (bad flags): the pod is fine, the role policy refuses it.
  constexpr int kForbiddenExit = 3;
  try {
    core::Settings settings;
    try {
      settings = to_settings(options.mutation);
    } catch (const std::invalid_argument& error) {
      err << "irsa-webhook mutate: " << error.what() << '\n';
      return 2;
    }
    core::StaticIdentities identities;
    std::vector<std::string> problems;
    AccountAnnotations annotations;
    load_identities(options, settings, identities, problems, annotations);
    for (const auto& problem : problems) err << "warning: " << problem << '\n';

    std::shared_ptr<const core::RolePolicy> policy;
    if (!options.mutation.role_policy_file.empty()) {
      auto load = store::load_role_policy_file(options.mutation.role_policy_file);
      if (!load.error.empty()) throw std::runtime_error("--role-policy: " + load.error);
      policy = std::move(load.policy);
    }

    ReviewInput input = make_review(options.pod_file, load_single_document(options.pod_file));
    const std::string body = input.review.dump();
    core::Scratch scratch;
    const core::RequestEntropy entropy{std::random_device{}()};
    core::Admission admission =
        core::review_admission(body, settings, identities, entropy, scratch, policy.get());
    if (admission.decision.result == core::Result::denied) {
      throw InputError(options.pod_file, admission.decision.error);
    }
    if (policy && policy->uses_namespace_labels() &&
        !identities.namespace_labels(admission.decision.ns)) {
      err << "irsa-webhook mutate: note: namespace " << admission.decision.ns
          << " is in no --service-account file, so rules with a namespaceSelector do not match "
             "it (add its Namespace manifest)\n";
    }
    if (admission.decision.result == core::Result::forbidden) {
      // The server's answer would be allowed:false with code 403; --output=review shows it.
      err << "irsa-webhook mutate: denied: " << admission.decision.error << '\n';
      if (options.output == "review") out << admission.response << '\n';
      return kForbiddenExit;
    }
    // Said on stderr so that stdout stays the patch (or pod, or review) scripts read.
    const std::string reason = no_mutation_reason(
        admission.decision, mutation_context(options, settings, input, identities, annotations));
    const auto& decision = admission.decision;
    for (std::size_t i = 0; i < decision.warnings.size(); ++i) {
      // The explanation below names a near miss with its fix; the server's shorter warning
      // would only say it twice.
      if (!reason.empty() && decision.warning_kinds[i] == core::WarningKind::near_miss) continue;
      err << "warning: " << decision.warnings[i] << '\n';
    }
    if (!reason.empty()) err << "irsa-webhook mutate: no container mutated: " << reason << '\n';
    if (member(member(input.pod, "metadata"), "labels").contains(kSkipWebhookLabel)) {
      err << "irsa-webhook mutate: note: the pod has the label " << kSkipWebhookLabel
          << ", so the webhook configuration never sends it to the webhook; this preview "
             "ignores the label\n";
    }

    if (options.output == "review") {
      out << admission.response << '\n';
    } else if (options.output == "pod") {
      nlohmann::json pod = input.pod;
      if (!admission.patch.empty()) pod = pod.patch(nlohmann::json::parse(admission.patch));
      out << store::to_yaml(pod);
    } else {
      out << (admission.patch.empty() ? std::string("[]") : admission.patch) << '\n';
    }
    return 0;
  } catch (const std::exception& error) {
    err << "irsa-webhook mutate: " << error.what() << '\n';
    return 1;
  }
}

}  // namespace irsa::cli
