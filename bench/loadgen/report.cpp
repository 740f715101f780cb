#include "report.hpp"

#include <cmath>
#include <cstdio>

namespace irsa::loadgen {

namespace {

double micros(std::uint64_t nanoseconds) {
  // Three decimals: nanosecond noise below that means nothing in a latency report.
  return std::round(static_cast<double>(nanoseconds) / 1e3 * 1e3) / 1e3;
}

nlohmann::json percentiles(const LatencyHistogram& histogram) {
  return {{"count", histogram.count()},
          {"min", micros(histogram.min())},
          {"mean", micros(static_cast<std::uint64_t>(histogram.mean()))},
          {"p50", micros(histogram.percentile(50))},
          {"p90", micros(histogram.percentile(90))},
          {"p99", micros(histogram.percentile(99))},
          {"p99_9", micros(histogram.percentile(99.9))},
          {"max", micros(histogram.max())}};
}

std::string milliseconds(std::uint64_t nanoseconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f ms", static_cast<double>(nanoseconds) / 1e6);
  return text;
}

// 19523 -> "19,523": long figures are read at a glance.
std::string grouped(double value) {
  const auto digits = std::to_string(std::llabs(std::llround(value)));
  std::string text = value < -0.5 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return text;
}

const char* mode_name(Mode mode) {
  return mode == Mode::open_loop ? "open_loop" : "closed_loop";
}

}  // namespace

nlohmann::json to_json(const LoadOptions& options, const std::string& corpus_path,
                       const LoadResult& result) {
  nlohmann::json errors = nlohmann::json::object();
  for (const auto& [kind, count] : result.errors) errors[kind] = count;
  nlohmann::json report = {
      {"target", (options.target.tls ? "https://" : "http://") + options.target.host_header +
                     options.target.target},
      {"corpus", corpus_path},
      {"mode", mode_name(options.mode)},
      {"connections", options.connections},
      {"threads", options.threads},
      {"duration_s", std::chrono::duration<double>(options.duration).count()},
      {"warmup_s", std::chrono::duration<double>(options.warmup).count()},
      {"requests",
       {{"good", result.good()}, {"mutated", result.mutated}, {"unchanged", result.unchanged}}},
      {"errors", errors},
      {"error_total", result.error_total()},
      {"warmup_errors", result.warmup_errors},
      {"throughput_rps", std::round(result.throughput() * 10) / 10},
      {"latency_us", percentiles(result.latency)},
      {"connections_opened", result.connections_opened},
      {"all_requests", result.all_requests},
      {"client_cpu_s", std::round(result.client_cpu_seconds * 1000) / 1000},
  };
  if (options.mode == Mode::open_loop) {
    report["rate_rps"] = options.rate;
    report["behind"] = result.behind;
    report["send_lateness_us"] = percentiles(result.lateness);
  }
  return report;
}

std::string summary(const LoadOptions& options, const LoadResult& result) {
  const auto& latency = result.latency;
  std::string text;
  text += "requests    " + grouped(static_cast<double>(result.good())) + " good (" +
          grouped(static_cast<double>(result.mutated)) + " mutated, " +
          grouped(static_cast<double>(result.unchanged)) + " unchanged), " +
          grouped(static_cast<double>(result.error_total())) + " errors";
  for (const auto& [kind, count] : result.errors) {
    text += "\n  error     " + kind + ": " + grouped(static_cast<double>(count));
  }
  if (result.warmup_errors > 0) {
    text += "\n  warm-up   " + grouped(static_cast<double>(result.warmup_errors)) +
            " requests failed before measuring began";
  }
  text += "\nthroughput  " + grouped(result.throughput()) + " requests/s";
  if (options.mode == Mode::open_loop) {
    text += " (asked for " + grouped(options.rate) + ")";
    if (result.behind > 0)
      text += ", " + grouped(static_cast<double>(result.behind)) + " never sent";
  }
  text += "\nlatency     p50 " + milliseconds(latency.percentile(50)) + "  p90 " +
          milliseconds(latency.percentile(90)) + "  p99 " + milliseconds(latency.percentile(99)) +
          "  p99.9 " + milliseconds(latency.percentile(99.9)) + "  max " +
          milliseconds(latency.max());
  if (options.mode == Mode::open_loop) {
    text += "\nsend delay  p99 " + milliseconds(result.lateness.percentile(99)) +
            " (how late the generator itself sent; part of the latency above)";
  }
  char cpu[64];
  std::snprintf(cpu, sizeof cpu, "\nclient cpu  %.2f s\n", result.client_cpu_seconds);
  text += cpu;
  return text;
}

std::string progress_line(const Progress& now, const Progress& before) {
  const double seconds = now.elapsed_seconds - before.elapsed_seconds;
  const auto completed = now.completed - before.completed;
  const double rate = seconds > 0 ? static_cast<double>(completed) / seconds : 0;
  const auto mean_ns =
      completed == 0 ? 0 : (now.latency_sum_ns - before.latency_sum_ns) / completed;
  char line[160];
  std::snprintf(line, sizeof line, "[%6.1fs] %9s req/s  mean %s  errors %s%s", now.elapsed_seconds,
                grouped(rate).c_str(), milliseconds(mean_ns).c_str(),
                grouped(static_cast<double>(now.errors)).c_str(),
                now.warming_up ? "  (warming up)" : "");
  return line;
}

}  // namespace irsa::loadgen
