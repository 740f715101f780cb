// Everything `doctor` learned about one ServiceAccount before judging it: the objects read from
// the cluster (or from files, offline), what could not be read and why, the trust policy the
// user gave, the claims of a token minted for the account and STS's answer. Plain data: the CLI
// gathers it, the pure checks read it, so every verdict can be tested from a table.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "irsa/doctor/check.hpp"

namespace irsa::doctor {

enum class ReadState {
  not_asked,  // offline, or nothing needed it
  found,
  not_found,  // 404
  forbidden,  // 403: the caller lacks the RBAC for it
  failed,     // no answer, or an answer that could not be used
};

struct Read {
  ReadState state = ReadState::not_asked;
  nlohmann::json object;  // found: the object (or list) as the API returned it
  // What was asked, as RBAC words ("create serviceaccounts/token in namespace shop"), so that a
  // refusal can name the permission that is missing.
  std::string request;
  std::string message;  // not_found, forbidden, failed: the API's message or the transport error

  [[nodiscard]] bool found() const noexcept { return state == ReadState::found; }
  [[nodiscard]] static Read of(nlohmann::json object, std::string request = {});
  [[nodiscard]] static Read refused(ReadState state, std::string request, std::string message);
};

// What STS said to AssumeRoleWithWebIdentity (--try-assume), credentials left out.
struct StsOutcome {
  bool asked = false;
  std::string endpoint;
  std::string transport_error;  // no answer at all
  unsigned status = 0;
  std::string error_code;
  std::string error_message;
  std::string assumed_role_arn;  // success
  std::string expiration;        // success, RFC 3339
};

struct Evidence {
  Subject subject;
  bool cluster = false;  // read from a cluster; false: offline, from files

  Read service_account;  // the ServiceAccount
  Read pod;              // the pod named on the command line (pod/NAME) or given with --pod
  Read pod_controller;   // that pod's Deployment, StatefulSet or DaemonSet
  Read config_map;       // the pod-identity-webhook ConfigMap, when the webhook watches it
  // --watch-container-credentials-config: whether it was given, and whether it lists the account.
  bool container_credentials_known = false;
  bool container_credentials_listed = false;

  Read namespace_object;        // the account's Namespace (its labels)
  Read webhook_configurations;  // MutatingWebhookConfigurationList
  // "namespace/name" of a Service a webhook calls -> its EndpointSliceList (or Endpoints).
  std::map<std::string, Read> service_endpoints;
  Read account_pods;  // PodList: the pods that run as the account

  Read discovery;           // the API server's /.well-known/openid-configuration
  std::string issuer_flag;  // --issuer as given ("" when not)

  // The claims of a token minted for the account through the TokenRequest API. The token itself
  // is never kept: only its decoded payload is.
  Read token_claims;
  std::int64_t token_lifetime_requested = 600;

  std::optional<std::string> trust_policy_text;  // --trust-policy, as read
  std::string trust_policy_source;               // its file name, for messages

  StsOutcome sts;
  std::int64_t now = 0;  // Unix seconds when the evidence was gathered
};

}  // namespace irsa::doctor
