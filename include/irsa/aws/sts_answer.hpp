// What STS said to AssumeRoleWithWebIdentity, read out of its XML answer. Only what a diagnosis
// needs is kept: the credentials in a successful answer are never copied out of the document.
#pragma once

#include <string>
#include <string_view>

namespace irsa::aws {

struct StsAnswer {
  std::string transport_error;  // non-empty: no answer from STS at all (connect, TLS, timeout)
  unsigned status = 0;          // HTTP status
  // A failure (<ErrorResponse>): its Code and Message, e.g. InvalidIdentityToken.
  std::string error_code;
  std::string error_message;
  // A success: the session's ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), when the
  // credentials expire (RFC 3339), and what STS read from the token.
  std::string assumed_role_arn;
  std::string expiration;
  std::string subject;
  std::string audience;
  std::string provider;
  std::string request_id;
  [[nodiscard]] bool succeeded() const noexcept {
    return transport_error.empty() && status == 200 && !assumed_role_arn.empty();
  }
};

// Reads an STS Query API answer (success or ErrorResponse). A body that is neither (an HTML
// page from a proxy, say) sets error_code "NotSts" and a message saying what came back.
[[nodiscard]] StsAnswer parse_sts_answer(unsigned status, std::string_view xml);

// The same, parsing `xml` in place (it is left scrambled), so that a success's credentials are
// never copied: the caller wipes the buffer afterwards.
[[nodiscard]] StsAnswer parse_sts_answer_in_place(unsigned status, std::string& xml);

}  // namespace irsa::aws
