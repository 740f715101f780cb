// Routing and HTTP-level rules of the webhook port, without sockets.
#include "irsa/server/http_handler.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "irsa/core/identity_sources.hpp"
#include "support/reviews.hpp"

namespace irsa::server {
namespace {

using nlohmann::json;

class HttpHandlerTest : public ::testing::Test {
 protected:
  HttpHandlerTest() {
    core::IdentityEntry entry;
    entry.role_arn = "arn:aws:iam::111122223333:role/web";
    entry.audience = "sts.amazonaws.com";
    entry.token_expiration = 86400;
    identities_.add_service_account("apps", "web", entry);
  }

  Handled send(http::verb method, std::string target, std::string body = {},
               std::string content_type = "application/json") {
    Request request{method, target, 11};
    if (!content_type.empty()) request.set(http::field::content_type, content_type);
    request.body() = std::move(body);
    request.prepare_payload();
    HandlerContext context{mutator_, identities_, scratch_, 7, ready, draining, debugging};
    Handled handled = handle(request, context);
    last_body = request.body();
    return handled;
  }

  static std::string pod_review() {
    json pod = {{"metadata", {{"name", "web-1"}}},
                {"spec", {{"serviceAccountName", "web"}, {"containers", {{{"name", "c"}}}}}}};
    return irsa::testing::review_for_pod(pod, "apps");
  }

  std::string last_body;  // the request's body after handle()
  bool ready = true;
  bool draining = false;
  bool debugging = false;
  core::Mutator mutator_{core::Settings{}};
  core::StaticIdentities identities_;
  core::Scratch scratch_;
};

TEST_F(HttpHandlerTest, MutateAnswersTheReviewAsJson) {
  auto handled = send(http::verb::post, "/mutate?timeout=10s", pod_review());
  // The review reads the body in place and gives it back as it came.
  EXPECT_EQ(last_body, pod_review());
  EXPECT_EQ(handled.response.result(), http::status::ok);
  EXPECT_EQ(handled.response[http::field::content_type], "application/json");
  json response = json::parse(handled.response.body());
  EXPECT_EQ(response["response"]["uid"], irsa::testing::kTestUid);
  EXPECT_EQ(response["response"]["allowed"], true);
  ASSERT_TRUE(handled.decision.has_value());
  EXPECT_EQ(handled.decision->result, core::Result::mutated);
  EXPECT_EQ(handled.decision->pod_name, "web-1");
}

TEST_F(HttpHandlerTest, JsonWithParametersIsAccepted) {
  for (const char* type :
       {"application/json; charset=utf-8", "Application/JSON", " application/json ;x=y"}) {
    EXPECT_EQ(send(http::verb::post, "/mutate", pod_review(), type).response.result(),
              http::status::ok)
        << type;
  }
}

TEST_F(HttpHandlerTest, OtherContentTypesGet415WithUpstreamsMessage) {
  for (const char* type : {"application/xml", "text/plain", "application/jsonx", ""}) {
    auto handled = send(http::verb::post, "/mutate", pod_review(), type);
    EXPECT_EQ(handled.response.result(), http::status::unsupported_media_type) << type;
    EXPECT_EQ(handled.response.body(), "Invalid Content-Type, expected `application/json`\n");
    EXPECT_FALSE(handled.decision.has_value());
  }
}

TEST_F(HttpHandlerTest, WrongMethodGets405WithAllow) {
  auto handled = send(http::verb::get, "/mutate");
  EXPECT_EQ(handled.response.result(), http::status::method_not_allowed);
  EXPECT_EQ(handled.response[http::field::allow], "POST");
}

TEST_F(HttpHandlerTest, MalformedBodyIsAnAdmissionDenialNotAnHttpError) {
  auto handled = send(http::verb::post, "/mutate", "{\"request\":");
  EXPECT_EQ(handled.response.result(), http::status::ok);
  json response = json::parse(handled.response.body());
  EXPECT_EQ(response["response"]["allowed"], false);
  EXPECT_EQ(response["response"]["status"]["code"], 400);
  ASSERT_TRUE(handled.decision.has_value());
  EXPECT_EQ(handled.decision->result, core::Result::denied);
}

TEST_F(HttpHandlerTest, HealthAndLivenessAnswerOk) {
  for (const char* path : {"/healthz", "/livez"}) {
    auto handled = send(http::verb::get, path, {}, {});
    EXPECT_EQ(handled.response.result(), http::status::ok);
    EXPECT_EQ(handled.response.body(), "ok");
  }
}

TEST_F(HttpHandlerTest, ReadinessFollowsLoadingAndDraining) {
  EXPECT_EQ(send(http::verb::get, "/readyz", {}, {}).response.result(), http::status::ok);
  ready = false;
  EXPECT_EQ(send(http::verb::get, "/readyz", {}, {}).response.result(),
            http::status::service_unavailable);
  ready = true;
  draining = true;
  auto handled = send(http::verb::get, "/readyz", {}, {});
  EXPECT_EQ(handled.response.result(), http::status::service_unavailable);
  EXPECT_FALSE(handled.response.keep_alive());
}

TEST_F(HttpHandlerTest, DrainingClosesConnectionsAfterTheAnswer) {
  draining = true;
  auto handled = send(http::verb::post, "/mutate", pod_review());
  EXPECT_EQ(handled.response.result(), http::status::ok);
  EXPECT_FALSE(handled.response.keep_alive());
  draining = false;
  EXPECT_TRUE(send(http::verb::post, "/mutate", pod_review()).response.keep_alive());
}

TEST_F(HttpHandlerTest, UnknownPathsGet404) {
  auto handled = send(http::verb::get, "/nope", {}, {});
  EXPECT_EQ(handled.response.result(), http::status::not_found);
  EXPECT_EQ(handled.response.body(), "404 page not found\n");
}

TEST_F(HttpHandlerTest, DebugRoutesExistOnlyWhenEnabled) {
  EXPECT_EQ(send(http::verb::get, "/debug/alpha/deny", {}, {}).response.result(),
            http::status::not_found);
  debugging = true;
  auto deny = send(http::verb::get, "/debug/alpha/deny", {}, {});
  EXPECT_EQ(deny.response.result(), http::status::ok);
  EXPECT_EQ(json::parse(deny.response.body())["response"]["status"]["message"],
            "Test deny message");
  EXPECT_EQ(send(http::verb::get, "/debug/alpha/500", {}, {}).response.result(),
            http::status::internal_server_error);
}

TEST(MediaType, RecognisesJsonOnly) {
  EXPECT_TRUE(is_json_media_type("application/json"));
  EXPECT_TRUE(is_json_media_type("application/json;charset=utf-8"));
  EXPECT_FALSE(is_json_media_type("application/json-patch+json"));
  EXPECT_FALSE(is_json_media_type(""));
}

}  // namespace
}  // namespace irsa::server
