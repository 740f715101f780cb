// The fake API server's service-account signing key: an RSA key of its own, RS256 JWTs signed
// with it, and its public half as a JWK (what /openid/v1/jwks publishes), so that a test can
// check a token's signature the way AWS does.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace irsa::testing {

class JwtSigner {
 public:
  // The key is made on first use: most fakes never sign anything, and a 2048-bit RSA key takes
  // a noticeable moment to make.
  JwtSigner();
  ~JwtSigner();
  JwtSigner(const JwtSigner&) = delete;
  JwtSigner& operator=(const JwtSigner&) = delete;

  // header.payload.signature with the header {"alg":"RS256","kid":KID}. Throws
  // std::runtime_error when OpenSSL fails.
  [[nodiscard]] std::string sign(const nlohmann::json& claims);
  // The key ID, derived from the public key as the API server derives it (base64url of the
  // SHA-256 of its DER SubjectPublicKeyInfo).
  [[nodiscard]] std::string key_id();
  // {"use":"sig","kty":"RSA","kid":..,"alg":"RS256","n":..,"e":..}
  [[nodiscard]] nlohmann::ordered_json public_jwk();

 private:
  struct Key;
  Key& key();
  std::unique_ptr<Key> key_;
};

}  // namespace irsa::testing
