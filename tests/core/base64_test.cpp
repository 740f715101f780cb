// Base64 decoding at the edges: the standard alphabet with strict padding, and the URL-safe one
// of JWT segments with padding optional.
#include "irsa/core/base64.hpp"

#include <gtest/gtest.h>

#include <string>

namespace irsa::core {
namespace {

TEST(Base64Test, DecodesStandardAlphabetWithPadding) {
  std::string out;
  ASSERT_TRUE(decode_base64("", out));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(decode_base64("Zg==", out));
  EXPECT_EQ(out, "f");
  ASSERT_TRUE(decode_base64("Zm8=", out));
  EXPECT_EQ(out, "fo");
  ASSERT_TRUE(decode_base64("Zm9vYmFy", out));
  EXPECT_EQ(out, "foobar");
  ASSERT_TRUE(decode_base64("+/8=", out));
  EXPECT_EQ(out, "\xfb\xff");
}

TEST(Base64Test, RejectsBadLengthCharactersAndPadding) {
  std::string out;
  EXPECT_FALSE(decode_base64("Zm9", out));
  EXPECT_FALSE(decode_base64("Zm9v-mFy", out));
  EXPECT_FALSE(decode_base64("Z===", out));
  EXPECT_FALSE(decode_base64("Zg==Zg==", out));
  EXPECT_FALSE(decode_base64("Z=g=", out));
}

TEST(Base64UrlTest, DecodesWithAndWithoutPadding) {
  std::string out;
  ASSERT_TRUE(decode_base64url("Zg", out));
  EXPECT_EQ(out, "f");
  ASSERT_TRUE(decode_base64url("Zm8", out));
  EXPECT_EQ(out, "fo");
  ASSERT_TRUE(decode_base64url("Zm8=", out));
  EXPECT_EQ(out, "fo");
  ASSERT_TRUE(decode_base64url("-_8", out));
  EXPECT_EQ(out, "\xfb\xff");
  ASSERT_TRUE(decode_base64url("eyJhdWQiOlsic3RzLmFtYXpvbmF3cy5jb20iXX0", out));
  EXPECT_EQ(out, R"({"aud":["sts.amazonaws.com"]})");
}

TEST(Base64UrlTest, RejectsTheStandardAlphabetsExtrasAndImpossibleLengths) {
  std::string out;
  EXPECT_FALSE(decode_base64url("+/8", out));
  EXPECT_FALSE(decode_base64url("Zm9vY", out));
  EXPECT_FALSE(decode_base64url("Z.g", out));
}

}  // namespace
}  // namespace irsa::core
