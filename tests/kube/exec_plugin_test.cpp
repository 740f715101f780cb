// Exec credential plugins are /bin/sh scripts here: well-behaved ones printing ExecCredentials,
// and broken ones that fail, hang, flood stdout or print nonsense.
#include "irsa/kube/exec_plugin.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "support/scratch_dir.hpp"

namespace irsa::kube {
namespace {

namespace asio = boost::asio;
using irsa::testing::ScratchDir;
using namespace std::chrono_literals;

constexpr const char* kV1 = "client.authentication.k8s.io/v1";
constexpr const char* kV1beta1 = "client.authentication.k8s.io/v1beta1";

std::string script(const ScratchDir& dir, const std::string& name, const std::string& body) {
  const std::string path = dir.write(name, "#!/bin/sh\n" + body);
  ::chmod(path.c_str(), 0755);
  return path;
}

std::string slurp(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

ExecPlugin plugin_for(const std::string& command, const std::string& version = kV1) {
  ExecPlugin plugin;
  plugin.api_version = version;
  plugin.command = command;
  return plugin;
}

ExecOutcome run(const ExecPlugin& plugin, std::chrono::milliseconds timeout = 10s) {
  asio::io_context io;
  std::optional<ExecOutcome> outcome;
  asio::co_spawn(io, run_exec_plugin(plugin, timeout),
                 [&](const std::exception_ptr& error, ExecOutcome result) {
                   if (error) std::rethrow_exception(error);
                   outcome = std::move(result);
                 });
  io.run();
  return std::move(outcome.value());
}

// Dead: no such process, or a zombie left to a PID 1 that does not reap its adoptees.
bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z';
}

bool eventually_gone(pid_t pid) {
  for (int i = 0; i < 200 && !process_gone(pid); ++i) std::this_thread::sleep_for(10ms);
  return process_gone(pid);
}

pid_t read_pid(const std::string& path) {
  return static_cast<pid_t>(std::stol(slurp(path)));
}

TEST(ExecPlugin, V1TokenWithExpiry) {
  ScratchDir dir("irsa-exec");
  const auto path = script(dir, "plugin", R"(cat <<'EOF'
{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
 "status": {"token": "k8s-aws-v1.abc", "expirationTimestamp": "2030-01-02T03:04:05Z"}}
EOF
)");
  const auto outcome = run(plugin_for(path));
  ASSERT_EQ(outcome.error, "");
  EXPECT_EQ(outcome.credential.token, "k8s-aws-v1.abc");
  EXPECT_EQ(outcome.credential.expires_at, parse_rfc3339("2030-01-02T03:04:05Z"));
}

TEST(ExecPlugin, V1beta1ClientCertificateAndNoisyStderr) {
  ScratchDir dir("irsa-exec");
  const auto path = script(dir, "plugin", R"(echo "fetching a certificate..." >&2
cat <<'EOF'
{"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
 "status": {"clientCertificateData": "CERT PEM", "clientKeyData": "KEY PEM"}}
EOF
)");
  const auto outcome = run(plugin_for(path, kV1beta1));
  ASSERT_EQ(outcome.error, "") << "stderr on success is not an error";
  EXPECT_EQ(outcome.credential.token, "");
  EXPECT_EQ(outcome.credential.client_cert_pem, "CERT PEM");
  EXPECT_EQ(outcome.credential.client_key_pem, "KEY PEM");
  EXPECT_FALSE(outcome.credential.expires_at);
}

TEST(ExecPlugin, ArgumentsEnvironmentAndExecInfo) {
  ScratchDir dir("irsa-exec");
  const auto out = dir.path("seen");
  const auto path = script(dir, "plugin", R"sh(out="$1"; shift
printf '%s\n' "$@" > "$out.args"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$out.info"
printf '%s|%s|%s' "$IRSA_PLUGIN_VAR" "$IRSA_PARENT_VAR" "$IRSA_OVERRIDDEN" > "$out.env"
if [ -t 0 ] || [ -n "$(cat)" ]; then echo "stdin is not /dev/null" >&2; exit 9; fi
echo '{"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {"token": "t"}}'
)sh");
  ::setenv("IRSA_PARENT_VAR", "from-parent", 1);
  ::setenv("IRSA_OVERRIDDEN", "parent-value", 1);
  auto plugin = plugin_for(path, kV1beta1);
  plugin.args = {out, "two words", "--flag=x"};
  plugin.env = {{"IRSA_PLUGIN_VAR", "from-kubeconfig"},
                {"IRSA_OVERRIDDEN", "plugin-value"},
                {"KUBERNETES_EXEC_INFO", "plugin.env cannot replace this"}};
  const auto outcome = run(plugin);
  ::unsetenv("IRSA_PARENT_VAR");
  ::unsetenv("IRSA_OVERRIDDEN");
  ASSERT_EQ(outcome.error, "");
  EXPECT_EQ(slurp(out + ".args"), "two words\n--flag=x\n");
  EXPECT_EQ(slurp(out + ".env"), "from-kubeconfig|from-parent|plugin-value");
  const auto info = nlohmann::json::parse(slurp(out + ".info"));
  EXPECT_EQ(info["kind"], "ExecCredential");
  EXPECT_EQ(info["apiVersion"], kV1beta1);
  EXPECT_EQ(info["spec"]["interactive"], false);
}

TEST(ExecPlugin, CommandIsLookedUpInPath) {
  ScratchDir dir("irsa-exec");
  script(dir, "irsa-test-get-token", R"(
echo '{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {"token": "from-path"}}'
)");
  const std::string old_path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  ::setenv("PATH", (dir.path("") + ":" + old_path).c_str(), 1);
  const auto outcome = run(plugin_for("irsa-test-get-token"));
  ::setenv("PATH", old_path.c_str(), 1);
  ASSERT_EQ(outcome.error, "");
  EXPECT_EQ(outcome.credential.token, "from-path");
}

TEST(ExecPlugin, MissingCommand) {
  EXPECT_EQ(run(plugin_for("irsa-no-such-plugin-anywhere")).error,
            "exec plugin \"irsa-no-such-plugin-anywhere\": not found in PATH");
  EXPECT_EQ(run(plugin_for("/nonexistent/dir/plugin")).error,
            "exec plugin \"/nonexistent/dir/plugin\": no such file");
}

TEST(ExecPlugin, NotExecutable) {
  ScratchDir dir("irsa-exec");
  const auto path = dir.write("plugin", "#!/bin/sh\n");
  const auto error = run(plugin_for(path)).error;
  EXPECT_NE(error.find("cannot be started: Permission denied"), std::string::npos) << error;
}

TEST(ExecPlugin, NonZeroExitCarriesTheEndOfStderr) {
  ScratchDir dir("irsa-exec");
  const auto path = script(dir, "plugin", R"(
i=0; while [ $i -lt 500 ]; do echo "noise line $i" >&2; i=$((i+1)); done
printf '\n\tAn error occurred (ExpiredToken)\n\nwhen calling GetCallerIdentity\n' >&2
echo 'partial output'
exit 3
)");
  const auto error = run(plugin_for(path)).error;
  EXPECT_EQ(error.rfind("exec plugin \"" + path + "\": exited with status 3: ", 0), 0u) << error;
  EXPECT_NE(error.find("An error occurred (ExpiredToken) | when calling GetCallerIdentity"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << "one line";
  EXPECT_LT(error.size(), 500u) << "clipped";
  EXPECT_EQ(error.find("noise line 1\n"), std::string::npos);
}

TEST(ExecPlugin, KilledBySignal) {
  ScratchDir dir("irsa-exec");
  const auto path = script(dir, "plugin", "kill -TERM $$\nsleep 5\n");
  EXPECT_EQ(run(plugin_for(path)).error,
            "exec plugin \"" + path + "\": killed by signal 15 (SIGTERM)");
}

TEST(ExecPlugin, TimeoutKillsThePluginAndWhatItStarted) {
  ScratchDir dir("irsa-exec");
  const auto pid_file = dir.path("pid");
  const auto background_file = dir.path("background");
  const auto path = script(dir, "plugin",
                           "sleep 30 &\necho $! > '" + background_file + "'\necho $$ > '" +
                               pid_file + "'\necho 'still working' >&2\nwait\n");
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = run(plugin_for(path), 400ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(outcome.error, "exec plugin \"" + path + "\": timed out after 400ms: still working");
  EXPECT_GE(elapsed, 400ms);
  EXPECT_LT(elapsed, 2s);
  const pid_t child = read_pid(pid_file);
  EXPECT_EQ(::kill(child, 0), -1) << "the plugin itself is reaped when the call returns";
  EXPECT_EQ(errno, ESRCH);
  EXPECT_TRUE(eventually_gone(read_pid(background_file))) << "its process group is killed";
}

TEST(ExecPlugin, AbandonedCallLeavesNoChild) {
  ScratchDir dir("irsa-exec");
  const auto pid_file = dir.path("pid");
  const auto path = script(dir, "plugin", "echo $$ > '" + pid_file + "'\nexec sleep 30\n");
  {
    asio::io_context io;
    asio::co_spawn(io, run_exec_plugin(plugin_for(path), 30s),
                   [](const std::exception_ptr&, const ExecOutcome&) {});
    io.run_for(300ms);
    ASSERT_FALSE(io.stopped());
  }  // destroying the io_context destroys the suspended coroutine
  const pid_t child = read_pid(pid_file);
  EXPECT_EQ(::kill(child, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(ExecPlugin, OutputOverOneMebibyteIsRefused) {
  ScratchDir dir("irsa-exec");
  // Endless output: only stopping the plugin ends the call before the timeout.
  const auto path = script(dir, "plugin", "exec yes aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
  const auto start = std::chrono::steady_clock::now();
  const auto error = run(plugin_for(path), 20s).error;
  EXPECT_EQ(error, "exec plugin \"" + path + "\": printed more than 1 MiB");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);

  const auto bounded = script(dir, "bounded", "head -c 1048577 /dev/zero\n");
  EXPECT_EQ(run(plugin_for(bounded)).error,
            "exec plugin \"" + bounded + "\": printed more than 1 MiB");
}

TEST(ExecPlugin, InvalidOutput) {
  ScratchDir dir("irsa-exec");
  const auto garbage = script(dir, "garbage", "echo '{not json'\n");
  EXPECT_EQ(run(plugin_for(garbage)).error,
            "exec plugin \"" + garbage + "\": the exec plugin's output is not a JSON object");
  const auto silent = script(dir, "silent", "echo 'nothing to print' >&2\n");
  EXPECT_EQ(run(plugin_for(silent)).error,
            "exec plugin \"" + silent +
                "\": the exec plugin's output is not a JSON object: nothing to print");
  const auto empty = script(dir, "empty", R"(
echo '{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {}}'
)");
  EXPECT_NE(run(plugin_for(empty)).error.find("neither a token nor a certificate"),
            std::string::npos);
  const auto half = script(dir, "half", R"(
echo '{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {"clientCertificateData": "C"}}'
)");
  EXPECT_NE(run(plugin_for(half)).error.find("certificate without its key"), std::string::npos);
}

TEST(ExecPlugin, ApiVersionMustMatchTheConfiguredOne) {
  ScratchDir dir("irsa-exec");
  const auto path = script(dir, "plugin", R"(
echo '{"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {"token": "t"}}'
)");
  EXPECT_EQ(run(plugin_for(path, kV1)).error,
            "exec plugin \"" + path +
                "\": returned apiVersion \"client.authentication.k8s.io/v1beta1\" but is "
                "configured for \"client.authentication.k8s.io/v1\"");
  EXPECT_EQ(run(plugin_for(path, kV1beta1)).error, "");
}

}  // namespace
}  // namespace irsa::kube
