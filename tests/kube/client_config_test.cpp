// Kubeconfigs as kind, kubectl and `aws eks update-kubeconfig` write them, the in-cluster
// service account, and the ExecCredential a plugin prints.
#include "irsa/kube/client_config.hpp"

#include <gtest/gtest.h>

#include <map>

#include "support/scratch_dir.hpp"

namespace irsa::kube {
namespace {

using irsa::testing::ScratchDir;

// base64 of "CA PEM\n", "CERT PEM\n" and "KEY PEM\n".
constexpr const char* kCaData = "Q0EgUEVNCg==";
constexpr const char* kCertData = "Q0VSVCBQRU0K";
constexpr const char* kKeyData = "S0VZIFBFTQo=";

std::string kind_kubeconfig() {
  return std::string(R"(apiVersion: v1
kind: Config
preferences: {}
current-context: kind-kind
clusters:
- name: other
  cluster:
    server: https://10.0.0.1:6443
- name: kind-kind
  cluster:
    certificate-authority-data: )") +
         kCaData + R"(
    server: https://127.0.0.1:39021/
contexts:
- name: kind-kind
  context:
    cluster: kind-kind
    user: kind-kind
users:
- name: kind-kind
  user:
    client-certificate-data: )" +
         kCertData + R"(
    client-key-data: )" +
         kKeyData + "\n";
}

Environment fake_environment(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Kubeconfig, KindStyleInlineCredentials) {
  ScratchDir dir("irsa-kubeconfig");
  const auto load = kubeconfig_config(dir.write("config", kind_kubeconfig()));
  ASSERT_EQ(load.error, "");
  EXPECT_EQ(load.config.server, "https://127.0.0.1:39021/");
  EXPECT_EQ(load.config.ca_pem, "CA PEM\n");
  EXPECT_EQ(load.config.client_cert_pem, "CERT PEM\n");
  EXPECT_EQ(load.config.client_key_pem, "KEY PEM\n");
  EXPECT_FALSE(load.config.exec.has_value());
  EXPECT_NE(load.config.description.find("context kind-kind"), std::string::npos);
}

