// The mutation rules, on pods written for these tests.
#include "irsa/core/admission.hpp"

#include <gtest/gtest.h>

#include "irsa/core/identity_sources.hpp"
#include "support/reviews.hpp"

namespace irsa::core {
namespace {

using irsa::testing::apply_patch;
using irsa::testing::review_for_pod;
using nlohmann::json;

constexpr const char* kRole = "arn:aws:iam::111122223333:role/orders-writer";

class AdmissionTest : public ::testing::Test {
 protected:
  AdmissionTest() { annotate("apps", "orders", {{"eks.amazonaws.com/role-arn", kRole}}); }

  void annotate(const std::string& ns, const std::string& name, Annotations annotations) {
    identities.add_service_account(ns, name, entry_from_service_account(annotations, settings));
  }

  Admission run(const json& pod, const std::string& ns = "apps", std::uint64_t jitter = 0) {
    return review_admission(review_for_pod(pod, ns), settings, identities, {jitter}, scratch);
  }

  static json pod(json containers, const std::string& service_account = "orders") {
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"generateName", "orders-"}, {"labels", {{"app", "orders"}}}}},
            {"spec", {{"serviceAccountName", service_account}, {"containers", containers}}}};
  }

  static json env_names(const json& container) {
    json names = json::array();
    for (const auto& var : container.value("env", json::array())) names.push_back(var["name"]);
    return names;
  }

  Settings settings;
  StaticIdentities identities;
  Scratch scratch;
};

TEST_F(AdmissionTest, WebIdentityAddsVolumeVariablesAndMount) {
  json input = pod(json::array({{{"name", "app"}, {"image", "orders:1"}}}));
  auto admission = run(input);
  ASSERT_EQ(admission.decision.result, Result::mutated);
  EXPECT_EQ(admission.decision.mode, Mode::web_identity);
  EXPECT_EQ(admission.decision.role_arn, kRole);
  json out = apply_patch(input, admission.patch);
  const json& app = out["spec"]["containers"][0];
  EXPECT_EQ(env_names(app), json({"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}));
  EXPECT_EQ(app["env"][0]["value"], kRole);
  EXPECT_EQ(app["env"][1]["value"], "/var/run/secrets/eks.amazonaws.com/serviceaccount/token");
  EXPECT_EQ(app["volumeMounts"], json::parse(R"([{"name":"aws-iam-token","readOnly":true,
      "mountPath":"/var/run/secrets/eks.amazonaws.com/serviceaccount"}])"));
  EXPECT_EQ(out["spec"]["volumes"], json::parse(R"([{"name":"aws-iam-token","projected":{"sources":[
      {"serviceAccountToken":{"audience":"sts.amazonaws.com","expirationSeconds":86400,"path":"token"}}]}}])"));
  EXPECT_EQ(admission.decision.mutated_containers, std::vector<std::string>{"app"});
}

TEST_F(AdmissionTest, PatchOnlyAddsAndKeepsFieldsItDoesNotKnow) {
  json input = pod(
      json::array({{{"name", "app"},
                    {"futureField", {{"x", 1}}},
                    {"env", json::array({{{"name", "A"}, {"value", "1"}, {"unknown", true}}})},
                    {"volumeMounts", json::array({{{"name", "data"}, {"mountPath", "/data"}}})}}}));
  input["spec"]["volumes"] = json::array({{{"name", "data"}, {"emptyDir", json::object()}}});
  auto admission = run(input);
  json ops = json::parse(admission.patch);
  for (const auto& op : ops) {
    EXPECT_EQ(op["op"], "add");
    EXPECT_NE(op["path"], "/spec/containers") << "never replaces whole arrays";
  }
  json out = apply_patch(input, admission.patch);
  const json& app = out["spec"]["containers"][0];
  EXPECT_EQ(app["futureField"], input["spec"]["containers"][0]["futureField"]);
  EXPECT_EQ(app["env"][0], input["spec"]["containers"][0]["env"][0]);
  EXPECT_EQ(env_names(app), json({"A", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}));
  EXPECT_EQ(app["volumeMounts"][0]["name"], "data");
  EXPECT_EQ(app["volumeMounts"][1]["name"], "aws-iam-token");
  EXPECT_EQ(out["spec"]["volumes"][0]["name"], "aws-iam-token") << "prepended, as upstream";
  EXPECT_EQ(out["spec"]["volumes"][1]["name"], "data");
}

