// Small text helpers doctor's checks share: ASCII case folding (Kubernetes kinds and names,
// IAM keys are ASCII, and locale-dependent folding would be wrong for them), and issuer URLs
// written with or without their scheme.
#pragma once

#include <string>
#include <string_view>

namespace irsa::doctor {

[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
[[nodiscard]] std::string ascii_lower(std::string_view text);

// The IAM console shows an OIDC provider's URL without its scheme, and people paste it so:
// "oidc.example/id/1" reads as "https://oidc.example/id/1"; a URL with a scheme is kept as is.
[[nodiscard]] std::string with_https(std::string_view url);
// "oidc.example/id/1" from "https://oidc.example/id/1": how IAM names the provider in ARNs and
// condition keys.
[[nodiscard]] std::string_view without_scheme(std::string_view url) noexcept;

}  // namespace irsa::doctor
