// Base64 decoding (RFC 4648) for the edges: the load generator checks every patch it gets back,
// kubeconfigs carry certificates in it, and `self-check` reads a token's JWT payload.
#pragma once

#include <string>
#include <string_view>

namespace irsa::core {

// The standard alphabet with padding. False on any other character, a length that is not a
// multiple of four, or padding anywhere but at the end; `out` is then unspecified.
[[nodiscard]] bool decode_base64(std::string_view text, std::string& out);

// The URL-safe alphabet ('-' and '_'), padding optional, as JWT segments use it.
[[nodiscard]] bool decode_base64url(std::string_view text, std::string& out);

}  // namespace irsa::core
