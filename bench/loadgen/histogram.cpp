#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace irsa::loadgen {

namespace {

// Values below 2^kLinearBits are counted one bucket per nanosecond. Above, every power of two
// is split into kHalf buckets, which keeps the relative error under 1/kHalf (about 0.1%).
constexpr unsigned kLinearBits = 11;
constexpr std::uint64_t kLinear = std::uint64_t{1} << kLinearBits;
constexpr std::uint64_t kHalf = kLinear / 2;
constexpr unsigned kTopBit = 40;
constexpr std::size_t kBuckets = kLinear + (kTopBit - kLinearBits) * kHalf;

std::size_t bucket_of(std::uint64_t value) noexcept {
  if (value < kLinear) return static_cast<std::size_t>(value);
  // shift is how far the value must move right to land in [kHalf, kLinear).
  const auto shift = static_cast<unsigned>(std::bit_width(value)) - kLinearBits;
  const std::uint64_t mantissa = value >> shift;
  return static_cast<std::size_t>(kLinear + (shift - 1) * kHalf + (mantissa - kHalf));
}

// The largest value that lands in `bucket`.
std::uint64_t highest_in(std::size_t bucket) noexcept {
  if (bucket < kLinear) return bucket;
  const std::uint64_t offset = bucket - kLinear;
  const std::uint64_t shift = offset / kHalf + 1;
  const std::uint64_t mantissa = kHalf + offset % kHalf;
  return ((mantissa + 1) << shift) - 1;
}

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

void LatencyHistogram::record(std::uint64_t nanoseconds) noexcept {
  const std::uint64_t value = std::min(nanoseconds, kHighest);
  ++counts_[bucket_of(value)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<long double>(value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void LatencyHistogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

double LatencyHistogram::mean() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t LatencyHistogram::percentile(double percent) const noexcept {
  if (count_ == 0) return 0;
  const double clamped = std::clamp(percent, 0.0, 100.0);
  // The rank of the value asked for, counting from 1: p99 of 1,000 values is the 990th.
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(clamped / 100.0 * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < kBuckets; ++bucket) {
    seen += counts_[bucket];
    // The top bucket's highest value can exceed what was recorded; the maximum is exact.
    if (seen >= rank) return std::min(highest_in(bucket), max_);
  }
  return max_;
}

}  // namespace irsa::loadgen
