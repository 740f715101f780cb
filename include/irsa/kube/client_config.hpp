// How to reach and authenticate to the Kubernetes API server, worked out once at start-up from
// --kubeconfig, --kube-api and, when neither is given, the pod's in-cluster service account.
// The result is plain data: files named for rotation (the in-cluster token, a tokenFile) are
// kept as paths so that the client re-reads them, everything else is read here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace irsa::kube {

// A client-go exec credential plugin (such as `aws eks get-token`).
struct ExecPlugin {
  std::string api_version;  // client.authentication.k8s.io/v1 or v1beta1
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  friend bool operator==(const ExecPlugin&, const ExecPlugin&) = default;
};

struct ClientConfig {
  std::string server;  // https://host:port, without a trailing slash
  std::string ca_pem;  // empty: the system's trusted roots
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;  // empty: the server URL's host
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string token;       // a fixed bearer token
  std::string token_file;  // a bearer token re-read from this file as it rotates
  std::optional<ExecPlugin> exec;
  std::string description;  // where this came from, for the start-up log line
};

struct ConfigLoad {
  ClientConfig config;
  std::string error;  // non-empty: one line saying what is missing or wrong
};

// Reads environment variables; tests pass their own.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;
[[nodiscard]] Environment process_environment();

// Where the kubelet mounts a pod's service account token, CA and namespace.
inline constexpr std::string_view kServiceAccountDir =
    "/var/run/secrets/kubernetes.io/serviceaccount";

// The pod's own identity: KUBERNETES_SERVICE_HOST/PORT, the token file (kept as a path: it
// rotates) and ca.crt from `account_dir`.
[[nodiscard]] ConfigLoad in_cluster_config(
    const Environment& environment,
    const std::string& account_dir = std::string(kServiceAccountDir));

// The current context of a kubeconfig file. Relative file names in it are relative to the
// kubeconfig's folder, as kubectl reads them; *-data fields are base64.
[[nodiscard]] ConfigLoad kubeconfig_config(const std::string& path);

// upstream's rule (client-go BuildConfigFromFlags): with neither flag, in cluster; with only
// --kube-api, that server and no credentials; with --kubeconfig, its current context, its server
// replaced by --kube-api when that is given.
[[nodiscard]] ConfigLoad resolve_client_config(
    const std::string& kubeconfig, const std::string& kube_api, const Environment& environment,
    const std::string& account_dir = std::string(kServiceAccountDir));

// What an exec plugin prints (an ExecCredential, v1 or v1beta1).
struct ExecCredential {
  std::string token;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::optional<std::int64_t> expires_at;  // Unix seconds; none: valid until the API says 401
};
struct ExecCredentialParse {
  ExecCredential credential;
  std::string error;
};
[[nodiscard]] ExecCredentialParse parse_exec_credential(std::string_view json_text);

// An RFC 3339 time ("2026-01-02T03:04:05Z", fractions and offsets allowed) as Unix seconds.
[[nodiscard]] std::optional<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace irsa::kube
