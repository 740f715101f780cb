#include "admission_endpoint.hpp"

#include <boost/asio/this_coro.hpp>
#include <chrono>
#include <exception>
#include <random>

#include "audit_log.hpp"
#include "irsa/server/account_wait_budget.hpp"

namespace irsa::server {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

AdmissionEndpoint::AdmissionEndpoint(const core::Settings& settings,
                                     const core::IdentitySource& identities,
                                     AccountSource& accounts, const store::LivePolicy& policy,
                                     const Readiness& readiness, ServerMetrics& metrics,
                                     const Logger& log, bool debugging_handlers,
                                     const std::vector<asio::io_context*>& contexts)
    : mutator_(settings),
      identities_(identities),
      accounts_(accounts),
      policy_(policy),
      readiness_(readiness),
      metrics_(metrics),
      log_(log),
      debugging_handlers_(debugging_handlers),
      audit_flushes_(contexts, log) {}

// The scratch state is the calling thread's: the one that runs the connection's io_context,
// which an admission that waited for its ServiceAccount resumes on too.
Handled AdmissionEndpoint::handle_once(Request& request, const Route* route, std::string_view path,
                                       bool& failed) {
  thread_local core::Scratch scratch;
  thread_local std::mt19937_64 random{std::random_device{}()};
  // The policy stays alive for this review even if a reload replaces it meanwhile.
  const auto policy = policy_.current();
  const HandlerContext context{mutator_,
                               identities_,
                               scratch,
                               random(),
                               readiness_.ready(),
                               readiness_.draining(),
                               debugging_handlers_,
                               policy.get()};
  try {
    return handle(request, route, context);
  } catch (const std::exception& error) {
    // Not expected: the core answers bad input itself. The API server applies the webhook's
    // failure policy to a 500.
    failed = true;
    log_.error("request failed", {{"path", path}, {"error", error.what()}});
    Handled handled;
    handled.response = make_response(http::status::internal_server_error, request.version(), false,
                                     kPlainText, "internal error\n");
    return handled;
  }
}

// The rare second pass: the ServiceAccount was missing, and the server waits a while for it.
// A coroutine of its own, so that serve()'s frame, made for every request, stays small enough
// for Asio to recycle (frames over 1,020 bytes are always allocated afresh).
asio::awaitable<std::string_view> AdmissionEndpoint::wait_for_account(
    Request& request, const Route* route, std::string_view path, Handled& handled, bool& failed) {
  const auto grace = accounts_.lookup_grace();
  if (grace.count() <= 0) co_return "missing";
  // The account may be on its way (created together with the pod): wait for it, then review
  // again with what arrived.
  const auto budget = account_wait_budget(request.target(), grace);
  const auto waited_from = Clock::now();
  const bool found = co_await accounts_.wait_for(
      handled.decision->ns, handled.decision->service_account, waited_from + budget);
  metrics_.record_account_wait(Clock::now() - waited_from);
  if (!found) co_return "missing_after_wait";
  handled = handle_once(request, route, path, failed);
  co_return "found_after_wait";
}

// The request's metrics and log lines; whether an audit line was written, which the answer
// waits for.
bool AdmissionEndpoint::record(const Request& request, const Route* route, std::string_view path,
                               const Handled& handled, bool failed, Clock::duration elapsed) const {
  const unsigned code = handled.response.result_int();
  if (route != nullptr && route->instrumented) {
    metrics_.record_request(verb_of(request), path, code, elapsed);
  }
  if (handled.decision) {
    metrics_.record_admission(*handled.decision, elapsed);
    log_admission(log_, *handled.decision, elapsed);
  } else if (failed && route != nullptr && route->action == RouteAction::review) {
    metrics_.record_failed_admission(elapsed);
  }
  log_request(log_, request, path, code, handled.response.body().size());
  return handled.decision.has_value();
}

asio::awaitable<Response> AdmissionEndpoint::serve(Request& request) {
  const auto started = Clock::now();
  const std::string_view path = request_path(request.target());
  const Route* route = find_route(Port::webhook, path);
  bool failed = false;
  Handled handled = handle_once(request, route, path, failed);
  if (handled.decision && handled.decision->result != core::Result::denied &&
      !handled.decision->service_account.empty()) {
    std::string_view lookup = "cached";
    if (handled.decision->service_account_missing) {
      lookup = co_await wait_for_account(request, route, path, handled, failed);
    }
    metrics_.record_account_lookup(lookup);
  }
  if (record(request, route, path, handled, failed, Clock::now() - started)) {
    const auto executor = co_await asio::this_coro::executor;
    co_await audit_flushes_.of(executor).written();
  }
  co_return std::move(handled.response);
}

}  // namespace irsa::server
