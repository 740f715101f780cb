// Matching policy values against request values the way IAM does: exact, case-folded, with the
// '*' and '?' wildcards of StringLike and action names, and field by field for ARNs.
#include <algorithm>

#include "irsa/core/arn.hpp"
#include "irsa/doctor/text.hpp"
#include "trust_policy_parts.hpp"

namespace irsa::doctor::trust {
namespace {

// ASCII only: IAM folds the case of action names and condition keys, which are ASCII.
constexpr char fold(char c) noexcept {
  return ascii_lower(c);
}

bool same_char(char a, char b, bool ignore_case) noexcept {
  return ignore_case ? fold(a) == fold(b) : a == b;
}

}  // namespace

std::string to_lower(std::string_view text) {
  return ascii_lower(text);
}

bool equals_ignore_case(std::string_view a, std::string_view b) noexcept {
  return std::ranges::equal(a, b, [](char x, char y) { return fold(x) == fold(y); });
}

bool has_wildcard(std::string_view pattern) noexcept {
  return pattern.find_first_of("*?") != std::string_view::npos;
}

bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case) noexcept {
  // Greedy matching with one backtrack point: the last '*' seen and where its run began. Linear
  // enough for policy values and never recursive, whatever the pattern.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (p < pattern.size() &&
               (pattern[p] == '?' || same_char(pattern[p], text[t], ignore_case))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool arn_match(std::string_view pattern, std::string_view arn) noexcept {
  const auto want = core::split_arn(pattern);
  const auto have = core::split_arn(arn);
  if (!want || !have) return wildcard_match(pattern, arn);
  return wildcard_match(want->partition, have->partition) &&
         wildcard_match(want->service, have->service) &&
         wildcard_match(want->region, have->region) &&
         wildcard_match(want->account, have->account) &&
         wildcard_match(want->resource, have->resource);
}

std::string backticked(std::string_view text) {
  std::string out = "`";
  out.append(text).append("`");
  return out;
}

std::string quote_list(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& value : values) {
    if (!out.empty()) out.append(", ");
    out.append(backticked(value));
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out.append(separator);
    out.append(part);
  }
  return out;
}

}  // namespace irsa::doctor::trust
