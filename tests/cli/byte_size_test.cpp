// Sizes as Kubernetes writes memory quantities, for --request-memory-budget.
#include "cli/byte_size.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace irsa::cli {
namespace {

TEST(ByteSize, BinaryAndDecimalSuffixesAndPlainBytes) {
  EXPECT_EQ(parse_byte_size("67108864", "--f"), 67108864u);
  EXPECT_EQ(parse_byte_size("64Mi", "--f"), 64u << 20);
  EXPECT_EQ(parse_byte_size("1Gi", "--f"), 1u << 30);
  EXPECT_EQ(parse_byte_size("512Ki", "--f"), 512u << 10);
  EXPECT_EQ(parse_byte_size("500M", "--f"), 500'000'000u);
  EXPECT_EQ(parse_byte_size("2G", "--f"), 2'000'000'000u);
  EXPECT_EQ(parse_byte_size("8k", "--f"), 8'000u);
}

TEST(ByteSize, AnythingElseIsAnErrorNamingTheFlagAndTheText) {
  for (const char* bad : {"", "Mi", "64 Mi", "64mi", "64MB", "-1", "1.5Gi", "64Mi ",
                          "99999999999999999999", "20000000000Gi"}) {
    try {
      (void)parse_byte_size(bad, "--request-memory-budget");
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const std::invalid_argument& error) {
      const std::string what = error.what();
      EXPECT_EQ(what.rfind("--request-memory-budget: \"" + std::string(bad) + "\"", 0), 0u) << what;
    }
  }
}

}  // namespace
}  // namespace irsa::cli
