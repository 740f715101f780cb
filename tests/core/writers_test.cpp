// The hand-written encoders of the hot path: base64 (vector and scalar) and JSON escaping.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "core/json_writer.hpp"
#include "core/patch_base64_encoder.hpp"

namespace irsa::core::detail {
namespace {

std::string base64(std::string_view bytes) {
  std::string out;
  append_base64(out, bytes);
  return out;
}

// A plain reference: one character per 6 bits, written as simply as possible.
std::string reference_base64(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t bits = 0;
  unsigned buffer = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 63]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

TEST(Base64, MatchesTheRfc4648Vectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(Base64, AgreesWithTheReferenceAtEveryLengthAndByte) {
  // Lengths around the vector steps (24 bytes read as 28 with AVX2, 48 read as 64 with AVX-512
  // VBMI, each used where the CPU has it), short and long, all byte values.
  std::mt19937 random(7);
  for (std::size_t length = 0; length < 300; ++length) {
    std::string bytes(length, '\0');
    for (auto& c : bytes) c = static_cast<char>(random());
    ASSERT_EQ(base64(bytes), reference_base64(bytes)) << "length " << length;
  }
  for (std::size_t length : {767U, 768U, 769U, 1536U, 7000U}) {
    std::string bytes(length, '\0');
    for (auto& c : bytes) c = static_cast<char>(random());
    ASSERT_EQ(base64(bytes), reference_base64(bytes)) << "length " << length;
  }
  std::string every_byte;
  for (int i = 0; i < 256 * 3; ++i) every_byte.push_back(static_cast<char>(i % 256));
  EXPECT_EQ(base64(every_byte), reference_base64(every_byte));
}

TEST(Base64, AppendsAfterExistingText) {
  std::string out = "prefix:";
  append_base64(out, "foobar");
  EXPECT_EQ(out, "prefix:Zm9vYmFy");
}

TEST(JsonEscape, RoundTripsThroughAJsonParser) {
  std::string all_ascii;
  for (int c = 1; c < 128; ++c) all_ascii.push_back(static_cast<char>(c));
  for (const std::string& text :
       {std::string("plain text longer than eight bytes"),
        std::string("quote \" backslash \\ newline \n tab \t"), std::string("\x01\x1f control"),
        std::string("UTF-8: é 中文 🙂"), all_ascii}) {
    std::string json;
    append_json_string(json, text);
    EXPECT_EQ(nlohmann::json::parse(json).get<std::string>(), text) << json;
  }
}

TEST(JsonPointer, EscapesTildeAndSlash) {
  std::string out;
  append_pointer_token(out, "eks.amazonaws.com/pod-identity~x");
  EXPECT_EQ(out, "eks.amazonaws.com~1pod-identity~0x");
}

}  // namespace
}  // namespace irsa::core::detail
