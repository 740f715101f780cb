// Made-up values the fakes hand out: random UUIDs and strings, and timestamps in the RFC 3339
// form both Kubernetes and AWS write.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace irsa::testing {

// A random (version 4) UUID, lower-case hex.
[[nodiscard]] std::string random_uuid();
// count characters drawn at random from alphabet.
[[nodiscard]] std::string random_chars(std::size_t count, std::string_view alphabet);
// "2026-01-02T03:04:05Z": whole seconds, UTC.
[[nodiscard]] std::string rfc3339_utc(std::chrono::system_clock::time_point when);

}  // namespace irsa::testing
