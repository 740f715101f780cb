// What the fake servers' programs (fake-kube-api, fake-sts) share: serving until SIGINT or
// SIGTERM, and reading a numeric flag.
#pragma once

#include <optional>
#include <string>

namespace irsa::testing {

// Blocks SIGINT and SIGTERM in this thread, so that the server threads started afterwards
// inherit the mask and the signals wait for wait_for_stop_signal, and ignores SIGPIPE, so that a
// client that vanishes cannot kill the server. Call before the fake is constructed.
void prepare_stop_signals();
// Returns once SIGINT or SIGTERM has arrived.
void wait_for_stop_signal();

// A non-negative decimal number, or nullopt for anything else ("", "-1", "12x").
[[nodiscard]] std::optional<unsigned long> parse_number(const std::string& text);

}  // namespace irsa::testing
