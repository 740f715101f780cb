// Prometheus metrics, written by hand because Debian has no C++ client: counters, gauges and
// histograms updated with relaxed atomics from any thread, rendered in the text exposition
// format (version 0.0.4) on demand.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::server {

// A double that many threads add to without a lock.
class AtomicDouble {
 public:
  void add(double delta) noexcept {
    double current = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(current, current + delta, std::memory_order_relaxed)) {
    }
  }
  void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
  [[nodiscard]] double get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Cumulative histogram with fixed upper bounds (the +Inf bucket is the count).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value) noexcept;
  [[nodiscard]] const std::vector<double>& upper_bounds() const noexcept { return bounds_; }
  // Per-bucket counts (not cumulative), the last one for values above every bound.
  [[nodiscard]] std::vector<std::uint64_t> bucket_counts() const;
  [[nodiscard]] std::uint64_t count() const noexcept {
    return count_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] double sum() const noexcept { return sum_.get(); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<std::uint64_t> count_{0};
  AtomicDouble sum_;
};

// Label values of one series, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

enum class MetricType { counter, gauge, histogram, summary };

// One metric family: a name, help, type, label names and its series. Series are created on
// first use and never removed, so a reference to one stays valid: hot paths look a series up
// once (under the family's mutex) and then only touch its atomics.
class Family {
 public:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         std::vector<double> histogram_bounds = {});

  // Counters and gauges.
  AtomicDouble& value(const LabelValues& labels);
  // Histograms (and summaries, which keep only sum and count here).
  Histogram& histogram(const LabelValues& labels);

  void render(std::string& out) const;
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<LabelValues, std::unique_ptr<AtomicDouble>> values_;
  std::map<LabelValues, std::unique_ptr<Histogram>> histograms_;
};

class Registry {
 public:
  Family& add(std::string name, std::string help, MetricType type,
              std::vector<std::string> label_names = {}, std::vector<double> bounds = {});
  // The whole exposition, families in the order they were added.
  [[nodiscard]] std::string render() const;

 private:
  std::vector<std::unique_ptr<Family>> families_;
};

// A label value or help text escaped for the text format.
void append_escaped_label_value(std::string& out, std::string_view value);
void append_escaped_help(std::string& out, std::string_view help);
// A sample value as Prometheus reads it: integers without a fraction, +Inf/-Inf/NaN spelled out.
void append_sample_value(std::string& out, double value);

}  // namespace irsa::server
