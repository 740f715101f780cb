// The replies of the fake API server's newer routes, and the metav1.Status bodies the API server
// writes for its failures, field for field and in its field order.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace irsa::testing {

struct KubeReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

// "pods" for the core group, "deployments.apps" for the others: how the API server names a
// resource in its messages (schema.GroupResource's string form).
[[nodiscard]] std::string qualified_resource(std::string_view group, std::string_view resource);

// A Status with status "Failure"; details is left out when null.
[[nodiscard]] KubeReply status_failure(int code, std::string_view reason, std::string_view message,
                                       const nlohmann::ordered_json& details = nullptr);
// 404 NotFound: `pods "web" not found`, details {name, group, kind = the resource}.
[[nodiscard]] KubeReply not_found(std::string_view group, std::string_view resource,
                                  std::string_view name);
// 404 NotFound for a path the server does not serve at all.
[[nodiscard]] KubeReply no_such_path();
// 400 BadRequest with the message as given.
[[nodiscard]] KubeReply bad_request(std::string_view message);
// 405 MethodNotAllowed.
[[nodiscard]] KubeReply method_not_allowed();

}  // namespace irsa::testing
