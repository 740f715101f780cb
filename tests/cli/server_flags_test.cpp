// Command lines as upstream deployments write them must parse into the same values here; the
// cases follow pflag's rules (GNU long flags, bare booleans, -v shorthand) plus the Go-style
// single-dash spellings go_style_args turns into CLI11's.
#include "irsa/cli/server_flags.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "irsa/cli/mutation_flags.hpp"

namespace irsa::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// The server's whole flag set, as the entry point builds it.
class ServerCommandLine : public ::testing::Test {
 protected:
  ServerCommandLine() {
    add_mutation_flags(app_, mutation_);
    add_server_flags(app_, server_);
  }

  void parse(const std::vector<std::string>& args) {
    std::vector<const char*> argv{"irsa-webhook"};
    for (const auto& arg : args) argv.push_back(arg.c_str());
    parse_go_style(app_, static_cast<int>(argv.size()), argv.data());
  }

  // Parses and returns the error message, failing the test when the parse succeeds.
  std::string parse_error(const std::vector<std::string>& args) {
    try {
      parse(args);
    } catch (const CLI::ParseError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected a CLI::ParseError";
    return {};
  }

  CLI::App app_{"irsa-webhook"};
  MutationFlags mutation_;
  ServerFlags server_;
};

TEST_F(ServerCommandLine, DefaultsAreUpstreamsWhenNothingIsGiven) {
  parse({});
  EXPECT_EQ(server_.port, 443);
  EXPECT_EQ(server_.metrics_port, 9999);
  EXPECT_EQ(server_.kubeconfig, "");
  EXPECT_EQ(server_.kube_api, "");
  EXPECT_EQ(server_.tls_cert, "/etc/webhook/certs/tls.crt");
  EXPECT_EQ(server_.tls_key, "/etc/webhook/certs/tls.key");
  EXPECT_EQ(server_.tls_cipher_suites, "");
  EXPECT_EQ(server_.tls_min_version, "");
  EXPECT_TRUE(server_.in_cluster);
  EXPECT_EQ(server_.service_name, "pod-identity-webhook");
  EXPECT_EQ(server_.kube_namespace, "eks");
  EXPECT_EQ(server_.tls_secret, "pod-identity-webhook");
  EXPECT_FALSE(server_.watch_config_map);
  EXPECT_FALSE(server_.enable_debugging_handlers);
  // Differs from upstream on purpose (0 there): see the README.
  EXPECT_EQ(server_.service_account_lookup_grace_period, seconds{1});
  EXPECT_EQ(server_.resync_period, seconds{60});

  EXPECT_EQ(server_.bind_address, "");
  EXPECT_EQ(server_.worker_threads, 0);
  EXPECT_EQ(server_.log_format, "text");
  EXPECT_EQ(server_.shutdown_delay, nanoseconds{0});
  EXPECT_EQ(server_.shutdown_timeout, seconds{10});
  EXPECT_EQ(server_.service_accounts_file, "");

  const KlogFlags& klog = server_.klog;
  EXPECT_FALSE(klog.add_dir_header);
  EXPECT_FALSE(klog.alsologtostderr);
  EXPECT_EQ(klog.log_file_max_size, 1800u);
  EXPECT_TRUE(klog.logtostderr);
  EXPECT_EQ(klog.stderrthreshold, 2);
  EXPECT_EQ(klog.verbosity, 0);
  EXPECT_TRUE(klog.legacy_stderr_threshold_behavior);

  EXPECT_EQ(mutation_.annotation_prefix, "eks.amazonaws.com");
  EXPECT_NO_THROW(validate(server_));
}

TEST_F(ServerCommandLine, UpstreamManifestCommandLine) {
  // deploy/deployment-base.yaml's arguments, plus the usual extras.
  parse({"--in-cluster=false", "--namespace=default", "--service-name=pod-identity-webhook",
         "--annotation-prefix=eks.amazonaws.com", "--token-audience=sts.amazonaws.com",
         "--logtostderr", "-v=4", "--port", "8443", "--resync-period=1m30s",
         "--service-account-lookup-grace-period=100ms"});
  EXPECT_FALSE(server_.in_cluster);
  EXPECT_EQ(server_.kube_namespace, "default");
  EXPECT_EQ(server_.service_name, "pod-identity-webhook");
  EXPECT_EQ(mutation_.annotation_prefix, "eks.amazonaws.com");
  EXPECT_EQ(mutation_.token_audience, "sts.amazonaws.com");
  EXPECT_TRUE(server_.klog.logtostderr);
  EXPECT_EQ(server_.klog.verbosity, 4);
  EXPECT_EQ(server_.port, 8443);
  EXPECT_EQ(server_.resync_period, seconds{90});
  EXPECT_EQ(server_.service_account_lookup_grace_period, milliseconds{100});
  EXPECT_NO_THROW(validate(server_));
}

TEST_F(ServerCommandLine, EveryFlagTakesAValue) {
  parse({"--port=9443",
         "--metrics-port=9090",
         "--kubeconfig=/root/.kube/config",
         "--kube-api=https://10.0.0.1:6443",
         "--tls-cert=/certs/c.pem",
         "--tls-key=/certs/k.pem",
         "--tls-cipher-suites=TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384",
         "--tls-min-version=VersionTLS13",
         "--in-cluster=true",
         "--service-name",
         "svc",
         "--namespace",
         "kube-system",
         "--tls-secret",
         "sec",
         "--watch-config-map",
         "--enable-debugging-handlers=true",
         "--bind-address=::1",
         "--worker-threads=3",
         "--log-format=json",
         "--shutdown-delay=5s",
         "--shutdown-timeout=2m",
         "--service-accounts=/data/sas.yaml",
         "--sts-regional-endpoint",
         "--aws-default-region=eu-west-1"});
  EXPECT_EQ(server_.port, 9443);
  EXPECT_EQ(server_.metrics_port, 9090);
  EXPECT_EQ(server_.kubeconfig, "/root/.kube/config");
  EXPECT_EQ(server_.kube_api, "https://10.0.0.1:6443");
  EXPECT_EQ(server_.tls_cert, "/certs/c.pem");
  EXPECT_EQ(server_.tls_key, "/certs/k.pem");
  EXPECT_EQ(server_.tls_cipher_suites, "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(server_.tls_min_version, "VersionTLS13");
  EXPECT_TRUE(server_.in_cluster);
  EXPECT_EQ(server_.service_name, "svc");
  EXPECT_EQ(server_.kube_namespace, "kube-system");
  EXPECT_EQ(server_.tls_secret, "sec");
  EXPECT_TRUE(server_.watch_config_map);
  EXPECT_TRUE(server_.enable_debugging_handlers);
  EXPECT_EQ(server_.bind_address, "::1");
  EXPECT_EQ(server_.worker_threads, 3);
  EXPECT_EQ(server_.log_format, "json");
  EXPECT_EQ(server_.shutdown_delay, seconds{5});
  EXPECT_EQ(server_.shutdown_timeout, seconds{120});
  EXPECT_EQ(server_.service_accounts_file, "/data/sas.yaml");
  EXPECT_TRUE(mutation_.sts_regional_endpoint);
  EXPECT_EQ(mutation_.aws_default_region, "eu-west-1");
  EXPECT_NO_THROW(validate(server_));
}

TEST_F(ServerCommandLine, VerbositySpellings) {
  parse({"--v", "2"});
  EXPECT_EQ(server_.klog.verbosity, 2);
  parse({"--v=5"});
  EXPECT_EQ(server_.klog.verbosity, 5);
  parse({"-v", "6"});
  EXPECT_EQ(server_.klog.verbosity, 6);
  parse({"-v7"});
  EXPECT_EQ(server_.klog.verbosity, 7);
  parse({"-v=3"});
  EXPECT_EQ(server_.klog.verbosity, 3);
  EXPECT_NE(parse_error({"--v=loud"}), "");
}

TEST_F(ServerCommandLine, GoStyleSingleDashLongFlags) {
  parse({"-logtostderr=false", "-port=8443", "-metrics-port", "9998", "-in-cluster=false",
         "-resync-period=2m", "-alsologtostderr", "-token-audience=aud"});
  EXPECT_FALSE(server_.klog.logtostderr);
  EXPECT_EQ(server_.port, 8443);
  EXPECT_EQ(server_.metrics_port, 9998);
  EXPECT_FALSE(server_.in_cluster);
  EXPECT_EQ(server_.resync_period, seconds{120});
  EXPECT_TRUE(server_.klog.alsologtostderr);
  EXPECT_EQ(mutation_.token_audience, "aud");
}

TEST_F(ServerCommandLine, BooleansFollowPflag) {
  parse({"--watch-config-map"});
  EXPECT_TRUE(server_.watch_config_map);
  parse({"--watch-config-map=false"});
  EXPECT_FALSE(server_.watch_config_map);
  parse({"--watch-config-map=true"});
  EXPECT_TRUE(server_.watch_config_map);
  parse({"--in-cluster=false"});
  EXPECT_FALSE(server_.in_cluster);
  parse({"--in-cluster"});
  EXPECT_TRUE(server_.in_cluster);
  parse({"--logtostderr=false"});
  EXPECT_FALSE(server_.klog.logtostderr);
}

TEST_F(ServerCommandLine, BooleanDoesNotTakeTheNextWord) {
  // pflag reads `--in-cluster false` as --in-cluster (true) plus a stray argument, which the
  // webhook rejects; silently treating it as false would change behaviour.
  EXPECT_THROW(parse({"--in-cluster", "false"}), CLI::ParseError);
  EXPECT_TRUE(server_.in_cluster);
  EXPECT_THROW(parse({"--logtostderr", "true"}), CLI::ParseError);
}

TEST_F(ServerCommandLine, UnknownFlagsAreErrors) {
  EXPECT_THROW(parse({"--no-such-flag"}), CLI::ParseError);
  EXPECT_THROW(parse({"--no-such-flag=1"}), CLI::ParseError);
  EXPECT_THROW(parse({"-no-such-flag"}), CLI::ParseError);
  EXPECT_THROW(parse({"--log-dir=/tmp"}), CLI::ParseError);  // klog spells it log_dir
  EXPECT_THROW(parse({"stray"}), CLI::ParseError);
}

TEST_F(ServerCommandLine, BadDurationNamesTheFlag) {
  const std::string resync = parse_error({"--resync-period=soon"});
  EXPECT_NE(resync.find("--resync-period"), std::string::npos) << resync;
  EXPECT_NE(resync.find("soon"), std::string::npos) << resync;

  const std::string grace = parse_error({"--service-account-lookup-grace-period", "100"});
  EXPECT_NE(grace.find("--service-account-lookup-grace-period"), std::string::npos) << grace;

  const std::string timeout = parse_error({"--shutdown-timeout=1d"});
  EXPECT_NE(timeout.find("--shutdown-timeout"), std::string::npos) << timeout;

  const std::string delay = parse_error({"-shutdown-delay="});
  EXPECT_NE(delay.find("--shutdown-delay"), std::string::npos) << delay;
}

TEST_F(ServerCommandLine, ZeroDurationNeedsNoUnit) {
  parse({"--resync-period=0", "--shutdown-timeout=0s"});
  EXPECT_EQ(server_.resync_period, nanoseconds{0});
  EXPECT_EQ(server_.shutdown_timeout, nanoseconds{0});
}

TEST_F(ServerCommandLine, NegativeDurationParsesButDoesNotValidate) {
  parse({"--shutdown-delay=-1s"});
  EXPECT_EQ(server_.shutdown_delay, seconds{-1});
  try {
    validate(server_);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--shutdown-delay"), std::string::npos) << e.what();
  }
}

TEST_F(ServerCommandLine, RepeatedFlagsKeepTheLastValue) {
  // Overlays (kustomize, helm extraArgs) append flags already present; pflag takes the last.
  parse({"--port=1111", "--port=2222", "--resync-period=1s", "--resync-period=2s",
         "--in-cluster=false", "--in-cluster", "--v=1", "-v=9"});
  EXPECT_EQ(server_.port, 2222);
  EXPECT_EQ(server_.resync_period, seconds{2});
  EXPECT_TRUE(server_.in_cluster);
  EXPECT_EQ(server_.klog.verbosity, 9);
}

TEST_F(ServerCommandLine, AnEmptyValueAfterTheEqualsSignIsEmpty) {
  // The chart passes --aws-default-region= when no region is set: as with pflag, the value is
  // empty and the next flag is a flag of its own, not the region.
  parse({"--aws-default-region=", "--token-audience=custom", "--namespace=", "-port=8443"});
  EXPECT_EQ(mutation_.aws_default_region, "");
  EXPECT_EQ(mutation_.token_audience, "custom");
  EXPECT_EQ(server_.kube_namespace, "");
  EXPECT_EQ(server_.port, 8443);
  parse({"--token-audience=x", "--token-audience="});
  EXPECT_EQ(mutation_.token_audience, "");
}

TEST_F(ServerCommandLine, KlogFlagsAreAccepted) {
  parse({"--add_dir_header", "--alsologtostderr=true", "--log_backtrace_at=main.go:10",
         "--log_dir=/var/log", "--log_file", "/var/log/w.log", "--log_file_max_size=10",
         "--logtostderr=true", "--one_output", "--skip_headers", "--skip_log_headers=true",
         "--stderrthreshold=WARNING", "--vmodule=handler*=5",
         "--legacy_stderr_threshold_behavior=false", "--alsologtostderrthreshold=error"});
  const KlogFlags& klog = server_.klog;
  EXPECT_TRUE(klog.add_dir_header);
  EXPECT_TRUE(klog.alsologtostderr);
  EXPECT_EQ(klog.log_backtrace_at, "main.go:10");
  EXPECT_EQ(klog.log_dir, "/var/log");
  EXPECT_EQ(klog.log_file, "/var/log/w.log");
  EXPECT_EQ(klog.log_file_max_size, 10u);
  EXPECT_TRUE(klog.logtostderr);
  EXPECT_TRUE(klog.one_output);
  EXPECT_TRUE(klog.skip_headers);
  EXPECT_TRUE(klog.skip_log_headers);
  EXPECT_EQ(klog.stderrthreshold, 1);
  EXPECT_EQ(klog.vmodule, "handler*=5");
  EXPECT_FALSE(klog.legacy_stderr_threshold_behavior);
  EXPECT_EQ(klog.alsologtostderrthreshold, 2);
}

TEST_F(ServerCommandLine, StderrThresholdTakesNumbersAndNames) {
  parse({"--stderrthreshold=3"});
  EXPECT_EQ(server_.klog.stderrthreshold, 3);
  parse({"-stderrthreshold=info"});
  EXPECT_EQ(server_.klog.stderrthreshold, 0);
  EXPECT_THROW(parse({"--stderrthreshold=LOUD"}), CLI::ParseError);
}

TEST_F(ServerCommandLine, SeparateValueStartingWithDashIsKept) {
  // Both pflag and CLI11 take the next word as the value of a value-taking flag, so it must
  // not be rewritten into a flag.
  parse({"--log_dir", "-port"});
  EXPECT_EQ(server_.klog.log_dir, "-port");
  EXPECT_EQ(server_.port, 443);
}

TEST_F(ServerCommandLine, HelpShowsGoFormattedDefaults) {
  const std::string help = app_.help();
  EXPECT_NE(help.find("--resync-period"), std::string::npos);
  EXPECT_NE(help.find("--resync-period DURATION=1m0s"), std::string::npos) << help;
  EXPECT_NE(help.find("--shutdown-timeout DURATION=10s"), std::string::npos) << help;
  EXPECT_NE(help.find("--service-account-lookup-grace-period DURATION=1s"), std::string::npos)
      << help;
  EXPECT_NE(help.find("/etc/webhook/certs/tls.crt"), std::string::npos) << help;
}

TEST_F(ServerCommandLine, DerivedFlagListHasEveryRegisteredOption) {
  const auto known = long_flags_of(app_);
  std::size_t registered = 0;
  for (const CLI::Option* option : app_.get_options()) {
    for (const auto& name : option->get_lnames()) {
      ++registered;
      const auto it = std::find_if(known.begin(), known.end(),
                                   [&name](const KnownFlag& f) { return f.name == name; });
      ASSERT_NE(it, known.end()) << "--" << name << " is missing from long_flags_of()";
      EXPECT_EQ(it->takes_value, option->get_expected_min() > 0) << "--" << name;
    }
  }
  EXPECT_EQ(known.size(), registered);
  EXPECT_GT(registered, 50u);  // server, mutation and klog flags, and --help
}

TEST_F(ServerCommandLine, EveryRegisteredFlagIsReadWithASingleDash) {
  // Whatever gets registered, the Go spelling reaches CLI11 as a long flag: parse_go_style
  // rewrites with the list derived from the app, so no flag can be forgotten in it.
  for (const CLI::Option* option : app_.get_options()) {
    for (const auto& name : option->get_lnames()) {
      const bool takes_value = option->get_expected_min() > 0;
      const std::string go_spelling = "-" + name + (takes_value ? "=x" : "");
      const std::vector<const char*> argv{"irsa-webhook", go_spelling.c_str()};
      const auto out = go_style_args(long_flags_of(app_), 2, argv.data());
      ASSERT_EQ(out.size(), 2u) << go_spelling;
      EXPECT_EQ(out[1], "-" + go_spelling) << "--" << name << " is not rewritten";
    }
  }
}

// go_style_args on its own.
// The flags of the server's App as the entry point builds it.
const std::vector<KnownFlag>& server_long_flags() {
  static const std::vector<KnownFlag> flags = [] {
    CLI::App app{"irsa-webhook"};
    MutationFlags mutation;
    ServerFlags server;
    add_mutation_flags(app, mutation);
    add_server_flags(app, server);
    app.set_version_flag("--version", "irsa-webhook test");
    return long_flags_of(app);
  }();
  return flags;
}

std::vector<std::string> rewrite(std::vector<const char*> argv) {
  argv.insert(argv.begin(), "/usr/bin/irsa-webhook");
  auto out = go_style_args(server_long_flags(), static_cast<int>(argv.size()), argv.data());
  EXPECT_FALSE(out.empty());
  if (!out.empty()) {
    EXPECT_EQ(out.front(), "/usr/bin/irsa-webhook");
    out.erase(out.begin());
  }
  return out;
}

using Args = std::vector<std::string>;

TEST(GoStyleArgs, AddsADashToKnownSingleDashLongFlags) {
  EXPECT_EQ(rewrite({"-v=3"}), Args{"--v=3"});
  EXPECT_EQ(rewrite({"-logtostderr"}), Args{"--logtostderr"});
  EXPECT_EQ(rewrite({"-port=8443"}), Args{"--port=8443"});
  EXPECT_EQ(rewrite({"-port", "8443"}), (Args{"--port", "8443"}));
  EXPECT_EQ(rewrite({"-in-cluster=false"}), Args{"--in-cluster=false"});
  EXPECT_EQ(rewrite({"-annotation-prefix=x"}), Args{"--annotation-prefix=x"});
  EXPECT_EQ(rewrite({"-help"}), Args{"--help"});
}

TEST(GoStyleArgs, LeavesEverythingElseAlone) {
  EXPECT_EQ(rewrite({}), Args{});
  EXPECT_EQ(rewrite({"-v", "3"}), (Args{"-v", "3"}));
  EXPECT_EQ(rewrite({"-v3"}), Args{"-v3"});
  EXPECT_EQ(rewrite({"-h"}), Args{"-h"});
  EXPECT_EQ(rewrite({"--port=1", "--logtostderr"}), (Args{"--port=1", "--logtostderr"}));
  EXPECT_EQ(rewrite({"-unknown=1"}), Args{"-unknown=1"});
  EXPECT_EQ(rewrite({"-ports=1"}), Args{"-ports=1"});
  EXPECT_EQ(rewrite({"value", "-"}), (Args{"value", "-"}));
  EXPECT_EQ(rewrite({"-1s"}), Args{"-1s"});
}

TEST(GoStyleArgs, KeepsSeparateValuesAndWordsAfterTheTerminator) {
  EXPECT_EQ(rewrite({"--log_dir", "-port"}), (Args{"--log_dir", "-port"}));
  EXPECT_EQ(rewrite({"-log_dir", "-port"}), (Args{"--log_dir", "-port"}));
  EXPECT_EQ(rewrite({"-v", "-port"}), (Args{"-v", "-port"}));
  // A boolean takes no separate value, so the next word is looked at on its own.
  EXPECT_EQ(rewrite({"-logtostderr", "-port=1"}), (Args{"--logtostderr", "--port=1"}));
  // With "=" the value is attached, so the next word is a flag again.
  EXPECT_EQ(rewrite({"-log_dir=/x", "-port=1"}), (Args{"--log_dir=/x", "--port=1"}));
  EXPECT_EQ(rewrite({"--", "-port=1"}), (Args{"--", "-port=1"}));
}

TEST(GoStyleArgs, SplitsAnEmptyAttachedValueIntoTwoWords) {
  EXPECT_EQ(rewrite({"--aws-default-region=", "--v=2"}),
            (Args{"--aws-default-region", "", "--v=2"}));
  EXPECT_EQ(rewrite({"-log_dir="}), (Args{"--log_dir", ""}));
  // Booleans and unknown flags keep their spelling: CLI11 reports those itself.
  EXPECT_EQ(rewrite({"--logtostderr="}), Args{"--logtostderr="});
  EXPECT_EQ(rewrite({"--unknown="}), Args{"--unknown="});
}

TEST(GoStyleArgs, EmptyInput) {
  EXPECT_TRUE(go_style_args(server_long_flags(), 0, nullptr).empty());
}

// validate() on its own, for values the parser lets through.
void expect_invalid(const ServerFlags& flags, const std::string& flag) {
  try {
    validate(flags);
    ADD_FAILURE() << "expected std::invalid_argument naming " << flag;
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind(flag, 0), 0u) << e.what();
  }
}

TEST(ValidateServerFlags, PortsMustBeInRange) {
  for (const int port : {0, -1, 65536}) {
    ServerFlags flags;
    flags.port = port;
    expect_invalid(flags, "--port");
    ServerFlags metrics;
    metrics.metrics_port = port;
    expect_invalid(metrics, "--metrics-port");
  }
  for (const int port : {1, 65535}) {
    ServerFlags flags;
    flags.port = port;
    flags.metrics_port = port;
    EXPECT_NO_THROW(validate(flags)) << port;
  }
}

TEST(ValidateServerFlags, TlsMinVersionSpellings) {
  for (const char* version : {"", "1.0", "1.1", "1.2", "1.3", "VersionTLS10", "VersionTLS11",
                              "VersionTLS12", "VersionTLS13"}) {
    ServerFlags flags;
    flags.tls_min_version = version;
    EXPECT_NO_THROW(validate(flags)) << version;
  }
  for (const char* version : {"1.4", "TLS1.2", "versiontls12", "VersionTLS14", "1", " 1.2"}) {
    ServerFlags flags;
    flags.tls_min_version = version;
    expect_invalid(flags, "--tls-min-version");
  }
}

TEST(ValidateServerFlags, LogFormatWorkerThreadsAndDurations) {
  ServerFlags json;
  json.log_format = "json";
  EXPECT_NO_THROW(validate(json));

  ServerFlags bad_format;
  bad_format.log_format = "JSON";
  expect_invalid(bad_format, "--log-format");

  ServerFlags threads;
  threads.worker_threads = -1;
  expect_invalid(threads, "--worker-threads");

  ServerFlags grace;
  grace.service_account_lookup_grace_period = nanoseconds{-1};
  expect_invalid(grace, "--service-account-lookup-grace-period");
  ServerFlags resync;
  resync.resync_period = seconds{-60};
  expect_invalid(resync, "--resync-period");
  ServerFlags delay;
  delay.shutdown_delay = milliseconds{-5};
  expect_invalid(delay, "--shutdown-delay");
  ServerFlags timeout;
  timeout.shutdown_timeout = seconds{-10};
  expect_invalid(timeout, "--shutdown-timeout");
}

}  // namespace
}  // namespace irsa::cli