TEST_F(AdmissionTest, RegionAndRegionalStsComeFirstInUpstreamOrder) {
  settings.aws_default_region = "eu-west-1";
  annotate("apps", "orders",
           {{"eks.amazonaws.com/role-arn", kRole},
            {"eks.amazonaws.com/sts-regional-endpoints", "true"}});
  json input = pod(json::array({{{"name", "app"}}}));
  json out = apply_patch(input, run(input).patch);
  EXPECT_EQ(env_names(out["spec"]["containers"][0]),
            json({"AWS_STS_REGIONAL_ENDPOINTS", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ROLE_ARN",
                  "AWS_WEB_IDENTITY_TOKEN_FILE"}));
}

TEST_F(AdmissionTest, AnyExistingRegionVariableBlocksBoth) {
  settings.aws_default_region = "eu-west-1";
  json input = pod(
      json::array({{{"name", "app"},
                    {"env", json::array({{{"name", "AWS_DEFAULT_REGION"}, {"value", "x"}}})}}}));
  json out = apply_patch(input, run(input).patch);
  EXPECT_EQ(env_names(out["spec"]["containers"][0]),
            json({"AWS_DEFAULT_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}));
}

TEST_F(AdmissionTest, InitContainersAndSidecarsAreMutatedEphemeralOnesNot) {
  json input = pod(json::array({{{"name", "app"}}}));
  input["spec"]["initContainers"] =
      json::array({{{"name", "migrate"}}, {{"name", "proxy"}, {"restartPolicy", "Always"}}});
  input["spec"]["ephemeralContainers"] = json::array({{{"name", "debug"}}});
  auto admission = run(input);
  json out = apply_patch(input, admission.patch);
  EXPECT_EQ(env_names(out["spec"]["initContainers"][0]).size(), 2u);
  EXPECT_EQ(out["spec"]["initContainers"][1]["restartPolicy"], "Always");
  EXPECT_EQ(env_names(out["spec"]["initContainers"][1]).size(), 2u);
  EXPECT_FALSE(out["spec"]["ephemeralContainers"][0].contains("env"));
  EXPECT_EQ(admission.decision.mutated_containers,
            (std::vector<std::string>{"app", "migrate", "proxy"}));
}

TEST_F(AdmissionTest, PodAnnotationOverridesExpirationAndIsClamped) {
  annotate("apps", "orders",
           {{"eks.amazonaws.com/role-arn", kRole}, {"eks.amazonaws.com/token-expiration", "7200"}});
  json input = pod(json::array({{{"name", "app"}}}));
  EXPECT_EQ(run(input).decision.token_expiration, 7200) << "ServiceAccount beats the flag";
  input["metadata"]["annotations"] = {{"eks.amazonaws.com/token-expiration", "3600"}};
  EXPECT_EQ(run(input).decision.token_expiration, 3600) << "pod beats ServiceAccount";
  input["metadata"]["annotations"] = {{"eks.amazonaws.com/token-expiration", "-5"}};
  EXPECT_EQ(run(input).decision.token_expiration, 600);
  input["metadata"]["annotations"] = {{"eks.amazonaws.com/token-expiration", "soon"}};
  auto admission = run(input);
  EXPECT_EQ(admission.decision.token_expiration, 7200);
  ASSERT_EQ(admission.decision.warnings.size(), 1u);
  EXPECT_NE(admission.decision.warnings[0].find("using 7200"), std::string::npos);
}

TEST_F(AdmissionTest, WebIdentityTokensAreNeverJittered) {
  json input = pod(json::array({{{"name", "app"}}}));
  EXPECT_EQ(run(input, "apps", 12345).decision.token_expiration, 86400);
}

TEST_F(AdmissionTest, SkipContainersLeavesNamedContainersAloneAndWarnsAboutUnknownNames) {
  json input = pod(json::array({{{"name", "app"}}, {{"name", "istio-proxy"}}}));
  input["metadata"]["annotations"] = {{"eks.amazonaws.com/skip-containers", "istio-proxy, ghost"}};
  auto admission = run(input);
  json out = apply_patch(input, admission.patch);
  EXPECT_EQ(env_names(out["spec"]["containers"][0]).size(), 2u);
  EXPECT_EQ(out["spec"]["containers"][1], input["spec"]["containers"][1]);
  EXPECT_EQ(admission.decision.skipped_containers, std::vector<std::string>{"istio-proxy"});
  ASSERT_EQ(admission.decision.warnings.size(), 1u);
  EXPECT_NE(admission.decision.warnings[0].find("\"ghost\""), std::string::npos);
}

TEST_F(AdmissionTest, InvalidSkipListSkipsNothingAndSaysSo) {
  json input = pod(json::array({{{"name", "app"}}}));
  input["metadata"]["annotations"] = {{"eks.amazonaws.com/skip-containers", "ap\"p"}};
  auto admission = run(input);
  EXPECT_EQ(admission.decision.mutated_containers, std::vector<std::string>{"app"});
  ASSERT_EQ(admission.decision.warnings.size(), 1u);
  EXPECT_NE(admission.decision.warnings[0].find("not valid CSV"), std::string::npos);
}

TEST_F(AdmissionTest, WindowsPodsGetADriveLetterTokenPath) {
  for (const auto& windows : {json{{"nodeSelector", {{"kubernetes.io/os", "windows"}}}},
                              json{{"nodeSelector", {{"beta.kubernetes.io/os", "windows"}}}},
                              json{{"os", {{"name", "windows"}}}}}) {
    json input = pod(json::array({{{"name", "app"}}}));
    input["spec"].update(windows);
    json out = apply_patch(input, run(input).patch);
    const json& app = out["spec"]["containers"][0];
    EXPECT_EQ(app["env"][1]["value"],
              "C:\\var\\run\\secrets\\eks.amazonaws.com\\serviceaccount\\token")
        << windows;
    EXPECT_EQ(app["volumeMounts"][0]["mountPath"],
              "/var/run/secrets/eks.amazonaws.com/serviceaccount");
  }
}

TEST_F(AdmissionTest, TokenPathIsCleaned) {
  settings.web_identity.mount_path = "/var//run/secrets/";
  json input = pod(json::array({{{"name", "app"}}}));
  json out = apply_patch(input, run(input).patch);
  EXPECT_EQ(out["spec"]["containers"][0]["env"][1]["value"], "/var/run/secrets/token");
}

TEST_F(AdmissionTest, ContainerWithEverythingIsLeftAloneAsUpstreamDoes) {
  json env = json::array({{{"name", "AWS_REGION"}, {"value", "x"}},
                          {{"name", "AWS_STS_REGIONAL_ENDPOINTS"}, {"value", "regional"}},
                          {{"name", "AWS_ROLE_ARN"}, {"value", "mine"}}});
  json input = pod(json::array({{{"name", "app"}, {"env", env}}}));
  auto admission = run(input);
  json out = apply_patch(input, admission.patch);
  EXPECT_EQ(out["spec"]["containers"][0], input["spec"]["containers"][0]);
  ASSERT_EQ(admission.decision.warnings.size(), 1u);
  EXPECT_NE(admission.decision.warnings[0].find("sets AWS_ROLE_ARN itself"), std::string::npos);
}

TEST_F(AdmissionTest, AnExistingMountAtTheTokenPathIsNotDuplicated) {
  json mounts = json::array({{{"name", "istio-token"},
                              {"mountPath", "/var/run/secrets/eks.amazonaws.com/serviceaccount"}}});
  json input = pod(json::array({{{"name", "app"}, {"volumeMounts", mounts}}}));
  auto admission = run(input);
  json out = apply_patch(input, admission.patch);
  EXPECT_EQ(out["spec"]["containers"][0]["volumeMounts"].size(), 1u);
  ASSERT_EQ(admission.decision.warnings.size(), 1u);
  EXPECT_NE(admission.decision.warnings[0].find("token mount not added"), std::string::npos);
}

TEST_F(AdmissionTest, AVolumeWithOurNameThatIsNoTokenIsKeptWithAWarning) {
  json input = pod(json::array({{{"name", "app"}}}));
  input["spec"]["volumes"] =
      json::array({{{"name", "aws-iam-token"}, {"hostPath", {{"path", "/tmp"}}}}});
  auto admission = run(input);
  json out = apply_patch(input, admission.patch);
  EXPECT_EQ(out["spec"]["volumes"], input["spec"]["volumes"]);
  ASSERT_EQ(admission.decision.warnings.size(), 1u);
  EXPECT_NE(admission.decision.warnings[0].find("not a projected token"), std::string::npos);
}

TEST_F(AdmissionTest, UnannotatedOrUnknownServiceAccountsAreNotMutated) {
  annotate("apps", "plain", {});
  auto plain = run(pod(json::array({{{"name", "app"}}}), "plain"));
  EXPECT_EQ(plain.decision.result, Result::not_mutated);
  EXPECT_FALSE(plain.decision.service_account_missing);
  EXPECT_EQ(plain.patch, "");
  auto unknown = run(pod(json::array({{{"name", "app"}}}), "ghost"));
  EXPECT_EQ(unknown.decision.result, Result::not_mutated);
  EXPECT_TRUE(unknown.decision.service_account_missing);
  EXPECT_EQ(
      json::parse(unknown.response)["response"],
      json::parse(std::string(R"({"uid":")") + irsa::testing::kTestUid + R"(","allowed":true})"));
}

TEST_F(AdmissionTest, ConfigMapEntriesApplyOnlyWhereTheServiceAccountNamesNoRole) {
  IdentityEntry mapped;
  mapped.role_arn = "arn:aws:iam::111122223333:role/mapped";
  mapped.audience = "sts.amazonaws.com";
  mapped.token_expiration = 3600;
  identities.add_config_map_entry("apps", "orders", mapped);
  identities.add_config_map_entry("apps", "plain", mapped);
  IdentityEntry wildcard = mapped;
  wildcard.role_arn = "arn:aws:iam::111122223333:role/everywhere";
  identities.add_config_map_entry("*", "shared", wildcard);
  annotate("apps", "plain", {});

  EXPECT_EQ(run(pod(json::array({{{"name", "a"}}}), "orders")).decision.role_arn, kRole);
  auto plain = run(pod(json::array({{{"name", "a"}}}), "plain"));
  EXPECT_EQ(plain.decision.role_arn, mapped.role_arn);
  EXPECT_EQ(plain.decision.token_expiration, 3600);
  EXPECT_EQ(run(pod(json::array({{{"name", "a"}}}), "shared"), "other-ns").decision.role_arn,
            wildcard.role_arn);
}

TEST_F(AdmissionTest, ServiceAccountProblemsBecomeWarnings) {
  annotate("apps", "orders", {{"eks.amazonaws.com/role-arn", "orders-writer"}});
  auto admission = run(pod(json::array({{{"name", "app"}}})));
  ASSERT_EQ(admission.decision.warnings.size(), 1u);
  EXPECT_NE(admission.decision.warnings[0].find("not an IAM role ARN"), std::string::npos);
  json response = json::parse(admission.response)["response"];
  EXPECT_EQ(response["warnings"][0], admission.decision.warnings[0]);
}

class PodIdentityTest : public AdmissionTest {
 protected:
  PodIdentityTest() { identities.add_container_credentials("apps", "orders"); }
};

TEST_F(PodIdentityTest, WinsOverTheRoleAndAddsLabelVolumeAndVariables) {
  json input = pod(json::array({{{"name", "app"}}}));
  auto admission = run(input, "apps", 100);
  ASSERT_EQ(admission.decision.mode, Mode::container_credentials);
  json out = apply_patch(input, admission.patch);
  EXPECT_EQ(out["metadata"]["labels"],
            json({{"app", "orders"}, {"eks.amazonaws.com/pod-identity", "enabled"}}));
  const json& app = out["spec"]["containers"][0];
  EXPECT_EQ(env_names(app),
            json({"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"}));
  EXPECT_EQ(app["env"][0]["value"], "http://169.254.170.23/v1/credentials");
  EXPECT_EQ(app["env"][1]["value"],
            "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token");
  const json& token = out["spec"]["volumes"][0]["projected"]["sources"][0]["serviceAccountToken"];
  EXPECT_EQ(token["audience"], "pods.eks.amazonaws.com");
  EXPECT_EQ(token["expirationSeconds"], 79200 + 100);
}

TEST_F(PodIdentityTest, LabelOpFitsTheMetadataItFinds) {
  json no_labels = pod(json::array({{{"name", "app"}}}));
  no_labels["metadata"].erase("labels");
  auto first = json::parse(run(no_labels).patch);
  EXPECT_EQ(first[0]["path"], "/metadata/labels");
  json with_labels = pod(json::array({{{"name", "app"}}}));
  auto second = json::parse(run(with_labels).patch);
  EXPECT_EQ(second[0]["path"], "/metadata/labels/eks.amazonaws.com~1pod-identity");
  json no_metadata = pod(json::array({{{"name", "app"}}}));
  no_metadata.erase("metadata");
  json out = apply_patch(no_metadata, run(no_metadata).patch);
  EXPECT_EQ(out["metadata"]["labels"]["eks.amazonaws.com/pod-identity"], "enabled");
}

TEST_F(PodIdentityTest, JitterModesSpreadOnlyTheDefaultLifetime) {
  json input = pod(json::array({{{"name", "app"}}}));
  for (std::uint64_t entropy : {0ull, 7200ull, 7201ull, ~0ull}) {
    auto seconds = run(input, "apps", entropy).decision.token_expiration;
    EXPECT_GE(seconds, 79200);
    EXPECT_LE(seconds, 86400);
  }
  EXPECT_EQ(run(input, "apps", 7200).decision.token_expiration, 86400);
  settings.token_jitter = TokenJitter::min;
  EXPECT_EQ(run(input, "apps", 5).decision.token_expiration, 79200);
  settings.token_jitter = TokenJitter::off;
  EXPECT_EQ(run(input, "apps", 5).decision.token_expiration, 86400);
  settings.token_jitter = TokenJitter::random;
  input["metadata"]["annotations"] = {{"eks.amazonaws.com/token-expiration", "86400"}};
  EXPECT_EQ(run(input, "apps", 5).decision.token_expiration, 79205)
      << "explicit 86400 too, as upstream";
  input["metadata"]["annotations"] = {{"eks.amazonaws.com/token-expiration", "90000"}};
  EXPECT_EQ(run(input, "apps", 5).decision.token_expiration, 90000);
}

TEST_F(PodIdentityTest, WithoutServiceAccountUsesTheFlags) {
  settings.sts_regional_endpoint = true;
  settings.token_expiration = 4000;
  identities.add_container_credentials("apps", "unlisted-sa");
  json input = pod(json::array({{{"name", "app"}}}), "unlisted-sa");
  auto admission = run(input);
  EXPECT_EQ(admission.decision.token_expiration, 4000);
  json out = apply_patch(input, admission.patch);
  EXPECT_EQ(out["spec"]["containers"][0]["env"][0]["name"], "AWS_STS_REGIONAL_ENDPOINTS");
}

TEST_F(AdmissionTest, ResponseEchoesEnvelopeAndUid) {
  json input = pod(json::array({{{"name", "app"}}}));
  for (const std::string version : {"admission.k8s.io/v1", "admission.k8s.io/v1beta1"}) {
    auto review = irsa::testing::review_json_for_pod(input, "apps", version);
    auto admission = review_admission(review.dump(), settings, identities, {}, scratch);
    json response = json::parse(admission.response);
    EXPECT_EQ(response["apiVersion"], version);
    EXPECT_EQ(response["kind"], "AdmissionReview");
    EXPECT_EQ(response["response"]["uid"], irsa::testing::kTestUid);
    EXPECT_EQ(response["response"]["patchType"], "JSONPatch");
    EXPECT_EQ(response["response"]["auditAnnotations"],
              json({{"mode", "web-identity"}, {"role-arn", kRole}}));
  }
  auto bare = irsa::testing::review_json_for_pod(input, "apps");
  bare.erase("apiVersion");
  bare.erase("kind");
  json response =
      json::parse(review_admission(bare.dump(), settings, identities, {}, scratch).response);
  EXPECT_FALSE(response.contains("apiVersion")) << "upstream omits what the request lacked";
}

TEST_F(AdmissionTest, OperationsOtherThanCreatePassUntouched) {
  auto review = irsa::testing::review_json_for_pod(pod(json::array({{{"name", "app"}}})), "apps");
  review["request"]["operation"] = "UPDATE";
  auto admission = review_admission(review.dump(), settings, identities, {}, scratch);
  EXPECT_EQ(admission.decision.result, Result::not_mutated);
  EXPECT_EQ(admission.patch, "");
}

TEST_F(AdmissionTest, DecisionCarriesWhatTheAuditLineNeeds) {
  auto review = irsa::testing::review_json_for_pod(pod(json::array({{{"name", "app"}}})), "apps");
  review["request"]["dryRun"] = true;
  auto admission = review_admission(review.dump(), settings, identities, {}, scratch);
  EXPECT_EQ(admission.decision.uid, irsa::testing::kTestUid);
  EXPECT_EQ(admission.decision.ns, "apps");
  EXPECT_EQ(admission.decision.pod_name, "orders-");
  EXPECT_EQ(admission.decision.service_account, "orders");
  EXPECT_EQ(admission.decision.user, "system:serviceaccount:kube-system:replicaset-controller");
  EXPECT_TRUE(admission.decision.dry_run);
}

TEST_F(AdmissionTest, ValuesAreEscapedInThePatch) {
  settings.aws_default_region = "we\"ird\\region\n";
  json input = pod(json::array({{{"name", "app"}}}));
  json out = apply_patch(input, run(input).patch);
  EXPECT_EQ(out["spec"]["containers"][0]["env"][0]["value"], settings.aws_default_region);
}

TEST_F(AdmissionTest, EveryWarningStaysUnder120Characters) {
  const std::string long_name(63, 'c');
  json mounts = json::array({{{"name", std::string(63, 'm')},
                              {"mountPath", "/var/run/secrets/eks.amazonaws.com/serviceaccount"}}});
  json input =
      pod(json::array({{{"name", long_name},
                        {"volumeMounts", mounts},
                        {"env", json::array({{{"name", "AWS_WEB_IDENTITY_TOKEN_FILE"}}})}}}));
  input["metadata"]["annotations"] = {
      {"eks.amazonaws.com/skip-containers", std::string(200, 'z')},
      {"eks.amazonaws.com/token-expiration", std::string(200, 'q')}};
  auto admission = run(input);
  ASSERT_GE(admission.decision.warnings.size(), 3u);
  for (const auto& warning : admission.decision.warnings)
    EXPECT_LT(warning.size(), 120u) << warning;
}

}  // namespace
}  // namespace irsa::core
