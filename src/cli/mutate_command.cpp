#include "irsa/cli/mutate_command.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <random>
#include <stdexcept>

#include "irsa/core/admission.hpp"
#include "irsa/core/identity_sources.hpp"
#include "irsa/store/manifests.hpp"
#include "irsa/store/yaml_emit.hpp"
#include "irsa/store/yaml_json.hpp"

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

std::vector<nlohmann::json> read_documents(const std::string& path) {
  auto parsed = store::parse_documents(read_file(path));
  if (!parsed.error.empty()) throw InputError(path, parsed.error);
  return std::move(parsed.documents);
}

nlohmann::json load_single_document(const std::string& path) {
  auto documents = read_documents(path);
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
};

ReviewInput make_review(const std::string& path, nlohmann::json document) {
  if (!document.is_object()) throw InputError(path, "is not a Pod or AdmissionReview object");
  const std::string kind = document.value("kind", "");
  if (kind == "AdmissionReview") {
    ReviewInput input;
    const auto request = document.find("request");
    if (request != document.end() && request->is_object() && request->contains("object")) {
      input.pod = (*request)["object"];
    }
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
                     core::StaticIdentities& identities, std::vector<std::string>& problems) {
  for (const auto& path : options.service_account_files) {
    auto error =
        store::add_identity_documents(read_documents(path), settings, identities, problems);
    if (!error.empty()) throw InputError(path, error);
  }
  const auto& cc_path = options.mutation.container_credentials_config;
  if (!cc_path.empty()) {
    auto parsed = core::parse_container_credentials_config(read_file(cc_path));
    if (!parsed.error.empty()) throw InputError(cc_path, parsed.error);
    for (const auto& identity : parsed.identities) {
      identities.add_container_credentials(identity.ns, identity.name);
    }
  }
}

}  // namespace

int run_mutate(const MutateOptions& options, std::ostream& out, std::ostream& err) {
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
    load_identities(options, settings, identities, problems);
    for (const auto& problem : problems) err << "warning: " << problem << '\n';

    ReviewInput input = make_review(options.pod_file, load_single_document(options.pod_file));
    const std::string body = input.review.dump();
    core::Scratch scratch;
    const core::RequestEntropy entropy{std::random_device{}()};
    core::Admission admission =
        core::review_admission(body, settings, identities, entropy, scratch);
    if (admission.decision.result == core::Result::denied) {
      throw InputError(options.pod_file, admission.decision.error);
    }
    for (const auto& warning : admission.decision.warnings) err << "warning: " << warning << '\n';

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
