// An irsa-webhook server process for one test: a fresh certificate, a ServiceAccount file, free
// ports on loopback, and clients that trust the certificate.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/https_client.hpp"
#include "support/scratch_dir.hpp"
#include "support/webhook_process.hpp"

namespace irsa::testing {

// One ServiceAccount with a role: apps/web -> arn:aws:iam::111122223333:role/web.
inline constexpr const char* kWebRole = "arn:aws:iam::111122223333:role/web";
[[nodiscard]] std::string service_account_yaml(const std::string& ns, const std::string& name,
                                               const std::string& role_arn);

// The flags every test server starts with: loopback only, the two ports, the certificate
// `tls.crt` / `tls.key` of the scratch folder, two worker threads.
[[nodiscard]] std::vector<std::string> loopback_server_flags(const ScratchDir& dir,
                                                             unsigned short port,
                                                             unsigned short metrics_port);

// A review creating a pod of ServiceAccount `account` in namespace `ns`.
[[nodiscard]] std::string pod_review(const std::string& ns, const std::string& account,
                                     const std::string& pod_name = "web-1");

// The decoded JSON Patch of an AdmissionReview response ("" when it carries none).
[[nodiscard]] std::string patch_of(const std::string& response_body);

// Kubernetes updates a mounted ConfigMap or Secret by writing a new hidden folder and renaming
// the `..data` symlink onto it; the visible names are links through `..data`.
class ProjectedVolume {
 public:
  ProjectedVolume(const ScratchDir& dir, const std::string& name);
  // Publishes a new version holding `files`, linking the visible names on first use.
  void publish(const std::vector<std::pair<std::string, std::string>>& files);
  [[nodiscard]] std::string path(const std::string& name) const;

 private:
  std::filesystem::path root_;
  int versions_ = 0;
};

// A whole file's text.
[[nodiscard]] std::string read_file(const std::string& path);

// Where the server under test reads ServiceAccounts from.
enum class AccountSource {
  file,            // --service-accounts with apps/web
  kubernetes_api,  // no --service-accounts: the test passes --kubeconfig or --kube-api
};

class RunningWebhook {
 public:
  // Writes tls.crt/tls.key and service-accounts.yaml (apps/web) into dir unless they exist, then
  // starts the server with the base flags plus `extra`.
  RunningWebhook(const ScratchDir& dir, const std::vector<std::string>& extra = {},
                 AccountSource source = AccountSource::file);
  // Stops the process and fails the test if a sanitizer reported anything in its output.
  ~RunningWebhook();
  RunningWebhook(const RunningWebhook&) = delete;
  RunningWebhook& operator=(const RunningWebhook&) = delete;

  // The flags every test passes.
  [[nodiscard]] std::vector<std::string> base_flags() const;

  // Waits until /readyz answers 200. A server that stopped because another process took one of
  // its ports first (tests run in parallel, and a port free_port() found can be taken before the
  // server binds it) is started again on other ports, a few times at most.
  [[nodiscard]] bool wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(20));

  [[nodiscard]] std::unique_ptr<HttpClient> client(
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  [[nodiscard]] std::unique_ptr<HttpClient> metrics_client() const;
  [[nodiscard]] std::string metrics() const;
  // The value of one sample line of /metrics ("name{labels}"), -1 when absent.
  [[nodiscard]] double metric(const std::string& series) const;

  [[nodiscard]] WebhookProcess& process() { return *process_; }
  [[nodiscard]] unsigned short port() const noexcept { return port_; }
  [[nodiscard]] unsigned short metrics_port() const noexcept { return metrics_port_; }
  [[nodiscard]] std::string ca_file() const { return dir_.path("tls.crt"); }

 private:
  void start();
  // Starts the server again on fresh ports if it stopped because a port was taken.
  bool restart_if_port_taken();

  const ScratchDir& dir_;
  AccountSource source_;
  std::vector<std::string> extra_;
  unsigned short port_;
  unsigned short metrics_port_;
  int restarts_ = 0;
  std::unique_ptr<WebhookProcess> process_;
};

}  // namespace irsa::testing
