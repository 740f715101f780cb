#include "irsa/core/annotations.hpp"

#include <array>
#include <charconv>
#include <limits>

namespace irsa::core {

std::string annotation_key(std::string_view prefix, std::string_view suffix) {
  std::string key;
  key.reserve(prefix.size() + 1 + suffix.size());
  key.append(prefix).append("/").append(suffix);
  return key;
}

std::optional<bool> parse_go_bool(std::string_view text) noexcept {
  static constexpr std::array<std::string_view, 6> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static constexpr std::array<std::string_view, 6> kFalse = {"0",     "f",     "F",
                                                             "FALSE", "false", "False"};
  for (auto word : kTrue) {
    if (text == word) return true;
  }
  for (auto word : kFalse) {
    if (text == word) return false;
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_go_int64(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  if (text.front() == '+' || text.front() == '-') {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  // Accumulate as unsigned so that INT64_MIN parses without overflow.
  std::uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude, 10);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (magnitude > kMax + 1) return std::nullopt;
    if (magnitude == kMax + 1) return std::numeric_limits<std::int64_t>::min();
    return -static_cast<std::int64_t>(magnitude);
  }
  if (magnitude > kMax) return std::nullopt;
  return static_cast<std::int64_t>(magnitude);
}

namespace {

bool is_csv_space(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim_csv_spaces(std::string_view text) noexcept {
  while (!text.empty() && is_csv_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_csv_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<std::vector<std::string>> parse_skip_list(std::string_view text) {
  // Only the first record counts, as with Go's csv.Reader.Read.
  if (auto newline = text.find_first_of("\r\n"); newline != std::string_view::npos) {
    // A quoted field may span lines; only cut at a newline outside quotes.
    bool quoted = false;
    std::size_t cut = std::string_view::npos;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '"') quoted = !quoted;
      if (!quoted && (text[i] == '\n' || text[i] == '\r')) {
        cut = i;
        break;
      }
    }
    if (cut != std::string_view::npos) text = text.substr(0, cut);
  }
  if (text.empty()) return std::nullopt;

  std::vector<std::string> fields;
  std::size_t pos = 0;
  while (true) {
    // Leading spaces before an opening quote are tolerated (we trim), like TrimLeadingSpace.
    std::size_t start = pos;
    while (start < text.size() && is_csv_space(text[start])) ++start;
    if (start < text.size() && text[start] == '"') {
      std::string field;
      std::size_t i = start + 1;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field.push_back(text[i]);
        ++i;
      }
      if (!closed) return std::nullopt;
      while (i < text.size() && is_csv_space(text[i])) ++i;
      fields.push_back(std::move(field));
      if (i == text.size()) break;
      if (text[i] != ',') return std::nullopt;  // text after the closing quote
      pos = i + 1;
      continue;
    }
    std::size_t comma = text.find(',', pos);
    std::string_view raw =
        text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos);
    if (raw.find('"') != std::string_view::npos) return std::nullopt;  // bare quote
    fields.emplace_back(trim_csv_spaces(raw));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return fields;
}

namespace {

bool is_ascii_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_lower_alnum_or_dash(char c) noexcept {
  return (c >= 'a' && c <= 'z') || is_ascii_digit(c) || c == '-';
}
// The role path/name class of upstream's expression: [\w-/.@+=,].
bool is_role_path_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_ascii_digit(c) || c == '_' ||
         c == '-' || c == '/' || c == '.' || c == '@' || c == '+' || c == '=' || c == ',';
}

bool consume(std::string_view& text, std::string_view prefix) noexcept {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

}  // namespace

bool is_iam_role_arn(std::string_view text) noexcept {
  if (!consume(text, "arn:aws")) return false;
  while (!text.empty() && is_lower_alnum_or_dash(text.front())) text.remove_prefix(1);
  if (!consume(text, ":iam::")) return false;
  for (int i = 0; i < 12; ++i) {
    if (text.empty() || !is_ascii_digit(text.front())) return false;
    text.remove_prefix(1);
  }
  if (!consume(text, ":role/")) return false;
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_role_path_char(c)) return false;
  }
  return true;
}

std::string clean_path(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    std::string_view part =
        path.substr(pos, slash == std::string_view::npos ? path.npos : slash - pos);
    if (part.empty() || part == ".") {
      // skip
    } else if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
    } else {
      parts.push_back(part);
    }
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  std::string out;
  if (rooted) out.push_back('/');
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(parts[i]);
  }
  if (out.empty()) return ".";
  return out;
}

std::string_view partition_for_region(std::string_view region) noexcept {
  // Longest prefixes first: "us-isob-" and "us-isof-" both start with "us-iso".
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  if (region.starts_with("us-isob-")) return "aws-iso-b";
  if (region.starts_with("us-isof-")) return "aws-iso-f";
  if (region.starts_with("eu-isoe-")) return "aws-iso-e";
  if (region.starts_with("us-iso-")) return "aws-iso";
  if (region.starts_with("eusc-")) return "aws-eusc";
  return "aws";
}

std::string clip_for_warning(std::string_view text, std::size_t max_chars) {
  if (text.size() <= max_chars) return std::string(text);
  std::size_t cut = max_chars <= 3 ? max_chars : max_chars - 3;
  // Never split a UTF-8 sequence: the text ends up in JSON, which must stay valid UTF-8.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  std::string out(text.substr(0, cut));
  if (max_chars > 3) out.append("...");
  return out;
}

std::string quote_for_warning(std::string_view text) {
  std::string out = "\"";
  out.append(clip_for_warning(text, 40));
  out.push_back('"');
  return out;
}

bool is_aws_region(std::string_view text) noexcept {
  // [a-z]{2}(-[a-z]+)+-[0-9]+, at most 32 characters: the shape of every region AWS names.
  if (text.size() < 6 || text.size() > 32) return false;
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!lower(text[0]) || !lower(text[1]) || text[2] != '-') return false;
  const std::size_t last_dash = text.rfind('-');
  if (last_dash == 2 || last_dash + 1 == text.size()) return false;
  for (std::size_t i = last_dash + 1; i < text.size(); ++i) {
    if (!digit(text[i])) return false;
  }
  // The middle groups: letters, each group non-empty.
  bool group_empty = true;
  for (std::size_t i = 3; i < last_dash; ++i) {
    if (text[i] == '-') {
      if (group_empty) return false;
      group_empty = true;
    } else if (lower(text[i])) {
      group_empty = false;
    } else {
      return false;
    }
  }
  return !group_empty;
}

std::string describe_char(char c) {
  if (c >= '!' && c <= '~') return std::string("'") + c + "'";
  if (c == ' ') return "a space";
  constexpr std::string_view kHex = "0123456789ABCDEF";
  const auto byte = static_cast<unsigned char>(c);
  std::string out = "byte 0x";
  out.push_back(kHex[byte >> 4U]);
  out.push_back(kHex[byte & 0xFU]);
  return out;
}

}  // namespace irsa::core
