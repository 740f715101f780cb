#include "support/kube_status.hpp"

namespace irsa::testing {

std::string qualified_resource(std::string_view group, std::string_view resource) {
  std::string out(resource);
  if (!group.empty()) {
    out.push_back('.');
    out.append(group);
  }
  return out;
}

KubeReply status_failure(int code, std::string_view reason, std::string_view message,
                         const nlohmann::ordered_json& details) {
  nlohmann::ordered_json status = {{"kind", "Status"},
                                   {"apiVersion", "v1"},
                                   {"metadata", nlohmann::ordered_json::object()},
                                   {"status", "Failure"},
                                   {"message", message}};
  if (!reason.empty()) status["reason"] = reason;
  if (!details.is_null()) status["details"] = details;
  status["code"] = code;
  return {code, status.dump(), "application/json"};
}

KubeReply not_found(std::string_view group, std::string_view resource, std::string_view name) {
  nlohmann::ordered_json details = {{"name", name}};
  if (!group.empty()) details["group"] = group;
  details["kind"] = resource;
  return status_failure(
      404, "NotFound",
      qualified_resource(group, resource) + " \"" + std::string(name) + "\" not found", details);
}

KubeReply no_such_path() {
  return status_failure(404, "NotFound", "the server could not find the requested resource",
                        nlohmann::ordered_json::object());
}

KubeReply bad_request(std::string_view message) {
  return status_failure(400, "BadRequest", message);
}

KubeReply method_not_allowed() {
  return status_failure(405, "MethodNotAllowed",
                        "the server does not allow this method on the requested resource");
}

}  // namespace irsa::testing
