#include "irsa/core/annotation_hints.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>

#include "irsa/core/annotations.hpp"

namespace irsa::core {

namespace {

constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// Two edits catch a dropped, doubled, swapped or wrong character or two; three would start to
// match real keys of other tools.
constexpr std::size_t kMaxEdits = 2;

constexpr std::array<std::string_view, 8> kSuffixes = {
    kRoleArnAnnotation,           kAudienceAnnotation,       kStsRegionalEndpointsAnnotation,
    kTokenExpirationAnnotation,   kSkipContainersAnnotation, kRegionAnnotation,
    kIncludeContainersAnnotation, kRoleSessionNameAnnotation};

// Other names people give these settings, squashed (see squash). They come from neighbouring
// tools and fields: kube2iam's iam.amazonaws.com/role, the ConfigMap's UseRegionalSTS, the
// projected volume's expirationSeconds.
struct Alias {
  std::string_view suffix;
  std::string_view squashed;
};
constexpr std::array<Alias, 11> kAliases = {{
    {kRoleArnAnnotation, "iamrolearn"},
    {kRoleArnAnnotation, "rolename"},
    {kRoleArnAnnotation, "awsrolearn"},
    {kRoleArnAnnotation, "iamrole"},
    {kRoleArnAnnotation, "role"},
    {kRoleArnAnnotation, "arn"},
    {kStsRegionalEndpointsAnnotation, "regionalsts"},
    {kStsRegionalEndpointsAnnotation, "useregionalsts"},
    {kTokenExpirationAnnotation, "tokenexpirationseconds"},
    {kTokenExpirationAnnotation, "expirationseconds"},
    {kAudienceAnnotation, "aud"},
}};

// Lower case without separators: role_arn, roleArn, Role-ARN and rolearn all become "rolearn".
std::string squash(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != '-' && c != '_' && c != '.' && c != ' ') out.push_back(ascii_lower(c));
  }
  return out;
}

// Optimal string alignment distance (insert, delete, substitute, swap two neighbours), with an
// early answer of limit + 1 once the lengths alone differ by more than the limit.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  if ((n > m ? n - m : m - n) > limit) return limit + 1;
  std::vector<std::size_t> before(m + 1);
  std::vector<std::size_t> previous(m + 1);
  std::vector<std::size_t> current(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    before.swap(previous);
    previous.swap(current);
  }
  return std::min(previous[m], limit + 1);
}

struct SplitKey {
  std::string_view prefix;  // empty when the key has no '/'
  std::string_view suffix;
};

