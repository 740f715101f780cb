// parse_documents: YAML 1.2 core-schema typing of plain scalars only, multi-document streams,
// positioned errors, and robustness against hostile input (deep nesting, alias bombs, noise).
#include "irsa/store/yaml_json.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace irsa::store {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using json = nlohmann::json;

// The single document of `text`, failing the test when there is not exactly one.
json one(std::string_view text) {
  DocumentsParse parsed = parse_documents(text);
  EXPECT_EQ(parsed.error, "") << text;
  EXPECT_EQ(parsed.documents.size(), 1U) << text;
  return parsed.documents.empty() ? json() : parsed.documents.front();
}

// The value of key "v" in a one-line document "v: <value>".
json value_of(std::string_view yaml_value) {
  json doc = one("v: " + std::string(yaml_value) + "\n");
  EXPECT_TRUE(doc.is_object());
  return doc.is_object() && doc.contains("v") ? doc["v"] : json("<missing>");
}

TEST(YamlJson, PlainNullSpellingsAndEmptyValueAreNull) {
  for (const char* text : {"null", "Null", "NULL", "~", ""}) {
    EXPECT_TRUE(value_of(text).is_null()) << "'" << text << "'";
  }
  // Not null spellings in the core schema.
  EXPECT_EQ(value_of("nULL"), json("nULL"));
  EXPECT_EQ(value_of("none"), json("none"));
}

TEST(YamlJson, PlainBooleansFollowTheCoreSchemaOnly) {
  for (const char* text : {"true", "True", "TRUE"}) EXPECT_EQ(value_of(text), json(true)) << text;
  for (const char* text : {"false", "False", "FALSE"}) {
    EXPECT_EQ(value_of(text), json(false)) << text;
  }
  // YAML 1.1 booleans stay text: "no" is Norway, "on" is a word.
  for (const char* text : {"yes", "no", "on", "off", "y", "n", "tRUE"}) {
    json value = value_of(text);
    ASSERT_TRUE(value.is_string()) << text;
    EXPECT_EQ(value.get<std::string>(), text);
  }
}

TEST(YamlJson, PlainIntegers) {
  EXPECT_EQ(value_of("0"), json(0));
  EXPECT_EQ(value_of("42"), json(42));
  EXPECT_EQ(value_of("-17"), json(-17));
  EXPECT_EQ(value_of("+17"), json(17));
  EXPECT_EQ(value_of("0x1F"), json(31));
  EXPECT_EQ(value_of("0xff"), json(255));
  EXPECT_EQ(value_of("0o17"), json(15));
  // Core schema: leading zeros are still decimal (YAML 1.1 would read 0755 as octal 493).
  EXPECT_EQ(value_of("0755"), json(755));
  EXPECT_TRUE(value_of("86400").is_number_integer());
}

TEST(YamlJson, IntegersOutsideInt64StayStrings) {
  EXPECT_EQ(value_of("9223372036854775807"), json(std::numeric_limits<std::int64_t>::max()));
  EXPECT_EQ(value_of("-9223372036854775808"), json(std::numeric_limits<std::int64_t>::min()));
  EXPECT_EQ(value_of("9223372036854775808"), json("9223372036854775808"));
  EXPECT_EQ(value_of("-9223372036854775809"), json("-9223372036854775809"));
  EXPECT_EQ(value_of("0x8000000000000000"), json("0x8000000000000000"));
  EXPECT_EQ(value_of("123456789012345678901234567890"), json("123456789012345678901234567890"));
}

TEST(YamlJson, NotQuiteNumbersAreStrings) {
  for (const char* text :
       {"0x", "0xZZ", "0o8", "0o", "-0x10", "1.2.3", "12abc", "1e", "1e+", "+", ".", "1_000", "1,5",
        "0b101", "inf", "nan", "-.nan", "2024-01-02", "1:30"}) {
    json value = value_of(text);
    ASSERT_TRUE(value.is_string()) << text << " became " << value.dump();
    EXPECT_EQ(value.get<std::string>(), text);
  }
}

