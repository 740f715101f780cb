#include "irsa/cli/mutation_flags.hpp"

#include <CLI/CLI.hpp>
#include <stdexcept>

#include "irsa/core/annotations.hpp"

namespace irsa::cli {

void add_mutation_flags(CLI::App& app, MutationFlags& flags) {
  const std::string group = "Mutation (upstream flags)";
  app.add_option("--annotation-prefix", flags.annotation_prefix,
                 "Prefix of the ServiceAccount and pod annotations read")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--aws-default-region", flags.aws_default_region,
                 "Inject AWS_DEFAULT_REGION and AWS_REGION with this value when set")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_flag("--sts-regional-endpoint", flags.sts_regional_endpoint,
               "Inject AWS_STS_REGIONAL_ENDPOINTS=regional unless a ServiceAccount says otherwise")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--token-audience", flags.token_audience,
                 "Default audience of the web identity token")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--token-expiration", flags.token_expiration,
                 "Default token lifetime in seconds (raised to 600 when lower)")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--token-mount-path", flags.token_mount_path,
                 "Where the web identity token volume is mounted")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--token-jitter", flags.token_jitter,
                 "How a container-credentials lifetime of exactly 86400 is spread: random, min "
                 "(always 79200) or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"random", "min", "off"}))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--watch-container-credentials-config", flags.container_credentials_config,
                 "EKS Pod Identity association file ({\"identities\":[...]}); empty disables")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--container-credentials-audience", flags.container_credentials_audience,
                 "Audience of the Pod Identity token")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--container-credentials-token-mount-path",
                 flags.container_credentials_token_mount_path,
                 "Where the Pod Identity token volume is mounted")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--container-credentials-token-volume-name",
                 flags.container_credentials_token_volume_name,
                 "Name of the Pod Identity token volume and mount")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--container-credentials-token-path", flags.container_credentials_token_path,
                 "File name of the Pod Identity token inside its volume")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--container-credentials-full-uri", flags.container_credentials_full_uri,
                 "Value of AWS_CONTAINER_CREDENTIALS_FULL_URI")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_flag("--compose-role-arn", flags.compose_role_arn,
               "Turn bare role names in role-arn annotations into full ARNs")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--aws-account-id", flags.aws_account_id,
                 "Account of composed role ARNs (the server reads it from EC2 metadata)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--aws-partition", flags.aws_partition,
                 "Partition of composed role ARNs (default: from --aws-region, else aws)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);
  app.add_option("--aws-region", flags.aws_region_for_partition,
                 "Region whose partition composed role ARNs use")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(group);

  const std::string guardrails = "Guardrails (beyond upstream)";
  app.add_option("--role-session-name", flags.role_session_name,
                 "pod-name: web identity containers get AWS_ROLE_SESSION_NAME set to the pod's "
                 "name, so CloudTrail shows which pod assumed the role; none: no session name "
                 "(accounts and pods may override with the role-session-name annotation)")
      ->capture_default_str()
      ->check(CLI::IsMember({"pod-name", "none"}))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(guardrails);
  app.add_option("--role-policy", flags.role_policy_file,
                 "YAML file of rules saying which roles the accounts of which namespaces may use "
                 "(audit or enforce); reloaded when it changes")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->group(guardrails);
}

core::Settings to_settings(const MutationFlags& flags, bool account_from_metadata) {
  core::Settings settings;
  settings.annotation_prefix = flags.annotation_prefix;
  settings.aws_default_region = flags.aws_default_region;
  settings.sts_regional_endpoint = flags.sts_regional_endpoint;
  settings.token_expiration = core::clamp_token_expiration(flags.token_expiration);
  if (flags.token_jitter == "random") {
    settings.token_jitter = core::TokenJitter::random;
  } else if (flags.token_jitter == "min") {
    settings.token_jitter = core::TokenJitter::min;
  } else if (flags.token_jitter == "off") {
    settings.token_jitter = core::TokenJitter::off;
  } else {
    throw std::invalid_argument("--token-jitter must be random, min or off");
  }
  settings.role_session_name_from_pod = flags.role_session_name == core::kSessionNamePodName;
  settings.web_identity.audience = flags.token_audience;
  settings.web_identity.mount_path = flags.token_mount_path;
  auto& cc = settings.container_credentials;
  cc.audience = flags.container_credentials_audience;
  cc.mount_path = flags.container_credentials_token_mount_path;
  cc.volume_name = flags.container_credentials_token_volume_name;
  cc.token_path = flags.container_credentials_token_path;
  cc.full_uri = flags.container_credentials_full_uri;
  if (cc.volume_name == settings.web_identity.volume_name) {
    throw std::invalid_argument("--container-credentials-token-volume-name must differ from " +
                                settings.web_identity.volume_name);
  }

  auto& compose = settings.compose_role_arn;
  compose.enabled = flags.compose_role_arn;
  if (compose.enabled && !(account_from_metadata && flags.aws_account_id.empty())) {
    if (flags.aws_account_id.size() != 12 ||
        flags.aws_account_id.find_first_not_of("0123456789") != std::string::npos) {
      throw std::invalid_argument("--compose-role-arn needs --aws-account-id with 12 digits");
    }
    compose.account_id = flags.aws_account_id;
    compose.partition =
        !flags.aws_partition.empty()
            ? flags.aws_partition
            : std::string(core::partition_for_region(flags.aws_region_for_partition));
  }
  return settings;
}

}  // namespace irsa::cli
