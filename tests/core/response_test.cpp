// Bad input never crashes: every malformed review gets allowed:false, code 400, and a message
// that names the problem; the response is valid JSON.
#include <gtest/gtest.h>

#include "irsa/core/admission.hpp"
#include "irsa/core/identity_sources.hpp"
#include "support/reviews.hpp"

namespace irsa::core {
namespace {

using nlohmann::json;

struct BadReview {
  const char* name;
  std::string body;
  const char* message_part;
};

class DeniedReview : public ::testing::TestWithParam<BadReview> {};

TEST_P(DeniedReview, AnswersAllowedFalseWithCode400AndAMessage) {
  const auto& bad = GetParam();
  Settings settings;
  StaticIdentities identities;
  Scratch scratch;
  auto admission = review_admission(bad.body, settings, identities, {}, scratch);
  EXPECT_EQ(admission.decision.result, Result::denied);
  EXPECT_EQ(admission.patch, "");
  json response = json::parse(admission.response);
  EXPECT_EQ(response["response"]["allowed"], false);
  EXPECT_EQ(response["response"]["status"]["code"], 400);
  const std::string message = response["response"]["status"]["message"];
  EXPECT_NE(message.find(bad.message_part), std::string::npos) << message;
  EXPECT_EQ(message, admission.decision.error);
}

const std::string kPodReview = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
  "request":{"uid":"u-1","kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"ns",
  "object":{"kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}}})";

INSTANTIATE_TEST_SUITE_P(
    Bodies, DeniedReview,
    ::testing::Values(
        BadReview{"Empty", "", "empty"}, BadReview{"Whitespace", " \n\t", "empty"},
        BadReview{"NotJson", "hello", "not valid JSON"},
        BadReview{"Truncated", kPodReview.substr(0, kPodReview.size() / 2), "JSON"},
        BadReview{"Array", "[1,2]", "expected an AdmissionReview object"},
        BadReview{"Null", "null", "expected an AdmissionReview object"},
        BadReview{"NoRequest", "{}", "no request"},
        BadReview{"NullRequest", R"({"request":null})", "no request"},
        BadReview{"RequestNotObject", R"({"request":"x"})", "request is a string"},
        BadReview{"NoObject", R"({"request":{"uid":"u"}})", "no object"},
        BadReview{"ObjectIsString", R"({"request":{"uid":"u","object":"pod"}})",
                  "request.object is a string"},
        BadReview{"ObjectIsDeployment",
                  R"({"request":{"object":{"kind":"Deployment","spec":{"containers":[]}}}})",
                  "not a Pod"},
        BadReview{"RequestKindIsService",
                  R"({"request":{"kind":{"kind":"Service"},"object":{"spec":{"containers":[]}}}})",
                  "request.kind is Service"},
        BadReview{"NoContainers", R"({"request":{"object":{"spec":{}}}})", "no spec.containers"},
        BadReview{"ContainersNotList", R"({"request":{"object":{"spec":{"containers":{}}}}})",
                  "spec.containers is an object, expected a list"},
        BadReview{"EnvNotList",
                  R"({"request":{"object":{"spec":{"containers":[{"name":"c","env":"x"}]}}}})",
                  "env is a string"},
        BadReview{"UidNotString", R"({"request":{"uid":5,"object":{"spec":{"containers":[]}}}})",
                  "request.uid is a number"},
        BadReview{"TrailingData", kPodReview + " {}", "after the AdmissionReview"},
        BadReview{"InvalidUtf8", std::string("{\"request\":{\"uid\":\"\xff\xfe\"}}"), "JSON"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(DeniedReviewEnvelope, EchoesWhatWasReadAndTheUid) {
  Settings settings;
  StaticIdentities identities;
  Scratch scratch;
  auto admission = review_admission(
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"abc","object":"x"}})",
      settings, identities, {}, scratch);
  json response = json::parse(admission.response);
  // The shape error stops reading before the envelope is known to be complete, so the answer
  // is sent without it; the uid is likewise unknown.
  EXPECT_EQ(response["response"]["allowed"], false);
  auto no_object = review_admission(
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"abc"}})",
      settings, identities, {}, scratch);
  json echoed = json::parse(no_object.response);
  EXPECT_EQ(echoed["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(echoed["kind"], "AdmissionReview");
  EXPECT_EQ(echoed["response"]["uid"], "abc");
}

TEST(ScratchReuse, AReviewAfterABadOneIsReadCleanly) {
  Settings settings;
  StaticIdentities identities;
  IdentityEntry entry;
  entry.role_arn = "arn:aws:iam::111122223333:role/r";
  entry.audience = "sts.amazonaws.com";
  entry.token_expiration = 86400;
  identities.add_service_account("ns", "default", entry);
  Scratch scratch;
  (void)review_admission(std::string(5000, '['), settings, identities, {}, scratch);
  auto good = review_admission(kPodReview, settings, identities, {}, scratch);
  EXPECT_EQ(good.decision.result, Result::mutated);
  EXPECT_EQ(good.decision.mutated_containers, std::vector<std::string>{"c"});
}

}  // namespace
}  // namespace irsa::core