TEST(YamlJson, PlainFloats) {
  EXPECT_EQ(value_of("1.5"), json(1.5));
  EXPECT_EQ(value_of("-2e3"), json(-2000.0));
  EXPECT_EQ(value_of("2E-2"), json(0.02));
  EXPECT_EQ(value_of(".5"), json(0.5));
  EXPECT_EQ(value_of("1."), json(1.0));
  EXPECT_EQ(value_of("+1.25e+2"), json(125.0));
  EXPECT_TRUE(value_of("1.5").is_number_float());
  json inf = value_of(".inf");
  ASSERT_TRUE(inf.is_number_float());
  EXPECT_TRUE(std::isinf(inf.get<double>()) && inf.get<double>() > 0);
  json minus_inf = value_of("-.Inf");
  ASSERT_TRUE(minus_inf.is_number_float());
  EXPECT_TRUE(std::isinf(minus_inf.get<double>()) && minus_inf.get<double>() < 0);
  json nan = value_of(".NaN");
  ASSERT_TRUE(nan.is_number_float());
  EXPECT_TRUE(std::isnan(nan.get<double>()));
  // Beyond double: text, as for integers beyond int64.
  EXPECT_EQ(value_of("1e400"), json("1e400"));
}

TEST(YamlJson, QuotedAndBlockScalarsStayStrings) {
  json doc = one(R"(double: "false"
single: '12'
null_word: "null"
tilde: '~'
empty: ""
float: "1.5"
block: |
  true
folded: >-
  42
)");
  EXPECT_EQ(doc["double"], json("false"));
  EXPECT_EQ(doc["single"], json("12"));
  EXPECT_EQ(doc["null_word"], json("null"));
  EXPECT_EQ(doc["tilde"], json("~"));
  EXPECT_EQ(doc["empty"], json(""));
  EXPECT_EQ(doc["float"], json("1.5"));
  EXPECT_EQ(doc["block"], json("true\n"));
  EXPECT_EQ(doc["folded"], json("42"));
}

TEST(YamlJson, ExplicitTagsAreHonoured) {
  json doc = one(R"(str_int: !!str 12
str_bool: !!str true
str_null: !!str null
str_empty: !!str
int_quoted: !!int "42"
hex_quoted: !!int '0x10'
float_int: !!float 3
bool_quoted: !!bool "false"
null_quoted: !!null ""
non_specific: ! 12
custom: !thing 7
binary: !!binary aGk=
verbatim: !<tag:yaml.org,2002:str> 5
)");
  EXPECT_EQ(doc["str_int"], json("12"));
  EXPECT_EQ(doc["str_bool"], json("true"));
  EXPECT_EQ(doc["str_null"], json("null"));
  EXPECT_EQ(doc["str_empty"], json(""));
  EXPECT_EQ(doc["int_quoted"], json(42));
  EXPECT_EQ(doc["hex_quoted"], json(16));
  ASSERT_TRUE(doc["float_int"].is_number_float());
  EXPECT_EQ(doc["float_int"], json(3.0));
  EXPECT_EQ(doc["bool_quoted"], json(false));
  EXPECT_TRUE(doc["null_quoted"].is_null());
  EXPECT_EQ(doc["non_specific"], json("12"));
  EXPECT_EQ(doc["custom"], json("7"));
  EXPECT_EQ(doc["binary"], json("aGk="));
  EXPECT_EQ(doc["verbatim"], json("5"));
}

TEST(YamlJson, ValueThatDoesNotFitItsTagIsAPositionedError) {
  DocumentsParse parsed = parse_documents("a: 1\nb: !!int twelve\n");
  EXPECT_THAT(parsed.error, StartsWith("line 2, column 4: "));
  EXPECT_THAT(parsed.error, HasSubstr("!!int"));
  EXPECT_THAT(parsed.error, HasSubstr("twelve"));
  EXPECT_TRUE(parsed.documents.empty());

  EXPECT_THAT(parse_documents("b: !!bool yes\n").error, HasSubstr("!!bool"));
  EXPECT_THAT(parse_documents("b: !!int 99999999999999999999\n").error, HasSubstr("!!int"));
  EXPECT_THAT(parse_documents("b: !!str [1]\n").error, HasSubstr("sequence"));
  EXPECT_THAT(parse_documents("b: !!seq {a: 1}\n").error, HasSubstr("mapping"));
}

