// `irsa-webhook mutate`, run as a user runs it: the real binary, real files, stdin and exit codes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "irsa/cli/mutate_command.hpp"
#include "irsa/store/yaml_json.hpp"
#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::testing {
namespace {

using nlohmann::json;

class MutateCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    write("sa.yaml", R"(apiVersion: v1
kind: ServiceAccount
metadata:
  name: reader
  namespace: data
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/reader
---
apiVersion: v1
kind: ServiceAccountList
items:
- metadata: {name: short, namespace: data, annotations: {eks.amazonaws.com/role-arn: team/short}}
)");
    write("pod.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: job, namespace: data}
spec:
  serviceAccountName: reader
  containers:
  - name: main
    image: busybox
)");
  }
  std::string write(const std::string& name, const std::string& text) {
    return dir_.write(name, text);
  }
  std::string path(const std::string& name) const { return dir_.path(name); }

  static ProcessResult mutate(std::vector<std::string> args, const std::string& stdin_text = {}) {
    args.insert(args.begin(), "mutate");
    return run_process(IRSA_WEBHOOK_BINARY, args, stdin_text);
  }

  ScratchDir dir_{"irsa-cli"};
};

TEST_F(MutateCommand, PrintsThePatchByDefault) {
  auto result = mutate({"--pod=" + path("pod.yaml"), "--service-account", path("sa.yaml")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  json patch = json::parse(result.out);
  ASSERT_TRUE(patch.is_array());
  EXPECT_EQ(patch[1]["path"], "/spec/containers/0/env");
  EXPECT_EQ(patch[1]["value"][0]["value"], "arn:aws:iam::111122223333:role/reader");
}

// --- --role-policy: the verdict the server would give, offline --------------------------

constexpr const char* kDataPolicy = R"(mode: audit
rules:
  - name: data-roles
    namespaces: ["data"]
    allowedRoles: ["arn:aws:iam::111122223333:role/{namespace}-*"]
  - name: everyone-else
    allowedRoles: ["*"]
)";

TEST_F(MutateCommand, AuditPolicyGivesTheUsualPatchAndAWarningNamingTheRule) {
  write("policy.yaml", kDataPolicy);
  auto plain = mutate({"--pod=" + path("pod.yaml"), "--service-account=" + path("sa.yaml")});
  auto audited = mutate({"--pod=" + path("pod.yaml"), "--service-account=" + path("sa.yaml"),
                         "--role-policy=" + path("policy.yaml"), "--output=review"});
  ASSERT_EQ(audited.exit_code, 0) << audited.err;
  EXPECT_NE(audited.err.find("warning: role policy rule data-roles (audit)"), std::string::npos)
      << audited.err;
  const json response = json::parse(audited.out)["response"];
  EXPECT_EQ(response["allowed"], true);
  EXPECT_EQ(response["auditAnnotations"]["policy-rule"], "data-roles");
  EXPECT_NE(response["warnings"][0].get<std::string>().find("data-roles"), std::string::npos);
  EXPECT_EQ(json::parse(plain.out),
            json::parse(mutate({"--pod=" + path("pod.yaml"), "--service-account=" + path("sa.yaml"),
                                "--role-policy=" + path("policy.yaml")})
                            .out))
      << "audit mode changes no byte of the patch";
}

TEST_F(MutateCommand, EnforcedPolicyPrintsTheDenialAndExitsThree) {
  std::string policy = kDataPolicy;
  policy.replace(policy.find("mode: audit"), 11, "mode: enforce");
  write("policy.yaml", policy);
  auto result = mutate({"--pod=" + path("pod.yaml"), "--service-account=" + path("sa.yaml"),
                        "--role-policy=" + path("policy.yaml"), "--output=review"});
  EXPECT_EQ(result.exit_code, 3) << result.err;
  const json response = json::parse(result.out)["response"];
  EXPECT_EQ(response["allowed"], false);
  EXPECT_EQ(response["status"]["code"], 403);
  const std::string message = response["status"]["message"];
  EXPECT_NE(message.find("data-roles"), std::string::npos) << message;
  EXPECT_NE(message.find("role/reader"), std::string::npos) << message;
  EXPECT_NE(message.find("role/data-*"), std::string::npos) << message;
  EXPECT_NE(result.err.find("denied: role policy"), std::string::npos) << result.err;

  write("allowed-sa.yaml", R"(kind: ServiceAccount
metadata: {name: reader, namespace: data, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/data-reader"}}
)");
  auto allowed =
      mutate({"--pod=" + path("pod.yaml"), "--service-account=" + path("allowed-sa.yaml"),
              "--role-policy=" + path("policy.yaml")});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
}

TEST_F(MutateCommand, SharingLimitCountsTheAccountsOfTheFilesGiven) {
  write("policy.yaml", R"(mode: enforce
rules:
  - name: one-role-one-account
    allowedRoles: ["*"]
    maxServiceAccountsPerRole: 1
)");
  write("twin.yaml", R"(kind: ServiceAccount
metadata: {name: twin, namespace: other, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/reader"}}
)");
  const std::vector<std::string> base = {"--pod=" + path("pod.yaml"),
                                         "--service-account=" + path("sa.yaml"),
                                         "--role-policy=" + path("policy.yaml")};
  EXPECT_EQ(mutate(base).exit_code, 0);
  auto shared = base;
  shared.push_back("--service-account=" + path("twin.yaml"));
  auto result = mutate(shared);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.err.find("named by 2 ServiceAccounts"), std::string::npos) << result.err;
}

TEST_F(MutateCommand, BrokenPolicyFileIsNamedWithLineAndColumn) {
  write("policy.yaml", "mode: audit\nrules:\n  - name: x\n    allowedRole: ['*']\n");
  auto result = mutate({"--pod=" + path("pod.yaml"), "--service-account=" + path("sa.yaml"),
                        "--role-policy=" + path("policy.yaml")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(path("policy.yaml") + ": line 4, column 5:"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("allowedRole"), std::string::npos) << result.err;
  EXPECT_TRUE(result.out.empty());
}

TEST_F(MutateCommand, NamespaceManifestsFeedNamespaceSelectors) {
  write("policy.yaml", R"(mode: enforce
rules:
  - name: prod-only-prod-roles
    namespaceSelector: {matchLabels: {env: prod}}
    allowedRoles: ["arn:aws:iam::*:role/prod-*"]
)");
  const std::vector<std::string> base = {"--pod=" + path("pod.yaml"),
                                         "--service-account=" + path("sa.yaml"),
                                         "--role-policy=" + path("policy.yaml")};
  auto unknown = mutate(base);
  EXPECT_EQ(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("namespace data is in no --service-account file"), std::string::npos)
      << unknown.err;
  write("ns.yaml", "kind: Namespace\nmetadata: {name: data, labels: {env: prod}}\n");
  auto labelled = base;
  labelled.push_back("--service-account=" + path("ns.yaml"));
  EXPECT_EQ(mutate(labelled).exit_code, 3);
}

TEST_F(MutateCommand, PrintsAnEmptyArrayWhenNothingChanges) {
  auto result = mutate({"--pod=" + path("pod.yaml")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "[]\n");
}

TEST_F(MutateCommand, PrintsTheMutatedPodAsYaml) {
  auto result = mutate({"--pod=" + path("pod.yaml"), "--service-account=" + path("sa.yaml"),
                        "--output=pod", "--aws-default-region=ap-south-1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto parsed = store::parse_documents(result.out);
  ASSERT_EQ(parsed.error, "");
  const json& pod = parsed.documents.at(0);
  EXPECT_EQ(pod["spec"]["containers"][0]["env"][0],
            json({{"name", "AWS_DEFAULT_REGION"}, {"value", "ap-south-1"}}));
  EXPECT_EQ(pod["spec"]["volumes"][0]["name"], "aws-iam-token");
  EXPECT_EQ(pod["metadata"]["name"], "job");
}

TEST_F(MutateCommand, ReadsAnAdmissionReviewFromStdinAndPrintsTheResponse) {
  json review = {
      {"apiVersion", "admission.k8s.io/v1beta1"},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", "abc-123"},
        {"namespace", "data"},
        {"object",
         {{"spec", {{"serviceAccountName", "reader"}, {"containers", {{{"name", "c"}}}}}}}}}}};
  auto result =
      mutate({"--pod=-", "--service-account=" + path("sa.yaml"), "-o", "review"}, review.dump());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  json response = json::parse(result.out);
  EXPECT_EQ(response["apiVersion"], "admission.k8s.io/v1beta1");
  EXPECT_EQ(response["response"]["uid"], "abc-123");
  EXPECT_EQ(response["response"]["allowed"], true);
  EXPECT_EQ(response["response"]["patchType"], "JSONPatch");
}

TEST_F(MutateCommand, ComposesBareRoleNamesWhenAsked) {
  write("short-pod.yaml", R"({"kind":"Pod","metadata":{"namespace":"data"},
    "spec":{"serviceAccountName":"short","containers":[{"name":"c"}]}})");
  auto result =
      mutate({"--pod=" + path("short-pod.yaml"), "--service-account=" + path("sa.yaml"),
              "--compose-role-arn", "--aws-account-id=444455556666", "--aws-region=cn-north-1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("arn:aws-cn:iam::444455556666:role/team/short"), std::string::npos)
      << result.out;
}

TEST_F(MutateCommand, PrintsWarningsOnStderr) {
  write(
      "skip-pod.yaml",
      R"({"kind":"Pod","metadata":{"namespace":"data","annotations":{"eks.amazonaws.com/skip-containers":"nope"}},
    "spec":{"serviceAccountName":"reader","containers":[{"name":"c"}]}})");
  auto result = mutate({"--pod=" + path("skip-pod.yaml"), "--service-account=" + path("sa.yaml")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("warning: skip-containers names \"nope\""), std::string::npos)
      << result.err;
}

TEST_F(MutateCommand, UsesTheConfigMapAndPodIdentityFiles) {
  write("cm.yaml", R"(apiVersion: v1
kind: ConfigMap
metadata: {name: pod-identity-webhook, namespace: eks}
data:
  config: '{"*/mapped":{"RoleARN":"arn:aws:iam::111122223333:role/mapped"}}'
)");
  write("pi.json", R"({"identities":[{"namespace":"data","serviceAccount":"reader"}]})");
  write("mapped-pod.yaml", R"({"kind":"Pod","metadata":{"namespace":"any"},
    "spec":{"serviceAccountName":"mapped","containers":[{"name":"c"}]}})");
  auto mapped =
      mutate({"--pod=" + path("mapped-pod.yaml"), "--service-account=" + path("cm.yaml")});
  ASSERT_EQ(mapped.exit_code, 0) << mapped.err;
  EXPECT_NE(mapped.out.find("role/mapped"), std::string::npos);
  auto pod_identity =
      mutate({"--pod=" + path("pod.yaml"), "--service-account=" + path("sa.yaml"),
              "--watch-container-credentials-config=" + path("pi.json"), "--token-jitter=off"});
  ASSERT_EQ(pod_identity.exit_code, 0) << pod_identity.err;
  EXPECT_NE(pod_identity.out.find("AWS_CONTAINER_CREDENTIALS_FULL_URI"), std::string::npos);
  EXPECT_NE(pod_identity.out.find("\"expirationSeconds\":86400"), std::string::npos);
}

struct BadInputCase {
  const char* name;
  const char* content;  // nullptr: the file does not exist
  const char* error_part;
};

class MutateBadInput : public MutateCommand, public ::testing::WithParamInterface<BadInputCase> {};

TEST_P(MutateBadInput, ExitsOneWithOneLineNamingTheFile) {
  const auto& bad = GetParam();
  std::string file = bad.content ? write("bad.yaml", bad.content) : path("missing.yaml");
  auto result = mutate({"--pod=" + file, "--service-account=" + path("sa.yaml")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find(file), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(bad.error_part), std::string::npos) << result.err;
}

INSTANTIATE_TEST_SUITE_P(
    Files, MutateBadInput,
    ::testing::Values(BadInputCase{"Missing", nullptr, "No such file"},
                      BadInputCase{"BadYaml", "kind: Pod\nspec: [unclosed\n", "line"},
                      BadInputCase{"Deployment", "kind: Deployment\nspec: {}\n", "Deployment"},
                      BadInputCase{"TwoDocuments", "kind: Pod\n---\nkind: Pod\n", "2 documents"},
                      BadInputCase{"NoContainers", "kind: Pod\nspec: {}\n", "no spec.containers"},
                      BadInputCase{"Scalar", "just text\n", "not a Pod"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(MutateCommand, BadServiceAccountFileNamesTheFileAndDocument) {
  std::string file =
      write("bad-sa.yaml", "kind: ServiceAccount\nmetadata: {name: a}\n---\nkind: Pod\n");
  auto result = mutate({"--pod=" + path("pod.yaml"), "--service-account=" + file});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(file), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("document 2"), std::string::npos) << result.err;
}

TEST(MutateUsage, UsageErrorsExitTwoWithHelp) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"mutate"},
                                             {"mutate", "--pod=x", "--no-such-flag"},
                                             {"mutate", "--pod=x", "--output=xml"},
                                             {"mutate", "--pod=x", "--token-jitter=sometimes"},
                                             {"mutate", "--pod=x", "--token-expiration=soon"},
                                             {"frobnicate"}}) {
    auto result = run_process(IRSA_WEBHOOK_BINARY, args);
    EXPECT_EQ(result.exit_code, 2) << args.back() << "\n" << result.err;
    EXPECT_NE(result.err.find("--"), std::string::npos) << "help is shown";
  }
}

TEST(MutateUsage, ComposeWithoutAccountIsAUsageError) {
  auto result = run_process(IRSA_WEBHOOK_BINARY, {"mutate", "--pod=-", "--compose-role-arn"}, "{}");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--aws-account-id"), std::string::npos) << result.err;
}

TEST(MutateUsage, VersionAndHelpExitZero) {
  auto version = run_process(IRSA_WEBHOOK_BINARY, {"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("irsa-webhook " IRSA_VERSION), std::string::npos) << version.out;
  auto help = run_process(IRSA_WEBHOOK_BINARY, {"mutate", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--annotation-prefix"), std::string::npos);
  EXPECT_NE(help.out.find("--token-jitter"), std::string::npos);
}

// When nothing is injected, `mutate` says why in one stderr line and leaves stdout and the exit
// code as they were. Driven through run_mutate, as main() does, with string streams.
class MutateExplains : public ::testing::Test {
 protected:
  void SetUp() override {
    accounts_ = dir_.write("accounts.yaml", R"(apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/api
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: v1
kind: ServiceAccountList
items:
- metadata:
    name: typo
    namespace: shop
    annotations: {eks.amazon.com/role-arn: "arn:aws:iam::111122223333:role/typo"}
)");
  }

  struct Run {
    int exit_code = -1;
    std::string out;
    std::string err;
  };

  Run mutate(const std::string& pod, std::vector<std::string> accounts) {
    cli::MutateOptions options;
    options.pod_file = dir_.write("pod.json", pod);
    options.service_account_files = std::move(accounts);
    std::ostringstream out;
    std::ostringstream err;
    Run run;
    run.exit_code = cli::run_mutate(options, out, err);
    run.out = out.str();
    run.err = err.str();
    return run;
  }
  Run mutate(const std::string& pod) { return mutate(pod, {accounts_}); }

  // The one line expected on stderr, and stdout the empty patch of today.
  static void expect_explained(const Run& run, const std::string& reason) {
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, "[]\n");
    EXPECT_EQ(run.err, "irsa-webhook mutate: no container mutated: " + reason + "\n");
  }

  ScratchDir dir_{"irsa-cli-explain"};
  std::string accounts_;
};

TEST_F(MutateExplains, APodWithoutNamespaceSaysTheDefaultWasUsedAndWhereTheAccountIs) {
  auto run = mutate(R"({"kind":"Pod","metadata":{"name":"p"},
    "spec":{"serviceAccountName":"api","containers":[{"name":"c"}]}})");
  expect_explained(run,
                   "ServiceAccount default/api (the Pod has no metadata.namespace, so namespace "
                   "\"default\" was used) is not in the files; they hold shop/api, shop/typo, "
                   "shop/web; shop/api has the same name in another namespace");
}

TEST_F(MutateExplains, AnAccountNameThatDiffersNamesTheSimilarOne) {
  auto run = mutate(R"({"kind":"Pod","metadata":{"name":"p","namespace":"shop"},
    "spec":{"serviceAccountName":"api-server","containers":[{"name":"c"}]}})");
  expect_explained(run,
                   "ServiceAccount shop/api-server is not in the files; they hold shop/api, "
                   "shop/typo, shop/web; shop/api has a similar name");
}

TEST_F(MutateExplains, AnAnnotationTypoOnTheAccountIsNamedWithItsFix) {
  auto run = mutate(R"({"kind":"Pod","metadata":{"name":"p","namespace":"shop"},
    "spec":{"serviceAccountName":"typo","containers":[{"name":"c"}]}})");
  expect_explained(run,
                   "ServiceAccount shop/typo names no role: \"eks.amazon.com/role-arn\" uses the "
                   "prefix eks.amazon.com; the webhook reads eks.amazonaws.com (fix: "
                   "eks.amazonaws.com/role-arn)");
}

TEST_F(MutateExplains, AnAccountWithoutRoleSaysSo) {
  auto run = mutate(R"({"kind":"Pod","metadata":{"name":"p","namespace":"shop"},
    "spec":{"serviceAccountName":"web","containers":[{"name":"c"}]}})");
  expect_explained(
      run, "ServiceAccount shop/web names no role (no eks.amazonaws.com/role-arn annotation)");
}

TEST_F(MutateExplains, AnEmptyRoleArnIsCalledEmpty) {
  const std::string file = dir_.write("empty.yaml", R"(kind: ServiceAccount
metadata: {name: blank, namespace: shop, annotations: {eks.amazonaws.com/role-arn: ""}}
)");
  auto run = mutate(R"({"kind":"Pod","metadata":{"namespace":"shop"},
    "spec":{"serviceAccountName":"blank","containers":[{"name":"c"}]}})",
                    {file});
  expect_explained(run,
                   "ServiceAccount shop/blank names no role (its eks.amazonaws.com/role-arn "
                   "is empty)");
}

TEST_F(MutateExplains, AMissingServiceAccountNameMeansDefault) {
  auto run =
      mutate(R"({"kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}})");
  expect_explained(run,
                   "ServiceAccount default/default (the Pod has no metadata.namespace, so "
                   "namespace \"default\" was used; the Pod has no spec.serviceAccountName, which "
                   "means \"default\") is not in the files; they hold shop/api, shop/typo, "
                   "shop/web");
}

