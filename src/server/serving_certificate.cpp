#include "irsa/server/serving_certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>
#include <stdexcept>

namespace irsa::server {

ServingCertificate::ServingCertificate(std::string cert_file, std::string key_file,
                                       TlsOptions options)
    : cert_file_(std::move(cert_file)),
      key_file_(std::move(key_file)),
      options_(std::move(options)) {}

std::string ServingCertificate::reload() {
  try {
    auto context = make_server_context(cert_file_, key_file_, options_);
    not_after_.store(certificate_not_after(*context), std::memory_order_relaxed);
    current_.store(std::move(context));
    return {};
  } catch (const std::exception& error) {
    return error.what();
  }
}

std::shared_ptr<boost::asio::ssl::context> ServingCertificate::current() const {
  return current_.load();
}

double certificate_not_after(boost::asio::ssl::context& context) {
  X509* certificate = SSL_CTX_get0_certificate(context.native_handle());
  if (certificate == nullptr) return 0.0;
  const ASN1_TIME* not_after = X509_get0_notAfter(certificate);
  std::tm broken_down{};
  if (not_after == nullptr || ASN1_TIME_to_tm(not_after, &broken_down) != 1) return 0.0;
  return static_cast<double>(timegm(&broken_down));
}

}  // namespace irsa::server
