// Credentials per request: fixed ones pass through, a rotating token file is followed, and an
// exec plugin runs only when its cached output is due (with time faked so nothing waits).
#include "irsa/kube/credentials.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "support/scratch_dir.hpp"

namespace irsa::kube {
namespace {

namespace asio = boost::asio;
using irsa::testing::ScratchDir;
using namespace std::chrono_literals;

// Time that moves only when a test moves it.
struct FakeTime {
  std::chrono::system_clock::time_point wall{
      std::chrono::seconds(*parse_rfc3339("2030-01-01T00:00:00Z"))};
  std::chrono::steady_clock::time_point steady{std::chrono::hours(1000)};
  CredentialClocks clocks() {
    return {[this] { return wall; }, [this] { return steady; }};
  }
  void advance(std::chrono::seconds by) {
    wall += by;
    steady += by;
  }
};

CredentialsResult current(CredentialSource& source) {
  asio::io_context io;
  std::optional<CredentialsResult> result;
  asio::co_spawn(io, source.current(),
                 [&](const std::exception_ptr& error, CredentialsResult value) {
                   if (error) std::rethrow_exception(error);
                   result = std::move(value);
                 });
  io.run();
  return std::move(result.value());
}

std::string bearer(CredentialSource& source) {
  auto result = current(source);
  EXPECT_EQ(result.error, "");
  return result.credentials.bearer_token;
}

int count_lines(const std::string& path) {
  std::ifstream file(path);
  int lines = 0;
  for (std::string line; std::getline(file, line);) ++lines;
  return lines;
}

// A plugin that counts its runs in <dir>/runs and answers token "tok-<run>", expiring at
// `expiry` when given, or fails when <dir>/fail exists.
class CountingPlugin {
 public:
  explicit CountingPlugin(const ScratchDir& dir, const std::string& expiry = {},
                          const std::string& before = {})
      : dir_(dir) {
    const std::string status =
        expiry.empty() ? R"({"token": "tok-%s"})"
                       : R"({"token": "tok-%s", "expirationTimestamp": ")" + expiry + "\"}";
    const std::string path = dir.write(
        "plugin", "#!/bin/sh\n" + before + "echo run >> '" + runs_file() + "'\nif [ -e '" +
                      dir.path("fail") + "' ]; then echo 'no credentials today' >&2; exit 1; fi\n" +
                      "n=$(wc -l < '" + runs_file() + "' | tr -d ' ')\n" +
                      "printf '{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"kind\": "
                      "\"ExecCredential\", \"status\": " +
                      status + "}\\n' \"$n\"\n");
    ::chmod(path.c_str(), 0755);
    plugin_.api_version = "client.authentication.k8s.io/v1";
    plugin_.command = path;
  }
  [[nodiscard]] ClientConfig config() const {
    ClientConfig config;
    config.server = "https://127.0.0.1:6443";
    config.exec = plugin_;
    return config;
  }
  [[nodiscard]] int runs() const { return count_lines(runs_file()); }
  void fail(bool failing) const {
    if (failing) {
      dir_.write("fail", "");
    } else {
      std::filesystem::remove(dir_.path("fail"));
    }
  }

 private:
  [[nodiscard]] std::string runs_file() const { return dir_.path("runs"); }
  const ScratchDir& dir_;
  ExecPlugin plugin_;
};

TEST(CredentialSource, FixedTokenAndCertificatePassThrough) {
  ClientConfig config;
  config.token = "fixed";
  config.client_cert_pem = "CERT";
  config.client_key_pem = "KEY";
  CredentialSource source(config);
  const auto result = current(source);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.credentials.bearer_token, "fixed");
  EXPECT_EQ(result.credentials.client_cert_pem, "CERT");
  EXPECT_EQ(result.credentials.client_key_pem, "KEY");

  CredentialSource anonymous(ClientConfig{});
  const auto none = current(anonymous);
  EXPECT_EQ(none.error, "");
  EXPECT_EQ(none.credentials.bearer_token, "");
}

TEST(CredentialSource, TokenFileRotationIsFollowed) {
  ScratchDir dir("irsa-credentials");
  FakeTime time;
  ClientConfig config;
  config.token_file = dir.write("token", "first-token\n");
  CredentialSource source(config, 30s, time.clocks());
  EXPECT_EQ(bearer(source), "first-token");

  // The kubelet's way: a new file renamed over the old one (a new inode).
  dir.write("token.new", "second-token");
  std::filesystem::rename(dir.path("token.new"), config.token_file);
  EXPECT_EQ(bearer(source), "second-token");

  // Rewritten in place with the same size and mtime: stat cannot tell, the periodic read can.
  struct stat before {};
  ::stat(config.token_file.c_str(), &before);
  dir.write("token", "third--token");
  const std::array<timespec, 2> times{before.st_atim, before.st_mtim};
  ::utimensat(AT_FDCWD, config.token_file.c_str(), times.data(), 0);
  time.advance(30s);
  EXPECT_EQ(bearer(source), "second-token");
  time.advance(30s);
  EXPECT_EQ(bearer(source), "third--token");
}

