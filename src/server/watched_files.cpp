#include "watched_files.hpp"

#include <stdexcept>
#include <vector>

#include "irsa/store/identity_files.hpp"

namespace irsa::server {

CertificateFiles::CertificateFiles(boost::asio::io_context& io, const std::string& cert_file,
                                   const std::string& key_file, const TlsOptions& tls,
                                   FileWatchTiming timing, ServerMetrics& metrics,
                                   const Logger& log)
    : metrics_(metrics),
      log_(log),
      certificate_(cert_file, key_file, tls),
      watcher_(
          io, std::vector<std::string>{cert_file, key_file}, [this] { return reload(); }, timing) {
  const std::string error = certificate_.reload();
  if (!error.empty()) throw std::runtime_error(error);
  metrics_.record_certificate_reload(true, certificate_.not_after());
}

// The pair was loaded by the constructor; only changes from now on count.
void CertificateFiles::start() {
  watcher_.start(/*load_first=*/false);
}

void CertificateFiles::stop() {
  watcher_.stop();
}

bool CertificateFiles::reload() {
  const std::string error = certificate_.reload();
  metrics_.record_certificate_reload(error.empty(), certificate_.not_after());
  if (!error.empty()) {
    log_.error("serving certificate not reloaded; the previous one stays in service",
               {{"error", error}});
    return false;
  }
  log_.info("serving certificate reloaded",
            {{"cert", certificate_.cert_file()},
             {"not_after", std::to_string(static_cast<long long>(certificate_.not_after()))}});
  return true;
}

PodIdentityFile::PodIdentityFile(boost::asio::io_context& io, std::string path,
                                 FileWatchTiming timing, store::LiveIdentities& identities,
                                 ServerMetrics& metrics, const Logger& log,
                                 std::function<void()> loaded)
    : path_(std::move(path)),
      identities_(identities),
      metrics_(metrics),
      log_(log),
      loaded_(std::move(loaded)),
      watcher_(
          io, std::vector<std::string>{path_}, [this] { return reload(); }, timing) {}

void PodIdentityFile::start() {
  watcher_.start();
}

void PodIdentityFile::stop() {
  watcher_.stop();
}

bool PodIdentityFile::reload() {
  auto load = store::load_pod_identity_file(path_);
  metrics_.record_file_reload("container_credentials", load.error.empty());
  if (!load.error.empty()) {
    log_.error("Pod Identity associations not loaded; the previous ones stay in use",
               {{"error", load.error}});
    return false;
  }
  const std::size_t count = load.associations->size();
  identities_.publish_pod_identity(std::move(load.associations), std::move(load.roles));
  log_.info("Pod Identity associations loaded",
            {{"file", path_}, {"count", std::to_string(count)}});
  loaded_();
  return true;
}

RolePolicyFile::RolePolicyFile(boost::asio::io_context& io, std::string path,
                               FileWatchTiming timing, store::LivePolicy& policy,
                               ServerMetrics& metrics, const Logger& log,
                               std::function<void(const core::RolePolicy&)> loaded)
    : path_(std::move(path)),
      policy_(policy),
      metrics_(metrics),
      log_(log),
      loaded_(std::move(loaded)),
      watcher_(
          io, std::vector<std::string>{path_}, [this] { return reload(); }, timing) {
  auto load = store::load_role_policy_file(path_);
  metrics_.record_file_reload("role_policy", load.error.empty());
  if (!load.error.empty()) throw std::runtime_error("--role-policy: " + load.error);
  publish(std::move(load.policy));
}

// The file was loaded by the constructor; only changes from now on count.
void RolePolicyFile::start() {
  watcher_.start(/*load_first=*/false);
}

void RolePolicyFile::stop() {
  watcher_.stop();
}

bool RolePolicyFile::reload() {
  auto load = store::load_role_policy_file(path_);
  metrics_.record_file_reload("role_policy", load.error.empty());
  if (!load.error.empty()) {
    log_.error("role policy not reloaded; the previous one stays in use",
               {{"error", load.error}, {"version", std::to_string(version_)}});
    return false;
  }
  publish(std::move(load.policy));
  return true;
}

void RolePolicyFile::publish(std::shared_ptr<const core::RolePolicy> policy) {
  std::size_t enforced = 0;
  for (const auto& rule : policy->rules) enforced += rule.mode == core::PolicyMode::enforce ? 1 : 0;
  const std::size_t rules = policy->rules.size();
  if (loaded_) loaded_(*policy);
  policy_.publish(std::move(policy));
  ++version_;
  log_.info("role policy loaded", {{"file", path_},
                                   {"version", std::to_string(version_)},
                                   {"rules", std::to_string(rules)},
                                   {"enforced_rules", std::to_string(enforced)}});
}

}  // namespace irsa::server
