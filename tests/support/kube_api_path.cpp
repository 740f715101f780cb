#include "support/kube_api_path.hpp"

#include <vector>

#include "support/url_query.hpp"

namespace irsa::testing {

std::optional<ApiPath> parse_api_path(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    const auto slash = path.find('/');
    if (slash != 0) parts.push_back(url_decode(path.substr(0, slash)));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  ApiPath out;
  std::size_t at = 0;
  if (parts.size() >= 2 && parts[0] == "api") {
    out.version = parts[1];
    at = 2;
  } else if (parts.size() >= 3 && parts[0] == "apis") {
    out.group = parts[1];
    out.version = parts[2];
    at = 3;
  } else {
    return std::nullopt;
  }
  std::vector<std::string> rest(parts.begin() + static_cast<std::ptrdiff_t>(at), parts.end());
  if (rest.empty()) return std::nullopt;
  // namespaces/NS/<resource>... names a namespaced resource; namespaces/NS alone, and its
  // status and finalize subresources, name the Namespace object itself.
  if (rest[0] == "namespaces" && rest.size() >= 2) {
    out.ns = rest[1];
    if (rest.size() >= 3 && rest[2] != "status" && rest[2] != "finalize") {
      rest.erase(rest.begin(), rest.begin() + 2);
    }
  }
  if (rest.size() > 3) return std::nullopt;
  out.resource = rest[0];
  if (rest.size() >= 2) out.name = rest[1];
  if (rest.size() == 3) out.subresource = rest[2];
  return out;
}

std::string request_verb(std::string_view method, const ApiPath& path, bool watch_asked) {
  if (method == "GET" || method == "HEAD") {
    if (watch_asked) return "watch";
    return path.name.empty() ? "list" : "get";
  }
  if (method == "POST") return "create";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return path.name.empty() ? "deletecollection" : "delete";
  return std::string(method);
}

}  // namespace irsa::testing
