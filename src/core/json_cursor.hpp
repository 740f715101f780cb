// A forward-only walk over the tokens of one JSON document (json_tokens.hpp) that checks the
// grammar as it goes: the caller reads the values it wants and everything else is skipped, but
// skipped text is checked all the same, so a document is accepted only if it is JSON.
//
// A string without a backslash (nearly every member name and value) is read where it lies, so
// reading it copies nothing; the others are unescaped into the tokens' buffer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "json_tokens.hpp"

namespace irsa::core::detail {

enum class JsonKind : std::uint8_t { object, array, string, number, boolean, null };

namespace json_chars {
// What a token's first byte makes it: the kind of value it starts, or kNoValue.
inline constexpr std::uint8_t kNoValue = 0xff;
inline constexpr std::array<std::uint8_t, 256> kKindOfToken = [] {
  std::array<std::uint8_t, 256> table{};
  table.fill(kNoValue);
  table['{'] = static_cast<std::uint8_t>(JsonKind::object);
  table['['] = static_cast<std::uint8_t>(JsonKind::array);
  table['"'] = static_cast<std::uint8_t>(JsonKind::string);
  table['t'] = table['f'] = static_cast<std::uint8_t>(JsonKind::boolean);
  table['n'] = static_cast<std::uint8_t>(JsonKind::null);
  table['-'] = static_cast<std::uint8_t>(JsonKind::number);
  for (char digit = '0'; digit <= '9'; ++digit) {
    table[static_cast<unsigned char>(digit)] = static_cast<std::uint8_t>(JsonKind::number);
  }
  return table;
}();
inline constexpr std::array<bool, 256> kSpace = [] {
  std::array<bool, 256> table{};
  table[' '] = table['\n'] = table['\r'] = table['\t'] = true;
  return table;
}();
}  // namespace json_chars

class JsonCursor {
 public:
  // Containers nested deeper than this are refused rather than followed.
  static constexpr std::size_t kMaxDepth = 1024;

  explicit JsonCursor(JsonTokens& tokens) noexcept
      : tokens_(tokens),
        data_(tokens.data()),
        positions_(tokens.positions()),
        next_backslash_(tokens.data()) {}

  // The kind of the value at the cursor. Throws JsonSyntaxError where no value can start.
  [[nodiscard]] JsonKind kind() const {
    const std::uint8_t kind = json_chars::kKindOfToken[static_cast<unsigned char>(token())];
    if (kind == json_chars::kNoValue) no_value();
    return static_cast<JsonKind>(kind);
  }

  // Each reads the value at the cursor, of the kind named (check kind() first), and moves past.
  std::string_view string() {
    const char* text = data_ + positions_[index_] + 1;
    const char* end = scalar_end() - 1;  // the closing quote
    ++index_;
    if (next_backslash_ < text) find_next_backslash(text);
    if (next_backslash_ >= end) return {text, static_cast<std::size_t>(end - text)};
    return tokens_.unescape(text);
  }
  bool boolean();
  void null();
  // A number that is an integer within int64 is returned; any other valid number (a fraction,
  // an exponent, too large) is read and gives nullopt.
  std::optional<std::int64_t> integer();

  // Moves past the value at the cursor, checking it.
  void skip() {
    // Strings are most of what is skipped, and the first pass has checked their text.
    if (token() == '"') {
      ++index_;
    } else {
      skip_other();
    }
  }

  // For an object at the cursor: calls on_member(name) with the cursor on each member's value,
  // in document order. A member whose value on_member leaves unread is skipped.
  template <typename OnMember>
  void members(OnMember&& on_member);
  // For a list at the cursor: calls on_element() with the cursor on each element.
  template <typename OnElement>
  void elements(OnElement&& on_element);
  // Whether the list at the cursor has no elements (the cursor does not move).
  [[nodiscard]] bool list_is_empty() const noexcept { return token_at(index_ + 1) == ']'; }

  // Whether every token has been read: nothing follows the document's value.
  [[nodiscard]] bool at_end() const noexcept { return index_ >= tokens_.count(); }

 private:
  [[nodiscard]] char token_at(std::uint32_t index) const noexcept {
    return data_[positions_[index]];
  }
  [[nodiscard]] char token() const noexcept { return token_at(index_); }
  [[nodiscard]] std::size_t offset() const noexcept { return positions_[index_]; }
  // Where the scalar at the cursor ends: the next token's position, less the white space before
  // it. The first pass makes every other byte outside strings a token of its own, so nothing
  // else can lie between a scalar (or a string's closing quote) and the next token.
  [[nodiscard]] const char* scalar_end() const noexcept {
    const char* end = data_ + positions_[index_ + 1];
    while (json_chars::kSpace[static_cast<unsigned char>(end[-1])]) --end;
    return end;
  }
  // The member name at the cursor, read, and the colon after it: the cursor ends on the value.
  std::string_view member_name_and_colon() {
    if (token() != '"') fail(kExpectedMemberName);
    const std::string_view name = string();
    if (token() != ':') fail(kExpectedColon);
    ++index_;
    return name;
  }
  static constexpr std::string_view kExpectedMemberName = "expected a member name in quotes";
  static constexpr std::string_view kExpectedColon = "expected ':' after a member name";
  void find_next_backslash(const char* from);
  [[noreturn]] void no_value() const;
  void skip_other();
  void skip_scalar();
  void skip_container();
  [[noreturn]] void fail(std::string_view problem) const;
  [[noreturn]] void fail_at(std::size_t offset, std::string_view problem) const;

  JsonTokens& tokens_;
  const char* data_;
  const std::uint32_t* positions_;
  std::uint32_t index_ = 0;
  // The first backslash at or after the last string read (or the end of the text): a string
  // that ends before it has no escapes. Found again only once a string passes it, so telling
  // whether each string must be unescaped costs one search of the text in all.
  const char* next_backslash_ = nullptr;
};

template <typename OnMember>
void JsonCursor::members(OnMember&& on_member) {
  ++index_;  // the {
  if (token() == '}') {
    ++index_;
    return;
  }
  for (;;) {
    const std::string_view name = member_name_and_colon();
    const std::uint32_t value = index_;
    on_member(name);
    if (index_ == value) skip();
    const char next = token();
    ++index_;
    if (next == ',') continue;
    if (next == '}') return;
    fail_at(positions_[index_ - 1], "expected ',' or '}' after an object member");
  }
}

template <typename OnElement>
void JsonCursor::elements(OnElement&& on_element) {
  ++index_;  // the [
  if (token() == ']') {
    ++index_;
    return;
  }
  for (;;) {
    const std::uint32_t value = index_;
    on_element();
    if (index_ == value) skip();
    const char next = token();
    ++index_;
    if (next == ',') continue;
    if (next == ']') return;
    fail_at(positions_[index_ - 1], "expected ',' or ']' after a list element");
  }
}

}  // namespace irsa::core::detail
