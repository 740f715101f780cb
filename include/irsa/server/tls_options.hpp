// TLS settings from upstream's flags: Go cipher-suite names and minimum versions, translated
// to what OpenSSL understands, and the serving context built from a certificate and key file.
#pragma once

// TLS1_2_VERSION and TLS1_3_VERSION, the values of TlsOptions::min_version (a few lines, not
// the whole of OpenSSL's ssl.h).
#include <openssl/prov_ssl.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

// Declared only: callers of make_server_context that use the context include
// <boost/asio/ssl/context.hpp> themselves, the others read none of Asio.
namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace irsa::server {

struct TlsOptions {
  int min_version = TLS1_2_VERSION;  // an OpenSSL TLS1_x_VERSION constant
  // OpenSSL cipher list for TLS 1.2 and below, exactly as chosen; empty: the defaults below.
  // TLS 1.3's suites are not configurable (as in Go) and always OpenSSL's.
  std::string cipher_list;
};

// The suites TLS 1.2 offers when none are chosen: forward secrecy (ECDHE) and authenticated
// encryption (GCM, ChaCha20-Poly1305) only, as Mozilla's "intermediate" profile without its
// finite-field DHE, which Go does not implement either. No static-RSA key exchange, no CBC.
inline constexpr std::string_view kDefaultTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// Added to the defaults only when --tls-min-version allows TLS 1.0 or 1.1, which have no AEAD
// suite at all: ECDHE with AES-CBC and SHA-1, as Go's defaults for those versions.
inline constexpr std::string_view kDefaultLegacyCiphers =
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";

// --tls-min-version and --tls-cipher-suites as upstream reads them. A list that names only TLS
// 1.3 suites leaves TLS 1.2 with no suite to agree on, as in Go; that is served as TLS 1.3 only,
// so that older clients are told "protocol version" rather than "handshake failure". Throws
// std::invalid_argument with the offending value (upstream exits on the same input).
[[nodiscard]] TlsOptions parse_tls_options(std::string_view min_version,
                                           std::string_view cipher_suites);

// The OpenSSL name of a Go cipher-suite name ("" when Go knows the name only for TLS 1.3);
// throws std::invalid_argument for a name Go does not know.
[[nodiscard]] std::string openssl_cipher_name(std::string_view go_name);

// A server context holding the PEM certificate chain and private key (RSA or ECDSA), with the
// options applied and HTTP/1.1 as the only ALPN protocol. Throws std::runtime_error naming the
// file and OpenSSL's reason when a file cannot be used or the key does not match.
[[nodiscard]] std::shared_ptr<boost::asio::ssl::context> make_server_context(
    const std::string& cert_file, const std::string& key_file, const TlsOptions& options);

}  // namespace irsa::server
