#include "support/kube_rbac.hpp"

namespace irsa::testing {

void KubeRbac::forbid(const std::string& verb, const std::string& resource) {
  rules_.emplace(verb, resource);
}

void KubeRbac::allow_everything() {
  rules_.clear();
}

bool KubeRbac::forbidden(const std::string& verb, const std::string& resource) const {
  return rules_.contains({verb, resource}) || rules_.contains({"*", resource});
}

std::optional<KubeReply> KubeRbac::check(const std::string& verb, const ApiPath& path) const {
  std::string resource = path.resource;
  if (!path.subresource.empty()) resource += "/" + path.subresource;
  // "deployments.apps/scale" names the same thing as "deployments/scale" in group apps.
  std::string qualified = path.resource;
  if (!path.group.empty()) qualified += "." + path.group;
  if (!path.subresource.empty()) qualified += "/" + path.subresource;
  if (!forbidden(verb, resource) && !forbidden(verb, qualified)) return std::nullopt;

  // The wording of the API server's authorization filter (responsewriters.Forbidden) wrapped
  // by apierrors.NewForbidden.
  std::string why = "User \"" + user_ + "\" cannot " + verb + " resource \"" + resource +
                    "\" in API group \"" + path.group + "\"";
  why += path.ns.empty() ? " at the cluster scope" : " in the namespace \"" + path.ns + "\"";
  std::string message = qualified_resource(path.group, path.resource);
  if (!path.name.empty()) message += " \"" + path.name + "\"";
  message += " is forbidden: " + why;
  nlohmann::ordered_json details = nlohmann::ordered_json::object();
  if (!path.name.empty()) details["name"] = path.name;
  if (!path.group.empty()) details["group"] = path.group;
  details["kind"] = path.resource;
  return status_failure(403, "Forbidden", message, details);
}

std::optional<KubeReply> KubeRbac::check_path(const std::string& verb,
                                              std::string_view path) const {
  const std::string text(path);
  if (!forbidden(verb, text)) return std::nullopt;
  return status_failure(
      403, "Forbidden",
      "forbidden: User \"" + user_ + "\" cannot " + verb + " path \"" + text + "\"",
      nlohmann::ordered_json::object());
}

}  // namespace irsa::testing
