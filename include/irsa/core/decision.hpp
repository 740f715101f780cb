// What became of one admission: the result, the identity mode and the facts a log line, a metric
// or a retry decision needs. Its own header, so that what only reports decisions (the metrics,
// the log) does not read the Mutator's declarations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::core {

enum class Mode {
  none,
  web_identity,           // IRSA: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE
  container_credentials,  // EKS Pod Identity: AWS_CONTAINER_CREDENTIALS_FULL_URI + token file
};

enum class Result {
  mutated,      // the pod needed changes; the response carries a patch
  unchanged,    // the pod has an identity but already carries everything
  not_mutated,  // the pod has no identity (no role, or the ServiceAccount is unknown)
  denied,       // the request could not be understood; allowed:false with code 400
};

[[nodiscard]] std::string_view to_string(Mode mode) noexcept;
[[nodiscard]] std::string_view to_string(Result result) noexcept;

// Everything a log line, a metric or a retry decision needs to know about one admission.
struct Decision {
  Result result = Result::denied;
  Mode mode = Mode::none;
  std::string uid;
  std::string ns;
  std::string pod_name;  // metadata.name, or metadata.generateName when the name is empty
  std::string service_account;
  std::string role_arn;
  std::string user;
  std::string operation;
  bool dry_run = false;
  // The ServiceAccount was known neither to the store nor to the ConfigMap. A server with a
  // lookup grace period waits and asks again when this is set.
  bool service_account_missing = false;
  std::int64_t token_expiration = 0;  // of the volume added, 0 when none was added
  std::vector<std::string> mutated_containers;
  std::vector<std::string> skipped_containers;
  std::vector<std::string> warnings;
  std::string error;  // why the request was denied
};

}  // namespace irsa::core
