#include "json_writer.hpp"

#include <charconv>
#include <cstring>

namespace irsa::core {

using namespace std::string_view_literals;

namespace {

// Whether any of the eight bytes in word is a control character, '"' or '\\' (the classic
// "has zero byte" bit trick applied to each condition). Most values need no escaping at all,
// so testing eight bytes per step skips them quickly.
bool word_needs_escape(std::uint64_t word) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const std::uint64_t quote = word ^ (kOnes * '"');
  const std::uint64_t backslash = word ^ (kOnes * '\\');
  const std::uint64_t control = (word - kOnes * 0x20) & ~word;
  const std::uint64_t is_quote = (quote - kOnes) & ~quote;
  const std::uint64_t is_backslash = (backslash - kOnes) & ~backslash;
  return ((control | is_quote | is_backslash) & kHigh) != 0;
}

}  // namespace

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t clean = 0;
  while (clean + 8 <= text.size()) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + clean, sizeof(word));
    if (word_needs_escape(word)) break;
    clean += 8;
  }
  std::size_t run_start = 0;
  for (std::size_t i = clean; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(run_start, i - run_start));
    run_start = i + 1;
    switch (c) {
      case '"':
        out.append("\\\""sv);
        break;
      case '\\':
        out.append("\\\\"sv);
        break;
      case '\n':
        out.append("\\n"sv);
        break;
      case '\r':
        out.append("\\r"sv);
        break;
      case '\t':
        out.append("\\t"sv);
        break;
      case '\b':
        out.append("\\b"sv);
        break;
      case '\f':
        out.append("\\f"sv);
        break;
      default:
        out.append("\\u00"sv);
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(text.substr(run_start));
}

namespace detail {

void append_pointer_token(std::string& out, std::string_view token) {
  for (char c : token) {
    if (c == '~') {
      out.append("~0"sv);
    } else if (c == '/') {
      out.append("~1"sv);
    } else {
      out.push_back(c);
    }
  }
}

void append_int(std::string& out, std::int64_t value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  (void)ec;  // 24 bytes hold every int64
  out.append(buffer, end);
}

std::string render_env_var(std::string_view name, std::string_view value) {
  // Sized for the text without escapes, so that it is written with one allocation.
  constexpr std::string_view kFrame = R"({"name":"","value":""})";
  std::string out;
  out.reserve(kFrame.size() + name.size() + value.size());
  out.append(R"({"name":)"sv);
  append_json_string(out, name);
  out.append(R"(,"value":)"sv);
  append_json_string(out, value);
  out.push_back('}');
  return out;
}

}  // namespace detail
}  // namespace irsa::core
