// The HTTP layer of the webhook port as a pure function: a parsed request in, a response out.
// No sockets, no clocks: sessions (which own those) call it, and tests call it directly.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "irsa/core/admission.hpp"
#include "irsa/server/field_arena.hpp"
#include "irsa/server/routes.hpp"

namespace irsa::server {

namespace http = boost::beast::http;

// A request's fields come from its connection's FieldArena when the listener parsed it, and so
// do the fields of the response made for it (make_response with the request's allocator): both
// are gone before the connection's next request resets the arena.
using Fields = http::basic_fields<FieldAllocator<char>>;
using Request = http::request<http::string_body, Fields>;
using Response = http::response<http::string_body, Fields>;

// What the handler needs besides the request; owned by the caller.
struct HandlerContext {
  const core::Mutator& mutator;
  const core::IdentitySource& identities;
  core::Scratch& scratch;           // the calling worker thread's own
  std::uint64_t entropy = 0;        // fresh randomness for token jitter, drawn by the caller
  bool ready = false;               // ServiceAccounts and Pod Identity associations are loaded
  bool draining = false;            // shutting down: /readyz fails, connections are closed
  bool debugging_handlers = false;  // --enable-debugging-handlers
  const core::RolePolicy* policy = nullptr;  // --role-policy's rules; null: no policy
};

struct Handled {
  Response response;
  // Set when /mutate reviewed a body: what was decided, for the log line and the metrics.
  std::optional<core::Decision> decision;
};

inline constexpr std::string_view kPlainText = "text/plain; charset=utf-8";

// A complete response with Content-Length set. `fields` is where its fields are kept: pass the
// request's (request.get_allocator()) to use its connection's arena; the default is the heap.
[[nodiscard]] Response make_response(http::status status, unsigned version, bool keep_alive,
                                     std::string_view content_type, std::string body,
                                     FieldAllocator<char> fields = {});

// Answers the webhook port's routes of the route table (routes.hpp): /mutate, /healthz, /livez,
// /readyz and, when enabled, upstream's debug routes.
[[nodiscard]] Handled handle(Request& request, const HandlerContext& context);
// The same with the route already looked up (null when the path has none), for callers that
// need the route themselves and should not look it up twice.
[[nodiscard]] Handled handle(Request& request, const Route* route, const HandlerContext& context);

// The path of a request target, without its query ("/mutate?timeout=10s" is "/mutate").
[[nodiscard]] std::string_view request_path(std::string_view target) noexcept;

// Whether a Content-Type header names JSON: "application/json", any case, parameters such as
// "; charset=utf-8" allowed.
[[nodiscard]] bool is_json_media_type(std::string_view content_type) noexcept;

}  // namespace irsa::server
