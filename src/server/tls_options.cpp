#include "irsa/server/tls_options.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/ssl/context.hpp>
#include <stdexcept>
#include <utility>

namespace irsa::server {

namespace {

// Go's crypto/tls names (tls.CipherSuites() and tls.InsecureCipherSuites()) and OpenSSL's.
constexpr std::array<std::pair<std::string_view, std::string_view>, 27> kCipherNames = {{
    {"TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA"},
    {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
    {"TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA"},
    {"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    // Go's older spellings of the two ChaCha20 suites.
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    // TLS 1.3: accepted, not configurable (as in Go).
    {"TLS_AES_128_GCM_SHA256", ""},
    {"TLS_AES_256_GCM_SHA384", ""},
    {"TLS_CHACHA20_POLY1305_SHA256", ""},
}};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string openssl_error_text() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof(buffer));
  ERR_clear_error();
  return buffer;
}

}  // namespace

std::string openssl_cipher_name(std::string_view go_name) {
  for (const auto& [go, openssl] : kCipherNames) {
    if (go == go_name) return std::string(openssl);
  }
  throw std::invalid_argument("unsupported cipher suite: " + std::string(go_name));
}

TlsOptions parse_tls_options(std::string_view min_version, std::string_view cipher_suites) {
  TlsOptions options;
  if (min_version.empty() || min_version == "1.2" || min_version == "VersionTLS12") {
    options.min_version = TLS1_2_VERSION;  // Go's default for servers
  } else if (min_version == "1.0" || min_version == "VersionTLS10") {
    options.min_version = TLS1_VERSION;
  } else if (min_version == "1.1" || min_version == "VersionTLS11") {
    options.min_version = TLS1_1_VERSION;
  } else if (min_version == "1.3" || min_version == "VersionTLS13") {
    options.min_version = TLS1_3_VERSION;
  } else {
    throw std::invalid_argument("unsupported TLS version: " + std::string(min_version));
  }
  bool named_any = false;
  while (!cipher_suites.empty()) {
    const std::size_t comma = cipher_suites.find(',');
    const std::string_view item = trim(cipher_suites.substr(0, comma));
    cipher_suites =
        comma == std::string_view::npos ? std::string_view{} : cipher_suites.substr(comma + 1);
    if (item.empty()) continue;
    named_any = true;
    const std::string name = openssl_cipher_name(item);
    if (name.empty()) continue;
    if (!options.cipher_list.empty()) options.cipher_list.push_back(':');
    options.cipher_list.append(name);
  }
  if (named_any && options.cipher_list.empty()) options.min_version = TLS1_3_VERSION;
  return options;
}

std::shared_ptr<boost::asio::ssl::context> make_server_context(const std::string& cert_file,
                                                               const std::string& key_file,
                                                               const TlsOptions& options) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, options.min_version);
  // Old, insecure suites only exist at OpenSSL's security level 0; a user who names them
  // explicitly (Go still offers them as "insecure") gets them. So do TLS 1.0 and 1.1, whose
  // signatures use SHA-1.
  if (options.cipher_list.find("RC4") != std::string::npos ||
      options.cipher_list.find("DES") != std::string::npos ||
      options.min_version < TLS1_2_VERSION) {
    SSL_CTX_set_security_level(native, 0);
  }
  std::string cipher_list = options.cipher_list;
  if (cipher_list.empty()) {
    cipher_list = kDefaultTls12Ciphers;
    if (options.min_version < TLS1_2_VERSION) cipher_list.append(":").append(kDefaultLegacyCiphers);
  }
  if (SSL_CTX_set_cipher_list(native, cipher_list.c_str()) != 1) {
    throw std::runtime_error("--tls-cipher-suites: OpenSSL accepts none of " + cipher_list + ": " +
                             openssl_error_text());
  }
  SSL_CTX_set_options(
      native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate_chain_file(native, cert_file.c_str()) != 1) {
    throw std::runtime_error(cert_file +
                             ": cannot use as certificate chain: " + openssl_error_text());
  }
  if (SSL_CTX_use_PrivateKey_file(native, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw std::runtime_error(key_file + ": cannot use as private key: " + openssl_error_text());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error(key_file + ": does not match the certificate in " + cert_file);
  }
  // The API server speaks HTTP/1.1 to webhooks; offer nothing else.
  SSL_CTX_set_alpn_select_cb(
      native,
      [](SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
         unsigned int in_length, void*) -> int {
        static constexpr unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        unsigned char* selected = nullptr;
        if (SSL_select_next_proto(&selected, out_length, kHttp11, sizeof(kHttp11), in, in_length) !=
            OPENSSL_NPN_NEGOTIATED) {
          return SSL_TLSEXT_ERR_NOACK;
        }
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
      },
      nullptr);
  return context;
}

}  // namespace irsa::server
