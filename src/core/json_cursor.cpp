#include "json_cursor.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <string>

namespace irsa::core::detail {

namespace {

bool is_decimal_digit(char c) {
  return c >= '0' && c <= '9';
}

// JSON's number grammar: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?. Sets integral when
// there is neither a fraction nor an exponent.
bool is_number(const char* at, const char* end, bool& integral) {
  if (at < end && *at == '-') ++at;
  if (at == end || !is_decimal_digit(*at)) return false;
  if (*at == '0') {
    ++at;
  } else {
    while (at < end && is_decimal_digit(*at)) ++at;
  }
  integral = true;
  if (at < end && *at == '.') {
    integral = false;
    ++at;
    if (at == end || !is_decimal_digit(*at)) return false;
    while (at < end && is_decimal_digit(*at)) ++at;
  }
  if (at < end && (*at == 'e' || *at == 'E')) {
    integral = false;
    ++at;
    if (at < end && (*at == '+' || *at == '-')) ++at;
    if (at == end || !is_decimal_digit(*at)) return false;
    while (at < end && is_decimal_digit(*at)) ++at;
  }
  return at == end;
}

bool is_word(const char* at, const char* end, std::string_view word) {
  return static_cast<std::size_t>(end - at) == word.size() &&
         std::memcmp(at, word.data(), word.size()) == 0;
}

}  // namespace

void JsonCursor::fail(std::string_view problem) const {
  fail_at(offset(), problem);
}

void JsonCursor::fail_at(std::size_t offset, std::string_view problem) const {
  std::string message;
  if (offset >= tokens_.size()) {
    message = "at the end of the text: ";
  } else {
    message = "at byte " + std::to_string(offset) + ": ";
  }
  message.append(problem);
  throw JsonSyntaxError(message);
}

void JsonCursor::no_value() const {
  if (at_end()) fail("the text ends where a value was expected");
  fail("expected a value");
}

void JsonCursor::find_next_backslash(const char* from) {
  const char* text_end = data_ + tokens_.size();
  const void* found = std::memchr(from, '\\', static_cast<std::size_t>(text_end - from));
  next_backslash_ = found != nullptr ? static_cast<const char*>(found) : text_end;
}

bool JsonCursor::boolean() {
  const char* at = data_ + offset();
  const char* end = scalar_end();
  if (is_word(at, end, "true")) {
    ++index_;
    return true;
  }
  if (!is_word(at, end, "false")) fail("expected true or false");
  ++index_;
  return false;
}

void JsonCursor::null() {
  if (!is_word(data_ + offset(), scalar_end(), "null")) fail("expected null");
  ++index_;
}

std::optional<std::int64_t> JsonCursor::integer() {
  const char* at = data_ + offset();
  const char* end = scalar_end();
  bool integral = false;
  if (!is_number(at, end, integral)) fail("not a number");
  ++index_;
  if (!integral) return std::nullopt;
  std::int64_t value = 0;
  auto [stop, error] = std::from_chars(at, end, value);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

void JsonCursor::skip_scalar() {
  switch (kind()) {
    case JsonKind::string:
      ++index_;  // the first pass has checked its text
      return;
    case JsonKind::boolean:
      (void)boolean();
      return;
    case JsonKind::null:
      null();
      return;
    case JsonKind::number: {
      bool integral = false;
      if (!is_number(data_ + offset(), scalar_end(), integral)) fail("not a number");
      ++index_;
      return;
    }
    case JsonKind::object:
    case JsonKind::array:
      break;
  }
  fail("expected a value");
}

void JsonCursor::skip_other() {
  const char c = token();
  if (c == '{' || c == '[') {
    skip_container();
  } else {
    skip_scalar();
  }
}

// The same grammar as members() and elements(), without reading anything: a stack of what is
// open, one value at a time. The cursor's fields are copied into locals for the loop, so that
// the compiler keeps them in registers rather than reloading them after every store.
void JsonCursor::skip_container() {
  const char* const data = data_;
  const std::uint32_t* const positions = positions_;
  std::uint32_t index = index_;
  const auto token_at = [&](std::uint32_t at) { return data[positions[at]]; };
  const auto fail_at_token = [&](std::uint32_t at, std::string_view problem) {
    index_ = at;
    fail(problem);
  };
  // A member name and its colon, checked (the first pass has checked the name's text).
  const auto skip_name_and_colon = [&] {
    if (token_at(index) != '"') fail_at_token(index, kExpectedMemberName);
    if (token_at(index + 1) != ':') fail_at_token(index + 1, kExpectedColon);
    index += 2;
  };
  // Whether each open container is an object. bool rather than char: a char store may alias
  // anything, which would make the compiler reload the locals above after each push.
  std::array<bool, kMaxDepth> in_object;
  std::size_t depth = 0;
  for (;;) {
    // At a value.
    const char c = token_at(index);
    if (c == '"') {
      ++index;
    } else if (c == '{' || c == '[') {
      if (depth == kMaxDepth) fail_at_token(index, "lists and objects nested too deeply");
      const bool object = c == '{';
      ++index;
      if (token_at(index) == (object ? '}' : ']')) {
        ++index;  // empty: a whole value
      } else {
        in_object[depth++] = object;
        if (object) skip_name_and_colon();
        continue;
      }
    } else {
      index_ = index;
      skip_scalar();
      index = index_;
    }
    // After a value: close what ends here, then either the next value or done.
    for (;;) {
      if (depth == 0) {
        index_ = index;
        return;
      }
      const char next = token_at(index);
      const bool object = in_object[depth - 1];
      if (next == ',') {
        ++index;
        if (object) skip_name_and_colon();
        break;
      }
      if (next != (object ? '}' : ']')) {
        fail_at_token(index, object ? "expected ',' or '}' after an object member"
                                    : "expected ',' or ']' after a list element");
      }
      ++index;
      --depth;
    }
  }
}

}  // namespace irsa::core::detail
