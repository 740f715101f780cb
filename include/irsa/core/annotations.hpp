// Parsing of the values carried by ServiceAccount and pod annotations, with upstream's rules
// (Go strconv syntax for booleans and integers, Go CSV for the skip list).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::core {

// Annotation suffixes, joined as "<prefix>/<suffix>".
inline constexpr std::string_view kRoleArnAnnotation = "role-arn";
inline constexpr std::string_view kAudienceAnnotation = "audience";
inline constexpr std::string_view kStsRegionalEndpointsAnnotation = "sts-regional-endpoints";
inline constexpr std::string_view kTokenExpirationAnnotation = "token-expiration";
inline constexpr std::string_view kSkipContainersAnnotation = "skip-containers";
// Beyond upstream: the pod's (or its account's) region, the containers that get credentials and
// whether the role session is named after the pod.
inline constexpr std::string_view kRegionAnnotation = "region";
inline constexpr std::string_view kIncludeContainersAnnotation = "include-containers";
inline constexpr std::string_view kRoleSessionNameAnnotation = "role-session-name";

// The one value of role-session-name that names sessions, and the one that turns naming off for
// an account or pod when --role-session-name turns it on.
inline constexpr std::string_view kSessionNamePodName = "pod-name";
inline constexpr std::string_view kSessionNameNone = "none";

// The label that marks pods mutated for EKS Pod Identity. Its key ignores --annotation-prefix.
inline constexpr std::string_view kPodIdentityLabelKey = "eks.amazonaws.com/pod-identity";
inline constexpr std::string_view kPodIdentityLabelValue = "enabled";

[[nodiscard]] std::string annotation_key(std::string_view prefix, std::string_view suffix);

// Go's strconv.ParseBool: 1 t T TRUE true True 0 f F FALSE false False.
[[nodiscard]] std::optional<bool> parse_go_bool(std::string_view text) noexcept;

// Go's strconv.ParseInt(text, 10, 64): optional sign, decimal digits, no spaces, int64 range.
[[nodiscard]] std::optional<std::int64_t> parse_go_int64(std::string_view text) noexcept;

// The first record of a CSV value as Go's encoding/csv reads it: comma separated, double-quoted
// fields may hold commas and doubled quotes. Unquoted fields are trimmed of surrounding spaces
// (upstream keeps them, so "a, b" never matched "b"; trimming is a deliberate fix).
// Returns nullopt for what Go rejects: an empty value, a bare quote inside an unquoted field,
// text after a closing quote, an unterminated quote.
[[nodiscard]] std::optional<std::vector<std::string>> parse_skip_list(std::string_view text);

// Whether text is an IAM role ARN: arn:aws[a-z0-9-]*:iam::<12 digits>:role/<path and name>.
[[nodiscard]] bool is_iam_role_arn(std::string_view text) noexcept;

// Whether text is an AWS region name as the SDKs accept it: lowercase letters, then groups
// joined by '-', ending in a number (us-east-1, us-gov-west-1, cn-north-1, eu-isoe-west-1).
[[nodiscard]] bool is_aws_region(std::string_view text) noexcept;

// Go's path.Clean for slash-separated paths: collapses "//", resolves "." and "..", drops a
// trailing slash; an empty result is ".".
[[nodiscard]] std::string clean_path(std::string_view path);

// The AWS partition that a region belongs to, as upstream derives it for --compose-role-arn.
[[nodiscard]] std::string_view partition_for_region(std::string_view region) noexcept;

// Shortens text for a warning line, marking the cut with "...".
[[nodiscard]] std::string clip_for_warning(std::string_view text, std::size_t max_chars);

// One character for a message: a printable one quoted ('x'), a space as "a space", anything else
// as its byte value ("byte 0x0A").
[[nodiscard]] std::string describe_char(char c);

// A user-supplied name or value inside a warning: double-quoted and clipped to 40 characters,
// so that several fit in one line under the API server's 120-character guidance.
[[nodiscard]] std::string quote_for_warning(std::string_view text);

}  // namespace irsa::core
