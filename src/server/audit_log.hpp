// The log lines of the webhook port: the audit line of each admission (which workload got which
// role, and when) and upstream's V(4) line of each request.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "irsa/core/decision.hpp"
#include "irsa/server/http_handler.hpp"
#include "irsa/server/log.hpp"

namespace irsa::server {

// Deferred: it waits for the next flush (see AuditFlush), which the answer waits for too.
void log_admission(const Logger& log, const core::Decision& decision,
                   std::chrono::nanoseconds elapsed);

// Written only at -v=4 and above.
void log_request(const Logger& log, const Request& request, std::string_view path, unsigned code,
                 std::size_t body_bytes);

// The request's method as text.
[[nodiscard]] std::string_view verb_of(const Request& request) noexcept;

}  // namespace irsa::server
