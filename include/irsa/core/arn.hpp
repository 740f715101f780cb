// Amazon Resource Names: splitting any ARN into its six fields, and judging whether a value is an
// IAM role ARN that STS could assume, with a plain-words reason when it is not. `doctor` reads
// role ARNs from annotations people typed by hand, so the reason must name the exact mistake.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace irsa::core {

// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE. The views point into the text that was split.
struct ArnFields {
  std::string_view partition;
  std::string_view service;
  std::string_view region;
  std::string_view account;
  std::string_view resource;  // everything after the fifth ':'; may hold ':' and '/'
};

// The fields of text when it starts with "arn:" and has the five colons that follow; nullopt
// otherwise. Nothing is validated beyond the shape.
[[nodiscard]] std::optional<ArnFields> split_arn(std::string_view text) noexcept;

// Whether partition is one AWS operates (aws, aws-cn, aws-us-gov, the ISO ones, aws-eusc).
[[nodiscard]] bool is_aws_partition(std::string_view partition) noexcept;

// "aws, aws-cn, ...": every known partition, for messages.
[[nodiscard]] std::string aws_partition_list();

// Whether account is an AWS account id: exactly 12 decimal digits.
[[nodiscard]] bool is_account_id(std::string_view account) noexcept;

// The verdict on one would-be role ARN.
struct RoleArnCheck {
  bool ok = false;
  std::string problem;  // empty when ok; otherwise one line naming exactly what is wrong
  // The resource type found: "role", "user", "group", "instance-profile", "policy",
  // "oidc-provider", "saml-provider", "assumed-role" (service sts), another type as written, or
  // empty when the text is not an ARN.
  std::string kind;
  std::string partition;
  std::string account;
  std::string path;  // "/" or "/a/b/" for roles (and assumed-role sessions: always "/")
  std::string name;  // the role name (for assumed-role sessions: the role behind the session)
  // The role ARN the value most likely meant, when it can be derived (from an assumed-role
  // session ARN); empty otherwise.
  std::string corrected;
};

// Judges text as IAM would accept it in arn:PARTITION:iam::ACCOUNT:role/PATH/NAME: a known
// partition, service iam, no region, a 12-digit account, a path of printable ASCII starting and
// ending with '/' (at most 512 characters) and a name of 1-64 characters from [A-Za-z0-9+=,.@_-].
[[nodiscard]] RoleArnCheck check_role_arn(std::string_view text);

}  // namespace irsa::core