TEST_F(MutateExplains, ManyAccountsAreCountedAfterAFew) {
  std::string many;
  for (const char* name : {"a1", "b22", "c333", "d4444", "e55555"}) {
    many +=
        std::string("---\nkind: ServiceAccount\nmetadata: {name: ") + name + ", namespace: ops}\n";
  }
  auto run = mutate(R"({"kind":"Pod","metadata":{"namespace":"shop"},
    "spec":{"serviceAccountName":"api","containers":[{"name":"c"}]}})",
                    {dir_.write("many.yaml", many)});
  expect_explained(run,
                   "ServiceAccount shop/api is not in the files; they hold ops/a1, ops/b22, "
                   "ops/c333 and 2 more");
}

TEST_F(MutateExplains, NoAccountFileIsSaid) {
  auto run = mutate(R"({"kind":"Pod","metadata":{"namespace":"shop"},
    "spec":{"serviceAccountName":"api","containers":[{"name":"c"}]}})",
                    {});
  expect_explained(run, "ServiceAccount shop/api is unknown: no --service-account file was given");
}

TEST_F(MutateExplains, AReviewWithoutNamespaceIsSaid) {
  auto run = mutate(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
    "request":{"uid":"u","object":{"spec":{"serviceAccountName":"api","containers":[{"name":"c"}]}}}})");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.err.find("ServiceAccount /api (the review names no namespace) is not in the files"),
            std::string::npos)
      << run.err;
}

