// The webhook's certificate and key, swappable while serving. A reload builds a complete new
// TLS context first and publishes it only when the pair is usable, so a half-written or broken
// pair never replaces a working one. Connections take the context current at their accept.
#pragma once

#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "irsa/server/tls_options.hpp"

namespace irsa::server {

class ServingCertificate {
 public:
  ServingCertificate(std::string cert_file, std::string key_file, TlsOptions options);

  // Reads both files and, if they make a usable pair, serves them from now on. Returns an empty
  // string on success, else why the pair was refused (the previous one stays in service).
  [[nodiscard]] std::string reload();

  // The context for a new connection; null until the first successful reload.
  [[nodiscard]] std::shared_ptr<boost::asio::ssl::context> current() const;
  // When the served certificate expires, in seconds since the Unix epoch (0 before a load).
  [[nodiscard]] double not_after() const noexcept {
    return not_after_.load(std::memory_order_relaxed);
  }

  [[nodiscard]] const std::string& cert_file() const noexcept { return cert_file_; }
  [[nodiscard]] const std::string& key_file() const noexcept { return key_file_; }

 private:
  std::string cert_file_;
  std::string key_file_;
  TlsOptions options_;
  std::atomic<std::shared_ptr<boost::asio::ssl::context>> current_;
  std::atomic<double> not_after_{0.0};
};

// The notAfter time of the certificate a context serves, in seconds since the Unix epoch; 0 when
// it holds none.
[[nodiscard]] double certificate_not_after(boost::asio::ssl::context& context);

}  // namespace irsa::server
