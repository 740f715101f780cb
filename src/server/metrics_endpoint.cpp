#include "metrics_endpoint.hpp"

#include "irsa/store/role_policy_json.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "irsa/server/routes.hpp"

namespace irsa::server {

namespace {

// Upstream's cache dump: keys "<ns>/<name>" sorted, Go field names in struct order, indented by
// one space as Go's MarshalIndent(v, "", " ") does.
std::string cache_dump(const AccountSource& accounts) {
  std::vector<std::pair<std::string, nlohmann::ordered_json>> entries;
  accounts.for_each([&](std::string_view key, const core::IdentityEntry& entry) {
    nlohmann::ordered_json value;
    value["RoleARN"] = entry.role_arn;
    value["Audience"] = entry.audience;
    value["UseRegionalSTS"] = entry.use_regional_sts;
    value["TokenExpiration"] = entry.token_expiration;
    entries.emplace_back(std::string(key), std::move(value));
  });
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  nlohmann::ordered_json dump = nlohmann::ordered_json::object();
  for (auto& [key, value] : entries) dump[key] = std::move(value);
  return dump.dump(1);
}

}  // namespace

MetricsEndpoint::MetricsEndpoint(ServerMetrics& metrics, AccountSource& accounts,
                                 const store::LivePolicy& policy, const Logger& log,
                                 bool debugging_handlers, std::function<void()> refresh)
    : metrics_(metrics),
      accounts_(accounts),
      policy_(policy),
      log_(log),
      debugging_handlers_(debugging_handlers),
      refresh_(std::move(refresh)) {}

boost::asio::awaitable<Response> MetricsEndpoint::serve(const Request& request) {
  co_return answer(request);
}

Response MetricsEndpoint::answer(const Request& request) {
  const Route* route = find_route(Port::metrics, request_path(request.target()));
  const bool keep_alive = request.keep_alive();
  if (route != nullptr && route->enabled(debugging_handlers_)) {
    switch (route->action) {
      case RouteAction::metrics:
        accounts_.refresh_metrics();
        if (refresh_) refresh_();
        return make_response(http::status::ok, request.version(), keep_alive,
                             "text/plain; version=0.0.4; charset=utf-8", metrics_.render());
      case RouteAction::cache_dump:
        return make_response(http::status::ok, request.version(), keep_alive, kPlainText,
                             cache_dump(accounts_));
      case RouteAction::cache_clear:
        // As upstream, the entries are gone until the source delivers them again: here at once,
        // from a fresh LIST or the next check of the file.
        accounts_.clear();
        log_.info("ServiceAccount cache cleared through the debug handler");
        return make_response(http::status::ok, request.version(), keep_alive, kPlainText, "");
      case RouteAction::policy_dump:
        if (const auto policy = policy_.current()) {
          return make_response(http::status::ok, request.version(), keep_alive, "application/json",
                               store::role_policy_json(*policy).dump(1));
        }
        break;  // no --role-policy: nothing there
      case RouteAction::review:
      case RouteAction::health:
      case RouteAction::readiness:
      case RouteAction::test_deny:
      case RouteAction::test_error:
        break;  // the webhook port's; find_route gave none of them for this port
    }
  }
  return make_response(http::status::not_found, request.version(), keep_alive, kPlainText,
                       "404 page not found\n");
}

}  // namespace irsa::server
