// `irsa-webhook doctor` and `irsa-webhook trust-policy` offline, as a user runs them: the real
// binary on real files, its exit codes, its text and its JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::testing {
namespace {

using nlohmann::json;

constexpr const char* kIssuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC";

constexpr const char* kAccount = R"(apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/shop-api
)";

constexpr const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers:
      - name: app
        image: shop/api
        env:
        - {name: AWS_REGION, value: eu-west-1}
)";

std::string trust_policy(const std::string& ns) {
  return R"({"Version":"2012-10-17","Statement":[{"Sid":"Shop","Effect":"Allow",
  "Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
  "Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{
  "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:)" +
         ns + R"(:api","oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud":"sts.amazonaws.com"}}}]})";
}

class DoctorOffline : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("sa.yaml", kAccount);
    dir_.write("deployment.yaml", kDeployment);
    dir_.write("trust.json", trust_policy("shop"));
  }
  [[nodiscard]] std::string path(const std::string& name) const { return dir_.path(name); }

  ProcessResult doctor(std::vector<std::string> extra, const std::string& stdin_text = {}) const {
    std::vector<std::string> args = {
        "doctor", "--service-account=" + path("sa.yaml"), "--pod=" + path("deployment.yaml"),
        "--trust-policy=" + path("trust.json"), "--issuer=" + std::string(kIssuer)};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_process(IRSA_WEBHOOK_BINARY, args, stdin_text);
  }

  // The checks of a --output=json run, by name.
  static std::map<std::string, json> checks_of(const ProcessResult& result) {
    const json report = json::parse(result.out);
    std::map<std::string, json> checks;
    for (const auto& check : report.at("checks")) checks[check.at("name")] = check;
    return checks;
  }

  ScratchDir dir_{"irsa-doctor"};
};

TEST_F(DoctorOffline, AHealthyAccountExitsZeroAndSkipsWhatNeedsACluster) {
  const ProcessResult result = doctor({"--output=json"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const json report = json::parse(result.out);
  EXPECT_EQ(report["subject"]["namespace"], "shop");
  EXPECT_EQ(report["subject"]["serviceAccount"], "api");
  std::vector<std::string> names;
  for (const auto& check : report["checks"]) names.push_back(check["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"annotation", "role-arn", "webhook", "pods", "issuer",
                                             "token", "trust-policy", "environment", "sts"}));
  const auto checks = checks_of(result);
  for (const char* name : {"annotation", "role-arn", "issuer", "trust-policy", "environment"}) {
    EXPECT_EQ(checks.at(name)["status"], "pass") << name << ": " << checks.at(name)["finding"];
    EXPECT_FALSE(checks.at(name).contains("remedy")) << name;
  }
  for (const char* name : {"webhook", "pods", "token", "sts"}) {
    EXPECT_EQ(checks.at(name)["status"], "skip") << name;
  }
}

TEST_F(DoctorOffline, TextIsOneLinePerCheckWithTheFixUnderAFailure) {
  dir_.write("trust.json", trust_policy("shop-dev"));
  const ProcessResult result = doctor({});
  ASSERT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.out.find("FAIL trust-policy"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("ok   annotation"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("names namespace `shop-dev`, the pod runs in `shop`"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("fix:"), std::string::npos);
  EXPECT_NE(result.out.find("\"system:serviceaccount:shop:api\""), std::string::npos);
  EXPECT_NE(result.out.find("1 check failed"), std::string::npos);
}

struct BrokenCase {
  const char* name;
  const char* account;     // replaces sa.yaml when set
  const char* deployment;  // replaces deployment.yaml when set
  const char* issuer;      // replaces --issuer when set
  const char* failing_check;
  const char* remedy_part;
};

class DoctorOfflineBroken : public DoctorOffline,
                            public ::testing::WithParamInterface<BrokenCase> {};

TEST_P(DoctorOfflineBroken, NamesTheLinkAndTheRemedyAndExitsOne) {
  const BrokenCase& broken = GetParam();
  if (broken.account != nullptr) dir_.write("sa.yaml", broken.account);
  if (broken.deployment != nullptr) dir_.write("deployment.yaml", broken.deployment);
  std::vector<std::string> extra = {"-o", "json"};
  if (broken.issuer != nullptr) extra.push_back(std::string("--issuer=") + broken.issuer);
  const ProcessResult result = doctor(extra);
  ASSERT_EQ(result.exit_code, 1) << result.out << result.err;
  const auto checks = checks_of(result);
  const json& check = checks.at(broken.failing_check);
  EXPECT_EQ(check["status"], "fail") << check.dump();
  ASSERT_TRUE(check.contains("remedy"));
  EXPECT_NE(check["remedy"].get<std::string>().find(broken.remedy_part), std::string::npos)
      << check["remedy"];
  EXPECT_EQ(result.out.find("wJalrXUtnFEMI"), std::string::npos) << "a secret value was printed";
}

INSTANTIATE_TEST_SUITE_P(
    Links, DoctorOfflineBroken,
    ::testing::Values(
        BrokenCase{"prefix_typo",
                   R"(apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
  annotations:
    eks.amazon.com/role-arn: arn:aws:iam::111122223333:role/shop-api
)",
                   nullptr, nullptr, "annotation",
                   "eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/shop-api"},
        BrokenCase{"user_arn",
                   R"(apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:user/shop-api
)",
                   nullptr, nullptr, "role-arn", "kubectl annotate serviceaccount -n shop api"},
        BrokenCase{"plain_http_issuer", nullptr, nullptr, "http://oidc.example/id/ABC", "issuer",
                   "aws eks describe-cluster"},
        BrokenCase{"static_keys", nullptr,
                   R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: api
      containers:
      - name: app
        image: shop/api
        env:
        - {name: AWS_REGION, value: eu-west-1}
        - {name: AWS_ACCESS_KEY_ID, value: AKIAIOSFODNN7EXAMPLE}
        - {name: AWS_SECRET_ACCESS_KEY, value: wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY}
)",
                   nullptr, "environment", "remove AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"}),
    [](const ::testing::TestParamInfo<BrokenCase>& row) { return std::string(row.param.name); });

