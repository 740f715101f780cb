// irsa-loadgen run the way a user runs it: the binary against the real webhook over TLS.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/running_webhook.hpp"
#include "support/run_process.hpp"

namespace irsa::testing {
namespace {

constexpr const char* kLoadgen = IRSA_LOADGEN_BINARY;

struct LoadgenRun {
  ProcessResult process;
  nlohmann::json report;
};

LoadgenRun loadgen(const ScratchDir& dir, std::vector<std::string> args) {
  const auto json = dir.path("report.json");
  std::filesystem::remove(json);
  args.insert(args.end(), {"--json", json, "--quiet"});
  LoadgenRun run{run_process(kLoadgen, args), {}};
  if (std::filesystem::exists(json)) run.report = nlohmann::json::parse(read_file(json));
  return run;
}

// The webhook's certificate names 127.0.0.1 as an IP address, which verification by IP needs.
const ScratchDir& with_ip_certificate(const ScratchDir& dir) {
  EXPECT_EQ(make_self_signed_pair(dir, "tls",
                                  {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                   "-addext", "subjectAltName=IP:127.0.0.1"}),
            "");
  return dir;
}

class LoadgenProcessTest : public ::testing::Test {
 protected:
  LoadgenProcessTest() : dir_("loadgen"), webhook_(with_ip_certificate(dir_)) {
    EXPECT_TRUE(webhook_.wait_ready());
    std::filesystem::create_directory(dir_.path("corpus"));
    dir_.write("corpus/with-role.json", pod_review("apps", "web", "web-1"));
    dir_.write("corpus/without-role.json", pod_review("apps", "nobody", "other-1"));
  }
  [[nodiscard]] std::string url(const std::string& path = "/mutate") const {
    return "https://127.0.0.1:" + std::to_string(webhook_.port()) + path;
  }

  ScratchDir dir_;
  RunningWebhook webhook_;
};

TEST_F(LoadgenProcessTest, ClosedLoopAgainstTheWebhookChecksEveryAnswer) {
  const auto run = loadgen(dir_, {url(), "--corpus", dir_.path("corpus"), "-c", "4", "-d", "700ms",
                                  "--warmup", "200ms", "--cacert", webhook_.ca_file()});
  ASSERT_EQ(run.process.exit_code, 0) << run.process.err << run.process.out;
  const auto& report = run.report;
  EXPECT_EQ(report["mode"], "closed_loop");
  EXPECT_EQ(report["error_total"], 0);
  // Round robin over the two reviews: half mutated, half left alone.
  const auto mutated = report["requests"]["mutated"].get<double>();
  const auto unchanged = report["requests"]["unchanged"].get<double>();
  EXPECT_GT(mutated, 20);
  EXPECT_NEAR(mutated, unchanged, 4 + 0.05 * mutated);
  EXPECT_GT(report["throughput_rps"].get<double>(), 0);
  EXPECT_GT(report["latency_us"]["p99"].get<double>(), 0);
  EXPECT_GE(report["latency_us"]["p99_9"].get<double>(), report["latency_us"]["p50"].get<double>());
  EXPECT_NE(run.process.out.find("throughput"), std::string::npos);
  // The webhook saw every request the generator counted (and the warm-up ones).
  EXPECT_GE(webhook_.metric(R"(irsa_webhook_admissions_total{result="mutated"})"), mutated);
}

// Each connection has 40 ms between its requests: room for the sanitizer build's webhook, which
// `make test` runs this against beside other tests, to answer late without the schedule falling
// behind (2 connections at 300/s, 6.7 ms apart, fell behind there).
TEST_F(LoadgenProcessTest, OpenLoopHoldsItsRate) {
  const auto run = loadgen(dir_, {url(), "--corpus", dir_.path("corpus"), "-c", "8", "-r", "200",
                                  "-d", "1s", "--warmup", "200ms"});
  ASSERT_EQ(run.process.exit_code, 0) << run.process.err << run.process.out;
  EXPECT_EQ(run.report["mode"], "open_loop");
  EXPECT_NEAR(run.report["throughput_rps"].get<double>(), 200, 10);
  EXPECT_EQ(run.report["behind"], 0);
  EXPECT_TRUE(run.report["send_lateness_us"].contains("p99"));
}

TEST_F(LoadgenProcessTest, WrongAnswersFailTheRun) {
  const auto run = loadgen(dir_, {url("/nothing-here"), "--corpus", dir_.path("corpus"), "-c", "1",
                                  "-d", "300ms", "--warmup", "0s"});
  EXPECT_EQ(run.process.exit_code, 3);
  EXPECT_GT(run.report["errors"]["status"].get<int>(), 0);
  EXPECT_NE(run.process.out.find("error     status"), std::string::npos);
}

TEST_F(LoadgenProcessTest, AnUntrustedCertificateIsAHandshakeError) {
  ASSERT_EQ(make_self_signed_pair(dir_, "other", {"-newkey", "rsa:2048"}), "");
  const auto run = loadgen(dir_, {url(), "--corpus", dir_.path("corpus"), "-c", "1", "-d", "300ms",
                                  "--warmup", "0s", "--cacert", dir_.path("other.crt")});
  EXPECT_EQ(run.process.exit_code, 3);
  EXPECT_GT(run.report["errors"]["tls_handshake"].get<int>(), 0);
}

TEST(LoadgenCommandLineTest, RefusesRemoteTargetsAndBadInputWithOneLine) {
  const ScratchDir dir("loadgen-cli");
  dir.write("review.json", pod_review("apps", "web"));
  auto run =
      run_process(kLoadgen, {"https://192.0.2.1/mutate", "--corpus", dir.path("review.json")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--allow-remote"), std::string::npos) << run.err;

  run = run_process(kLoadgen, {"https://127.0.0.1:1/", "--corpus", dir.path("none")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("no such file or folder"), std::string::npos) << run.err;

  run = run_process(kLoadgen, {"https://127.0.0.1:1/", "--corpus", dir.path("review.json"),
                               "--duration", "soon"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("not a positive duration"), std::string::npos) << run.err;

  run = run_process(kLoadgen, {"ftp://127.0.0.1/", "--corpus", dir.path("review.json")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("https://"), std::string::npos) << run.err;

  run = run_process(kLoadgen, {"https://127.0.0.1:1/", "--corpus", dir.path("review.json"),
                               "--weight", "review.json"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("FILE=WEIGHT"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace irsa::testing
