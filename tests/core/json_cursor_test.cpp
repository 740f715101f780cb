// The review reader's JSON walk: which texts it accepts (checked against nlohmann's verdict on the
// same text), what it reads out of strings, numbers and nesting, and where it says the text breaks.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/json_cursor.hpp"
#include "core/json_tokens.hpp"

namespace irsa::core::detail {
namespace {

// A text with the padding the token pass needs.
class Padded {
 public:
  explicit Padded(std::string_view text) : buffer_(text) {
    size_ = text.size();
    buffer_.resize(size_ + JsonTokens::kPadding, '\0');
  }
  [[nodiscard]] const char* data() const { return buffer_.data(); }
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  std::string buffer_;
  std::size_t size_ = 0;
};

// Walks the whole text as a value (skipping it) and says what was wrong, or "" when it is JSON.
std::string walk_error(std::string_view text) {
  Padded padded(text);
  JsonTokens tokens;
  try {
    tokens.index(padded.data(), padded.size());
    JsonCursor cursor(tokens);
    cursor.skip();
    if (!cursor.at_end()) return "data after the value";
  } catch (const JsonSyntaxError& error) {
    return error.what();
  }
  return "";
}

struct Case {
  const char* name;
  std::string text;
  bool valid;
};

// Names the row in test logs instead of dumping the struct's bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

class Acceptance : public ::testing::TestWithParam<Case> {};

TEST_P(Acceptance, AcceptsExactlyJson) {
  const Case& c = GetParam();
  const std::string error = walk_error(c.text);
  EXPECT_EQ(error.empty(), c.valid) << c.text << " -> " << error;
  // The table itself is checked against an independent parser.
  EXPECT_EQ(nlohmann::json::accept(c.text), c.valid) << c.text;
}

std::string nested(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

INSTANTIATE_TEST_SUITE_P(
    Texts, Acceptance,
    ::testing::Values(
        Case{"Object", R"({"a":1,"b":[true,false,null],"c":{"d":"e"}})", true},
        Case{"EmptyContainers", R"({"a":{},"b":[],"c":[{}, []]})", true},
        Case{"Whitespace", " \t\n{ \"a\" :\r\n [ 1 , 2 ] } \n", true},
        Case{"Scalars", R"([0,-0,1.5,-2e10,3E+2,4e-1,"",true,false,null])", true},
        Case{"EscapedQuoteAndBackslash", R"({"k:{\"name\":\"api\"}":"a\\b\"c\/\b\f\n\r\t\u00e9"})",
             true},
        Case{"Utf8", "{\"name\":\"caf\xc3\xa9 \xe2\x82\xac\"}", true},
        Case{"Nesting1000", nested(1000), true}, Case{"TrailingComma", R"({"a":1,})", false},
        Case{"TrailingCommaInList", R"([1,2,])", false}, Case{"MissingColon", R"({"a" 1})", false},
        Case{"MissingComma", R"({"a":1 "b":2})", false},
        Case{"MissingCommaInList", R"([1 2])", false}, Case{"KeyNotString", R"({a:1})", false},
        Case{"NumberKey", R"({1:1})", false}, Case{"Unclosed", R"({"a":[1,2)", false},
        Case{"Mismatched", R"({"a":[1,2}])", false}, Case{"ExtraClose", R"([1]])", false},
        Case{"LeadingZero", "[01]", false}, Case{"BareMinus", "[-]", false},
        Case{"DotWithoutDigits", "[1.]", false}, Case{"LeadingDot", "[.5]", false},
        Case{"EmptyExponent", "[1e]", false}, Case{"PlusSign", "[+1]", false},
        Case{"Hex", "[0x1F]", false}, Case{"ShortTrue", "[tru]", false},
        Case{"LongNull", "[nulll]", false}, Case{"CapitalTrue", "[True]", false},
        Case{"BadEscape", R"(["\x41"])", false}, Case{"ShortUnicodeEscape", R"(["\u12"])", false},
        Case{"NonHexUnicodeEscape", R"(["\u12G4"])", false},
        Case{"BadEscapeInSkippedKey", R"({"a\q":1})", false},
        Case{"ControlCharacter", std::string("[\"a\tb\"]"), false},
        Case{"InvalidUtf8", "[\"\xff\"]", false}, Case{"UnclosedString", R"(["abc)", false},
        Case{"StringThenWord", R"(["a"b])", false}, Case{"TwoValues", "1 2", false},
        Case{"ColonInList", R"([1:2])", false}, Case{"CommaFirst", "[,1]", false},
        Case{"SingleQuotes", "['a']", false}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(JsonCursor, RefusesNestingDeeperThanItsLimit) {
  const std::string error = walk_error(nested(JsonCursor::kMaxDepth + 1));
  EXPECT_NE(error.find("nested too deeply"), std::string::npos) << error;
  EXPECT_EQ(walk_error(nested(JsonCursor::kMaxDepth)), "");
}

TEST(JsonCursor, NamesTheByteWhereTheGrammarBreaks) {
  EXPECT_EQ(walk_error(R"({"a":1 "b":2})"),
            "at byte 7: expected ',' or '}' after an object member");
  EXPECT_EQ(walk_error(R"([1,2,])"), "at byte 5: expected a value");
  EXPECT_EQ(walk_error(R"({"a":)"),
            "at the end of the text: the text ends where a value was expected");
  EXPECT_EQ(walk_error(R"(["\x"])"), "at byte 2: a backslash that starts no escape");
}

// Reads {"name": value, ...} members into (name, value as text) pairs through the cursor's
// readers, the way the review reader does.
std::vector<std::pair<std::string, std::string>> read_members(std::string_view text) {
  Padded padded(text);
  JsonTokens tokens;
  tokens.index(padded.data(), padded.size());
  JsonCursor cursor(tokens);
  std::vector<std::pair<std::string, std::string>> out;
  cursor.members([&](std::string_view name) {
    std::string value;
    switch (cursor.kind()) {
      case JsonKind::string:
        value = "string:" + std::string(cursor.string());
        break;
      case JsonKind::number: {
        auto integer = cursor.integer();
        value = integer ? "integer:" + std::to_string(*integer) : "number";
        break;
      }
      case JsonKind::boolean:
        value = cursor.boolean() ? "true" : "false";
        break;
      case JsonKind::null:
        cursor.null();
        value = "null";
        break;
      case JsonKind::object:
        value = "object";  // left unread: members() skips it
        break;
      case JsonKind::array:
        value = cursor.list_is_empty() ? "empty list" : "list";
        break;
    }
    out.emplace_back(name, value);
  });
  EXPECT_TRUE(cursor.at_end());
  return out;
}

TEST(JsonCursor, ReadsStringsWhereTheyLieAndUnescapesOnlyWhatHasEscapes) {
  const auto members = read_members(
      R"({"plain":"value","na\u006de":"a\"b\\c","k:{\"x\"}":"\u00e9\ud83d\ude00","after":"tail"})");
  ASSERT_EQ(members.size(), 4U);
  EXPECT_EQ(members[0], (std::pair<std::string, std::string>{"plain", "string:value"}));
  EXPECT_EQ(members[1], (std::pair<std::string, std::string>{"name", "string:a\"b\\c"}));
  EXPECT_EQ(members[2],
            (std::pair<std::string, std::string>{"k:{\"x\"}", "string:\xc3\xa9\xf0\x9f\x98\x80"}));
  EXPECT_EQ(members[3], (std::pair<std::string, std::string>{"after", "string:tail"}));
}

std::vector<std::string> values_of(
    const std::vector<std::pair<std::string, std::string>>& members) {
  std::vector<std::string> values;
  for (const auto& member : members) values.push_back(member.second);
  return values;
}

TEST(JsonCursor, ReadsIntegersAndTellsOtherNumbersApart) {
  const auto members = read_members(
      R"({"a":1000,"b":-7,"c":1.0,"d":1e3,"e":9223372036854775807,"f":9223372036854775808})");
  EXPECT_EQ(values_of(members),
            (std::vector<std::string>{"integer:1000", "integer:-7", "number", "number",
                                      "integer:9223372036854775807", "number"}));
}

TEST(JsonCursor, SkipsWhatTheCallerLeavesUnread) {
  const auto members = read_members(
      R"({"o":{"deep":[1,{"x":[null]}]},"l":[],"m":[1],"t":true,"n":null,"s":"last"})");
  EXPECT_EQ(values_of(members), (std::vector<std::string>{"object", "empty list", "list", "true",
                                                          "null", "string:last"}));
}

TEST(JsonCursor, RefusesALoneSurrogateInAStringItReads) {
  EXPECT_THROW(read_members(R"({"a":"\ud800x"})"), JsonSyntaxError);
}

TEST(JsonTokens, RefusesPaddingThatCouldReadAsAToken) {
  std::string text = "[1";
  text.append(JsonTokens::kPadding, ']');
  JsonTokens tokens;
  EXPECT_THROW(tokens.index(text.data(), 2), std::invalid_argument);
}

TEST(JsonTokens, IsReusedForDocumentsOfAnySize) {
  JsonTokens tokens;
  for (std::size_t size : {10U, 100000U, 50U}) {
    std::string text = "[" + std::string(size, ' ') + "\"x\"]";
    Padded padded(text);
    tokens.index(padded.data(), padded.size());
    JsonCursor cursor(tokens);
    std::vector<std::string> values;
    cursor.elements([&] { values.emplace_back(cursor.string()); });
    EXPECT_EQ(values, std::vector<std::string>{"x"});
    EXPECT_TRUE(cursor.at_end());
  }
}

}  // namespace
}  // namespace irsa::core::detail