TEST(YamlJson, KeysAreAlwaysTheirText) {
  json doc = one(R"(1: one
true: yes
null: n
~: t
"quoted": q
1.50: f
0x10: h
)");
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["1"], json("one"));
  EXPECT_EQ(doc["true"], json("yes"));
  EXPECT_EQ(doc["null"], json("n"));
  EXPECT_EQ(doc["~"], json("t"));
  EXPECT_EQ(doc["quoted"], json("q"));
  EXPECT_EQ(doc["1.50"], json("f"));
  EXPECT_EQ(doc["0x10"], json("h"));
  EXPECT_EQ(doc.size(), 7U);
}

TEST(YamlJson, NullKeyTextSurvivesMultibyteTextAndByteOrderMark) {
  json doc = one("\xEF\xBB\xBF\xC3\xA9t\xC3\xA9: 1\nNULL: 2\n");
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["\xC3\xA9t\xC3\xA9"], json(1));
  EXPECT_EQ(doc["NULL"], json(2));
}

TEST(YamlJson, InvalidUtf8IsAPositionedError) {
  for (const std::string& text :
       {std::string("a: ok\nb: \xFF\n"), std::string("a: ok\nb: \"\xC3\"\n"),
        std::string("a: ok\n\xED\xA0\x80: 1\n"), std::string("a: ok\nb: \xC0\xAF\n")}) {
    DocumentsParse parsed = parse_documents(text);
    EXPECT_THAT(parsed.error, StartsWith("line 2, column ")) << text;
    EXPECT_THAT(parsed.error, HasSubstr("UTF-8")) << text;
    EXPECT_TRUE(parsed.documents.empty());
  }
  // Well-formed multi-byte text (2, 3 and 4 bytes) passes and dumps.
  json doc = one("k\xC3\xA9y: \"\xE2\x82\xAC \xF0\x9F\x99\x82\"\n");
  EXPECT_EQ(doc.dump(), "{\"k\xC3\xA9y\":\"\xE2\x82\xAC \xF0\x9F\x99\x82\"}");
}

TEST(YamlJson, DuplicateKeysAreAnError) {
  DocumentsParse parsed = parse_documents(R"(metadata:
  annotations:
    eks.amazonaws.com/role-arn: a
    eks.amazonaws.com/role-arn: b
)");
  EXPECT_THAT(parsed.error, StartsWith("line 4, column 5: "));
  EXPECT_THAT(parsed.error, HasSubstr("duplicate"));
  EXPECT_TRUE(parsed.documents.empty());
}

TEST(YamlJson, NonScalarKeysAreAnError) {
  DocumentsParse parsed = parse_documents("? [a, b]\n: 1\n");
  EXPECT_THAT(parsed.error, HasSubstr("line 1"));
  EXPECT_THAT(parsed.error, HasSubstr("key"));
  EXPECT_TRUE(parsed.documents.empty());
}

TEST(YamlJson, StructuresBecomeObjectsAndArrays) {
  json doc = one(R"(
kind: ServiceAccount
metadata:
  name: app
  labels: {tier: web, replicas: 3}
secrets:
  - name: a
  - name: b
empty_list: []
empty_map: {}
)");
  json expected = json::parse(R"({
    "kind": "ServiceAccount",
    "metadata": {"name": "app", "labels": {"tier": "web", "replicas": 3}},
    "secrets": [{"name": "a"}, {"name": "b"}],
    "empty_list": [],
    "empty_map": {}
  })");
  EXPECT_EQ(doc, expected);
}

TEST(YamlJson, JsonInputReadsAsTheSameJson) {
  const std::string text =
      R"({"a": [1, -2.5, "x", null, true, false, {"b": "c"}], "d": {}, "e": "0x10", "f": 1e3})";
  EXPECT_EQ(one(text), json::parse(text));
}

TEST(YamlJson, MultipleDocumentsAndEmptyOnesDropped) {
  DocumentsParse parsed = parse_documents(R"(---
a: 1
---
# only a comment
---
b: 2
...
---
- 3
---
)");
  ASSERT_EQ(parsed.error, "");
  ASSERT_EQ(parsed.documents.size(), 3U);
  EXPECT_EQ(parsed.documents[0], json::parse(R"({"a": 1})"));
  EXPECT_EQ(parsed.documents[1], json::parse(R"({"b": 2})"));
  EXPECT_EQ(parsed.documents[2], json::parse("[3]"));
}

