#include "support/kube_cluster_routes.hpp"

#include <chrono>

#include "support/kube_api_path.hpp"
#include "support/oidc_discovery.hpp"
#include "support/token_request.hpp"
#include "support/url_query.hpp"

namespace irsa::testing {

namespace {

constexpr std::string_view kOpenIdConfiguration = "/.well-known/openid-configuration";
constexpr std::string_view kJwks = "/openid/v1/jwks";

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::optional<KubeReply> KubeClusterRoutes::discovery(std::string_view method,
                                                      std::string_view path,
                                                      const std::string& server_url) {
  // Non-resource requests carry the HTTP method, lower-cased, as their RBAC verb.
  if (auto refused = rbac.check_path(lower(method), path)) return refused;
  if (!discovery_available) return no_such_path();
  if (method != "GET") return method_not_allowed();
  return path == kJwks ? openid_jwks(signer) : openid_configuration(issuer, server_url);
}

bool KubeClusterRoutes::is_pod_create(std::string_view method, const ApiPath& path) {
  return method == "POST" && path.group.empty() && path.resource == "pods" && !path.ns.empty() &&
         path.name.empty() && path.subresource.empty();
}

std::optional<KubeReply> KubeClusterRoutes::handle(const Request& request,
                                                   const AccountUid& account_uid,
                                                   std::uint64_t resource_version,
                                                   const std::string& server_url) {
  const auto question = request.target.find('?');
  const std::string_view path = request.target.substr(0, question);
  if (path == kOpenIdConfiguration || path == kJwks) {
    return discovery(request.method, path, server_url);
  }
  const auto api_path = parse_api_path(path);
  if (!api_path) return std::nullopt;
  const auto query = question == std::string_view::npos
                         ? std::map<std::string, std::string>()
                         : parse_query_map(request.target.substr(question + 1));
  const auto watch_value = query.find("watch");
  const bool watch =
      watch_value != query.end() && (watch_value->second == "true" || watch_value->second == "1");
  const std::string verb = request_verb(request.method, *api_path, watch);
  if (auto refused = rbac.check(verb, *api_path)) return refused;

  const bool core = api_path->group.empty();
  if (core && api_path->resource == "serviceaccounts" && api_path->subresource == "token" &&
      !api_path->ns.empty()) {
    ++token_requests;
    if (request.method != "POST") return method_not_allowed();
    const auto uid = account_uid(api_path->ns, api_path->name);
    TokenRequestContext context;
    context.issuer = token_issuer();
    context.default_audiences = {context.issuer};
    context.account_uid = uid ? &*uid : nullptr;
    context.find_pod = [this, ns = api_path->ns](const std::string& name) {
      return objects.find("Pod", ns, name);
    };
    context.signer = &signer;
    context.now = std::chrono::system_clock::now();
    return answer_token_request(*api_path, request.body, context);
  }

  // Creating a Pod is the fake's admission machinery's (fake_kube_admission.cpp).
  if (is_pod_create(request.method, *api_path)) return std::nullopt;
  const KindInfo* kind = kind_serving(api_path->group, api_path->resource);
  if (kind == nullptr || !api_path->subresource.empty()) return std::nullopt;
  // A namespaced kind's object lives at namespaces/NS/<resource>/NAME; a cluster-scoped kind
  // has no namespace in its path.
  if (kind->namespaced && !api_path->name.empty() && api_path->ns.empty()) return std::nullopt;
  if (!kind->namespaced && !api_path->ns.empty()) return std::nullopt;
  if (request.method != "GET") return method_not_allowed();
  if (watch) {
    return status_failure(405, "MethodNotAllowed",
                          "the fake API server does not watch " + api_path->resource);
  }
  if (!api_path->name.empty()) return objects.get(*kind, api_path->ns, api_path->name);
  return objects.list(*kind, kind->namespaced ? api_path->ns : std::string(), query,
                      resource_version);
}

}  // namespace irsa::testing