TEST(CredentialSource, InvalidateRereadsTheTokenFile) {
  ScratchDir dir("irsa-credentials");
  FakeTime time;
  ClientConfig config;
  config.token_file = dir.write("token", "aaaa");
  CredentialSource source(config, 30s, time.clocks());
  EXPECT_EQ(bearer(source), "aaaa");
  struct stat before {};
  ::stat(config.token_file.c_str(), &before);
  dir.write("token", "bbbb");
  const std::array<timespec, 2> times{before.st_atim, before.st_mtim};
  ::utimensat(AT_FDCWD, config.token_file.c_str(), times.data(), 0);
  EXPECT_EQ(bearer(source), "aaaa");
  source.invalidate();
  EXPECT_EQ(bearer(source), "bbbb");
}

TEST(CredentialSource, UnreadableTokenFileKeepsTheLastGoodToken) {
  ScratchDir dir("irsa-credentials");
  FakeTime time;
  ClientConfig config;
  config.token_file = dir.path("token");
  CredentialSource source(config, 30s, time.clocks());
  const auto never = current(source);
  EXPECT_NE(never.error.find("token file: cannot open " + config.token_file), std::string::npos)
      << never.error;

  dir.write("token", "good");
  EXPECT_EQ(bearer(source), "good");
  std::filesystem::remove(config.token_file);
  time.advance(61s);
  EXPECT_EQ(bearer(source), "good");
  dir.write("token", "  \n");
  time.advance(61s);
  EXPECT_EQ(bearer(source), "good") << "an empty file is a failed read";

  ClientConfig with_fallback;
  with_fallback.token_file = dir.path("missing");
  with_fallback.token = "fixed";
  CredentialSource fallback(with_fallback, 30s, time.clocks());
  EXPECT_EQ(bearer(fallback), "fixed");
}

TEST(CredentialSource, ExecOutputIsCachedUntilShortlyBeforeItExpires) {
  ScratchDir dir("irsa-credentials");
  FakeTime time;
  const CountingPlugin plugin(dir, "2030-01-01T00:15:00Z");
  CredentialSource source(plugin.config(), 30s, time.clocks());
  EXPECT_EQ(bearer(source), "tok-1");
  EXPECT_EQ(bearer(source), "tok-1");
  time.advance(15min - 11s);
  EXPECT_EQ(bearer(source), "tok-1");
  EXPECT_EQ(plugin.runs(), 1);
  time.advance(2s);  // inside the 10 s margin
  EXPECT_EQ(bearer(source), "tok-2");
  EXPECT_EQ(plugin.runs(), 2);
}

TEST(CredentialSource, AnExpiredCredentialIsReplacedAtOnce) {
  ScratchDir dir("irsa-credentials");
  FakeTime time;
  const CountingPlugin plugin(dir, "2029-12-31T23:59:00Z");
  CredentialSource source(plugin.config(), 30s, time.clocks());
  EXPECT_EQ(bearer(source), "tok-1") << "used for the request that fetched it";
  EXPECT_EQ(bearer(source), "tok-2");
  EXPECT_EQ(plugin.runs(), 2);
}

TEST(CredentialSource, AShortLivedCredentialIsKeptForHalfItsLife) {
  ScratchDir dir("irsa-credentials");
  FakeTime time;
  const CountingPlugin plugin(dir, "2030-01-01T00:00:06Z");
  CredentialSource source(plugin.config(), 30s, time.clocks());
  EXPECT_EQ(bearer(source), "tok-1");
  time.advance(2s);
  EXPECT_EQ(bearer(source), "tok-1");
  time.advance(1s);
  EXPECT_EQ(bearer(source), "tok-2");
}

TEST(CredentialSource, WithoutExpiryCachedUntilInvalidated) {
  ScratchDir dir("irsa-credentials");
  FakeTime time;
  const CountingPlugin plugin(dir);
  CredentialSource source(plugin.config(), 30s, time.clocks());
  EXPECT_EQ(bearer(source), "tok-1");
  time.advance(std::chrono::hours(24));
  EXPECT_EQ(bearer(source), "tok-1");
  source.invalidate();
  EXPECT_EQ(bearer(source), "tok-2");
  EXPECT_EQ(bearer(source), "tok-2");
  EXPECT_EQ(plugin.runs(), 2);
}

