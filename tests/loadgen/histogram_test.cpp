#include "histogram.hpp"

#include <gtest/gtest.h>

#include <random>

namespace irsa::loadgen {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZeros) {
  const LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0U);
  EXPECT_EQ(histogram.percentile(99), 0U);
  EXPECT_EQ(histogram.min(), 0U);
  EXPECT_EQ(histogram.max(), 0U);
  EXPECT_EQ(histogram.mean(), 0.0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram histogram;
  for (std::uint64_t value = 1; value <= 1000; ++value) histogram.record(value);
  EXPECT_EQ(histogram.percentile(50), 500U);
  EXPECT_EQ(histogram.percentile(99), 990U);
  EXPECT_EQ(histogram.percentile(100), 1000U);
  EXPECT_EQ(histogram.min(), 1U);
  EXPECT_DOUBLE_EQ(histogram.mean(), 500.5);
}

// Percentiles of large values stay within the histogram's 0.1% precision, and never below the
// true value (each bucket reports its highest value).
TEST(LatencyHistogramTest, LargeValuesWithinOneThousandth) {
  LatencyHistogram histogram;
  std::vector<std::uint64_t> values;
  std::mt19937_64 random(7);
  std::uniform_int_distribution<std::uint64_t> spread(10'000, 50'000'000);
  for (int i = 0; i < 100'000; ++i) values.push_back(spread(random));
  for (const auto value : values) histogram.record(value);
  std::sort(values.begin(), values.end());
  for (const double percent : {50.0, 90.0, 99.0, 99.9}) {
    const auto exact = values[static_cast<std::size_t>(percent / 100 * values.size()) - 1];
    const auto reported = histogram.percentile(percent);
    EXPECT_GE(reported, exact) << percent;
    EXPECT_LE(static_cast<double>(reported), static_cast<double>(exact) * 1.001) << percent;
  }
  EXPECT_EQ(histogram.max(), values.back());
  EXPECT_EQ(histogram.percentile(100), values.back());
}

TEST(LatencyHistogramTest, MergeAddsCountsAndKeepsExtremes) {
  LatencyHistogram fast;
  LatencyHistogram slow;
  for (int i = 0; i < 90; ++i) fast.record(1'000);
  for (int i = 0; i < 10; ++i) slow.record(5'000'000);
  fast.merge(slow);
  EXPECT_EQ(fast.count(), 100U);
  EXPECT_EQ(fast.min(), 1'000U);
  EXPECT_EQ(fast.max(), 5'000'000U);
  EXPECT_EQ(fast.percentile(90), 1'000U);
  EXPECT_EQ(fast.percentile(91), 5'000'000U);
}

TEST(LatencyHistogramTest, ValuesPastTheRangeAreClampedNotLost) {
  LatencyHistogram histogram;
  histogram.record(UINT64_MAX);
  EXPECT_EQ(histogram.count(), 1U);
  EXPECT_EQ(histogram.max(), LatencyHistogram::kHighest);
  histogram.reset();
  EXPECT_EQ(histogram.count(), 0U);
  EXPECT_EQ(histogram.max(), 0U);
}

}  // namespace
}  // namespace irsa::loadgen
