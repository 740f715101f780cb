// How long an admission may wait for a ServiceAccount that is not known yet.
#pragma once

#include <chrono>
#include <string_view>

namespace irsa::server {

// The grace period, but never so long that the API server (which says how long it waits in the
// request's ?timeout=) gives up first.
[[nodiscard]] std::chrono::nanoseconds account_wait_budget(std::string_view target,
                                                           std::chrono::nanoseconds grace);

}  // namespace irsa::server