TEST_F(MutateExplains, EveryContainerSkippedIsSaid) {
  auto run = mutate(R"({"kind":"Pod","metadata":{"namespace":"shop",
      "annotations":{"eks.amazonaws.com/skip-containers":"main,sidecar"}},
    "spec":{"serviceAccountName":"api","containers":[{"name":"main"},{"name":"sidecar"}]}})");
  EXPECT_EQ(run.exit_code, 0);
  // The patch still adds the token volume, so stdout is not "[]": the line says what it lacks.
  EXPECT_NE(run.out.find("aws-iam-token"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("/spec/containers"), std::string::npos) << run.out;
  EXPECT_EQ(run.err,
            "irsa-webhook mutate: no container mutated: eks.amazonaws.com/skip-containers skips "
            "every container (main, sidecar); the patch adds only pod-level fields\n");
}

TEST_F(MutateExplains, AnAlreadyMutatedPodIsSaid) {
  // The output of one run, fed back in: everything is already there.
  cli::MutateOptions first;
  first.pod_file = dir_.write("fresh.json", R"({"kind":"Pod","metadata":{"namespace":"shop"},
    "spec":{"serviceAccountName":"api","containers":[{"name":"c"}]}})");
  first.service_account_files = {accounts_};
  first.output = "pod";
  std::ostringstream mutated;
  std::ostringstream first_err;
  ASSERT_EQ(cli::run_mutate(first, mutated, first_err), 0) << first_err.str();
  EXPECT_EQ(first_err.str(), "") << "a mutation needs no explanation";

  auto run = mutate(mutated.str());
  expect_explained(run,
                   "the pod already carries web identity (role "
                   "arn:aws:iam::111122223333:role/api) in every container");
}

