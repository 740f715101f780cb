#include "irsa/aws/sts_client.hpp"

#include <openssl/crypto.h>

#include <array>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <string_view>

#include "irsa/kube/blocking_client.hpp"
#include "irsa/net/http_url.hpp"
#include "irsa/store/manifests.hpp"

namespace irsa::aws {

namespace {

struct PartitionEndpoints {
  std::string_view partition;
  std::string_view dns_suffix;
  std::string_view default_region;  // where a call without a region goes when there is no global
  bool has_global = false;
};

// The STS host names of each partition: sts.<region>.<suffix>, and sts.<suffix> where the
// partition has a global endpoint.
constexpr std::array<PartitionEndpoints, 8> kPartitions{{
    {"aws", "amazonaws.com", "us-east-1", true},
    {"aws-cn", "amazonaws.com.cn", "cn-north-1", false},
    {"aws-us-gov", "amazonaws.com", "us-gov-west-1", false},
    {"aws-iso", "c2s.ic.gov", "us-iso-east-1", false},
    {"aws-iso-b", "sc2s.sgov.gov", "us-isob-east-1", false},
    {"aws-iso-e", "cloud.adc-e.uk", "eu-isoe-west-1", false},
    {"aws-iso-f", "csp.hci.ic.gov", "us-isof-south-1", false},
    {"aws-eusc", "amazonaws.eu", "eusc-de-east-1", false},
}};

// STS answers in well under a second; a minute would only hide a dead endpoint.
constexpr std::chrono::milliseconds kCallTimeout{20'000};

// Plain http only to this machine: anything else would put a live token on the network in the
// clear.
std::string refusal_for(const std::string& endpoint) {
  const net::HttpUrlParse parse = net::parse_http_url(endpoint);
  if (!parse.error.empty()) return "--sts-endpoint \"" + endpoint + "\": " + parse.error;
  if (parse.url.tls) return {};
  const std::string& host = parse.url.host;
  if (host == "localhost" || host == "::1" || host.starts_with("127.")) return {};
  return "refusing to send a token over plain http to " + host + "; use https";
}

// Action=...&WebIdentityToken=...: built in one buffer reserved up front, so that no temporary
// or reallocated copy of the token is left behind unwiped.
std::string form_body(const AssumeRoleCall& call) {
  constexpr std::size_t kEscaped = 3;  // the most one byte grows when percent-encoded
  std::string body;
  body.reserve(256 + kEscaped * (call.role_arn.size() + call.session_name.size() +
                                 call.web_identity_token.size()));
  body.append("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=");
  kube::append_url_encoded(body, call.role_arn);
  body.append("&RoleSessionName=");
  kube::append_url_encoded(body, call.session_name);
  body.append("&WebIdentityToken=");
  kube::append_url_encoded(body, call.web_identity_token);
  return body;
}

StsAnswer send_call(const AssumeRoleCall& call) {
  StsAnswer answer;
  if (std::string refusal = refusal_for(call.endpoint); !refusal.empty()) {
    answer.transport_error = std::move(refusal);
    return answer;
  }
  kube::ClientConfig config;
  config.server = call.endpoint;
  config.description = "STS endpoint " + call.endpoint;
  if (!call.ca_bundle_file.empty()) {
    auto bundle = store::read_text(call.ca_bundle_file);
    if (!bundle.error.empty()) {
      answer.transport_error = "AWS_CA_BUNDLE: " + bundle.error;
      return answer;
    }
    config.ca_pem = std::move(bundle.text);
  }
  kube::ApiRequest request;
  request.method = "POST";
  request.target = "/";
  request.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  request.accept = "text/xml";
  request.secret_body = true;
  request.body = form_body(call);
  kube::ApiReply reply;
  try {
    kube::BlockingClient client(std::move(config));
    reply = client.send(std::move(request), kCallTimeout);
  } catch (const std::exception& error) {
    answer.transport_error = error.what();
    return answer;
  }
  if (!reply.error.empty()) {
    answer.transport_error = reply.error;
    return answer;
  }
  // A success carries live credentials: read in place, then wiped with the body.
  answer = parse_sts_answer_in_place(reply.status, reply.body);
  OPENSSL_cleanse(reply.body.data(), reply.body.size());
  return answer;
}

}  // namespace

std::string sts_endpoint(const std::string& partition, const std::string& region) {
  const PartitionEndpoints* found = &kPartitions.front();
  for (const auto& entry : kPartitions) {
    if (entry.partition == partition) found = &entry;
  }
  const std::string suffix(found->dns_suffix);
  if (!region.empty()) return "https://sts." + region + "." + suffix;
  if (found->has_global) return "https://sts." + suffix;
  return "https://sts." + std::string(found->default_region) + "." + suffix;
}

StsAnswer assume_role_with_web_identity(AssumeRoleCall& call) {
  StsAnswer answer = send_call(call);
  OPENSSL_cleanse(call.web_identity_token.data(), call.web_identity_token.size());
  return answer;
}

}  // namespace irsa::aws
