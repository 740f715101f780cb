// Plain configuration of the mutation core. Filled once at the edge (the CLI) from flags and
// never read from anywhere else: the core has no globals and no defaults of its own beyond these.
#pragma once

#include <cstdint>
#include <string>

namespace irsa::core {

// Token lifetimes the API server and the AWS SDKs agree on.
inline constexpr std::int64_t kMinTokenExpirationSeconds = 600;
inline constexpr std::int64_t kDefaultTokenExpirationSeconds = 86400;
inline constexpr std::int64_t kJitterFloorSeconds = 79200;

// How a container-credentials token expiration of exactly the default is spread out, so that
// pods created together do not all refresh their token in the same second.
enum class TokenJitter {
  random,  // uniform in [kJitterFloorSeconds, kDefaultTokenExpirationSeconds]
  min,     // always kJitterFloorSeconds (what upstream's tests pin)
  off,     // keep kDefaultTokenExpirationSeconds
};

struct WebIdentitySettings {
  std::string audience = "sts.amazonaws.com";
  std::string mount_path = "/var/run/secrets/eks.amazonaws.com/serviceaccount";
  // Neither name is configurable upstream; they are kept here so the planner treats both
  // modes alike.
  std::string volume_name = "aws-iam-token";
  std::string token_path = "token";
};

struct ContainerCredentialsSettings {
  std::string audience = "pods.eks.amazonaws.com";
  std::string mount_path = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount";
  std::string volume_name = "eks-pod-identity-token";
  std::string token_path = "eks-pod-identity-token";
  std::string full_uri = "http://169.254.170.23/v1/credentials";
};

struct RoleArnComposition {
  bool enabled = false;  // --compose-role-arn
  std::string account_id;
  std::string partition = "aws";
};

struct Settings {
  std::string annotation_prefix = "eks.amazonaws.com";
  std::string aws_default_region;      // empty: no region variables injected
  bool sts_regional_endpoint = false;  // default of the sts-regional-endpoints annotation
  std::int64_t token_expiration = kDefaultTokenExpirationSeconds;  // already clamped to >= 600
  TokenJitter token_jitter = TokenJitter::random;
  // --role-session-name=pod-name: web-identity containers get AWS_ROLE_SESSION_NAME set to the
  // pod's name, so that CloudTrail shows which pod assumed the role. Off by default (upstream
  // injects no session name).
  bool role_session_name_from_pod = false;
  RoleArnComposition compose_role_arn;
  WebIdentitySettings web_identity;
  ContainerCredentialsSettings container_credentials;
};

// Clamps a token lifetime to the API server's minimum, as upstream does for the flag and both
// annotations.
[[nodiscard]] constexpr std::int64_t clamp_token_expiration(std::int64_t seconds) noexcept {
  return seconds < kMinTokenExpirationSeconds ? kMinTokenExpirationSeconds : seconds;
}

}  // namespace irsa::core
