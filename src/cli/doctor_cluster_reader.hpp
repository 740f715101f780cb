// What `doctor` reads from the Kubernetes API, one request at a time, each answer turned into a
// doctor::Read that says what was asked in RBAC words, so that a 403 names the missing
// permission. The paths are the API's; nothing here judges what comes back.
#pragma once

#include <string>

#include "irsa/doctor/evidence.hpp"
#include "irsa/kube/blocking_client.hpp"

namespace irsa::cli {

class DoctorClusterReader {
 public:
  // Throws std::invalid_argument when the configuration cannot work.
  explicit DoctorClusterReader(kube::ClientConfig config);

  [[nodiscard]] const std::string& server() const noexcept { return server_; }

  [[nodiscard]] doctor::Read service_account(const std::string& ns, const std::string& name);
  // ServiceAccountList of a namespace, or of the cluster when ns is empty.
  [[nodiscard]] doctor::Read service_accounts(const std::string& ns);
  [[nodiscard]] doctor::Read pod(const std::string& ns, const std::string& name);
  // The Deployment, StatefulSet or DaemonSet that owns the pod (not_asked when none): what the
  // chart's doctor ClusterRole lets it read.
  [[nodiscard]] doctor::Read controller_of(const nlohmann::json& pod);
  [[nodiscard]] doctor::Read namespace_object(const std::string& ns);
  [[nodiscard]] doctor::Read webhook_configurations();
  // EndpointSlices of a Service, falling back to its Endpoints where slices cannot be read.
  [[nodiscard]] doctor::Read service_endpoints(const std::string& ns, const std::string& name);
  [[nodiscard]] doctor::Read account_pods(const std::string& ns, const std::string& name);
  [[nodiscard]] doctor::Read discovery();
  [[nodiscard]] doctor::Read config_map(const std::string& ns, const std::string& name);

  // A token for the account from the TokenRequest API. `claims` holds its decoded payload; the
  // token itself goes to `token` only when the caller needs to present it (to STS), and is wiped
  // here otherwise. A caller that takes it wipes it after use.
  struct Minted {
    doctor::Read claims;
    std::string token;
  };
  [[nodiscard]] Minted token(const std::string& ns, const std::string& name,
                             const std::string& audience, std::int64_t seconds, bool keep_token);

 private:
  doctor::Read get(const std::string& path, std::string request);

  kube::BlockingClient client_;
  std::string server_;
};

// The API's own Status message (kube::status_message), or the body's start when it is not a
// Status.
[[nodiscard]] std::string status_message(unsigned status, const std::string& body);

}  // namespace irsa::cli
