// Go duration strings ("300ms", "1m30s", "-1.5h"), read and written the way Go's time package
// does, so that duration flags copied from an upstream deployment mean exactly the same thing
// here and help text shows defaults in the spelling operators already know.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace irsa::server {

// Follows time.ParseDuration: an optional sign, then one or more "<number><unit>" pieces where
// the number may have a fraction (".5s" and "5.s" are fine) and the unit is one of ns, us, µs
// (U+00B5), μs (U+03BC), ms, s, m, h. A bare "0" (optionally signed) is the only unit-less
// value accepted. Returns nullopt for anything else, including empty text and totals that do not
// fit in a signed 64-bit count of nanoseconds.
[[nodiscard]] std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

// Follows time.Duration.String: "0s", "1.5µs", "100ms", "1m30s", "1h0m0s", "-2h45m0s".
[[nodiscard]] std::string format_go_duration(std::chrono::nanoseconds duration);

}  // namespace irsa::server