TEST(Kubeconfig, FilesAreRelativeToTheKubeconfigFolder) {
  ScratchDir dir("irsa-kubeconfig");
  dir.write("ca.crt", "CA FROM FILE\n");
  dir.write("token", "abc\n");
  const auto load = kubeconfig_config(dir.write("config", R"(current-context: c
clusters:
- name: k
  cluster:
    server: https://api.example:443
    certificate-authority: ca.crt
    tls-server-name: kubernetes
contexts:
- name: c
  context: {cluster: k, user: u}
users:
- name: u
  user:
    tokenFile: token
)"));
  ASSERT_EQ(load.error, "");
  EXPECT_EQ(load.config.ca_pem, "CA FROM FILE\n");
  EXPECT_EQ(load.config.token_file, dir.path("token"));
  EXPECT_EQ(load.config.tls_server_name, "kubernetes");
}

TEST(Kubeconfig, ExecPluginAsAwsWritesIt) {
  ScratchDir dir("irsa-kubeconfig");
  const auto load = kubeconfig_config(
      dir.write("config", R"(current-context: arn:aws:eks:eu-west-1:111122223333:cluster/prod
clusters:
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  cluster:
    server: https://ABC.gr7.eu-west-1.eks.amazonaws.com
    insecure-skip-tls-verify: true
contexts:
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  context:
    cluster: arn:aws:eks:eu-west-1:111122223333:cluster/prod
    user: arn:aws:eks:eu-west-1:111122223333:cluster/prod
users:
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [--region, eu-west-1, eks, get-token, --cluster-name, prod]
      env:
      - name: AWS_PROFILE
        value: ops
)"));
  ASSERT_EQ(load.error, "");
  EXPECT_TRUE(load.config.insecure_skip_tls_verify);
  ASSERT_TRUE(load.config.exec.has_value());
  EXPECT_EQ(load.config.exec->command, "aws");
  EXPECT_EQ(load.config.exec->api_version, "client.authentication.k8s.io/v1beta1");
  EXPECT_EQ(load.config.exec->args.size(), 6u);
  ASSERT_EQ(load.config.exec->env.size(), 1u);
  EXPECT_EQ(load.config.exec->env[0], (std::pair<std::string, std::string>{"AWS_PROFILE", "ops"}));
}

TEST(Kubeconfig, ARelativeExecCommandWithASlashIsRelativeToTheKubeconfig) {
  ScratchDir dir("irsa-kubeconfig");
  const auto command_of = [&](const std::string& command) {
    const auto load = kubeconfig_config(
        dir.write("config",
                  "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n"
                  "clusters:\n- name: k\n  cluster: {server: https://x}\nusers:\n- name: u\n"
                  "  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: " +
                      command + "}\n"));
    return load.config.exec ? load.config.exec->command : load.error;
  };
  EXPECT_EQ(command_of("bin/get-token"), dir.path("bin/get-token"));
  EXPECT_EQ(command_of("aws"), "aws") << "a bare name is looked up in PATH";
  EXPECT_EQ(command_of("/usr/local/bin/get-token"), "/usr/local/bin/get-token");
}

TEST(Kubeconfig, BrokenOnesSayWhatIsWrongInOneLine) {
  ScratchDir dir("irsa-kubeconfig");
  const auto error_of = [&](const std::string& text) {
    return kubeconfig_config(dir.write("config", text)).error;
  };
  EXPECT_NE(kubeconfig_config(dir.path("missing")).error.find("cannot open"), std::string::npos);
  EXPECT_NE(error_of("clusters: []\n").find("current-context is not set"), std::string::npos);
  EXPECT_NE(error_of("current-context: x\ncontexts: []\n").find("no context named \"x\""),
            std::string::npos);
  std::string bad = kind_kubeconfig();
  bad.replace(bad.find(kCaData), 4, "Q0E$");
  EXPECT_NE(error_of(bad).find("certificate-authority-data is not valid base64"),
            std::string::npos);
  std::string no_key = kind_kubeconfig();
  no_key.erase(no_key.find("    client-key-data"));
  EXPECT_NE(error_of(no_key).find("needs its key"), std::string::npos);
  EXPECT_NE(error_of("current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n"
                     "clusters:\n- name: k\n  cluster: {server: https://x}\nusers:\n- name: u\n"
                     "  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, "
                     "command: x}\n")
                .find("is not client.authentication.k8s.io/v1 or v1beta1"),
            std::string::npos);
  EXPECT_NE(error_of("[1, 2]\n").find("is not a kubeconfig"), std::string::npos);
  for (const auto& text : {std::string("current-context: c\n"), kind_kubeconfig()}) {
    EXPECT_EQ(error_of(text).find('\n'), std::string::npos) << "one line";
  }
}

TEST(ResolveClientConfig, FollowsClientGoFlagRules) {
  ScratchDir dir("irsa-kubeconfig");
  const std::string kubeconfig = dir.write("config", kind_kubeconfig());
  const auto nothing = fake_environment({});

  auto from_file = resolve_client_config(kubeconfig, "", nothing);
  ASSERT_EQ(from_file.error, "");
  EXPECT_EQ(from_file.config.server, "https://127.0.0.1:39021") << "trailing slash dropped";

  auto overridden = resolve_client_config(kubeconfig, "https://10.1.1.1:443", nothing);
  ASSERT_EQ(overridden.error, "");
  EXPECT_EQ(overridden.config.server, "https://10.1.1.1:443");
  EXPECT_EQ(overridden.config.client_cert_pem, "CERT PEM\n") << "credentials kept";

  auto bare = resolve_client_config("", "http://127.0.0.1:8080", nothing);
  ASSERT_EQ(bare.error, "");
  EXPECT_EQ(bare.config.server, "http://127.0.0.1:8080");
  EXPECT_EQ(bare.config.token, "");

  EXPECT_NE(resolve_client_config("", "127.0.0.1:8080", nothing).error.find("is not an http"),
            std::string::npos);
  EXPECT_NE(resolve_client_config("", "", nothing).error.find("not running in a cluster"),
            std::string::npos);
}

TEST(InClusterConfig, ReadsTheMountedServiceAccount) {
  ScratchDir dir("irsa-in-cluster");
  dir.write("ca.crt", "CLUSTER CA\n");
  dir.write("token", "t0ken");
  auto load = in_cluster_config(fake_environment({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                                  {"KUBERNETES_SERVICE_PORT", "443"}}),
                                dir.path(""));
  ASSERT_EQ(load.error, "");
  EXPECT_EQ(load.config.server, "https://10.96.0.1:443");
  EXPECT_EQ(load.config.ca_pem, "CLUSTER CA\n");
  EXPECT_EQ(load.config.token_file, dir.path("") + "/token") << "kept as a path: it rotates";

  auto ipv6 = in_cluster_config(fake_environment({{"KUBERNETES_SERVICE_HOST", "fd00:10:96::1"},
                                                  {"KUBERNETES_SERVICE_PORT", "443"}}),
                                dir.path(""));
  EXPECT_EQ(ipv6.config.server, "https://[fd00:10:96::1]:443");

  ScratchDir empty("irsa-in-cluster-empty");
  auto no_ca = in_cluster_config(fake_environment({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                                   {"KUBERNETES_SERVICE_PORT", "443"}}),
                                 empty.path(""));
  EXPECT_NE(no_ca.error.find("ca.crt"), std::string::npos) << no_ca.error;
}

TEST(ExecCredential, TokenWithExpiry) {
  const auto parse = parse_exec_credential(
      R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},)"
      R"("status":{"expirationTimestamp":"2026-11-28T23:15:00Z","token":"k8s-aws-v1.abc"}})");
  ASSERT_EQ(parse.error, "");
  EXPECT_EQ(parse.credential.token, "k8s-aws-v1.abc");
  ASSERT_TRUE(parse.credential.expires_at.has_value());
  EXPECT_EQ(*parse.credential.expires_at, 1795907700);
}

TEST(ExecCredential, UnusableOutputIsAnError) {
  EXPECT_NE(parse_exec_credential("not json").error, "");
  EXPECT_NE(parse_exec_credential(R"({"kind":"Pod"})").error.find("not an ExecCredential"),
            std::string::npos);
  EXPECT_NE(parse_exec_credential(R"({"kind":"ExecCredential","status":{}})")
                .error.find("neither a token nor a certificate"),
            std::string::npos);
  EXPECT_NE(parse_exec_credential(
                R"({"kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"soon"}})")
                .error.find("is not RFC 3339"),
            std::string::npos);
}

TEST(Rfc3339, FormsKubernetesWrites) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2026-11-28T23:15:00.123456Z"), 1795907700);
  EXPECT_EQ(parse_rfc3339("2026-11-29T01:15:00+02:00"), 1795907700);
  EXPECT_EQ(parse_rfc3339("2026-11-28T22:15:00-01:00"), 1795907700);
  for (const char* bad :
       {"", "2026-11-28", "2026-13-01T00:00:00Z", "2026-11-28T23:15:00", "2026-11-28T23:15:00.Z",
        "2026-11-28 23:15:00Z", "2026-11-28T23:15:00+0200"}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace irsa::kube
