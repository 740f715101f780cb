// A latency histogram in the manner of HdrHistogram: log-linear buckets with a fixed relative
// precision (about 0.1%), constant-time recording, and exact count, minimum, maximum and mean.
// Percentiles report the highest value of the bucket they fall in, so they never flatter.
#pragma once

#include <cstdint>
#include <vector>

namespace irsa::loadgen {

class LatencyHistogram {
 public:
  LatencyHistogram();

  // Records one value in nanoseconds. Values past the range (about 18 minutes) are clamped to
  // its top so that nothing recorded is lost from the count.
  void record(std::uint64_t nanoseconds) noexcept;
  void merge(const LatencyHistogram& other) noexcept;
  void reset() noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
  [[nodiscard]] double mean() const noexcept;
  // The smallest recorded bucket value at or below which `percent` of the values lie
  // (0 < percent <= 100); 0 when nothing was recorded.
  [[nodiscard]] std::uint64_t percentile(double percent) const noexcept;

  static constexpr std::uint64_t kHighest = (std::uint64_t{1} << 40) - 1;

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace irsa::loadgen