TEST(YamlJson, EmptyInputsHaveNoDocuments) {
  for (const char* text : {"", "\n", "---\n", "---\n---\n", "# nothing\n", "~\n", "null"}) {
    DocumentsParse parsed = parse_documents(text);
    EXPECT_EQ(parsed.error, "") << text;
    EXPECT_TRUE(parsed.documents.empty()) << text;
  }
}

TEST(YamlJson, ScalarDocumentsAreKept) {
  DocumentsParse parsed = parse_documents("--- 5\n--- \"x\"\n");
  ASSERT_EQ(parsed.error, "");
  ASSERT_EQ(parsed.documents.size(), 2U);
  EXPECT_EQ(parsed.documents[0], json(5));
  EXPECT_EQ(parsed.documents[1], json("x"));
}

TEST(YamlJson, AnchorsAndAliasesAreResolved) {
  json doc = one(R"(base: &base {audience: sts.amazonaws.com, expiry: 3600}
copy: *base
list: [&x 1, *x, *x]
)");
  EXPECT_EQ(doc["copy"], doc["base"]);
  EXPECT_EQ(doc["copy"]["expiry"], json(3600));
  EXPECT_EQ(doc["list"], json::parse("[1, 1, 1]"));
}

TEST(YamlJson, SyntaxErrorsCarryLineAndColumnAndNoDocuments) {
  // The first document is fine; the error in the second still discards everything, so callers
  // never act on part of a file.
  DocumentsParse parsed = parse_documents("a: 1\n---\nb: [1, 2\nc: 3\n");
  EXPECT_THAT(parsed.error, HasSubstr("line 4, column"));
  EXPECT_TRUE(parsed.documents.empty());

  DocumentsParse bad_indent = parse_documents("a:\n  b: 1\n c: 2\n");
  EXPECT_THAT(bad_indent.error, StartsWith("line 3, column"));
  EXPECT_TRUE(bad_indent.documents.empty());

  DocumentsParse unclosed_map = parse_documents("a: {b: 1\n");
  EXPECT_THAT(unclosed_map.error, StartsWith("line "));
  EXPECT_TRUE(unclosed_map.documents.empty());
}

TEST(YamlJson, DeepFlowNestingIsAnErrorNotACrash) {
  // Unbalanced: whichever complaint comes first, it must be an error with a position.
  const std::string open(200000, '[');
  DocumentsParse parsed = parse_documents(open);
  EXPECT_THAT(parsed.error, StartsWith("line "));
  EXPECT_TRUE(parsed.documents.empty());

  const std::string balanced = std::string(5000, '[') + std::string(5000, ']');
  DocumentsParse parsed_balanced = parse_documents(balanced);
  EXPECT_THAT(parsed_balanced.error, HasSubstr("deep"));
  EXPECT_TRUE(parsed_balanced.documents.empty());

  std::string maps;
  for (int i = 0; i < 5000; ++i) maps += "{a: ";
  EXPECT_THAT(parse_documents(maps).error, StartsWith("line "));
}

TEST(YamlJson, DeepBlockNestingIsAnErrorNotACrash) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += std::string(static_cast<std::size_t>(i), ' ') + "a:\n";
  DocumentsParse parsed = parse_documents(text);
  EXPECT_THAT(parsed.error, HasSubstr("deep"));
  EXPECT_TRUE(parsed.documents.empty());
}

TEST(YamlJson, ModerateNestingIsFine) {
  const std::string balanced = std::string(100, '[') + "1" + std::string(100, ']');
  json doc = one(balanced);
  for (int i = 0; i < 99; ++i) {
    ASSERT_TRUE(doc.is_array());
    ASSERT_EQ(doc.size(), 1U);
    json inner = doc[0];
    doc = inner;
  }
  EXPECT_EQ(doc, json::parse("[1]"));
}

