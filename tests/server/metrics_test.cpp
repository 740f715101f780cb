#include "irsa/server/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "irsa/server/server_metrics.hpp"

namespace irsa::server {
namespace {

TEST(Metrics, CounterWithLabelsRendersHelpTypeAndSeries) {
  Registry registry;
  auto& requests = registry.add("http_request_count", "Requests by verb, path and code",
                                MetricType::counter, {"verb", "path", "code"});
  requests.value({"POST", "/mutate", "200"}).add(2);
  requests.value({"GET", "/healthz", "200"}).add(1);
  EXPECT_EQ(registry.render(),
            "# HELP http_request_count Requests by verb, path and code\n"
            "# TYPE http_request_count counter\n"
            "http_request_count{verb=\"GET\",path=\"/healthz\",code=\"200\"} 1\n"
            "http_request_count{verb=\"POST\",path=\"/mutate\",code=\"200\"} 2\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeAndInfIsTheCount) {
  Registry registry;
  auto& latency = registry.add("irsa_webhook_admission_duration_seconds", "Admission latency",
                               MetricType::histogram, {}, {0.001, 0.01});
  auto& series = latency.histogram({});
  series.observe(0.0005);
  series.observe(0.001);  // on the bound: counted in it
  series.observe(0.005);
  series.observe(3.0);
  const std::string text = registry.render();
  EXPECT_NE(text.find("irsa_webhook_admission_duration_seconds_bucket{le=\"0.001\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("irsa_webhook_admission_duration_seconds_bucket{le=\"0.01\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("irsa_webhook_admission_duration_seconds_bucket{le=\"+Inf\"} 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("irsa_webhook_admission_duration_seconds_count 4\n"), std::string::npos);
  EXPECT_NE(text.find("irsa_webhook_admission_duration_seconds_sum 3.0065\n"), std::string::npos);
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  Registry registry;
  auto& family = registry.add("x_total", "line one\nback\\slash", MetricType::counter, {"v"});
  family.value({"quote\" back\\ new\nline"}).add(1);
  EXPECT_EQ(registry.render(),
            "# HELP x_total line one\\nback\\\\slash\n"
            "# TYPE x_total counter\n"
            "x_total{v=\"quote\\\" back\\\\ new\\nline\"} 1\n");
}

TEST(Metrics, SampleValuesUsePrometheusSpellings) {
  std::string out;
  append_sample_value(out, std::numeric_limits<double>::infinity());
  out.push_back(' ');
  append_sample_value(out, std::nan(""));
  out.push_back(' ');
  append_sample_value(out, 1.5e-5);
  out.push_back(' ');
  append_sample_value(out, 42);
  EXPECT_EQ(out, "+Inf NaN 1.5e-05 42");
}

// Go's FormatFloat(v, 'g', -1, 64): the bucket labels of upstream's dashboards.
TEST(Metrics, NumbersAreSpelledAsGoSpellsThem) {
  const auto spelled = [](double value) {
    std::string out;
    append_sample_value(out, value);
    return out;
  };
  EXPECT_EQ(spelled(0), "0");
  EXPECT_EQ(spelled(17), "17");
  EXPECT_EQ(spelled(500000), "500000");
  EXPECT_EQ(spelled(1e6), "1e+06");
  EXPECT_EQ(spelled(8e6), "8e+06");
  EXPECT_EQ(spelled(0.0001), "0.0001");
  EXPECT_EQ(spelled(0.00005), "5e-05");
  EXPECT_EQ(spelled(0.25), "0.25");
  EXPECT_EQ(spelled(10), "10");
  EXPECT_EQ(spelled(1.7959056379e9), "1.7959056379e+09");
  EXPECT_EQ(spelled(-3.5), "-3.5");
}

TEST(Metrics, SeriesWithoutLabelsAreExposedAtZeroFromTheStart) {
  Registry registry;
  (void)registry.add("pod_identity_webhook_missing_sa_count", "Missing", MetricType::counter);
  (void)registry.add("irsa_webhook_ready", "Ready", MetricType::gauge);
  (void)registry.add("irsa_webhook_admission_duration_seconds", "Latency", MetricType::histogram,
                     {}, {0.001});
  (void)registry.add("pod_identity_webhook_pod_count", "Pods", MetricType::counter, {"method"});
  const std::string text = registry.render();
  EXPECT_NE(text.find("\npod_identity_webhook_missing_sa_count 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nirsa_webhook_ready 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nirsa_webhook_admission_duration_seconds_count 0\n"), std::string::npos)
      << text;
  // A family with labels has no series until a label value is used.
  EXPECT_EQ(text.find("pod_identity_webhook_pod_count{"), std::string::npos) << text;
}

TEST(Metrics, WrongNumberOfLabelsIsAProgrammingError) {
  Registry registry;
  auto& family = registry.add("y_total", "y", MetricType::counter, {"a"});
  EXPECT_THROW(family.value({}), std::logic_error);
}

TEST(Metrics, ConcurrentUpdatesAreNotLost) {
  Registry registry;
  auto& counter = registry.add("z_total", "z", MetricType::counter).value({});
  auto& histogram = registry.add("h", "h", MetricType::histogram, {}, {1.0}).histogram({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        counter.add(1);
        histogram.observe(0.5);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.get(), 40000);
  EXPECT_EQ(histogram.count(), 40000u);
  EXPECT_EQ(histogram.sum(), 20000);
}

TEST(ServerMetrics, AnAnsweredAdmissionCountsUnderItsResult) {
  ServerMetrics metrics;
  core::Decision decision;
  decision.result = core::Result::mutated;
  decision.mode = core::Mode::web_identity;
  decision.warnings = {"one", "two"};
  decision.warning_kinds = {core::WarningKind::near_miss, core::WarningKind::near_miss};
  metrics.record_admission(decision, std::chrono::milliseconds(2));
  const std::string text = metrics.render();
  EXPECT_NE(text.find("\nirsa_webhook_admissions_total{result=\"mutated\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\nirsa_webhook_admissions_total{result=\"error\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("\nirsa_webhook_warnings_total{kind=\"near_miss\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("\nirsa_webhook_warnings_total{kind=\"policy\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("\npod_identity_webhook_pod_count{method=\"sts_web_identity\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nirsa_webhook_admission_duration_seconds_count 1\n"), std::string::npos);
}

TEST(ServerMetrics, PolicyViolationsCountByRuleAndMode) {
  ServerMetrics metrics;
  core::Decision decision;
  decision.result = core::Result::forbidden;
  decision.policy_rule = "team-roles";
  decision.policy_mode = "enforce";
  metrics.record_admission(decision, std::chrono::milliseconds(1));
  metrics.record_admission(decision, std::chrono::milliseconds(1));
  const std::string text = metrics.render();
  EXPECT_NE(
      text.find("\nirsa_webhook_policy_violations_total{rule=\"team-roles\",mode=\"enforce\"} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("\nirsa_webhook_admissions_total{result=\"forbidden\"} 2\n"),
            std::string::npos);
}

TEST(ServerMetrics, AFailedAdmissionCountsAsAnErrorAndItsTime) {
  ServerMetrics metrics;
  metrics.record_failed_admission(std::chrono::milliseconds(3));
  const std::string text = metrics.render();
  EXPECT_NE(text.find("\nirsa_webhook_admissions_total{result=\"error\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\nirsa_webhook_admissions_total{result=\"mutated\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nirsa_webhook_admission_duration_seconds_count 1\n"), std::string::npos);
  EXPECT_NE(text.find("\npod_identity_webhook_pod_count{method=\"sts_web_identity\"} 0\n"),
            std::string::npos);
}

TEST(ServerMetrics, MadeUpMethodsShareOneSeriesAndHttpMethodsKeepTheirOwn) {
  ServerMetrics metrics;
  for (int i = 0; i < 1000; ++i) {
    metrics.record_request("MADEUP" + std::to_string(i), "/mutate", 405,
                           std::chrono::microseconds(5));
  }
  metrics.record_request("GET", "/mutate", 405, std::chrono::microseconds(5));
  const std::string text = metrics.render();
  EXPECT_EQ(text.find("MADEUP"), std::string::npos);
  EXPECT_NE(text.find("\nhttp_request_count{verb=\"other\",path=\"/mutate\",code=\"405\"} 1000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nhttp_request_count{verb=\"GET\",path=\"/mutate\",code=\"405\"} 1\n"),
            std::string::npos);
  // A thousand made-up methods add no line to /metrics that one of them does not.
  ServerMetrics one;
  one.record_request("MADEUP", "/mutate", 405, std::chrono::microseconds(5));
  one.record_request("GET", "/mutate", 405, std::chrono::microseconds(5));
  const std::string one_text = one.render();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'),
            std::count(one_text.begin(), one_text.end(), '\n'));
}

}  // namespace
}  // namespace irsa::server
