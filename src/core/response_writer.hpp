// Writes the AdmissionReview response: the request's apiVersion/kind echoed, the uid copied,
// the patch base64-encoded, warnings and audit annotations added.
#pragma once

#include <string>
#include <string_view>

#include "irsa/core/decision.hpp"

namespace irsa::core::detail {

struct Envelope {
  std::string_view api_version;  // empty: omitted, as upstream does
  std::string_view kind;
};

// An allowed response, with the patch when it is not empty.
void write_allowed_response(std::string& out, const Envelope& envelope, const Decision& decision,
                            std::string_view patch);

inline constexpr int kBadRequestCode = 400;
inline constexpr int kForbiddenCode = 403;

// allowed:false with the status code (400: the request was not understood; 403: the role
// policy refused the pod) and the message.
void write_denied_response(std::string& out, const Envelope& envelope, std::string_view uid,
                           std::string_view message, int code = kBadRequestCode);

}  // namespace irsa::core::detail