TEST(YamlJson, SelfReferencingAliasIsAnErrorNotACrash) {
  DocumentsParse parsed = parse_documents("a: &x [1, *x]\n");
  EXPECT_THAT(parsed.error, StartsWith("line 1, column 11: "));
  EXPECT_THAT(parsed.error, HasSubstr("alias"));
  EXPECT_TRUE(parsed.documents.empty());
  EXPECT_THAT(parse_documents("a: &m {b: *m}\n").error, HasSubstr("alias"));
}

TEST(YamlJson, UnknownAliasIsAnError) {
  DocumentsParse parsed = parse_documents("a: *nowhere\n");
  EXPECT_THAT(parsed.error, StartsWith("line 1, column 4: "));
  EXPECT_TRUE(parsed.documents.empty());
  // Anchors do not reach across documents.
  EXPECT_THAT(parse_documents("a: &x 1\n---\nb: *x\n").error, StartsWith("line 3"));
}

TEST(YamlJson, StrayTopLevelCommaIsAnErrorNotAHang) {
  // yaml-cpp 0.7's LoadAll loops forever, allocating, on these (yaml-cpp issue #1040).
  for (const char* text : {",", "[a],", "a: 1\n---\n,\n", "- !+(.,.)"}) {
    DocumentsParse parsed = parse_documents(text);
    EXPECT_THAT(parsed.error, StartsWith("line ")) << text;
    EXPECT_TRUE(parsed.documents.empty()) << text;
  }
  EXPECT_THAT(parse_documents("[a],").error, HasSubstr("','"));
}

TEST(YamlJson, AliasBombIsRefused) {
  // Each level repeats the previous one ten times: 10^12 scalars from a few hundred bytes.
  std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 12; ++level) {
    // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, falsely) on "lit" + to_string().
    const std::string name = std::to_string(level);
    const std::string previous = std::to_string(level - 1);
    text.append("l").append(name).append(": &l").append(name).append(" [");
    for (int i = 0; i < 10; ++i) text.append(i == 0 ? "*l" : ", *l").append(previous);
    text.append("]\n");
  }
  DocumentsParse parsed = parse_documents(text);
  EXPECT_THAT(parsed.error, HasSubstr("expands"));
  EXPECT_TRUE(parsed.documents.empty());
}

TEST(YamlJson, LongStringAliasedManyTimesIsRefused) {
  // Few nodes but much text: one 256 KiB string referenced 20000 times would be 5 GiB.
  std::string text = "s: &s " + std::string(256 * 1024, 'a') + "\nl: [";
  for (int i = 0; i < 20000; ++i) text += (i == 0 ? "*s" : ",*s");
  text += "]\n";
  DocumentsParse parsed = parse_documents(text);
  EXPECT_THAT(parsed.error, HasSubstr("expands"));
  EXPECT_TRUE(parsed.documents.empty());
}

TEST(YamlJson, ArbitraryBytesNeverThrow) {
  // A small deterministic fuzz: YAML punctuation, keywords and raw bytes glued at random.
  const std::string_view pieces[] = {"-",     " ",         "  ",
                                     "\n",    "\t",        ":",
                                     "? ",    "[",         "]",
                                     "{",     "}",         ",",
                                     "&a ",   "*a",        "*b",
                                     "!!",    "!!str ",    "!!int ",
                                     "!<x> ", "! ",        "|",
                                     ">",     "'",         "\"",
                                     "\\",    "#",         "---",
                                     "...",   "%YAML 1.2", "%TAG ! tag:x,2000:",
                                     "null",  "~",         "0x",
                                     "0o7",   "1e9",       ".inf",
                                     "true",  "key",       "\xEF\xBB\xBF",
                                     "\xFF",  "\xC3",      std::string_view("\0", 1),
                                     "\r",    "@",         "`",
                                     "%"};
  std::mt19937 random(12345);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(pieces) - 1);
  std::uniform_int_distribution<int> length(1, 60);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    for (int n = length(random); n > 0; --n) text.append(pieces[pick(random)]);
    DocumentsParse parsed;
    ASSERT_NO_THROW(parsed = parse_documents(text)) << round;
    if (!parsed.error.empty()) {
      ASSERT_TRUE(parsed.documents.empty()) << round;
    }
    for (const json& document : parsed.documents) {
      ASSERT_NO_THROW((void)document.dump()) << round;
    }
  }
}

}  // namespace
}  // namespace irsa::store