TEST_F(DoctorOffline, TheSubjectPicksOneAccountOfSeveral) {
  dir_.write("sa.yaml",
             std::string(kAccount) + "---\n" +
                 "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n");
  const ProcessResult ambiguous =
      run_process(IRSA_WEBHOOK_BINARY, {"doctor", "--service-account=" + path("sa.yaml")});
  EXPECT_EQ(ambiguous.exit_code, 2);
  EXPECT_NE(ambiguous.err.find("shop/api, shop/web"), std::string::npos) << ambiguous.err;
  const ProcessResult picked = run_process(
      IRSA_WEBHOOK_BINARY, {"doctor", "shop/web", "--service-account=" + path("sa.yaml")});
  EXPECT_EQ(picked.exit_code, 1) << picked.out;  // web names no role
  EXPECT_NE(picked.out.find("FAIL annotation"), std::string::npos) << picked.out;
}

TEST_F(DoctorOffline, BadInputIsOneLineAndExitTwo) {
  dir_.write("not-json.json", "Version: 2012-10-17\n{{");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--trust-policy=" + path("not-json.json")}, "not-json.json"},
      {{"--trust-policy=" + path("missing.json")}, "missing.json"},
      {{"shop/api", "-n", "other"}, "-n says other"},
      {{"--try-assume"}, "--try-assume"},
      {{"--kube-api=https://127.0.0.1:1"}, "--kube-api"},
  };
  for (const auto& [extra, named] : cases) {
    const ProcessResult result = doctor(extra);
    EXPECT_EQ(result.exit_code, 2) << named << ": " << result.out << result.err;
    EXPECT_NE(result.err.find(named), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
  }
}

