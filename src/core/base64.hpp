#pragma once

#include <string>
#include <string_view>

namespace irsa::core::detail {

// Standard base64 (RFC 4648, with padding), the encoding of AdmissionResponse.patch.
void append_base64(std::string& out, std::string_view bytes);

}  // namespace irsa::core::detail
