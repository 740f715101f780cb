// The files the server reloads while it runs, besides the ServiceAccounts file (an account
// source): the serving certificate pair and the Pod Identity associations. Each reload either
// takes the new content as a whole or keeps the previous one, and says which in the log and the
// metrics.
#pragma once

#include "irsa/store/live_policy.hpp"

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "irsa/server/file_watcher.hpp"
#include "irsa/server/log.hpp"
#include "irsa/server/server_metrics.hpp"
#include "irsa/server/serving_certificate.hpp"
#include "irsa/store/live_identities.hpp"

namespace irsa::server {

// The certificate and key the webhook port serves, reloaded when either file changes.
class CertificateFiles {
 public:
  // Loads the pair now: throws std::runtime_error saying why when it cannot be served, since a
  // webhook without a certificate has nothing to offer.
  CertificateFiles(boost::asio::io_context& io, const std::string& cert_file,
                   const std::string& key_file, const TlsOptions& tls, FileWatchTiming timing,
                   ServerMetrics& metrics, const Logger& log);

  // The TLS context for a connection being accepted.
  [[nodiscard]] std::shared_ptr<boost::asio::ssl::context> current() const {
    return certificate_.current();
  }

  void start();
  // Reads the pair again now, changed or not (SIGHUP).
  void reload_now() { watcher_.reload_now(); }
  void stop();

 private:
  bool reload();

  ServerMetrics& metrics_;
  const Logger& log_;
  ServingCertificate certificate_;
  FileWatcher watcher_;  // last: it calls reload(), which uses everything above
};

// The EKS Pod Identity associations (--watch-container-credentials-config).
class PodIdentityFile {
 public:
  // `loaded` is called after every successful load.
  PodIdentityFile(boost::asio::io_context& io, std::string path, FileWatchTiming timing,
                  store::LiveIdentities& identities, ServerMetrics& metrics, const Logger& log,
                  std::function<void()> loaded);

  void start();
  // Reads the file again now, changed or not (SIGHUP).
  void reload_now() { watcher_.reload_now(); }
  void stop();

 private:
  bool reload();

  const std::string path_;
  store::LiveIdentities& identities_;
  ServerMetrics& metrics_;
  const Logger& log_;
  std::function<void()> loaded_;
  FileWatcher watcher_;  // last, as above
};

// The role policy (--role-policy). Unlike the other files it must load at start-up: a policy
// that was asked for and cannot be read must not leave the webhook granting every role.
class RolePolicyFile {
 public:
  // Loads the file now; throws std::runtime_error naming the file, line and column otherwise.
  // `loaded` is called with every policy published (the first one included).
  RolePolicyFile(boost::asio::io_context& io, std::string path, FileWatchTiming timing,
                 store::LivePolicy& policy, ServerMetrics& metrics, const Logger& log,
                 std::function<void(const core::RolePolicy&)> loaded);

  void start();
  // Reads the file again now, changed or not (SIGHUP).
  void reload_now() { watcher_.reload_now(); }
  void stop();

 private:
  bool reload();
  void publish(std::shared_ptr<const core::RolePolicy> policy);

  const std::string path_;
  store::LivePolicy& policy_;
  ServerMetrics& metrics_;
  const Logger& log_;
  std::function<void(const core::RolePolicy&)> loaded_;
  std::size_t version_ = 0;  // loads so far, for the log: which policy an admission saw
  FileWatcher watcher_;      // last, as above
};

}  // namespace irsa::server