TEST_F(DoctorOffline, TheTrustPolicyCanComeFromStdinAsGetRoleOutput) {
  const json get_role = {{"Role",
                          {{"RoleName", "shop-api"},
                           {"Arn", "arn:aws:iam::111122223333:role/shop-api"},
                           {"AssumeRolePolicyDocument", json::parse(trust_policy("shop"))}}}};
  const ProcessResult result = doctor({"--trust-policy=-"}, get_role.dump());
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

TEST_F(DoctorOffline, AnUnreachableApiServerIsOneLineAndExitTwo) {
  const ProcessResult result =
      run_process(IRSA_WEBHOOK_BINARY, {"doctor", "shop/api", "--kube-api=https://127.0.0.1:1"});
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.err.find("cannot read from the API server at https://127.0.0.1:1"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

TEST_F(DoctorOffline, TheGeneratedTrustPolicyPassesTheTrustPolicyCheck) {
  const ProcessResult generated =
      run_process(IRSA_WEBHOOK_BINARY,
                  {"trust-policy", "shop/api", "--account", "111122223333", "--issuer", kIssuer});
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  const json policy = json::parse(generated.out);
  EXPECT_EQ(policy["Version"], "2012-10-17");
  dir_.write("trust.json", generated.out);
  const ProcessResult checked = doctor({"-o", "json"});
  EXPECT_EQ(checks_of(checked).at("trust-policy")["status"], "pass") << checked.out;
}

TEST_F(DoctorOffline, TrustPolicyRefusesABadAccountOrSubject) {
  const ProcessResult account = run_process(
      IRSA_WEBHOOK_BINARY, {"trust-policy", "shop/api", "--account", "1234", "--issuer", kIssuer});
  EXPECT_EQ(account.exit_code, 2);
  EXPECT_NE(account.err.find("--account \"1234\" is not 12 digits"), std::string::npos)
      << account.err;
  const ProcessResult subject =
      run_process(IRSA_WEBHOOK_BINARY,
                  {"trust-policy", "api", "--account", "111122223333", "--issuer", kIssuer});
  EXPECT_EQ(subject.exit_code, 2);
  EXPECT_NE(subject.err.find("NAMESPACE/SERVICEACCOUNT"), std::string::npos) << subject.err;
}

TEST_F(DoctorOffline, ANamespaceOrAllNamespacesChecksOnlyAccountsThatNameARole) {
  dir_.write("sa.yaml",
             std::string(kAccount) + "---\n" +
                 "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n");
  for (const std::vector<std::string>& scope :
       {std::vector<std::string>{"-n", "shop"}, std::vector<std::string>{"--all-namespaces"}}) {
    std::vector<std::string> args = {"doctor",
                                     "--service-account=" + path("sa.yaml"),
                                     "--trust-policy=" + path("trust.json"),
                                     "--issuer=" + std::string(kIssuer),
                                     "-o",
                                     "json"};
    args.insert(args.end(), scope.begin(), scope.end());
    const ProcessResult result = run_process(IRSA_WEBHOOK_BINARY, args);
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    const json reports = json::parse(result.out);
    ASSERT_EQ(reports.size(), 1U) << reports.dump(2);
    EXPECT_EQ(reports[0]["subject"]["serviceAccount"], "api");
  }
}

TEST_F(DoctorOffline, TheRoleAnnotationOnTheDeploymentIsNamed) {
  dir_.write("sa.yaml",
             "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop}\n");
  std::string deployment = kDeployment;
  deployment.replace(deployment.find("metadata: {name: api, namespace: shop}"),
                     std::string("metadata: {name: api, namespace: shop}").size(),
                     "metadata: {name: api, namespace: shop, annotations: "
                     "{eks.amazonaws.com/role-arn: 'arn:aws:iam::111122223333:role/shop-api'}}");
  dir_.write("deployment.yaml", deployment);
  const ProcessResult result = doctor({"-o", "json"});
  ASSERT_EQ(result.exit_code, 1) << result.out << result.err;
  const auto check = checks_of(result).at("annotation");
  EXPECT_NE(check["details"].dump().find("controller shop/api carries eks.amazonaws.com/role-arn"),
            std::string::npos)
      << check.dump(2);
  EXPECT_NE(check["remedy"].get<std::string>().find(
                "eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/shop-api"),
            std::string::npos);
}

TEST_F(DoctorOffline, AServiceAccountListAsTheApiPrintsItIsRead) {
  // kubectl get serviceaccounts -o json: the items carry no kind of their own.
  dir_.write("sa.json", R"({"apiVersion":"v1","kind":"ServiceAccountList","items":[
    {"metadata":{"name":"api","namespace":"shop","annotations":{
      "eks.amazonaws.com/role-arn":"arn:aws:iam::111122223333:role/shop-api"}}}]})");
  const ProcessResult result =
      run_process(IRSA_WEBHOOK_BINARY,
                  {"doctor", "shop/api", "--service-account=" + path("sa.json"), "-o", "json"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(checks_of(result).at("annotation")["status"], "pass");
}

TEST_F(DoctorOffline, APodOfAnotherAccountIsAUsageError) {
  const ProcessResult result = doctor({"shop/web"});
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.err.find("runs as shop/api, not shop/web"), std::string::npos) << result.err;
}

TEST_F(DoctorOffline, ObjectsOfTheWrongShapeAreOneLineNamingTheFile) {
  const std::vector<std::pair<std::string, std::string>> pods = {
      {"kind-number.yaml", "kind: 5\nmetadata: {name: x}\n"},
      {"spec-list.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: [1, 2]\n"},
      {"metadata-list.yaml",
       "apiVersion: apps/v1\nkind: Deployment\nmetadata: [a]\nspec: {template: {spec: {}}}\n"},
      {"review-namespace.yaml",
       "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest: {namespace: 5, object: "
       "{kind: Pod, spec: {serviceAccountName: api}}}\n"},
  };
  for (const auto& [name, text] : pods) {
    dir_.write(name, text);
    const ProcessResult result =
        run_process(IRSA_WEBHOOK_BINARY,
                    {"doctor", "--service-account=" + path("sa.yaml"), "--pod=" + path(name)});
    EXPECT_NE(result.exit_code, 0) << name;
    EXPECT_LT(result.exit_code, 3) << name << ": " << result.err;
    if (result.exit_code == 2) {
      EXPECT_NE(result.err.find(name), std::string::npos) << result.err;
      EXPECT_EQ(result.err.find("json.exception"), std::string::npos) << result.err;
    }
  }
  dir_.write("bad-sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: 5}\n");
  const ProcessResult account =
      run_process(IRSA_WEBHOOK_BINARY, {"doctor", "--service-account=" + path("bad-sa.yaml")});
  EXPECT_EQ(account.exit_code, 2);
  EXPECT_NE(account.err.find("bad-sa.yaml"), std::string::npos) << account.err;
  EXPECT_EQ(account.err.find("json.exception"), std::string::npos) << account.err;
}

TEST_F(DoctorOffline, OnlyOneInputMayComeFromStandardInput) {
  const ProcessResult result = doctor({"--pod=-", "--trust-policy=-"}, "{}");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("cannot both read standard input"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace irsa::testing
