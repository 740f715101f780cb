// The XML bodies of the STS Query API (version 2011-06-15) that the fake STS answers with.
#pragma once

#include <string>
#include <string_view>

namespace irsa::testing {

// <ErrorResponse><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error>
// <RequestId>..</RequestId></ErrorResponse>
[[nodiscard]] std::string sts_error_xml(std::string_view code, std::string_view message,
                                        std::string_view request_id);

struct StsSuccess {
  std::string access_key_id, secret_access_key, session_token, expiration;
  std::string subject, audience, provider;
  std::string assumed_role_id, assumed_role_arn;
  std::string request_id;
};
// <AssumeRoleWithWebIdentityResponse> with its Result and ResponseMetadata.
[[nodiscard]] std::string sts_success_xml(const StsSuccess& success);

// &, <, >, " and ' as entities.
[[nodiscard]] std::string xml_escape(std::string_view text);

}  // namespace irsa::testing
