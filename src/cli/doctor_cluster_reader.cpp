#include "doctor_cluster_reader.hpp"

#include <openssl/crypto.h>

#include <utility>

#include "irsa/core/jwt_claims.hpp"
#include "irsa/doctor/json_fields.hpp"
#include "irsa/kube/reflector.hpp"

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

}  // namespace

std::string status_message(unsigned status, const std::string& body) {
  if (std::string message = kube::status_message(body); !message.empty()) return message;
  constexpr std::size_t kShown = 200;
  std::string start = body.substr(0, kShown);
  for (char& c : start) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return start.empty() ? "HTTP " + std::to_string(status) + " with no body" : start;
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
  const doctor::fields::Owner owner = doctor::fields::owner_of(pod);
  const std::string ns = doctor::fields::text(doctor::fields::field(pod, "metadata"), "namespace");
  std::string plural;
  if (owner.kind == "Deployment") plural = "deployments";
  if (owner.kind == "StatefulSet") plural = "statefulsets";
  if (owner.kind == "DaemonSet") plural = "daemonsets";
  if (plural.empty()) return {};
  return get("/apis/apps/v1/namespaces/" + kube::url_encode(ns) + "/" + plural + "/" +
                 kube::url_encode(owner.name),
             "get " + plural + ".apps" + in_namespace(ns));
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
  // The token is moved out of the parsed answer, so no copy of it is freed unwiped.
  std::string token;
  if (answer.is_object()) {
    auto status = answer.find("status");
    if (status != answer.end() && status->is_object()) {
      auto found = status->find("token");
      if (found != status->end() && found->is_string()) {
        token = std::move(found->get_ref<std::string&>());
      }
    }
  }
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
