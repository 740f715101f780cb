#include "irsa/server/routes.hpp"

#include <array>

namespace irsa::server {

namespace {

constexpr std::array kRoutes{
    Route{"/mutate", Port::webhook, RouteAction::review, true, false},
    Route{"/healthz", Port::webhook, RouteAction::health, false, false},
    Route{"/livez", Port::webhook, RouteAction::health, false, false},
    Route{"/readyz", Port::webhook, RouteAction::readiness, false, false},
    Route{"/debug/alpha/deny", Port::webhook, RouteAction::test_deny, true, true},
    Route{"/debug/alpha/500", Port::webhook, RouteAction::test_error, true, true},
    Route{"/metrics", Port::metrics, RouteAction::metrics, false, false},
    Route{"/debug/alpha/cache", Port::metrics, RouteAction::cache_dump, false, true},
    Route{"/debug/alpha/cache/clear", Port::metrics, RouteAction::cache_clear, false, true},
    Route{"/debug/alpha/policy", Port::metrics, RouteAction::policy_dump, false, true},
};

}  // namespace

const Route* find_route(Port port, std::string_view path) noexcept {
  // Ten entries: a linear scan is as quick as any index and keeps the table readable.
  for (const Route& route : kRoutes) {
    if (route.port == port && route.path == path) return &route;
  }
  return nullptr;
}

}  // namespace irsa::server
