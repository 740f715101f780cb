// Every path the server answers, in one table: which port serves it, what it does, whether
// upstream's request metrics count it and whether it exists only with
// --enable-debugging-handlers. Both ports route through this table, and so do the metrics, so a
// path is named once.
#pragma once

#include <string_view>

namespace irsa::server {

// The two listeners: the TLS webhook port (--port) and the plain-HTTP metrics port.
enum class Port { webhook, metrics };

enum class RouteAction {
  review,       // /mutate: answer an AdmissionReview
  health,       // liveness: the process answers
  readiness,    // ready while the identities are loaded and no shutdown has begun
  test_deny,    // upstream's fixed denial, for trying the API server's side
  test_error,   // upstream's fixed 500, likewise
  metrics,      // the Prometheus exposition
  cache_dump,   // the known ServiceAccounts, in upstream's format
  cache_clear,  // forget them until the source delivers them again
  policy_dump,  // the role policy in force (JSON), or 404 without --role-policy
};

struct Route {
  std::string_view path;
  Port port;
  RouteAction action;
  // Counted in upstream's http_request_* series. A debugging route that is switched off still
  // counts its 404, as it always has.
  bool instrumented;
  bool debugging;  // answered only with --enable-debugging-handlers

  [[nodiscard]] constexpr bool enabled(bool debugging_handlers) const noexcept {
    return !debugging || debugging_handlers;
  }
};

// The route of `path` (without its query) on `port`; null when the port has none, which is a
// 404. A route found may still be switched off: ask enabled().
[[nodiscard]] const Route* find_route(Port port, std::string_view path) noexcept;

}  // namespace irsa::server
