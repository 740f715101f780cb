#include "doctor_cluster_reader.hpp"

#include <openssl/crypto.h>
#include <unistd.h>

#include <utility>

#include "irsa/core/jwt_claims.hpp"

namespace irsa::cli {

namespace {

using doctor::Read;
using doctor::ReadState;

std::string in_namespace(const std::string& ns) {
  return ns.empty() ? " cluster-wide" : " in namespace " + ns;
}

// What an answer that is not 200 (or 201) means for the evidence.
Read refused(const kube::ApiReply& reply, std::string request) {
  if (!reply.error.empty()) {
    return Read::refused(ReadState::failed, std::move(request), reply.error);
  }
  const std::string message = status_message(reply.status, reply.body);
  switch (reply.status) {
    case 404:
      return Read::refused(ReadState::not_found, std::move(request), message);
    case 403:
      return Read::refused(ReadState::forbidden, std::move(request), message);
    case 401:
      return Read::refused(ReadState::failed, std::move(request),
                           "the API server refused the credentials (401): " + message);
    default:
      return Read::refused(ReadState::failed, std::move(request),
                           "HTTP " + std::to_string(reply.status) + ": " + message);
  }
}

Read parsed(const kube::ApiReply& reply, std::string request) {
  auto object = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) {
    return Read::refused(ReadState::failed, std::move(request), "the answer is not a JSON object");
  }
  return Read::of(std::move(object), std::move(request));
}

std::string text(const nlohmann::json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

std::string status_message(unsigned status, const std::string& body) {
  const auto object = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (object.is_object()) {
    const std::string message = text(object, "message");
    if (!message.empty()) return message;
  }
  constexpr std::size_t kShown = 200;
  std::string start = body.substr(0, kShown);
  for (char& c : start) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return start.empty() ? "HTTP " + std::to_string(status) + " with no body" : start;
}

kube::ConfigLoad command_client_config(const std::string& kubeconfig, const std::string& kube_api,
                                       const kube::Environment& environment) {
  std::string path = kubeconfig;
  if (path.empty()) {
    if (const auto listed = environment("KUBECONFIG"); listed && !listed->empty()) {
      path = listed->substr(0, listed->find(':'));
    } else if (const auto home = environment("HOME"); home && !home->empty()) {
      const std::string candidate = *home + "/.kube/config";
      if (::access(candidate.c_str(), R_OK) == 0) path = candidate;
    }
  }
  kube::ConfigLoad load = kube::resolve_client_config(path, kube_api, environment);
  if (!load.error.empty() && path.empty() && kube_api.empty()) {
    load.error =
        "no cluster to read: not in a pod, and no --kubeconfig, $KUBECONFIG or "
        "~/.kube/config; give one, or check files offline with --service-account=FILE";
  }
  return load;
}

DoctorClusterReader::DoctorClusterReader(kube::ClientConfig config)
    : client_(config), server_(config.server) {}

Read DoctorClusterReader::get(const std::string& path, std::string request) {
  kube::ApiRequest call;
  call.target = path;
  const kube::ApiReply reply = client_.send(std::move(call));
  if (reply.error.empty() && reply.status == 200) return parsed(reply, std::move(request));
  return refused(reply, std::move(request));
}

Read DoctorClusterReader::service_account(const std::string& ns, const std::string& name) {
  return get(
      "/api/v1/namespaces/" + kube::url_encode(ns) + "/serviceaccounts/" + kube::url_encode(name),
      "get serviceaccounts" + in_namespace(ns));
}

Read DoctorClusterReader::service_accounts(const std::string& ns) {
  const std::string path = ns.empty()
                               ? std::string("/api/v1/serviceaccounts")
                               : "/api/v1/namespaces/" + kube::url_encode(ns) + "/serviceaccounts";
  return get(path, "list serviceaccounts" + in_namespace(ns));
}

Read DoctorClusterReader::pod(const std::string& ns, const std::string& name) {
  return get("/api/v1/namespaces/" + kube::url_encode(ns) + "/pods/" + kube::url_encode(name),
             "get pods" + in_namespace(ns));
}

Read DoctorClusterReader::controller_of(const nlohmann::json& pod) {
  const auto& metadata = pod.value("metadata", nlohmann::json::object());
  const std::string ns = text(metadata, "namespace");
  const auto owners = metadata.value("ownerReferences", nlohmann::json::array());
  if (!owners.is_array()) return {};
  for (const auto& owner : owners) {
    if (!owner.is_object()) continue;
    const std::string kind = text(owner, "kind");
    std::string name = text(owner, "name");
    std::string plural;
    const std::string group = "apps/v1";
    if (kind == "ReplicaSet") {
      // A Deployment's ReplicaSet is named after it plus the pod-template-hash.
      const auto labels = metadata.value("labels", nlohmann::json::object());
      const std::string hash = labels.is_object() ? text(labels, "pod-template-hash") : "";
      if (hash.empty() || !name.ends_with("-" + hash)) return {};
      name.resize(name.size() - hash.size() - 1);
      plural = "deployments";
    } else if (kind == "StatefulSet") {
      plural = "statefulsets";
    } else if (kind == "DaemonSet") {
      plural = "daemonsets";
    } else {
      continue;
    }
    return get("/apis/" + group + "/namespaces/" + kube::url_encode(ns) + "/" + plural + "/" +
                   kube::url_encode(name),
               "get " + plural + "." + group.substr(0, group.find('/')) + in_namespace(ns));
  }
  return {};
}

Read DoctorClusterReader::namespace_object(const std::string& ns) {
  return get("/api/v1/namespaces/" + kube::url_encode(ns), "get namespaces");
}

Read DoctorClusterReader::webhook_configurations() {
  return get("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
             "list mutatingwebhookconfigurations.admissionregistration.k8s.io");
}

Read DoctorClusterReader::service_endpoints(const std::string& ns, const std::string& name) {
  Read slices = get(
      "/apis/discovery.k8s.io/v1/namespaces/" + kube::url_encode(ns) +
          "/endpointslices?labelSelector=" + kube::url_encode("kubernetes.io/service-name=" + name),
      "list endpointslices.discovery.k8s.io" + in_namespace(ns));
  if (slices.found()) return slices;
  Read endpoints =
      get("/api/v1/namespaces/" + kube::url_encode(ns) + "/endpoints/" + kube::url_encode(name),
          "get endpoints" + in_namespace(ns));
  return endpoints.found() ? endpoints : slices;
}

Read DoctorClusterReader::account_pods(const std::string& ns, const std::string& name) {
  return get("/api/v1/namespaces/" + kube::url_encode(ns) +
                 "/pods?fieldSelector=" + kube::url_encode("spec.serviceAccountName=" + name),
             "list pods" + in_namespace(ns));
}

Read DoctorClusterReader::discovery() {
  return get("/.well-known/openid-configuration",
             "get on the nonResourceURL /.well-known/openid-configuration");
}

Read DoctorClusterReader::config_map(const std::string& ns, const std::string& name) {
  return get("/api/v1/namespaces/" + kube::url_encode(ns) + "/configmaps/" + kube::url_encode(name),
             "get configmaps" + in_namespace(ns));
}

DoctorClusterReader::Minted DoctorClusterReader::token(const std::string& ns,
                                                       const std::string& name,
                                                       const std::string& audience,
                                                       std::int64_t seconds, bool keep_token) {
  const std::string request = "create serviceaccounts/token" + in_namespace(ns);
  kube::ApiRequest call;
  call.method = "POST";
  call.target = "/api/v1/namespaces/" + kube::url_encode(ns) + "/serviceaccounts/" +
                kube::url_encode(name) + "/token";
  call.body = nlohmann::json{{"apiVersion", "authentication.k8s.io/v1"},
                             {"kind", "TokenRequest"},
                             {"spec", {{"audiences", {audience}}, {"expirationSeconds", seconds}}}}
                  .dump();
  kube::ApiReply reply = client_.send(std::move(call));
  Minted minted;
  if (!reply.error.empty() || (reply.status != 201 && reply.status != 200)) {
    minted.claims = refused(reply, request);
    return minted;
  }
  auto answer = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  OPENSSL_cleanse(reply.body.data(), reply.body.size());
  std::string token;
  if (answer.is_object()) {
    const auto status = answer.value("status", nlohmann::json::object());
    if (status.is_object()) token = text(status, "token");
  }
  answer = nullptr;
  auto decoded = core::decode_jwt_claims(token);
  if (!decoded.error.empty()) {
    minted.claims =
        Read::refused(ReadState::failed, request,
                      "the TokenRequest answer holds no usable token: " + decoded.error);
  } else {
    minted.claims = Read::of(std::move(decoded.claims), request);
  }
  if (keep_token) {
    minted.token = std::move(token);
  } else {
    OPENSSL_cleanse(token.data(), token.size());
  }
  return minted;
}

}  // namespace irsa::cli
