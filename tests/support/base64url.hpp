// URL-safe base64 without padding (RFC 4648 section 5), the alphabet of JWTs, JWKs and the API
// server's continue tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace irsa::testing {

[[nodiscard]] std::string base64url_encode(std::string_view bytes);
// Accepts text with or without '=' padding; nullopt when it is not base64url.
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace irsa::testing
