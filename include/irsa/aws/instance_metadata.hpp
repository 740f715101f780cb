// The EC2 instance identity document, read once at start-up for --compose-role-arn: the node's
// account and region complete role names given without a full ARN. It comes from the instance
// metadata service (IMDS), found and reached the way the AWS SDKs do, with their environment
// variables (AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_V1_DISABLED,
// AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "irsa/kube/client_config.hpp"

namespace irsa::aws {

using kube::Environment;

struct InstanceIdentity {
  std::string account_id;  // twelve digits
  std::string region;      // such as eu-west-1
};

struct InstanceIdentityFetch {
  InstanceIdentity identity;
  std::string error;  // non-empty: one line naming the endpoint and what failed
};

struct MetadataOptions {
  // One attempt (connect, token PUT, document GET) must finish within this. IMDS answers in
  // milliseconds on an instance; off one, the SDKs give up after about a second per try.
  std::chrono::milliseconds timeout{1'000};
  int attempts = 3;  // the SDKs' default: the first try and two retries
  // The pause before the second attempt; each later pause doubles it.
  std::chrono::milliseconds backoff{100};
};

// Where IMDS is: AWS_EC2_METADATA_SERVICE_ENDPOINT when set (http://host[:port], an IPv6 host in
// brackets), else the default address of AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE (IPv4, the
// default: 169.254.169.254; IPv6: fd00:ec2::254).
struct MetadataEndpoint {
  std::string host;  // without brackets
  std::uint16_t port = 80;
  std::string url;  // for messages, such as http://[fd00:ec2::254]
};
struct MetadataEndpointLookup {
  MetadataEndpoint endpoint;
  std::string error;  // non-empty: a variable has a value that is not understood
};
[[nodiscard]] MetadataEndpointLookup metadata_endpoint(const Environment& environment);

// accountId and region out of an identity document. The error does not name the endpoint.
[[nodiscard]] InstanceIdentityFetch parse_identity_document(std::string_view json_text);

// Blocking: used once before the server starts, through kube::BlockingClient (the Kubernetes
// client's HTTP stack, here over plain HTTP). Tries IMDSv2 (token PUT, then the document GET with
// the token) and falls back to IMDSv1 as the SDKs do (see the .cpp).
[[nodiscard]] InstanceIdentityFetch fetch_instance_identity(const Environment& environment,
                                                            const MetadataOptions& options = {});

}  // namespace irsa::aws
