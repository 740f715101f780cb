#include "irsa/core/arn.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include "irsa/core/annotations.hpp"

namespace irsa::core {
namespace {

constexpr std::array<std::string_view, 8> kPartitions = {
    "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"};

// IAM's documented limits for role paths and names.
constexpr std::size_t kMaxPathLength = 512;
constexpr std::size_t kMaxRoleNameLength = 64;

constexpr std::string_view kWhitespaceProblem = "the value has surrounding whitespace";

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

bool is_role_name_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) return true;
  return std::string_view("+=,.@_-").find(c) != std::string_view::npos;
}

bool is_printable_ascii(char c) noexcept {
  return c >= '!' && c <= '~';
}

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string in_quotes(std::string_view text) {
  std::string out = "\"";
  out.append(text).append("\"");
  return out;
}

std::string role_arn_example(std::string_view partition, std::string_view account,
                             std::string_view name) {
  std::string out = "arn:";
  out.append(partition.empty() ? "aws" : partition).append(":iam::");
  out.append(account.empty() ? "ACCOUNT" : account).append(":role/");
  out.append(name.empty() ? "NAME" : name);
  return out;
}

// What a resource type other than role is, in words: people paste the ARN nearest to hand.
std::string wrong_kind_problem(std::string_view kind, const ArnFields& arn) {
  if (kind == "user") return "this is an IAM user ARN, not a role";
  if (kind == "group") return "this is an IAM group ARN, not a role";
  if (kind == "policy") return "this is an IAM policy ARN, not a role";
  if (kind == "instance-profile") {
    return "this is an instance profile ARN, not a role: use the ARN of the role it holds, " +
           role_arn_example(arn.partition, arn.account, "");
  }
  if (kind == "oidc-provider") {
    return "this is an OIDC provider ARN (it belongs in the role's trust policy), not a role";
  }
  if (kind == "saml-provider") return "this is a SAML provider ARN, not a role";
  if (kind == "server-certificate") return "this is a server certificate ARN, not a role";
  return "the resource " + in_quotes(arn.resource) + " is not role/NAME";
}

// Checks the part after "role/": an optional path and the name, split at the last '/'.
bool check_path_and_name(std::string_view rest, RoleArnCheck& result) {
  const std::size_t last_slash = rest.rfind('/');
  const std::string_view name =
      last_slash == std::string_view::npos ? rest : rest.substr(last_slash + 1);
  result.path = "/";
  if (last_slash != std::string_view::npos) result.path.append(rest.substr(0, last_slash + 1));
  result.name = name;

  if (result.path.size() > kMaxPathLength) {
    result.problem = "the role path is " + std::to_string(result.path.size()) +
                     " characters; IAM allows at most " + std::to_string(kMaxPathLength);
    return false;
  }
  // IAM's pattern is "/" or "/" + at least one character + "/": "//" names no path at all.
  if (result.path == "//") {
    result.problem = "the role path is \"//\": there is nothing between its slashes";
    return false;
  }
  for (char c : result.path) {
    if (!is_printable_ascii(c)) {
      result.problem = "the role path " + in_quotes(result.path) + " has " + describe_char(c) +
                       "; IAM paths hold printable ASCII only";
      return false;
    }
  }
  if (name.empty()) {
    result.problem = "the role name is empty (the ARN ends with '/')";
    return false;
  }
  if (name.size() > kMaxRoleNameLength) {
    result.problem = "the role name is " + std::to_string(name.size()) +
                     " characters; IAM allows at most " + std::to_string(kMaxRoleNameLength);
    return false;
  }
  const auto bad = std::ranges::find_if_not(name, is_role_name_char);
  if (bad != name.end()) {
    result.problem = "the role name " + in_quotes(name) + " has " + describe_char(*bad) +
                     ", which IAM does not allow (letters, digits and +=,.@_- only)";
    return false;
  }
  return true;
}

// "assumed-role/ROLE/SESSION" from sts get-caller-identity: name the role behind the session.
void explain_assumed_role(const ArnFields& arn, RoleArnCheck& result) {
  result.kind = "assumed-role";
  std::string_view rest = arn.resource.substr(std::string_view("assumed-role/").size());
  const std::size_t slash = rest.find('/');
  const std::string_view role = slash == std::string_view::npos ? rest : rest.substr(0, slash);
  result.problem =
      "this is an assumed-role session ARN (from sts get-caller-identity), not the role";
  if (role.empty()) return;
  result.name = role;
  result.path = "/";
  // The session ARN drops the role's path, so the derived ARN is right only for roles without
  // one; the message says so rather than guessing.
  result.corrected = role_arn_example(arn.partition, arn.account, role);
  result.problem += ": use " + result.corrected + " (with the role's path, if it has one)";
}

