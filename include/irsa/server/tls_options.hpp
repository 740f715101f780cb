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
  int min_version = 0;  // an OpenSSL TLS1_x_VERSION constant
  // OpenSSL cipher list for TLS 1.2 and below; empty keeps OpenSSL's secure defaults. Go does
  // not let TLS 1.3 suites be chosen, so their names are accepted and change nothing.
  std::string cipher_list;
};

// --tls-min-version and --tls-cipher-suites as upstream reads them. Throws
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
