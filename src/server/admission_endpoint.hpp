// The webhook port's requests: the route table's answer (handle()), a second review after
// waiting for a ServiceAccount still on its way, the request metrics, and the audit line, which
// is written before the answer leaves.
#pragma once

#include "irsa/store/live_policy.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string_view>
#include <vector>

#include "audit_flush.hpp"
#include "irsa/core/admission.hpp"
#include "irsa/server/account_source.hpp"
#include "irsa/server/http_handler.hpp"
#include "irsa/server/log.hpp"
#include "irsa/server/server_metrics.hpp"
#include "readiness.hpp"

namespace irsa::server {

class AdmissionEndpoint {
 public:
  // `contexts`: every io_context that runs connections, for the audit group commits.
  AdmissionEndpoint(const core::Settings& settings, const core::IdentitySource& identities,
                    AccountSource& accounts, const store::LivePolicy& policy,
                    const Readiness& readiness, ServerMetrics& metrics, const Logger& log,
                    bool debugging_handlers, const std::vector<boost::asio::io_context*>& contexts);

  // The Listener's handler for the webhook port.
  boost::asio::awaitable<Response> serve(Request& request);

 private:
  // One pass of the handler; sets `failed` when it threw (answered 500).
  Handled handle_once(Request& request, const Route* route, std::string_view path, bool& failed);
  // When the review found its ServiceAccount missing: waits for it within the lookup grace and
  // reviews again into `handled`. Returns the lookup's outcome for the metrics.
  boost::asio::awaitable<std::string_view> wait_for_account(Request& request, const Route* route,
                                                            std::string_view path, Handled& handled,
                                                            bool& failed);
  bool record(const Request& request, const Route* route, std::string_view path,
              const Handled& handled, bool failed,
              std::chrono::steady_clock::duration elapsed) const;

  core::Mutator mutator_;
  const core::IdentitySource& identities_;
  AccountSource& accounts_;
  const store::LivePolicy& policy_;
  const Readiness& readiness_;
  ServerMetrics& metrics_;
  const Logger& log_;
  bool debugging_handlers_;
  AuditFlushes audit_flushes_;
};

}  // namespace irsa::server
