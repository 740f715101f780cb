// The server's command line end to end: flags into ServeConfig, and the binary's answers to
// --version, --help and command lines that cannot work.
#include "irsa/cli/serve_command.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <optional>
#include <stdexcept>

#include "irsa/server/host_facts.hpp"
#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::cli {
namespace {

using irsa::testing::run_process;

ServeOptions parse(const std::vector<std::string>& args) {
  CLI::App app;
  ServeOptions options;
  add_serve_flags(app, options);
  std::vector<const char*> argv{"irsa-webhook"};
  for (const auto& arg : args) argv.push_back(arg.c_str());
  parse_go_style(app, static_cast<int>(argv.size()), argv.data());
  return options;
}

TEST(ServeConfig, FlagsBecomeTheServerConfiguration) {
  const auto config = to_serve_config(
      parse({"--service-accounts=sa.yaml", "--port=8443", "--metrics-port", "9090",
             "--bind-address=127.0.0.1", "--tls-min-version=1.3", "--worker-threads=3",
             "--shutdown-delay=5s", "--shutdown-timeout=1m30s", "--enable-debugging-handlers",
             "--watch-container-credentials-config=/etc/cc.json", "--aws-default-region=eu-west-1",
             "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}));
  EXPECT_EQ(config.service_accounts_file, "sa.yaml");
  const server::ServerConfig& server_config = config.server;
  EXPECT_EQ(server_config.port, 8443);
  EXPECT_EQ(server_config.metrics_port, 9090);
  EXPECT_EQ(server_config.bind_address, "127.0.0.1");
  EXPECT_EQ(server_config.tls.min_version, TLS1_3_VERSION);
  EXPECT_EQ(server_config.tls.cipher_list, "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(server_config.worker_threads, 3u);
  EXPECT_EQ(server_config.shutdown_delay, std::chrono::seconds(5));
  EXPECT_EQ(server_config.shutdown_timeout, std::chrono::seconds(90));
  EXPECT_TRUE(server_config.debugging_handlers);
  EXPECT_EQ(server_config.pod_identity_file, "/etc/cc.json");
  EXPECT_EQ(server_config.settings.aws_default_region, "eu-west-1");
  EXPECT_EQ(server_config.tls_cert, "/etc/webhook/certs/tls.crt");
}

TEST(ServeConfig, WorkerThreadsDefaultToTheUsableCpus) {
  const auto config = to_serve_config(parse({"--service-accounts=sa.yaml"}));
  EXPECT_EQ(config.server.worker_threads, server::usable_cpus());
  EXPECT_GE(config.server.worker_threads, 1u);
}

TEST(ServeConfig, ImpossibleCombinationsNameTheFlag) {
  const auto message = [](const std::vector<std::string>& args) {
    try {
      (void)to_serve_config(parse(args));
    } catch (const std::invalid_argument& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message({"--compose-role-arn", "--aws-account-id=1234"}).rfind("--compose-role-arn", 0),
            0u);
  EXPECT_EQ(message({"--service-accounts=x", "--port=0"}).rfind("--port", 0), 0u);
  EXPECT_EQ(message({"--service-accounts=x", "--log-format=xml"}).rfind("--log-format", 0), 0u);
  EXPECT_NE(message({"--service-accounts=x", "--tls-cipher-suites=TLS_NOPE"}).find("TLS_NOPE"),
            std::string::npos);
}

TEST(ServeConfig, WithoutAFileServiceAccountsComeFromTheApi) {
  const auto api = to_serve_config(parse({"--watch-config-map", "--namespace=kube-system",
                                          "--service-account-lookup-grace-period=250ms"}));
  ASSERT_TRUE(api.cluster.has_value());
  EXPECT_TRUE(api.cluster->watch_config_map);
  EXPECT_EQ(api.cluster->config_map_namespace, "kube-system");
  EXPECT_EQ(api.lookup_grace, std::chrono::milliseconds(250));
  EXPECT_EQ(api.service_accounts_file, "");

  const auto file = to_serve_config(parse({"--service-accounts=sa.yaml"}));
  EXPECT_FALSE(file.cluster.has_value());
  EXPECT_EQ(file.lookup_grace, std::chrono::seconds(1)) << "the default";
}

TEST(ServeConfig, ComposeRoleArnWithoutAnAccountWaitsForTheInstanceMetadata) {
  const auto config = to_serve_config(parse({"--service-accounts=sa.yaml", "--compose-role-arn"}));
  EXPECT_TRUE(config.server.settings.compose_role_arn.enabled);
  EXPECT_EQ(config.server.settings.compose_role_arn.account_id, "") << "filled at start-up";
  const auto given =
      to_serve_config(parse({"--service-accounts=sa.yaml", "--compose-role-arn",
                             "--aws-account-id=111122223333", "--aws-region=cn-north-1"}));
  EXPECT_EQ(given.server.settings.compose_role_arn.account_id, "111122223333");
  EXPECT_EQ(given.server.settings.compose_role_arn.partition, "aws-cn");
}

TEST(ServeConfig, TheEnvironmentCompletesTheClusterConfiguration) {
  irsa::testing::ScratchDir dir("irsa-serve-env");
  dir.write("token", "in-cluster-token");
  dir.write("ca.crt", "-----BEGIN CERTIFICATE-----\n");
  ServeOptions options = parse({});
  auto config = to_serve_config(options);
  const auto nowhere = [](const std::string&) -> std::optional<std::string> { return {}; };
  EXPECT_NE(complete_from_environment(config, options, nowhere).find("not running in a cluster"),
            std::string::npos);
  options.server.kubeconfig = dir.path("missing");
  EXPECT_NE(complete_from_environment(config, options, nowhere).find("missing"), std::string::npos);
}

TEST(ServeBinary, VersionAndHelp) {
  auto version = run_process(IRSA_WEBHOOK_BINARY, {"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, std::string("irsa-webhook ") + IRSA_VERSION + "\n");
  auto help = run_process(IRSA_WEBHOOK_BINARY, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--tls-cert", "--shutdown-delay", "--service-accounts",
                           "--token-audience", "--logtostderr", "serve", "mutate"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
}

TEST(ServeBinary, CommandLinesThatCannotWorkExitTwoWithOneLine) {
  auto unknown = run_process(IRSA_WEBHOOK_BINARY, {"--no-such-flag"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--no-such-flag"), std::string::npos) << unknown.err;
  auto bad_grace =
      run_process(IRSA_WEBHOOK_BINARY, {"serve", "--service-account-lookup-grace-period=-1s"});
  EXPECT_EQ(bad_grace.exit_code, 2);
  EXPECT_NE(bad_grace.err.find("--service-account-lookup-grace-period"), std::string::npos)
      << bad_grace.err;
  auto duration = run_process(IRSA_WEBHOOK_BINARY, {"--service-accounts=x", "--shutdown-delay=5"});
  EXPECT_EQ(duration.exit_code, 2);
  EXPECT_NE(duration.err.find("--shutdown-delay"), std::string::npos) << duration.err;
  // klog would write files this server does not: refused, not dropped.
  auto no_file = run_process(IRSA_WEBHOOK_BINARY, {"--service-accounts=x", "--logtostderr=false"});
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_NE(no_file.err.find("--logtostderr=false needs --log_file"), std::string::npos)
      << no_file.err;
}

TEST(ServeBinary, StartupFailuresExitOneAndSayWhy) {
  irsa::testing::ScratchDir dir("irsa-serve");
  ASSERT_EQ(irsa::testing::make_self_signed_pair(dir, "tls", {"-newkey", "rsa:2048"}), "");
  dir.write("sa.yaml", "");
  const std::vector<std::string> base = {
      "--tls-cert=" + dir.path("tls.crt"), "--tls-key=" + dir.path("tls.key"),
      "--service-accounts=" + dir.path("sa.yaml"), "--bind-address=127.0.0.1"};
  // A port somebody else holds.
  const int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(holder, 1), 0);
  ASSERT_EQ(::getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length), 0);
  auto args = base;
  args.push_back("--port=" + std::to_string(ntohs(address.sin_port)));
  auto busy = run_process(IRSA_WEBHOOK_BINARY, args);
  ::close(holder);
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_NE(busy.err.find("cannot listen for the webhook (--port)"), std::string::npos) << busy.err;

  args = base;
  args.insert(args.end(),
              {"--logtostderr=false", "--log_file=" + dir.path("sa.yaml/under-a-file.log")});
  auto bad_log = run_process(IRSA_WEBHOOK_BINARY, args);
  EXPECT_EQ(bad_log.exit_code, 1);
  EXPECT_NE(bad_log.err.find("cannot open --log_file=" + dir.path("sa.yaml/under-a-file.log")),
            std::string::npos)
      << bad_log.err;

  args = base;
  args.push_back("--tls-key=" + dir.path("sa.yaml"));
  auto bad_key = run_process(IRSA_WEBHOOK_BINARY, args);
  EXPECT_EQ(bad_key.exit_code, 1);
  EXPECT_NE(bad_key.err.find("cannot use as private key"), std::string::npos) << bad_key.err;

  args = base;
  args.push_back("--bind-address=localhost");
  auto bad_address = run_process(IRSA_WEBHOOK_BINARY, args);
  EXPECT_EQ(bad_address.exit_code, 1);
  EXPECT_NE(bad_address.err.find("--bind-address"), std::string::npos) << bad_address.err;
}

}  // namespace
}  // namespace irsa::cli