TEST(CredentialSource, FailuresArePausedThenRetried) {
  ScratchDir dir("irsa-credentials");
  FakeTime time;
  const CountingPlugin plugin(dir);
  plugin.fail(true);
  CredentialSource source(plugin.config(), 30s, time.clocks());
  const auto first = current(source);
  EXPECT_EQ(first.error, "exec plugin \"" + plugin.config().exec->command +
                             "\": exited with status 1: no credentials today");
  EXPECT_EQ(current(source).error, first.error);
  EXPECT_EQ(plugin.runs(), 1) << "no second run within the pause";
  plugin.fail(false);
  time.advance(1s);
  EXPECT_EQ(bearer(source), "tok-2");
}

TEST(CredentialSource, AFailedRefreshKeepsTheUnexpiredCredential) {
  ScratchDir dir("irsa-credentials");
  FakeTime time;
  const CountingPlugin plugin(dir, "2030-01-01T00:01:00Z");
  CredentialSource source(plugin.config(), 30s, time.clocks());
  EXPECT_EQ(bearer(source), "tok-1");
  plugin.fail(true);
  time.advance(55s);  // due for a refresh, not expired
  EXPECT_EQ(bearer(source), "tok-1");
  EXPECT_EQ(plugin.runs(), 2);
  time.advance(10s);  // expired
  EXPECT_NE(current(source).error, "");
}

TEST(CredentialSource, PluginSuppliesOnlyWhatTheConfigLacks) {
  ScratchDir dir("irsa-credentials");
  const auto path = dir.write("plugin", R"(#!/bin/sh
echo run >> "$0.runs"
echo '{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
       "status": {"token": "exec-token", "clientCertificateData": "EXEC CERT", "clientKeyData": "EXEC KEY"}}'
)");
  ::chmod(path.c_str(), 0755);
  ClientConfig config;
  config.exec = ExecPlugin{"client.authentication.k8s.io/v1", path, {}, {}};
  config.token = "fixed";
  CredentialSource token_only(config);
  auto result = current(token_only);
  EXPECT_EQ(result.credentials.bearer_token, "fixed");
  EXPECT_EQ(result.credentials.client_cert_pem, "EXEC CERT");
  EXPECT_EQ(result.credentials.client_key_pem, "EXEC KEY");

  config.client_cert_pem = "CERT";
  config.client_key_pem = "KEY";
  CredentialSource complete(config);
  result = current(complete);
  EXPECT_EQ(result.credentials.bearer_token, "fixed");
  EXPECT_EQ(result.credentials.client_cert_pem, "CERT");
  EXPECT_EQ(count_lines(path + ".runs"), 1) << "nothing left for the plugin to supply";
}

TEST(CredentialSource, ConcurrentCallsShareOneRun) {
  ScratchDir dir("irsa-credentials");
  const CountingPlugin plugin(dir, {}, "sleep 0.3\n");
  CredentialSource source(plugin.config());
  asio::io_context io;
  const auto strand = asio::make_strand(io);
  std::vector<CredentialsResult> results;
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(strand, source.current(),
                   [&](const std::exception_ptr& error, CredentialsResult value) {
                     if (error) std::rethrow_exception(error);
                     results.push_back(std::move(value));
                   });
  }
  io.run();
  ASSERT_EQ(results.size(), 5u);
  for (const auto& result : results) {
    EXPECT_EQ(result.error, "");
    EXPECT_EQ(result.credentials.bearer_token, "tok-1");
  }
  EXPECT_EQ(plugin.runs(), 1);
}

TEST(CredentialSource, ConcurrentCallsShareOneFailure) {
  ScratchDir dir("irsa-credentials");
  const CountingPlugin plugin(dir, {}, "sleep 0.2\n");
  plugin.fail(true);
  CredentialSource source(plugin.config());
  asio::io_context io;
  std::vector<std::string> errors;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(io, source.current(), [&](const std::exception_ptr&, CredentialsResult value) {
      errors.push_back(value.error);
    });
  }
  io.run();
  ASSERT_EQ(errors.size(), 3u);
  for (const auto& error : errors) EXPECT_NE(error.find("no credentials today"), std::string::npos);
  EXPECT_EQ(plugin.runs(), 1);
}

}  // namespace
}  // namespace irsa::kube
