// Percent-decoding and the name=value&... shape shared by URL queries and HTML form bodies
// (application/x-www-form-urlencoded), for the fakes that read either.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace irsa::testing {

// '+' reads as a space, as forms write it; a malformed escape is kept as it stands.
[[nodiscard]] std::string url_decode(std::string_view text);
// Every byte but the unreserved ones (RFC 3986) escaped, as the AWS SDKs send form fields.
[[nodiscard]] std::string url_encode(std::string_view text);

// The pairs in the order given; a name without '=' has an empty value.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> parse_query_pairs(
    std::string_view query);
// The same as a map: of repeated names, the last one wins.
[[nodiscard]] std::map<std::string, std::string> parse_query_map(std::string_view query);

}  // namespace irsa::testing
