// irsa-loadgen: HTTP/1.1 keep-alive load over TLS (or plain HTTP) against an admission webhook,
// with every answer checked. See `irsa-loadgen --help` and the README's benchmark section.
#include <sys/prctl.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "corpus.hpp"
#include "irsa/server/go_duration.hpp"
#include "load_run.hpp"
#include "report.hpp"
#include "target.hpp"

namespace {

using irsa::loadgen::LoadOptions;

struct CommandLine {
  std::string url;
  std::string corpus;
  std::string duration = "10s";
  std::string warmup = "1s";
  std::string timeout = "10s";
  std::string order = "round-robin";
  std::vector<std::string> weights;
  std::string json;
  bool allow_remote = false;
  bool quiet = false;
};

std::chrono::nanoseconds duration_flag(const std::string& name, const std::string& text,
                                       bool zero_allowed) {
  const auto parsed = irsa::server::parse_go_duration(text);
  if (!parsed || parsed->count() < 0 || (!zero_allowed && parsed->count() == 0)) {
    throw CLI::ValidationError(name, "\"" + text + "\" is not a positive duration such as 10s");
  }
  return *parsed;
}

std::map<std::string, unsigned> weight_flags(const std::vector<std::string>& texts) {
  std::map<std::string, unsigned> weights;
  for (const auto& text : texts) {
    const auto equals = text.rfind('=');
    const auto number = equals == std::string::npos ? std::string() : text.substr(equals + 1);
    if (equals == 0 || number.empty() || number.size() > 7 ||
        number.find_first_not_of("0123456789") != std::string::npos) {
      throw CLI::ValidationError("--weight", "\"" + text + "\" is not FILE=WEIGHT");
    }
    weights[text.substr(0, equals)] = static_cast<unsigned>(std::stoul(number));
  }
  return weights;
}

void write_json(const std::string& where, const nlohmann::json& report) {
  if (where == "-") {
    std::cout << report.dump(2) << '\n';
    return;
  }
  std::ofstream out(where);
  out << report.dump(2) << '\n';
  if (!out) throw std::runtime_error("cannot write " + where);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Sends AdmissionReviews to a webhook over HTTP/1.1 keep-alive connections and reports "
      "throughput and latency percentiles. Every answer is checked: status 200, the request's "
      "uid echoed, a patch that decodes."};
  CommandLine line;
  LoadOptions options;
  double rate = 0;
  app.add_option("url", line.url, "https://host:port/path (loopback only, see --allow-remote)")
      ->required();
  app.add_option("--corpus", line.corpus, "A folder of *.json AdmissionReviews, or one file")
      ->required();
  app.add_option("-c,--connections", options.connections, "Keep-alive connections")
      ->capture_default_str()
      ->check(CLI::Range(1U, 100'000U));
  app.add_option("-t,--threads", options.threads, "Worker threads, each with its own event loop")
      ->capture_default_str()
      ->check(CLI::Range(1U, 256U));
  app.add_option("-r,--rate", rate,
                 "Open loop: requests per second over all connections, latency counted from "
                 "when each request was due. Without it: closed loop, as fast as answers come")
      ->check(CLI::Range(0.001, 10'000'000.0));
  app.add_option("-d,--duration", line.duration, "Measured time")->capture_default_str();
  app.add_option("--warmup", line.warmup, "Unmeasured time before it")->capture_default_str();
  app.add_option("--timeout", line.timeout, "Per request; a request past it counts as an error")
      ->capture_default_str();
  app.add_option("--order", line.order, "round-robin, or weighted (weights.txt / --weight)")
      ->capture_default_str()
      ->check(CLI::IsMember({"round-robin", "weighted"}));
  app.add_option("--weight", line.weights, "FILE=WEIGHT for one corpus file (repeatable)");
  app.add_option("--seed", options.seed, "Seed of the weighted order")->capture_default_str();
  app.add_option("--cacert", options.ca_file, "Verify the server against this CA bundle")
      ->check(CLI::ExistingFile);
  app.add_option("--json", line.json, "Also write the results as JSON to FILE (- for stdout)");
  app.add_flag("--allow-remote", line.allow_remote, "Allow a target that is not this machine");
  app.add_flag("-q,--quiet", line.quiet, "No progress line");
  CLI11_PARSE(app, argc, argv);

  try {
    options.duration = duration_flag("--duration", line.duration, false);
    options.warmup = duration_flag("--warmup", line.warmup, true);
    options.timeout = duration_flag("--timeout", line.timeout, false);
    options.order = line.order == "weighted" ? irsa::loadgen::Order::weighted
                                             : irsa::loadgen::Order::round_robin;
    if (rate > 0) {
      options.mode = irsa::loadgen::Mode::open_loop;
      options.rate = rate;
    }
    auto weights = weight_flags(line.weights);
    auto corpus = irsa::loadgen::load_corpus(line.corpus);
    irsa::loadgen::apply_weights(corpus, weights);
    options.target = irsa::loadgen::parse_target(line.url);
    options.endpoints = irsa::loadgen::resolve_target(options.target, line.allow_remote);

    // Timers fire up to 50 µs late by default (the kernel's slack); in open loop that lateness
    // would be counted against the server.
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    std::fprintf(
        stderr, "irsa-loadgen: %s, %s, %u connections, %u threads, %s + %s warm-up, %zu reviews\n",
        line.url.c_str(),
        rate > 0 ? ("open loop at " + std::to_string(static_cast<long long>(rate)) + "/s").c_str()
                 : "closed loop",
        options.connections, options.threads, line.duration.c_str(), line.warmup.c_str(),
        corpus.entries.size());
    irsa::loadgen::Progress last{};
    irsa::loadgen::ProgressSink progress;
    if (!line.quiet) {
      progress = [&last](const irsa::loadgen::Progress& now) {
        std::fprintf(stderr, "%s\n", irsa::loadgen::progress_line(now, last).c_str());
        last = now;
      };
    }
    const auto result = irsa::loadgen::run_load(options, corpus, progress);
    std::fputs(irsa::loadgen::summary(options, result).c_str(), stdout);
    std::fflush(stdout);
    if (!line.json.empty())
      write_json(line.json, irsa::loadgen::to_json(options, line.corpus, result));
    // Errors make the run fail, so a script cannot take a broken run's numbers for real ones.
    const bool clean = result.error_total() == 0 && result.warmup_errors == 0 && result.good() > 0;
    return clean ? 0 : 3;
  } catch (const CLI::Error& error) {
    return app.exit(error);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "irsa-loadgen: %s\n", error.what());
    return 2;
  }
}