TEST_F(MutateExplains, APartlySkippedAlreadyMutatedPodNamesTheSkipped) {
  cli::MutateOptions first;
  first.pod_file = dir_.write("fresh.json", R"({"kind":"Pod","metadata":{"namespace":"shop",
      "annotations":{"eks.amazonaws.com/skip-containers":"proxy"}},
    "spec":{"serviceAccountName":"api","containers":[{"name":"c"},{"name":"proxy"}]}})");
  first.service_account_files = {accounts_};
  first.output = "pod";
  std::ostringstream mutated;
  std::ostringstream first_err;
  ASSERT_EQ(cli::run_mutate(first, mutated, first_err), 0) << first_err.str();

  auto run = mutate(mutated.str());
  expect_explained(run,
                   "the pod already carries web identity (role "
                   "arn:aws:iam::111122223333:role/api) in every container it does not skip "
                   "(skipped: proxy)");
}

TEST_F(MutateExplains, TheSkipLabelIsNotedEvenWhenThePreviewMutates) {
  auto run = mutate(R"({"kind":"Pod","metadata":{"namespace":"shop",
      "labels":{"eks.amazonaws.com/skip-pod-identity-webhook":"true"}},
    "spec":{"serviceAccountName":"api","containers":[{"name":"c"}]}})");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("AWS_ROLE_ARN"), std::string::npos) << "stdout is still the patch";
  EXPECT_EQ(run.err,
            "irsa-webhook mutate: note: the pod has the label "
            "eks.amazonaws.com/skip-pod-identity-webhook, so the webhook configuration never "
            "sends it to the webhook; this preview ignores the label\n");
}