SplitKey split_key(std::string_view key) {
  const auto slash = key.rfind('/');
  if (slash == std::string_view::npos) return {{}, key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

// Prefixes worth reading a suffix under: ours give or take a typo, and anything that names AWS
// (eks.amazon.com, amazonaws.com, iam.amazonaws.com, a bare key). Others belong to other tools.
bool plausible_prefix(std::string_view written, std::string_view prefix) {
  if (written.empty()) return true;
  const std::string text = ascii_lower(written);
  if (edit_distance(text, ascii_lower(prefix), kMaxEdits) <= kMaxEdits) return true;
  if (text.find("amazon") != std::string::npos || text.find("aws") != std::string::npos) {
    return true;
  }
  // "eks" as a whole label: eks.example.com, not weeks.io.
  const std::string dotted = "." + text + ".";
  return dotted.find(".eks.") != std::string::npos;
}

// The suffix the webhook reads that `written` is a spelling of, if any.
std::optional<std::string_view> intended_suffix(std::string_view written) {
  const std::string squashed = squash(written);
  const std::string lowered = ascii_lower(written);
  std::optional<std::string_view> best;
  std::size_t best_distance = kMaxEdits + 1;
  for (auto suffix : kSuffixes) {
    if (squashed == squash(suffix)) return suffix;
    const std::size_t distance = edit_distance(lowered, suffix, kMaxEdits);
    if (distance < best_distance) {
      best = suffix;
      best_distance = distance;
    }
  }
  if (best) return best;
  for (const auto& alias : kAliases) {
    if (squashed == alias.squashed) return alias.suffix;
  }
  return std::nullopt;
}

// The whole key the webhook reads that `key` is one or two edits from, ignoring case.
std::optional<std::string_view> intended_by_distance(std::string_view key,
                                                     std::string_view prefix) {
  const std::string lowered = ascii_lower(key);
  std::optional<std::string_view> best;
  std::size_t best_distance = kMaxEdits + 1;
  for (auto suffix : kSuffixes) {
    const std::size_t distance =
        edit_distance(lowered, ascii_lower(annotation_key(prefix, suffix)), kMaxEdits);
    if (distance < best_distance) {
      best = suffix;
      best_distance = distance;
    }
  }
  return best;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_quote(char c) {
  return c == '"' || c == '\'';
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

// A role-arn value pasted with the quotes of a shell or YAML line, or with a stray newline: the
// webhook uses the value as written, so it is not a role ARN any more.
std::optional<AnnotationHint> value_hint(std::string_view key, std::string_view value) {
  const std::string_view unspaced = trim_spaces(value);
  std::string_view cleaned = unspaced;
  while (!cleaned.empty() && is_quote(cleaned.front())) cleaned.remove_prefix(1);
  while (!cleaned.empty() && is_quote(cleaned.back())) cleaned.remove_suffix(1);
  cleaned = trim_spaces(cleaned);
  const bool spaces = unspaced.size() != value.size();
  const bool quotes = cleaned.size() != unspaced.size();
  if (!spaces && !quotes) return std::nullopt;
  const char* what = spaces && quotes ? "whitespace and quotes" : spaces ? "whitespace" : "quotes";
  AnnotationHint hint;
  hint.key = std::string(key);
  hint.problem = "the value of \"" + hint.key + "\" has surrounding " + what +
                 "; the webhook uses it as written";
  hint.fix = hint.key + "=" + std::string(cleaned);
  hint.kind = HintKind::value;
  hint.suffix = kRoleArnAnnotation;
  return hint;
}

std::string describe(HintKind kind, std::string_view key, std::string_view written_prefix,
                     std::string_view prefix, const std::string& fix) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  switch (kind) {
    case HintKind::key_case:
      return quoted + " differs from " + fix + " in case; annotation keys are case-sensitive";
    case HintKind::prefix:
      if (written_prefix.empty()) return quoted + " has no prefix; the webhook reads " + fix;
      return quoted + " uses the prefix " + std::string(written_prefix) + "; the webhook reads " +
             std::string(prefix);
    case HintKind::suffix:
    case HintKind::key:
    case HintKind::value:
      break;
  }
  return quoted + " is not a key the webhook reads; it reads " + fix;
}

}  // namespace

std::size_t typo_distance(std::string_view a, std::string_view b, std::size_t limit) {
  return edit_distance(ascii_lower(a), ascii_lower(b), limit);
}

bool may_be_near_miss(std::string_view key, std::string_view prefix) {
  // The union of the conditions annotation_near_misses tests, each cheaply: a key as long as a
  // real one give or take the edits, or a prefix that plausible_prefix accepts.
  for (auto suffix : kSuffixes) {
    const std::size_t length = prefix.size() + 1 + suffix.size();
    if ((key.size() > length ? key.size() - length : length - key.size()) <= kMaxEdits) {
      return true;
    }
  }
  return plausible_prefix(split_key(key).prefix, prefix);
}

std::vector<AnnotationHint> annotation_near_misses(const Annotations& annotations,
                                                   std::string_view prefix) {
  std::vector<AnnotationHint> hints;
  const std::string role_arn_key = annotation_key(prefix, kRoleArnAnnotation);
  // Named, not structured, bindings: a lambda below captures the key, which clang refuses for a
  // structured binding before C++20's later revision.
  for (const auto& annotation : annotations) {
    const std::string& key = annotation.first;
    const std::string& value = annotation.second;
    if (key == role_arn_key) {
      if (auto hint = value_hint(key, value)) hints.push_back(std::move(*hint));
      continue;
    }
    if (std::ranges::any_of(kSuffixes, [&](std::string_view suffix) {
          return key == annotation_key(prefix, suffix);
        })) {
      continue;
    }
    const SplitKey written = split_key(key);
    std::optional<std::string_view> suffix = intended_by_distance(key, prefix);
    if (!suffix && plausible_prefix(written.prefix, prefix))
      suffix = intended_suffix(written.suffix);
    if (!suffix) continue;

    const std::string fix = annotation_key(prefix, *suffix);
    HintKind kind = HintKind::key;
    if (ascii_lower(key) == ascii_lower(fix)) {
      kind = HintKind::key_case;
    } else if (written.prefix == prefix) {
      kind = HintKind::suffix;
    } else if (written.suffix == *suffix) {
      kind = HintKind::prefix;
    }
    AnnotationHint hint;
    hint.key = key;
    hint.problem = describe(kind, key, written.prefix, prefix, fix);
    hint.fix = fix;
    hint.kind = kind;
    hint.suffix = *suffix;
    hint.shadowed = annotations.contains(fix);
    hints.push_back(std::move(hint));
  }
  return hints;
}

}  // namespace irsa::core
