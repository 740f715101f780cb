// The encoding half of base64, internal to the core: the AdmissionResponse patch goes out as
// standard base64. Decoding, which code outside the core needs, is public in
// include/irsa/core/base64.hpp; both live in base64.cpp.
#pragma once

#include <string>
#include <string_view>

namespace irsa::core::detail {

// Standard base64 (RFC 4648, with padding), the encoding of AdmissionResponse.patch.
void append_base64(std::string& out, std::string_view bytes);

}  // namespace irsa::core::detail
