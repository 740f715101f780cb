// The upstream flags that shape a mutation, with upstream's names and defaults, registered on
// any CLI11 command (the preview command now, the server later) and turned into
// core::Settings in one place.
#pragma once

#include <cstdint>
#include <string>

#include "irsa/core/settings.hpp"

namespace CLI {
class App;
}

namespace irsa::cli {

struct MutationFlags {
  std::string annotation_prefix = "eks.amazonaws.com";
  std::string aws_default_region;
  bool sts_regional_endpoint = false;
  std::string token_audience = "sts.amazonaws.com";
  std::int64_t token_expiration = core::kDefaultTokenExpirationSeconds;
  std::string token_mount_path = "/var/run/secrets/eks.amazonaws.com/serviceaccount";
  std::string token_jitter = "random";
  std::string container_credentials_config;  // --watch-container-credentials-config
  std::string container_credentials_audience = "pods.eks.amazonaws.com";
  std::string container_credentials_token_mount_path =
      "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount";
  std::string container_credentials_token_volume_name = "eks-pod-identity-token";
  std::string container_credentials_token_path = "eks-pod-identity-token";
  std::string container_credentials_full_uri = "http://169.254.170.23/v1/credentials";
  bool compose_role_arn = false;
  std::string aws_account_id;
  std::string aws_partition;
  std::string aws_region_for_partition;  // --aws-region: derives the partition when given
  // Beyond upstream.
  std::string role_session_name = "none";  // --role-session-name: pod-name or none
  std::string role_policy_file;            // --role-policy: empty means no policy
};

void add_mutation_flags(CLI::App& app, MutationFlags& flags);

// Validates the combination and builds core settings; throws std::invalid_argument with a
// message naming the flag when something is off. With `account_from_metadata`, --compose-role-arn
// without --aws-account-id is allowed: the server fills the account (and, unless
// --aws-partition is given, the partition) from the EC2 instance metadata at start-up.
[[nodiscard]] core::Settings to_settings(const MutationFlags& flags,
                                         bool account_from_metadata = false);

}  // namespace irsa::cli
