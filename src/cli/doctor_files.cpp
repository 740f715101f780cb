#include "doctor_files.hpp"

#include "irsa/store/manifests.hpp"
#include "irsa/store/yaml_json.hpp"

namespace irsa::cli {

namespace {

std::vector<nlohmann::json> read_documents(const std::string& path) {
  auto read = store::read_text(path);
  if (!read.error.empty()) throw DoctorInputError(read.error);
  auto parsed = store::parse_documents(read.text);
  if (!parsed.error.empty()) throw DoctorInputError(path + ": " + parsed.error);
  return std::move(parsed.documents);
}

std::string kind_of(const nlohmann::json& document) {
  return document.is_object() ? document.value("kind", "") : std::string();
}

void flatten(const nlohmann::json& document, std::vector<nlohmann::json>& out) {
  const std::string kind = kind_of(document);
  if (kind.ends_with("List") && document.contains("items") && document["items"].is_array()) {
    for (const auto& item : document["items"]) flatten(item, out);
    return;
  }
  out.push_back(document);
}

std::string namespace_of(const nlohmann::json& object) {
  const auto metadata = object.value("metadata", nlohmann::json::object());
  if (!metadata.is_object()) return "default";
  const std::string ns = metadata.value("namespace", "");
  return ns.empty() ? "default" : ns;
}

// The pod a workload would create: its template, in the workload's namespace, named after it.
nlohmann::json pod_from_template(const nlohmann::json& workload, const nlohmann::json& pod_template,
                                 const std::string& path) {
  if (!pod_template.is_object()) {
    throw DoctorInputError(path + ": the " + kind_of(workload) + " has no pod template");
  }
  nlohmann::json pod = pod_template;
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  if (!pod.contains("metadata") || !pod["metadata"].is_object())
    pod["metadata"] = nlohmann::json::object();
  pod["metadata"]["namespace"] = namespace_of(workload);
  if (!pod["metadata"].contains("name")) {
    pod["metadata"]["name"] =
        workload.value("metadata", nlohmann::json::object()).value("name", "");
  }
  return pod;
}

nlohmann::json read_pod(const std::string& path) {
  auto documents = read_documents(path);
  if (documents.size() != 1) {
    throw DoctorInputError(path + ": holds " + std::to_string(documents.size()) +
                           " documents; expected one Pod, AdmissionReview or workload");
  }
  nlohmann::json document = std::move(documents.front());
  const std::string kind = kind_of(document);
  if (kind == "Pod") {
    if (!document.contains("metadata") || !document["metadata"].is_object()) {
      document["metadata"] = nlohmann::json::object();
    }
    document["metadata"]["namespace"] = namespace_of(document);
    return document;
  }
  if (kind == "AdmissionReview") {
    const auto request = document.value("request", nlohmann::json::object());
    if (!request.is_object() || !request.contains("object") || !request["object"].is_object()) {
      throw DoctorInputError(path + ": the AdmissionReview holds no request.object");
    }
    nlohmann::json pod = request["object"];
    if (!pod.contains("metadata") || !pod["metadata"].is_object())
      pod["metadata"] = nlohmann::json::object();
    const std::string ns = request.value("namespace", "");
    pod["metadata"]["namespace"] = ns.empty() ? namespace_of(pod) : ns;
    return pod;
  }
  const auto spec = document.value("spec", nlohmann::json::object());
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
      kind == "ReplicaSet" || kind == "Job") {
    return pod_from_template(
        document, spec.is_object() ? spec.value("template", nlohmann::json()) : nlohmann::json(),
        path);
  }
  if (kind == "CronJob") {
    const auto job = spec.is_object() ? spec.value("jobTemplate", nlohmann::json::object())
                                      : nlohmann::json::object();
    const auto job_spec =
        job.is_object() ? job.value("spec", nlohmann::json::object()) : nlohmann::json::object();
    return pod_from_template(
        document,
        job_spec.is_object() ? job_spec.value("template", nlohmann::json()) : nlohmann::json(),
        path);
  }
  throw DoctorInputError(path + ": is " +
                         (kind.empty() ? std::string("not a Kubernetes object") : "a " + kind) +
                         "; expected a Pod, an AdmissionReview or a workload with a pod template");
}

}  // namespace

OfflineWorld load_offline_world(const std::vector<std::string>& account_files,
                                const std::string& pod_file) {
  OfflineWorld world;
  for (const auto& path : account_files) {
    std::vector<nlohmann::json> documents;
    for (const auto& document : read_documents(path)) flatten(document, documents);
    for (auto& document : documents) {
      const std::string kind = kind_of(document);
      if (kind == "ServiceAccount") {
        if (!document.contains("metadata") || !document["metadata"].is_object() ||
            document["metadata"].value("name", "").empty()) {
          throw DoctorInputError(path + ": a ServiceAccount without metadata.name");
        }
        document["metadata"]["namespace"] = namespace_of(document);
        world.service_accounts.push_back(std::move(document));
      } else if (kind == "ConfigMap" &&
                 document.value("metadata", nlohmann::json::object()).value("name", "") ==
                     store::kConfigMapName) {
        world.config_map = std::move(document);
      } else {
        throw DoctorInputError(
            path + ": " +
            (kind.empty() ? std::string("a document without a kind") : "kind " + kind) +
            " is not a ServiceAccount or the " + std::string(store::kConfigMapName) + " ConfigMap");
      }
    }
  }
  if (!pod_file.empty()) world.pod = read_pod(pod_file);
  return world;
}

std::vector<std::string> account_names(const OfflineWorld& world) {
  std::vector<std::string> names;
  for (const auto& account : world.service_accounts) {
    names.push_back(account["metadata"].value("namespace", "") + "/" +
                    account["metadata"].value("name", ""));
  }
  return names;
}

}  // namespace irsa::cli