// Surrounding whitespace comes first: it is invisible in most output, so it must be named even
// when something else is wrong too.
RoleArnCheck with_whitespace_first(bool padded, RoleArnCheck& result) {
  if (!padded) return std::move(result);
  result.ok = false;
  result.problem = result.problem.empty()
                       ? std::string(kWhitespaceProblem)
                       : std::string(kWhitespaceProblem) + ", and " + result.problem;
  return std::move(result);
}

}  // namespace

std::optional<ArnFields> split_arn(std::string_view text) noexcept {
  constexpr std::string_view kPrefix = "arn:";
  if (!text.starts_with(kPrefix)) return std::nullopt;
  text.remove_prefix(kPrefix.size());
  std::array<std::string_view, 4> fields;
  for (auto& field : fields) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    field = text.substr(0, colon);
    text.remove_prefix(colon + 1);
  }
  return ArnFields{fields[0], fields[1], fields[2], fields[3], text};
}

bool is_aws_partition(std::string_view partition) noexcept {
  return std::ranges::find(kPartitions, partition) != kPartitions.end();
}

std::string aws_partition_list() {
  std::string out;
  for (auto partition : kPartitions) {
    if (!out.empty()) out.append(", ");
    out.append(partition);
  }
  return out;
}

bool is_account_id(std::string_view account) noexcept {
  return account.size() == 12 && std::ranges::all_of(account, is_digit);
}

RoleArnCheck check_role_arn(std::string_view text) {
  RoleArnCheck result;
  if (std::ranges::all_of(text, is_space)) {
    result.problem = "the value is empty; a role ARN reads " + role_arn_example("", "", "");
    return result;
  }
  // Surrounding whitespace is its own mistake (STS rejects it), but the rest is still worth
  // reading so that the fields can be reported.
  std::string_view trimmed = text;
  while (is_space(trimmed.front())) trimmed.remove_prefix(1);
  while (is_space(trimmed.back())) trimmed.remove_suffix(1);
  const bool padded = trimmed.size() != text.size();

  const auto arn = split_arn(trimmed);
  if (!arn) {
    const bool looks_like_name = std::ranges::all_of(trimmed, is_role_name_char);
    std::string head(trimmed.substr(0, 4));
    std::ranges::transform(head, head.begin(), [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    if (head == "arn:" && !trimmed.starts_with("arn:")) {
      result.problem =
          "ARNs start with lower-case \"arn:\", not " + in_quotes(trimmed.substr(0, 4));
    } else if (trimmed.starts_with("arn:")) {
      result.problem = in_quotes(trimmed) +
                       " does not have the six colon-separated fields of an ARN "
                       "(arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)";
    } else if (looks_like_name) {
      result.problem = in_quotes(trimmed) + " is a bare role name, not an ARN: use " +
                       role_arn_example("", "", trimmed);
    } else {
      result.problem =
          in_quotes(trimmed) + " is not an ARN; a role ARN reads " + role_arn_example("", "", "");
    }
    return with_whitespace_first(padded, result);
  }

  result.partition = arn->partition;
  result.account = arn->account;
  const std::size_t type_end = arn->resource.find('/');
  result.kind = arn->resource.substr(0, type_end);

  if (!is_aws_partition(arn->partition)) {
    result.problem = "partition " + in_quotes(arn->partition) + " is not an AWS partition (" +
                     aws_partition_list() + ")";
  } else if (arn->service == "sts" && arn->resource.starts_with("assumed-role/")) {
    explain_assumed_role(*arn, result);
  } else if (arn->service != "iam") {
    result.problem = "the service is " + in_quotes(arn->service) +
                     ", not \"iam\"; a role ARN reads " +
                     role_arn_example(arn->partition, arn->account, "");
  } else if (!arn->region.empty()) {
    result.problem = "the region " + in_quotes(arn->region) +
                     " must be empty: IAM is global (arn:" + std::string(arn->partition) +
                     ":iam::ACCOUNT:role/NAME)";
  } else if (!is_account_id(arn->account)) {
    result.problem = "the account " + in_quotes(arn->account) + " is not 12 digits";
    std::string digits(arn->account);
    std::erase(digits, '-');
    if (is_account_id(digits)) result.problem += " (write it without dashes: " + digits + ")";
  } else if (result.kind != "role") {
    result.problem = wrong_kind_problem(result.kind, *arn);
  } else if (type_end == std::string_view::npos) {
    result.problem = "the role name is missing after \"role\" (role/NAME)";
  } else {
    result.ok = check_path_and_name(arn->resource.substr(type_end + 1), result);
  }
  return with_whitespace_first(padded, result);
}

}  // namespace irsa::core
