#include "support/kube_object_store.hpp"

#include <cstdio>
#include <stdexcept>

#include "support/base64url.hpp"
#include "support/kube_selectors.hpp"

namespace irsa::testing {

namespace {

constexpr const char* kCreationTimestamp = "2026-01-01T00:00:00Z";

std::vector<KindInfo> make_kinds() {
  const std::vector<std::string> none;
  return {
      {"Pod",
       "",
       "v1",
       "pods",
       true,
       {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"}},
      {"Service", "", "v1", "services", true, {"spec.clusterIP", "spec.type"}},
      {"Endpoints", "", "v1", "endpoints", true, none},
      {"Secret", "", "v1", "secrets", true, {"type"}},
      {"Node", "", "v1", "nodes", false, {"spec.unschedulable"}},
      {"EndpointSlice", "discovery.k8s.io", "v1", "endpointslices", true, none},
      {"MutatingWebhookConfiguration", "admissionregistration.k8s.io", "v1",
       "mutatingwebhookconfigurations", false, none},
      {"ValidatingWebhookConfiguration", "admissionregistration.k8s.io", "v1",
       "validatingwebhookconfigurations", false, none},
      {"Deployment", "apps", "v1", "deployments", true, none},
      {"ReplicaSet", "apps", "v1", "replicasets", true, {"status.replicas"}},
      {"StatefulSet", "apps", "v1", "statefulsets", true, none},
      {"DaemonSet", "apps", "v1", "daemonsets", true, none},
      {"Job", "batch", "v1", "jobs", true, {"status.successful"}},
      {"CronJob", "batch", "v1", "cronjobs", true, none},
  };
}

std::string group_of(std::string_view api_version) {
  const auto slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string()
                                         : std::string(api_version.substr(0, slash));
}

// Continue tokens shaped like the API server's (base64url of a small JSON object): the list's
// resourceVersion and the key the next page starts after.
std::string encode_continue(std::uint64_t resource_version, const std::string& ns,
                            const std::string& name) {
  return base64url_encode(nlohmann::json{
      {"v", "meta.k8s.io/v1"}, {"rv", resource_version}, {"start", ns + "/" + name + '\0'}}
                              .dump());
}

bool decode_continue(const std::string& token, std::string& ns, std::string& name) {
  const auto raw = base64url_decode(token);
  if (!raw) return false;
  const auto json = nlohmann::json::parse(*raw, nullptr, false);
  if (!json.is_object() || !json.contains("start") || !json["start"].is_string()) return false;
  std::string start = json["start"].get<std::string>();
  if (!start.empty() && start.back() == '\0') start.pop_back();
  const auto slash = start.find('/');
  if (slash == std::string::npos) return false;
  ns = start.substr(0, slash);
  name = start.substr(slash + 1);
  return true;
}

std::string query_value(const std::map<std::string, std::string>& query, const char* name) {
  const auto found = query.find(name);
  return found == query.end() ? std::string() : found->second;
}

}  // namespace

std::string KindInfo::api_version() const {
  return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
}

const std::vector<KindInfo>& stored_kinds() {
  static const std::vector<KindInfo> kinds = make_kinds();
  return kinds;
}

const KindInfo* kind_named(std::string_view kind) {
  for (const auto& info : stored_kinds()) {
    if (info.kind == kind) return &info;
  }
  return nullptr;
}

const KindInfo* kind_serving(std::string_view group, std::string_view resource) {
  for (const auto& info : stored_kinds()) {
    if (info.group == group && info.resource == resource) return &info;
  }
  return nullptr;
}

const nlohmann::json& KubeObjectStore::put(nlohmann::json object, std::uint64_t resource_version) {
  if (!object.is_object() || !object.contains("kind") || !object["kind"].is_string()) {
    throw std::invalid_argument("an object without a kind");
  }
  const std::string kind = object["kind"].get<std::string>();
  const KindInfo* info = kind_named(kind);
  if (info == nullptr) {
    std::string known;
    for (const auto& each : stored_kinds())
      known += (known.empty() ? "" : ", ") + std::string(each.kind);
    throw std::invalid_argument("the fake API server has no store for kind " + kind +
                                " (it takes ServiceAccount, ConfigMap, Namespace, " + known + ")");
  }
  if (object.contains("apiVersion")) {
    if (!object["apiVersion"].is_string() ||
        group_of(object["apiVersion"].get<std::string>()) != info->group) {
      throw std::invalid_argument(kind + ": apiVersion " + object["apiVersion"].dump() +
                                  " is not of API group \"" + std::string(info->group) + "\"");
    }
  }
  object["apiVersion"] = info->api_version();
  auto& metadata = object["metadata"];
  if (!metadata.is_object() || !metadata.contains("name") || !metadata["name"].is_string() ||
      metadata["name"].get<std::string>().empty()) {
    throw std::invalid_argument(kind + ": metadata.name is required");
  }
  if (info->namespaced) {
    if (!metadata.contains("namespace") || !metadata["namespace"].is_string() ||
        metadata["namespace"].get<std::string>().empty()) {
      metadata["namespace"] = "default";
    }
  } else {
    metadata.erase("namespace");
  }
  const std::string ns = info->namespaced ? metadata["namespace"].get<std::string>() : "";
  Key key{kind, ns, metadata["name"].get<std::string>()};
  const auto existing = objects_.find(key);
  if (!metadata.contains("uid")) {
    if (existing != objects_.end()) {
      metadata["uid"] = existing->second["metadata"]["uid"];
    } else {
      char uid[48];
      std::snprintf(uid, sizeof(uid), "7d3e9b10-%04x-4000-8000-%012llx",
                    static_cast<unsigned>(info - stored_kinds().data()),
                    static_cast<unsigned long long>(next_serial_++));
      metadata["uid"] = uid;
    }
  }
  if (!metadata.contains("creationTimestamp")) metadata["creationTimestamp"] = kCreationTimestamp;
  metadata["resourceVersion"] = std::to_string(resource_version);
  auto& stored = objects_[std::move(key)];
  stored = std::move(object);
  return stored;
}

bool KubeObjectStore::remove(std::string_view kind, std::string_view ns, std::string_view name) {
  const KindInfo* info = kind_named(kind);
  if (info == nullptr) return false;
  return objects_.erase(Key{std::string(kind), info->namespaced ? std::string(ns) : std::string(),
                            std::string(name)}) > 0;
}

const nlohmann::json* KubeObjectStore::find(std::string_view kind, std::string_view ns,
                                            std::string_view name) const {
  const KindInfo* info = kind_named(kind);
  if (info == nullptr) return nullptr;
  const auto found = objects_.find(Key{
      std::string(kind), info->namespaced ? std::string(ns) : std::string(), std::string(name)});
  return found == objects_.end() ? nullptr : &found->second;
}

KubeReply KubeObjectStore::get(const KindInfo& kind, const std::string& ns,
                               const std::string& name) const {
  const nlohmann::json* object = find(kind.kind, ns, name);
  if (object == nullptr) return not_found(kind.group, kind.resource, name);
  return {200, object->dump(), "application/json"};
}

KubeReply KubeObjectStore::list(const KindInfo& kind, const std::string& ns,
                                const std::map<std::string, std::string>& query,
                                std::uint64_t resource_version) const {
  LabelSelector labels;
  if (auto problem = parse_label_selector(query_value(query, "labelSelector"), labels);
      !problem.empty()) {
    return bad_request(problem);
  }
  FieldSelector fields;
  if (auto problem =
          parse_field_selector(query_value(query, "fieldSelector"), kind.field_labels, fields);
      !problem.empty()) {
    return bad_request(problem);
  }
  std::size_t limit = 0;
  if (const auto text = query_value(query, "limit"); !text.empty()) {
    try {
      limit = std::stoul(text);
    } catch (const std::exception&) {
      limit = 0;
    }
  }
  std::string after_ns, after_name;
  const bool resuming = !query_value(query, "continue").empty();
  if (resuming && !decode_continue(query_value(query, "continue"), after_ns, after_name)) {
    return bad_request("continue key is not valid");
  }

  nlohmann::json items = nlohmann::json::array();
  std::string last_ns, last_name;
  bool more = false;
  for (const auto& [key, object] : objects_) {
    const auto& [object_kind, object_ns, object_name] = key;
    if (object_kind != kind.kind || (!ns.empty() && kind.namespaced && object_ns != ns)) continue;
    if (resuming && std::tie(object_ns, object_name) <= std::tie(after_ns, after_name)) continue;
    const auto& metadata = object["metadata"];
    if (!labels.matches(metadata.contains("labels") ? metadata["labels"] : nlohmann::json()) ||
        !fields.matches(object)) {
      continue;
    }
    if (limit != 0 && items.size() == limit) {
      more = true;
      break;
    }
    // Items of a typed list carry no kind or apiVersion, as the API server writes them.
    nlohmann::json item = object;
    item.erase("kind");
    item.erase("apiVersion");
    items.push_back(std::move(item));
    last_ns = object_ns;
    last_name = object_name;
  }
  nlohmann::ordered_json list_metadata = {{"resourceVersion", std::to_string(resource_version)}};
  if (more) list_metadata["continue"] = encode_continue(resource_version, last_ns, last_name);
  const nlohmann::ordered_json list = {{"kind", std::string(kind.kind) + "List"},
                                       {"apiVersion", kind.api_version()},
                                       {"metadata", list_metadata},
                                       {"items", items}};
  return {200, list.dump(), "application/json"};
}

}  // namespace irsa::testing
