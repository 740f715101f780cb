#include "support/jwt_signer.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <stdexcept>
#include <vector>

#include "support/base64url.hpp"

namespace irsa::testing {

namespace {

constexpr unsigned kKeyBits = 2048;

std::string big_number(const EVP_PKEY* key, const char* name) {
  BIGNUM* number = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &number) != 1) {
    throw std::runtime_error(std::string("jwt signer: no RSA parameter ") + name);
  }
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(number)), '\0');
  BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(number);
  return bytes;
}

}  // namespace

struct JwtSigner::Key {
  Key() : pkey(EVP_RSA_gen(kKeyBits)) {
    if (pkey == nullptr) throw std::runtime_error("jwt signer: cannot make an RSA key");
    unsigned char* der = nullptr;
    const int length = i2d_PUBKEY(pkey, &der);
    if (length <= 0) throw std::runtime_error("jwt signer: cannot encode the public key");
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(der, static_cast<std::size_t>(length), digest);
    OPENSSL_free(der);
    kid = base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
  }
  ~Key() { EVP_PKEY_free(pkey); }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;

  EVP_PKEY* pkey;
  std::string kid;
};

JwtSigner::JwtSigner() = default;
JwtSigner::~JwtSigner() = default;

JwtSigner::Key& JwtSigner::key() {
  if (!key_) key_ = std::make_unique<Key>();
  return *key_;
}

std::string JwtSigner::key_id() {
  return key().kid;
}

std::string JwtSigner::sign(const nlohmann::json& claims) {
  Key& signing = key();
  const nlohmann::ordered_json header = {{"alg", "RS256"}, {"kid", signing.kid}};
  const std::string input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  std::size_t length = 0;
  std::vector<unsigned char> signature;
  bool ok = context != nullptr &&
            EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, signing.pkey) == 1 &&
            EVP_DigestSign(context, nullptr, &length,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  if (ok) {
    signature.resize(length);
    ok = EVP_DigestSign(context, signature.data(), &length,
                        reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  }
  EVP_MD_CTX_free(context);
  if (!ok) throw std::runtime_error("jwt signer: cannot sign");
  signature.resize(length);
  return input + "." +
         base64url_encode(
             std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()));
}

nlohmann::ordered_json JwtSigner::public_jwk() {
  Key& signing = key();
  return {{"use", "sig"},
          {"kty", "RSA"},
          {"kid", signing.kid},
          {"alg", "RS256"},
          {"n", base64url_encode(big_number(signing.pkey, OSSL_PKEY_PARAM_RSA_N))},
          {"e", base64url_encode(big_number(signing.pkey, OSSL_PKEY_PARAM_RSA_E))}};
}

}  // namespace irsa::testing