TEST_F(MutateCommand, ExplainsAnEmptyPatchOnStderrAndKeepsStdout) {
  write("no-namespace.yaml", R"(kind: Pod
metadata: {name: job}
spec:
  serviceAccountName: reader
  containers: [{name: main}]
)");
  for (const char* output : {"patch", "review"}) {
    auto result =
        mutate({"--pod=" + path("no-namespace.yaml"), "--service-account=" + path("sa.yaml"),
                std::string("--output=") + output});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    if (std::string(output) == "patch") {
      EXPECT_EQ(result.out, "[]\n");
    } else {
      EXPECT_NE(result.out.find("\"allowed\":true"), std::string::npos) << result.out;
    }
    EXPECT_EQ(result.err,
              "irsa-webhook mutate: no container mutated: ServiceAccount default/reader (the Pod "
              "has no metadata.namespace, so namespace \"default\" was used) is not in the "
              "files; they hold data/reader, data/short; data/reader has the same name in another "
              "namespace\n");
  }
}

TEST_F(MutateCommand, ReadsTheAnnotationPrefixFlagForNearMisses) {
  write("prefixed.yaml", R"(kind: ServiceAccount
metadata: {name: reader, namespace: data,
           annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/reader"}}
)");
  auto result = mutate({"--pod=" + path("pod.yaml"), "--service-account=" + path("prefixed.yaml"),
                        "--annotation-prefix=example.com"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "[]\n");
  EXPECT_NE(result.err.find("ServiceAccount data/reader names no role: \"eks.amazonaws.com/"
                            "role-arn\" uses the prefix eks.amazonaws.com; the webhook reads "
                            "example.com (fix: example.com/role-arn)"),
            std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace irsa::testing
