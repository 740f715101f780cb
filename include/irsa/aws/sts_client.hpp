// AssumeRoleWithWebIdentity, the call an SDK makes with a pod's projected token. It is unsigned:
// the token is the credential, so no AWS keys are needed. `doctor --try-assume` makes it once to
// learn what AWS itself thinks of the chain; whatever credentials come back are dropped unread.
#pragma once

#include <string>

#include "irsa/aws/sts_answer.hpp"
#include "irsa/kube/client_config.hpp"

namespace irsa::aws {

// The STS endpoint for a partition: regional when a region is given, else the partition's
// global (or, where there is none, its first) endpoint. https://sts.amazonaws.com for aws.
[[nodiscard]] std::string sts_endpoint(const std::string& partition, const std::string& region);

struct AssumeRoleCall {
  std::string endpoint;  // https://host[:port], no path
  std::string role_arn;
  std::string session_name;
  std::string web_identity_token;
  std::string ca_bundle_file;  // empty: the system's roots (AWS_CA_BUNDLE, as the SDKs read it)
};

// Blocks until STS answers (at most about 20 s). Never throws. The token in `call` is wiped, and
// so is every copy made here; a success's credentials are never copied out of the answer. The
// token goes out only over https, or plain http to a loopback address (a local test endpoint).
[[nodiscard]] StsAnswer assume_role_with_web_identity(AssumeRoleCall& call);

}  // namespace irsa::aws
