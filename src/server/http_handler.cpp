#include "irsa/server/http_handler.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <string_view>
#include <tuple>
#include <utility>

namespace irsa::server {

namespace {

Response text_response(const Request& request, http::status status, std::string body) {
  return make_response(status, request.version(), request.keep_alive(), kPlainText, std::move(body),
                       request.get_allocator());
}

Response json_response(const Request& request, http::status status, std::string body) {
  return make_response(status, request.version(), request.keep_alive(), "application/json",
                       std::move(body), request.get_allocator());
}

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

Handled mutate(Request& request, const HandlerContext& context) {
  if (request.method() != http::verb::post) {
    Response response = text_response(request, http::status::method_not_allowed,
                                      "only POST is accepted on /mutate\n");
    response.set(http::field::allow, "POST");
    return {std::move(response), std::nullopt};
  }
  if (!is_json_media_type(request[http::field::content_type])) {
    // Upstream's wording, so that scripts matching on it keep working.
    return {text_response(request, http::status::unsupported_media_type,
                          "Invalid Content-Type, expected `application/json`\n"),
            std::nullopt};
  }
  // In place: the listener read the body with room for the reader's padding after it, so the
  // review does not copy it.
  core::Admission admission = context.mutator.review_in_place(
      request.body(), context.identities, {context.entropy}, context.scratch, context.policy);
  return {json_response(request, http::status::ok, std::move(admission.response)),
          std::move(admission.decision)};
}

// Go's http.NotFound, byte for byte.
Handled not_found(const Request& request) {
  return {text_response(request, http::status::not_found, "404 page not found\n"), std::nullopt};
}

Handled readiness(const Request& request, const HandlerContext& context) {
  if (context.draining) {
    return {text_response(request, http::status::service_unavailable, "shutting down\n"),
            std::nullopt};
  }
  if (!context.ready) {
    return {text_response(request, http::status::service_unavailable,
                          "ServiceAccounts or Pod Identity associations not loaded yet\n"),
            std::nullopt};
  }
  return {text_response(request, http::status::ok, "ok"), std::nullopt};
}

}  // namespace

std::string_view request_path(std::string_view target) noexcept {
  // The API server sends "/mutate?timeout=10s"; the query does not choose the route.
  return target.substr(0, target.find('?'));
}

Response make_response(http::status status, unsigned version, bool keep_alive,
                       std::string_view content_type, std::string body,
                       FieldAllocator<char> fields) {
  Response response{std::piecewise_construct, std::make_tuple(), std::make_tuple(fields)};
  response.result(status);
  response.version(version);
  response.set(http::field::content_type, content_type);
  response.keep_alive(keep_alive);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

bool is_json_media_type(std::string_view content_type) noexcept {
  std::string_view media_type = content_type.substr(0, content_type.find(';'));
  while (!media_type.empty() && (media_type.back() == ' ' || media_type.back() == '\t')) {
    media_type.remove_suffix(1);
  }
  while (!media_type.empty() && (media_type.front() == ' ' || media_type.front() == '\t')) {
    media_type.remove_prefix(1);
  }
  return equals_ignoring_case(media_type, "application/json");
}

Handled handle(Request& request, const HandlerContext& context) {
  return handle(request, find_route(Port::webhook, request_path(request.target())), context);
}

Handled handle(Request& request, const Route* route, const HandlerContext& context) {
  Handled handled = [&]() -> Handled {
    if (route == nullptr || route->port != Port::webhook ||
        !route->enabled(context.debugging_handlers)) {
      return not_found(request);
    }
    switch (route->action) {
      case RouteAction::review:
        return mutate(request, context);
      case RouteAction::health:
        return {text_response(request, http::status::ok, "ok"), std::nullopt};
      case RouteAction::readiness:
        return readiness(request, context);
      case RouteAction::test_deny:
        // Upstream's fixed answer: a v1beta1-shaped denial without envelope or uid.
        return {json_response(request, http::status::ok,
                              R"({"response":{"uid":"","allowed":false,"status":{"metadata":{},)"
                              R"("message":"Test deny message"}}})"),
                std::nullopt};
      case RouteAction::test_error:
        return {text_response(request, http::status::internal_server_error, "test error\n"),
                std::nullopt};
      case RouteAction::metrics:
      case RouteAction::cache_dump:
      case RouteAction::cache_clear:
      case RouteAction::policy_dump:
        break;  // the metrics port's; excluded above
    }
    return not_found(request);
  }();
  // While draining, every answer asks the client to open its next request elsewhere.
  if (context.draining) handled.response.keep_alive(false);
  return handled;
}

}  // namespace irsa::server
