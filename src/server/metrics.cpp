#include "irsa/server/metrics.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace irsa::server {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::observe(double value) noexcept {
  std::size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.add(value);
}

std::vector<std::uint64_t> Histogram::bucket_counts() const {
  std::vector<std::uint64_t> counts(bounds_.size() + 1);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    counts[i] = buckets_[i].load(std::memory_order_relaxed);
  }
  return counts;
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '"') {
      out.append("\\\"");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

void append_escaped_help(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

void append_sample_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out.append("NaN");
    return;
  }
  if (std::isinf(value)) {
    out.append(value > 0 ? "+Inf" : "-Inf");
    return;
  }
  // As Go's strconv.FormatFloat(v, 'g', -1, 64), which the Go client uses: the shortest digits
  // that read back as the same double, in exponent form only when the decimal exponent is below
  // -4 or at least 6. Bucket labels then match upstream's exactly (le="500000", le="1e+06").
  char buffer[64];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  if (ec != std::errc{}) throw std::logic_error("a double did not fit 64 characters");
  const std::string_view scientific(buffer, static_cast<std::size_t>(end - buffer));
  const std::size_t e = scientific.find('e');
  std::size_t digits = e + 1;
  if (scientific[digits] == '+') ++digits;  // from_chars takes a minus sign, not a plus
  int exponent = 0;
  std::from_chars(scientific.data() + digits, scientific.data() + scientific.size(), exponent);
  if (exponent < -4 || exponent >= 6) {
    out.append(scientific);
    return;
  }
  const auto fixed =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed);
  if (fixed.ec != std::errc{}) throw std::logic_error("a double did not fit 64 characters");
  out.append(buffer, fixed.ptr);
}

namespace {

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
    case MetricType::summary:
      return "summary";
  }
  return "untyped";
}

// Writes {a="x",b="y"} with an optional extra label (the histogram's le).
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const LabelValues& values, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out.push_back('{');
  bool first = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!first) out.push_back(',');
    first = false;
    out.append(names[i]).append("=\"");
    append_escaped_label_value(out, values[i]);
    out.push_back('"');
  }
  if (!extra_name.empty()) {
    if (!first) out.push_back(',');
    out.append(extra_name).append("=\"").append(extra_value).push_back('"');
  }
  out.push_back('}');
}

}  // namespace

Family::Family(std::string name, std::string help, MetricType type,
               std::vector<std::string> label_names, std::vector<double> histogram_bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)),
      bounds_(std::move(histogram_bounds)) {
  // A series without labels exists from the start at zero, as Prometheus client libraries
  // expose it: a rate() or an alert on it has data before the first event.
  if (label_names_.empty()) {
    if (type_ == MetricType::histogram || type_ == MetricType::summary) {
      histograms_[{}] = std::make_unique<Histogram>(bounds_);
    } else {
      values_[{}] = std::make_unique<AtomicDouble>();
    }
  }
}

AtomicDouble& Family::value(const LabelValues& labels) {
  if (labels.size() != label_names_.size()) {
    throw std::logic_error(name_ + ": wrong number of label values");
  }
  std::lock_guard lock(mutex_);
  auto& slot = values_[labels];
  if (!slot) slot = std::make_unique<AtomicDouble>();
  return *slot;
}

Histogram& Family::histogram(const LabelValues& labels) {
  if (labels.size() != label_names_.size()) {
    throw std::logic_error(name_ + ": wrong number of label values");
  }
  std::lock_guard lock(mutex_);
  auto& slot = histograms_[labels];
  if (!slot) slot = std::make_unique<Histogram>(bounds_);
  return *slot;
}

void Family::render(std::string& out) const {
  out.append("# HELP ").append(name_).push_back(' ');
  append_escaped_help(out, help_);
  out.append("\n# TYPE ").append(name_).push_back(' ');
  out.append(type_name(type_)).push_back('\n');
  std::lock_guard lock(mutex_);
  for (const auto& [labels, value] : values_) {
    out.append(name_);
    append_labels(out, label_names_, labels);
    out.push_back(' ');
    append_sample_value(out, value->get());
    out.push_back('\n');
  }
  for (const auto& [labels, histogram] : histograms_) {
    if (type_ == MetricType::histogram) {
      const auto counts = histogram->bucket_counts();
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < histogram->upper_bounds().size(); ++i) {
        cumulative += counts[i];
        std::string bound;
        append_sample_value(bound, histogram->upper_bounds()[i]);
        out.append(name_).append("_bucket");
        append_labels(out, label_names_, labels, "le", bound);
        out.push_back(' ');
        append_sample_value(out, static_cast<double>(cumulative));
        out.push_back('\n');
      }
      out.append(name_).append("_bucket");
      append_labels(out, label_names_, labels, "le", "+Inf");
      out.push_back(' ');
      append_sample_value(out, static_cast<double>(histogram->count()));
      out.push_back('\n');
    }
    out.append(name_).append("_sum");
    append_labels(out, label_names_, labels);
    out.push_back(' ');
    append_sample_value(out, histogram->sum());
    out.push_back('\n');
    out.append(name_).append("_count");
    append_labels(out, label_names_, labels);
    out.push_back(' ');
    append_sample_value(out, static_cast<double>(histogram->count()));
    out.push_back('\n');
  }
}

Family& Registry::add(std::string name, std::string help, MetricType type,
                      std::vector<std::string> label_names, std::vector<double> bounds) {
  families_.push_back(std::make_unique<Family>(std::move(name), std::move(help), type,
                                               std::move(label_names), std::move(bounds)));
  return *families_.back();
}

std::string Registry::render() const {
  std::string out;
  for (const auto& family : families_) family->render(out);
  return out;
}

}  // namespace irsa::server
