#include "doctor_files.hpp"

#include "account_annotations.hpp"
#include "irsa/core/identity_sources.hpp"
#include "irsa/doctor/json_fields.hpp"
#include "irsa/store/manifests.hpp"
#include "irsa/store/yaml_json.hpp"

namespace irsa::cli {

namespace {

using doctor::fields::field;
using doctor::fields::text;

std::vector<nlohmann::json> read_doctor_documents(const std::string& path) {
  auto read = store::read_text(path);
  if (!read.error.empty()) throw DoctorInputError(read.error);
  auto parsed = store::parse_documents(read.text);
  if (!parsed.error.empty()) throw DoctorInputError(path + ": " + parsed.error);
  return std::move(parsed.documents);
}

// The pod-identity-webhook ConfigMap, at the top or among a List's items.
const nlohmann::json* find_config_map(const nlohmann::json& document) {
  if (text(document, "kind") == "ConfigMap" &&
      text(field(document, "metadata"), "name") == store::kConfigMapName) {
    return &document;
  }
  const auto& items = field(document, "items");
  if (!items.is_array()) return nullptr;
  for (const auto& item : items) {
    if (text(item, "kind") == "ConfigMap" &&
        text(field(item, "metadata"), "name") == store::kConfigMapName) {
      return &item;
    }
  }
  return nullptr;
}

// A copy of `pod` whose metadata is an object with this namespace (a Pod file may leave it out).
nlohmann::json in_namespace(nlohmann::json pod, const std::string& ns) {
  if (!pod.contains("metadata") || !pod["metadata"].is_object()) {
    pod["metadata"] = nlohmann::json::object();
  }
  pod["metadata"]["namespace"] = ns.empty() ? std::string("default") : ns;
  return pod;
}

std::string namespace_of(const nlohmann::json& object) {
  return text(field(object, "metadata"), "namespace");
}

// The pod a workload would create: its template, in the workload's namespace, named after it.
nlohmann::json pod_from_template(const nlohmann::json& workload, const nlohmann::json& pod_template,
                                 const std::string& path) {
  if (!pod_template.is_object()) {
    throw DoctorInputError(path + ": the " + text(workload, "kind") + " has no pod template");
  }
  nlohmann::json pod = in_namespace(pod_template, namespace_of(workload));
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  if (!pod["metadata"].contains("name"))
    pod["metadata"]["name"] = text(field(workload, "metadata"), "name");
  return pod;
}

struct PodFile {
  nlohmann::json pod;
  std::optional<nlohmann::json> controller;
};

PodFile read_pod(const std::string& path) {
  auto documents = read_doctor_documents(path);
  if (documents.size() != 1) {
    throw DoctorInputError(path + ": holds " + std::to_string(documents.size()) +
                           " documents; expected one Pod, AdmissionReview or workload");
  }
  const nlohmann::json& document = documents.front();
  const std::string kind = text(document, "kind");
  if (kind == "Pod") return {in_namespace(document, namespace_of(document)), std::nullopt};
  if (kind == "AdmissionReview") {
    const auto& request = field(document, "request");
    const auto& object = field(request, "object");
    if (!object.is_object())
      throw DoctorInputError(path + ": the AdmissionReview holds no request.object");
    const std::string ns = text(request, "namespace");
    return {in_namespace(object, ns.empty() ? namespace_of(object) : ns), std::nullopt};
  }
  const auto& spec = field(document, "spec");
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
      kind == "ReplicaSet" || kind == "Job") {
    return {pod_from_template(document, field(spec, "template"), path), document};
  }
  if (kind == "CronJob") {
    const auto& pod_template = field(field(field(spec, "jobTemplate"), "spec"), "template");
    return {pod_from_template(document, pod_template, path), document};
  }
  throw DoctorInputError(path + ": is " +
                         (kind.empty() ? std::string("not a Kubernetes object") : "a " + kind) +
                         "; expected a Pod, an AdmissionReview or a workload with a pod template");
}

}  // namespace

OfflineWorld load_offline_world(const std::vector<std::string>& account_files,
                                const std::string& pod_file, const core::Settings& settings) {
  OfflineWorld world;
  AccountAnnotations accounts;
  core::StaticIdentities checked;  // only for the checks `mutate` makes on the same files
  std::vector<std::string> problems;
  for (const auto& path : account_files) {
    const auto documents = read_doctor_documents(path);
    if (const std::string error =
            store::add_identity_documents(documents, settings, checked, problems);
        !error.empty()) {
      throw DoctorInputError(path + ": " + error);
    }
    collect_account_annotations(documents, accounts);
    for (const auto& document : documents) {
      if (const auto* config_map = find_config_map(document)) world.config_map = *config_map;
    }
  }
  for (const auto& [key, annotations] : accounts) {
    const auto slash = key.find('/');
    OfflineAccount account{key.substr(0, slash), key.substr(slash + 1), {}};
    account.object = {{"apiVersion", "v1"},
                      {"kind", "ServiceAccount"},
                      {"metadata",
                       {{"name", account.name},
                        {"namespace", account.ns},
                        {"annotations", nlohmann::json(annotations)}}}};
    world.service_accounts.push_back(std::move(account));
  }
  if (!pod_file.empty()) {
    PodFile read = read_pod(pod_file);
    world.pod = std::move(read.pod);
    world.controller = std::move(read.controller);
  }
  return world;
}

std::vector<std::string> account_names(const OfflineWorld& world) {
  std::vector<std::string> names;
  for (const auto& account : world.service_accounts)
    names.push_back(account.ns + "/" + account.name);
  return names;
}

}  // namespace irsa::cli
