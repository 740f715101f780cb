// What the fake API server serves beyond its watched kinds, driven over real HTTPS: the store of
// other kinds (GET, LIST, selectors, pages), Pod creation through a mutating admission webhook
// (a small HTTPS webhook in the test), RBAC refusals, and the fake-kube-api program's manifests
// and new flags. Tokens and discovery are in fake_kube_tokens_test.cpp.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <csignal>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/fake_kube_api.hpp"
#include "support/https_client.hpp"
#include "support/kube_admission.hpp"
#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_https_server.hpp"
#include "support/webhook_process.hpp"

namespace irsa::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct Cluster {
  Cluster() : dir("fake-cluster") {
    EXPECT_EQ(make_self_signed_pair(dir, "server",
                                    {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                     "-addext", "subjectAltName=IP:127.0.0.1"}),
              "");
    FakeKubeApiOptions options;
    options.cert_file = dir.path("server.crt");
    options.key_file = dir.path("server.key");
    api = std::make_unique<FakeKubeApi>(options);
    client = std::make_unique<HttpClient>(api->port(), dir.path("server.crt"));
  }
  json get(const std::string& target, int expected_status = 200) {
    const auto result = client->get(target);
    EXPECT_EQ(result.status, expected_status) << target << ": " << result.body << result.error;
    return json::parse(result.body, nullptr, false);
  }
  ScratchDir dir;
  std::unique_ptr<FakeKubeApi> api;
  std::unique_ptr<HttpClient> client;
};

json pod(const std::string& ns, const std::string& name, const std::string& account,
         const json& labels = json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
          {"spec", {{"serviceAccountName", account}, {"containers", {{{"name", "app"}}}}}},
          {"status", {{"phase", "Running"}}}};
}

std::vector<std::string> names(const json& list) {
  std::vector<std::string> out;
  for (const auto& item : list["items"]) {
    const auto& metadata = item["metadata"];
    out.push_back(metadata.contains("namespace") ? metadata["namespace"].get<std::string>() + "/" +
                                                       metadata["name"].get<std::string>()
                                                 : metadata["name"].get<std::string>());
  }
  return out;
}

using Names = std::vector<std::string>;

// --- The store of other kinds ------------------------------------------------------------------

TEST(FakeKubeCluster, PodsAnswerGetAndListLikeTheApiServer) {
  Cluster cluster;
  cluster.api->put_object(pod("shop", "web-1", "api"));
  cluster.api->put_object(pod("shop", "web-2", "default"));
  cluster.api->put_object(pod("blog", "writer", "api"));

  const auto one = cluster.get("/api/v1/namespaces/shop/pods/web-1");
  EXPECT_EQ(one["kind"], "Pod");
  EXPECT_EQ(one["apiVersion"], "v1");
  EXPECT_EQ(one["spec"]["serviceAccountName"], "api");
  EXPECT_EQ(one["metadata"]["uid"].get<std::string>().size(), 36u);
  EXPECT_FALSE(one["metadata"]["resourceVersion"].get<std::string>().empty());
  EXPECT_FALSE(one["metadata"]["creationTimestamp"].get<std::string>().empty());

  const auto shop = cluster.get("/api/v1/namespaces/shop/pods");
  EXPECT_EQ(shop["kind"], "PodList");
  EXPECT_EQ(shop["apiVersion"], "v1");
  EXPECT_FALSE(shop["metadata"]["resourceVersion"].get<std::string>().empty());
  EXPECT_EQ(names(shop), (Names{"shop/web-1", "shop/web-2"}));
  // Items of a typed list carry no kind or apiVersion.
  EXPECT_FALSE(shop["items"][0].contains("kind"));
  EXPECT_EQ(names(cluster.get("/api/v1/pods")), (Names{"blog/writer", "shop/web-1", "shop/web-2"}));
}

TEST(FakeKubeCluster, AMissingObjectIsTheNotFoundStatus) {
  Cluster cluster;
  const auto missing = cluster.get("/api/v1/namespaces/shop/pods/x", 404);
  EXPECT_EQ(missing, json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
      "status":"Failure","message":"pods \"x\" not found","reason":"NotFound",
      "details":{"name":"x","kind":"pods"},"code":404})"));
  const auto deployment = cluster.get("/apis/apps/v1/namespaces/shop/deployments/web", 404);
  EXPECT_EQ(deployment["message"], "deployments.apps \"web\" not found");
  EXPECT_EQ(deployment["details"]["group"], "apps");
  EXPECT_EQ(deployment["details"]["kind"], "deployments");
  EXPECT_EQ(cluster.get("/api/v1/namespaces/gone", 404)["message"],
            "namespaces \"gone\" not found");
  // A path nothing serves.
  EXPECT_EQ(cluster.get("/apis/example.com/v1/widgets", 404)["reason"], "NotFound");
}

TEST(FakeKubeCluster, PodsAreFoundByServiceAccountNameAndFieldSelectorsAreChecked) {
  Cluster cluster;
  cluster.api->put_object(pod("shop", "web-1", "api"));
  cluster.api->put_object(pod("shop", "web-2", "default"));
  cluster.api->put_object(pod("blog", "writer", "api"));
  EXPECT_EQ(names(cluster.get(
                "/api/v1/namespaces/shop/pods?fieldSelector=spec.serviceAccountName%3Dapi")),
            (Names{"shop/web-1"}));
  EXPECT_EQ(names(cluster.get("/api/v1/pods?fieldSelector=spec.serviceAccountName=api")),
            (Names{"blog/writer", "shop/web-1"}));
  EXPECT_EQ(names(cluster.get("/api/v1/pods?fieldSelector=metadata.name%3D%3Dweb-2")),
            (Names{"shop/web-2"}));
  EXPECT_EQ(names(cluster.get(
                "/api/v1/pods?fieldSelector=metadata.namespace!%3Dshop,status.phase=Running")),
            (Names{"blog/writer"}));
  const auto refused = cluster.get("/api/v1/pods?fieldSelector=spec.foo%3Dbar", 400);
  EXPECT_EQ(refused["message"], "field label not supported: spec.foo");
  EXPECT_EQ(refused["reason"], "BadRequest");
  // spec.serviceAccountName is a Pod field, not a Deployment one.
  EXPECT_EQ(cluster.get("/apis/apps/v1/deployments?fieldSelector=spec.serviceAccountName%3Dapi",
                        400)["message"],
            "field label not supported: spec.serviceAccountName");
}

TEST(FakeKubeCluster, LabelSelectorsFindEndpointSlicesOfAService) {
  Cluster cluster;
  const auto slice = [](const std::string& name, const std::string& service) {
    return json{{"apiVersion", "discovery.k8s.io/v1"},
                {"kind", "EndpointSlice"},
                {"metadata",
                 {{"name", name},
                  {"namespace", "irsa-system"},
                  {"labels", {{"kubernetes.io/service-name", service}, {"tier", "x"}}}}},
                {"addressType", "IPv4"},
                {"endpoints", {{{"addresses", {"10.0.0.7"}}, {"conditions", {{"ready", true}}}}}}};
  };
  cluster.api->put_object(slice("webhook-abc12", "irsa-webhook"));
  cluster.api->put_object(slice("webhook-def34", "irsa-webhook"));
  cluster.api->put_object(slice("other-xyz", "other"));
  const std::string base = "/apis/discovery.k8s.io/v1/namespaces/irsa-system/endpointslices";
  const auto list =
      cluster.get(base + "?labelSelector=kubernetes.io%2Fservice-name%3Dirsa-webhook");
  EXPECT_EQ(list["kind"], "EndpointSliceList");
  EXPECT_EQ(list["apiVersion"], "discovery.k8s.io/v1");
  EXPECT_EQ(names(list), (Names{"irsa-system/webhook-abc12", "irsa-system/webhook-def34"}));
  EXPECT_EQ(list["items"][0]["endpoints"][0]["addresses"][0], "10.0.0.7");
  EXPECT_EQ(names(cluster.get(base + "?labelSelector=kubernetes.io/service-name==other,tier=x")),
            (Names{"irsa-system/other-xyz"}));
  EXPECT_EQ(names(cluster.get(base + "?labelSelector=kubernetes.io/service-name!%3Dirsa-webhook")),
            (Names{"irsa-system/other-xyz"}));
  EXPECT_EQ(
      names(cluster.get(base + "?labelSelector=kubernetes.io/service-name%20in%20(other,none)")),
      (Names{"irsa-system/other-xyz"}));
  EXPECT_EQ(cluster.get(base + "?labelSelector=!tier")["items"].size(), 0u);
  EXPECT_EQ(cluster.get(base + "?labelSelector=tier")["items"].size(), 3u);
  EXPECT_EQ(cluster.get(base + "?labelSelector=a%20in%20x", 400)["reason"], "BadRequest");
}

TEST(FakeKubeCluster, ClusterScopedKindsHaveNoNamespace) {
  Cluster cluster;
  cluster.api->put_object(
      {{"kind", "Namespace"}, {"metadata", {{"name", "shop"}, {"labels", {{"team", "a"}}}}}});
  cluster.api->put_object({{"kind", "Namespace"}, {"metadata", {{"name", "blog"}}}});
  cluster.api->put_object(
      {{"apiVersion", "admissionregistration.k8s.io/v1"},
       {"kind", "MutatingWebhookConfiguration"},
       {"metadata", {{"name", "pod-identity-webhook"}, {"namespace", "ignored"}}},
       {"webhooks",
        {{{"name", "iam-for-pods.amazonaws.com"},
          {"clientConfig",
           {{"service", {{"name", "irsa-webhook"}, {"namespace", "irsa-system"}}}}}}}}});
  const auto namespaces = cluster.get("/api/v1/namespaces");
  EXPECT_EQ(namespaces["kind"], "NamespaceList");
  EXPECT_EQ(names(namespaces), (Names{"blog", "shop"}));
  EXPECT_EQ(names(cluster.get("/api/v1/namespaces?labelSelector=team%3Da")), (Names{"shop"}));
  const auto shop = cluster.get("/api/v1/namespaces/shop");
  EXPECT_EQ(shop["kind"], "Namespace");
  EXPECT_FALSE(shop["metadata"].contains("namespace"));

  const std::string webhooks =
      "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
  const auto list = cluster.get(webhooks);
  EXPECT_EQ(list["kind"], "MutatingWebhookConfigurationList");
  EXPECT_EQ(names(list), (Names{"pod-identity-webhook"}));
  const auto one = cluster.get(webhooks + "/pod-identity-webhook");
  EXPECT_EQ(one["webhooks"][0]["clientConfig"]["service"]["name"], "irsa-webhook");
  EXPECT_FALSE(one["metadata"].contains("namespace"));
}

TEST(FakeKubeCluster, ServicesEndpointsAndWorkloadsAreServedAtTheirPaths) {
  Cluster cluster;
  cluster.api->put_objects(R"({"kind":"List","apiVersion":"v1","items":[
    {"kind":"Service","apiVersion":"v1","metadata":{"name":"irsa-webhook","namespace":"irsa-system"},
     "spec":{"ports":[{"port":443,"targetPort":9443}]}},
    {"kind":"Endpoints","apiVersion":"v1","metadata":{"name":"irsa-webhook","namespace":"irsa-system"},
     "subsets":[{"addresses":[{"ip":"10.0.0.7"}]}]},
    {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","namespace":"shop"}},
    {"kind":"ReplicaSet","apiVersion":"apps/v1","metadata":{"name":"web-5d4f","namespace":"shop",
     "ownerReferences":[{"kind":"Deployment","name":"web"}]}},
    {"kind":"StatefulSet","apiVersion":"apps/v1","metadata":{"name":"db","namespace":"shop"}},
    {"kind":"DaemonSet","apiVersion":"apps/v1","metadata":{"name":"agent","namespace":"kube-system"}},
    {"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"once","namespace":"shop"}}]})");
  EXPECT_EQ(
      cluster.get(
          "/api/v1/namespaces/irsa-system/services/irsa-webhook")["spec"]["ports"][0]["targetPort"],
      9443);
  EXPECT_EQ(
      cluster.get("/api/v1/namespaces/irsa-system/endpoints/irsa-webhook")["subsets"][0]
                                                                          ["addresses"][0]["ip"],
      "10.0.0.7");
  EXPECT_EQ(cluster.get("/apis/apps/v1/namespaces/shop/deployments/web")["kind"], "Deployment");
  EXPECT_EQ(names(cluster.get("/apis/apps/v1/namespaces/shop/replicasets")),
            (Names{"shop/web-5d4f"}));
  EXPECT_EQ(names(cluster.get("/apis/apps/v1/statefulsets")), (Names{"shop/db"}));
  EXPECT_EQ(names(cluster.get("/apis/apps/v1/namespaces/kube-system/daemonsets")),
            (Names{"kube-system/agent"}));
  EXPECT_EQ(cluster.get("/apis/batch/v1/namespaces/shop/jobs/once")["apiVersion"], "batch/v1");
}

TEST(FakeKubeCluster, ListsComeInPagesWhenAskedTo) {
  Cluster cluster;
  for (int i = 0; i < 5; ++i) cluster.api->put_object(pod("shop", "p" + std::to_string(i), "api"));
  auto page = cluster.get("/api/v1/namespaces/shop/pods?limit=2");
  EXPECT_EQ(names(page), (Names{"shop/p0", "shop/p1"}));
  const auto token = page["metadata"]["continue"].get<std::string>();
  page = cluster.get("/api/v1/namespaces/shop/pods?limit=2&continue=" + token);
  EXPECT_EQ(names(page), (Names{"shop/p2", "shop/p3"}));
  page = cluster.get("/api/v1/namespaces/shop/pods?limit=2&continue=" +
                     page["metadata"]["continue"].get<std::string>());
  EXPECT_EQ(names(page), (Names{"shop/p4"}));
  EXPECT_FALSE(page["metadata"].contains("continue"));
  EXPECT_EQ(cluster.get("/api/v1/pods?continue=@@", 400)["message"], "continue key is not valid");
}

TEST(FakeKubeCluster, ObjectsAreReplacedAndDeleted) {
  Cluster cluster;
  cluster.api->put_object(pod("shop", "web", "api"));
  const auto first = cluster.get("/api/v1/namespaces/shop/pods/web");
  cluster.api->put_object(pod("shop", "web", "other"));
  const auto second = cluster.get("/api/v1/namespaces/shop/pods/web");
  EXPECT_EQ(second["spec"]["serviceAccountName"], "other");
  EXPECT_EQ(second["metadata"]["uid"], first["metadata"]["uid"]);  // an update keeps the uid
  EXPECT_GT(std::stoull(second["metadata"]["resourceVersion"].get<std::string>()),
            std::stoull(first["metadata"]["resourceVersion"].get<std::string>()));
  cluster.api->delete_object("Pod", "shop", "web");
  cluster.get("/api/v1/namespaces/shop/pods/web", 404);
  cluster.api->delete_object("Pod", "shop", "web");  // again: nothing happens
}

TEST(FakeKubeCluster, ServiceAccountsAndConfigMapsGoToTheirOwnStores) {
  Cluster cluster;
  cluster.api->put_object(json::parse(R"({"apiVersion":"v1","kind":"ServiceAccount",
      "metadata":{"name":"api","namespace":"shop",
      "annotations":{"eks.amazonaws.com/role-arn":"arn:aws:iam::111122223333:role/shop-api"}}})"));
  cluster.api->put_object(json::parse(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"settings","namespace":"shop"},"data":{"a":"b"}})"));
  EXPECT_EQ(
      cluster.get("/api/v1/namespaces/shop/serviceaccounts/api")["metadata"]["annotations"]
                                                                ["eks.amazonaws.com/role-arn"],
      "arn:aws:iam::111122223333:role/shop-api");
  EXPECT_EQ(cluster.get("/api/v1/namespaces/shop/configmaps/settings")["data"]["a"], "b");
  cluster.api->delete_object("ServiceAccount", "shop", "api");
  cluster.get("/api/v1/namespaces/shop/serviceaccounts/api", 404);
}

TEST(FakeKubeCluster, RefusesObjectsItCannotHold) {
  Cluster cluster;
  EXPECT_THROW(cluster.api->put_object({{"kind", "Widget"}, {"metadata", {{"name", "w"}}}}),
               std::invalid_argument);
  EXPECT_THROW(cluster.api->put_object({{"kind", "Pod"}, {"metadata", json::object()}}),
               std::invalid_argument);
  EXPECT_THROW(cluster.api->put_object(
                   {{"kind", "Deployment"}, {"apiVersion", "v1"}, {"metadata", {{"name", "d"}}}}),
               std::invalid_argument);
  EXPECT_THROW(cluster.api->put_objects("not json"), std::invalid_argument);
}

TEST(FakeKubeCluster, TheStoreIsUnwatchedAndOnlyCreatesPods) {
  Cluster cluster;
  // A create of a Pod without a name is invalid (FakeKubeAdmission has the rest).
  EXPECT_EQ(cluster.client->post_json("/api/v1/namespaces/shop/pods", "{}").status, 422);
  EXPECT_EQ(cluster.client->post_json("/api/v1/namespaces/shop/services", "{}").status, 405);
  EXPECT_EQ(cluster.client->request("DELETE", "/api/v1/namespaces/shop/pods/web").status, 405);
  EXPECT_EQ(cluster.client->get("/api/v1/pods?watch=true").status, 405);
}

// --- Pod creation through a mutating admission webhook -----------------------------------------

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()),
                                     static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(length));
  return out;
}

// An AdmissionReview answer for `review`: `response` with the request's uid unless it has one.
TestHttpResponse review_answer(const json& review, json response) {
  if (!response.contains("uid")) response["uid"] = review["request"]["uid"];
  TestHttpResponse answer;
  answer.content_type = "application/json";
  answer.body = json{
      {"apiVersion", "admission.k8s.io/v1"},
      {"kind", "AdmissionReview"},
      {"response",
       response}}.dump();
  return answer;
}

TestHttpResponse allow(const json& review, const json& patch = nullptr) {
  json response = {{"allowed", true}};
  if (!patch.is_null()) {
    response["patch"] = base64(patch.dump());
    response["patchType"] = "JSONPatch";
  }
  return review_answer(review, response);
}

json new_pod(const std::string& name, const std::string& account = {}) {
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", json::object()},
              {"spec", {{"containers", {{{"name", "app"}, {"image", "shop/api"}}}}}}};
  if (!name.empty()) pod["metadata"]["name"] = name;
  if (!account.empty()) pod["spec"]["serviceAccountName"] = account;
  return pod;
}

// The fake API server and an admission webhook on 127.0.0.1 (HTTPS, a certificate of its own)
// that answers each review as `answer` says; the reviews and targets it got are kept.
class FakeKubeAdmission : public ::testing::Test {
 protected:
  using Answer = std::function<TestHttpResponse(const json& review)>;

  void SetUp() override {
    ASSERT_EQ(make_self_signed_pair(cluster_.dir, "webhook",
                                    {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                     "-addext", "subjectAltName=IP:127.0.0.1"}),
              "");
    TestHttpsServerOptions options;
    options.cert_file = cluster_.dir.path("webhook.crt");
    options.key_file = cluster_.dir.path("webhook.key");
    options.name = "test webhook";
    webhook_server_ =
        std::make_unique<TestHttpsServer>(options, [this](const TestHttpRequest& request) {
          const auto review = json::parse(request.body, nullptr, false);
          Answer answer;
          {
            const std::scoped_lock lock(mutex_);
            reviews_.push_back(review);
            requests_.push_back(request);
            answer = answer_;
          }
          return answer(review);
        });
    answer([](const json& review) { return allow(review); });
    cluster_.api->set_mutating_webhook(webhook());
  }

  // The webhook as the fake is to call it.
  [[nodiscard]] MutatingWebhook webhook() const {
    MutatingWebhook webhook;
    webhook.port = webhook_server_->port();
    webhook.ca_file = cluster_.dir.path("webhook.crt");
    return webhook;
  }

  void answer(Answer answer) {
    const std::scoped_lock lock(mutex_);
    answer_ = std::move(answer);
  }

  HttpResult create(const json& pod, const std::string& query = {},
                    const std::string& ns = "shop") {
    return cluster_.client->post_json("/api/v1/namespaces/" + ns + "/pods" + query, pod.dump());
  }

  [[nodiscard]] std::vector<json> reviews() const {
    const std::scoped_lock lock(mutex_);
    return reviews_;
  }
  [[nodiscard]] std::vector<TestHttpRequest> webhook_requests() const {
    const std::scoped_lock lock(mutex_);
    return requests_;
  }

  Cluster cluster_;
  std::unique_ptr<TestHttpsServer> webhook_server_;
  mutable std::mutex mutex_;
  Answer answer_;
  std::vector<json> reviews_;
  std::vector<TestHttpRequest> requests_;
};

TEST_F(FakeKubeAdmission, TheWebhookGetsTheReviewTheApiServerSends) {
  cluster_.api->set_user("kubernetes-admin");
  const auto created = create(new_pod("web"));
  ASSERT_EQ(created.status, 201) << created.body << created.error;

  ASSERT_EQ(reviews().size(), 1u);
  const auto review = reviews()[0];
  EXPECT_EQ(review["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(review["kind"], "AdmissionReview");
  const auto& request = review["request"];
  EXPECT_EQ(request["uid"].get<std::string>().size(), 36u);
  EXPECT_EQ(request["uid"].get<std::string>()[14], '4');  // a random (version 4) UUID
  EXPECT_EQ(request["kind"], json::parse(R"({"group":"","version":"v1","kind":"Pod"})"));
  EXPECT_EQ(request["resource"], json::parse(R"({"group":"","version":"v1","resource":"pods"})"));
  EXPECT_EQ(request["requestKind"], request["kind"]);
  EXPECT_EQ(request["requestResource"], request["resource"]);
  EXPECT_EQ(request["name"], "web");
  EXPECT_EQ(request["namespace"], "shop");
  EXPECT_EQ(request["operation"], "CREATE");
  EXPECT_EQ(request["userInfo"]["username"], "kubernetes-admin");
  EXPECT_EQ(request["object"]["kind"], "Pod");
  EXPECT_EQ(request["object"]["metadata"]["namespace"], "shop");
  EXPECT_EQ(request["object"]["metadata"]["name"], "web");
  // The ServiceAccount admission plugin ran first.
  EXPECT_EQ(request["object"]["spec"]["serviceAccountName"], "default");
  EXPECT_EQ(request["object"]["spec"]["containers"][0]["image"], "shop/api");
  EXPECT_TRUE(request.contains("oldObject"));
  EXPECT_TRUE(request["oldObject"].is_null());
  EXPECT_EQ(request["dryRun"], false);
  EXPECT_EQ(request["options"],
            json::parse(R"({"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1"})"));
  const auto http = webhook_requests()[0];
  EXPECT_EQ(http.method, "POST");
  EXPECT_EQ(http.target, "/mutate?timeout=10s");
  EXPECT_EQ(http.header("content-type"), "application/json");

  const auto pod = json::parse(created.body);
  EXPECT_EQ(pod["kind"], "Pod");
  EXPECT_EQ(pod["apiVersion"], "v1");
  EXPECT_EQ(pod["metadata"]["name"], "web");
  EXPECT_EQ(pod["metadata"]["namespace"], "shop");
  EXPECT_EQ(pod["metadata"]["uid"].get<std::string>().size(), 36u);
  EXPECT_FALSE(pod["metadata"]["resourceVersion"].get<std::string>().empty());
  EXPECT_EQ(pod["spec"]["serviceAccountName"], "default");
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_TRUE(created.header_values("warning").empty());
  // Each review has a uid of its own.
  ASSERT_EQ(create(new_pod("other", "api")).status, 201);
  EXPECT_NE(reviews()[1]["request"]["uid"], request["uid"]);
  EXPECT_EQ(reviews()[1]["request"]["object"]["spec"]["serviceAccountName"], "api");
}

TEST_F(FakeKubeAdmission, APatchIsAppliedAndThePodStored) {
  answer([](const json& review) {
    return allow(review, json::parse(R"([
        {"op":"add","path":"/metadata/annotations","value":{"mutated":"yes"}},
        {"op":"add","path":"/spec/containers/0/env","value":[{"name":"AWS_REGION","value":"eu-west-1"}]}])"));
  });
  const auto created = create(new_pod("web", "api"));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto pod = json::parse(created.body);
  EXPECT_EQ(pod["metadata"]["annotations"]["mutated"], "yes");
  EXPECT_EQ(pod["spec"]["containers"][0]["env"][0]["value"], "eu-west-1");

  const auto stored = cluster_.get("/api/v1/namespaces/shop/pods/web");
  EXPECT_EQ(stored, pod);
  EXPECT_EQ(names(cluster_.get("/api/v1/namespaces/shop/pods")), (Names{"shop/web"}));
  EXPECT_EQ(names(cluster_.get("/api/v1/pods?fieldSelector=spec.serviceAccountName%3Dapi")),
            (Names{"shop/web"}));

  // The same name again: admitted, then refused by the storage.
  const auto again = create(new_pod("web", "api"));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(json::parse(again.body), json::parse(R"({"kind":"Status","apiVersion":"v1",
      "metadata":{},"status":"Failure","message":"pods \"web\" already exists",
      "reason":"AlreadyExists","details":{"name":"web","kind":"pods"},"code":409})"));
  EXPECT_EQ(reviews().size(), 2u);

  // A patch that does not apply is the API server's own failure, whatever the policy.
  answer([](const json& review) {
    return allow(review, json::parse(R"([{"op":"replace","path":"/spec/nothing","value":1}])"));
  });
  const auto broken = create(new_pod("broken"));
  EXPECT_EQ(broken.status, 500);
  EXPECT_EQ(json::parse(broken.body)["reason"], "InternalError");
  // Warnings are recorded before the patch is applied: they come with the failure too.
  answer([](const json& review) {
    auto http = allow(review, json::parse(R"([{"op":"remove","path":"/nothing"}])"));
    auto body = json::parse(http.body);
    body["response"]["warnings"] = {"patched badly"};
    http.body = body.dump();
    return http;
  });
  const auto warned = create(new_pod("broken"));
  EXPECT_EQ(warned.status, 500);
  EXPECT_EQ(warned.header_values("warning"), (std::vector<std::string>{"299 - \"patched badly\""}));
  cluster_.get("/api/v1/namespaces/shop/pods/broken", 404);
}

TEST_F(FakeKubeAdmission, GeneratedNamesAreMadeAfterTheWebhook) {
  json pod = new_pod("");
  pod["metadata"]["generateName"] = "web-5d4f8b7c9-";
  const auto created = create(pod);
  ASSERT_EQ(created.status, 201) << created.body;
  // The webhook saw no name: request.name is left out, the object has only its generateName.
  const auto request = reviews()[0]["request"];
  EXPECT_FALSE(request.contains("name"));
  EXPECT_FALSE(request["object"]["metadata"].contains("name"));
  EXPECT_EQ(request["object"]["metadata"]["generateName"], "web-5d4f8b7c9-");

  const std::string name = json::parse(created.body)["metadata"]["name"];
  ASSERT_EQ(name.size(), std::string("web-5d4f8b7c9-").size() + 5) << name;
  EXPECT_EQ(name.substr(0, 14), "web-5d4f8b7c9-");
  for (const char c : name.substr(14)) {
    EXPECT_NE(std::string_view("bcdfghjklmnpqrstvwxz2456789").find(c), std::string_view::npos)
        << name;
  }
  cluster_.get("/api/v1/namespaces/shop/pods/" + name);

  // A long base is cut to 58 characters before the 5 random ones.
  pod["metadata"]["generateName"] = std::string(70, 'a');
  const auto long_name = json::parse(create(pod).body)["metadata"]["name"].get<std::string>();
  EXPECT_EQ(long_name.size(), 63u);
  EXPECT_EQ(long_name.substr(0, 58), std::string(58, 'a'));

  // Neither: admitted, then invalid.
  const auto nameless = create(new_pod(""));
  EXPECT_EQ(nameless.status, 422);
  const auto status = json::parse(nameless.body);
  EXPECT_EQ(status["reason"], "Invalid");
  EXPECT_EQ(status["message"],
            "Pod \"\" is invalid: metadata.name: Required value: name or generateName is "
            "required");
  EXPECT_EQ(reviews().size(), 3u);
}

TEST_F(FakeKubeAdmission, ADenialAnswersWithTheWebhooksStatus) {
  answer([](const json& review) {
    return review_answer(
        review,
        {{"allowed", false}, {"status", {{"code", 403}, {"message", "role x is not allowed"}}}});
  });
  const auto denied = create(new_pod("web"));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(json::parse(denied.body), json::parse(R"({"kind":"Status","apiVersion":"v1",
      "metadata":{},"status":"Failure",
      "message":"admission webhook \"iam-for-pods.amazonaws.com\" denied the request: role x is not allowed",
      "code":403})"));
  cluster_.get("/api/v1/namespaces/shop/pods/web", 404);

  // No code (or one below 400) becomes 400; a reason stands in for a missing message.
  answer([](const json& review) {
    return review_answer(
        review, {{"allowed", false}, {"status", {{"reason", "Forbidden"}, {"code", 200}}}});
  });
  const auto reason_only = create(new_pod("web"));
  EXPECT_EQ(reason_only.status, 400);
  const auto status = json::parse(reason_only.body);
  EXPECT_EQ(status["message"],
            "admission webhook \"iam-for-pods.amazonaws.com\" denied the request: Forbidden");
  EXPECT_EQ(status["reason"], "Forbidden");
  EXPECT_EQ(status["code"], 400);
  EXPECT_EQ(status["status"], "Failure");

  auto named = webhook();
  named.name = "pod-identity.example.com";
  cluster_.api->set_mutating_webhook(named);
  answer([](const json& review) { return review_answer(review, {{"allowed", false}}); });
  const auto bare = create(new_pod("web"));
  EXPECT_EQ(bare.status, 400);
  EXPECT_EQ(json::parse(bare.body)["message"],
            "admission webhook \"pod-identity.example.com\" denied the request without "
            "explanation");
  EXPECT_FALSE(json::parse(bare.body).contains("reason"));
}

TEST_F(FakeKubeAdmission, AnAnswerToAnotherRequestIsAFailedCall) {
  answer([](const json& review) {
    return review_answer(review, {{"uid", "not-the-uid"}, {"allowed", true}});
  });
  const auto failed = create(new_pod("web"));
  EXPECT_EQ(failed.status, 500);
  const std::string uid = reviews()[0]["request"]["uid"];
  const std::string cause =
      "failed calling webhook \"iam-for-pods.amazonaws.com\": received invalid webhook response: "
      "expected response.uid=\"" +
      uid + "\", got \"not-the-uid\"";
  EXPECT_EQ(json::parse(failed.body), json({{"kind", "Status"},
                                            {"apiVersion", "v1"},
                                            {"metadata", json::object()},
                                            {"status", "Failure"},
                                            {"message", "Internal error occurred: " + cause},
                                            {"reason", "InternalError"},
                                            {"details", {{"causes", {{{"message", cause}}}}}},
                                            {"code", 500}}));
  cluster_.get("/api/v1/namespaces/shop/pods/web", 404);

  // Other answers the API server cannot use.
  answer([](const json& review) {
    auto http =
        allow(review, json::parse(R"([{"op":"add","path":"/metadata/labels","value":{}}])"));
    auto body = json::parse(http.body);
    body["apiVersion"] = "admission.k8s.io/v1beta1";
    http.body = body.dump();
    return http;
  });
  EXPECT_NE(json::parse(create(new_pod("web")).body)["message"].get<std::string>().find(
                "received invalid webhook response: expected webhook response of "
                "admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1, "
                "Kind=AdmissionReview"),
            std::string::npos);
  answer([](const json& review) {
    return review_answer(review, {{"allowed", true}, {"patch", base64("[]x")}});
  });
  EXPECT_NE(json::parse(create(new_pod("web")).body)["message"].get<std::string>().find(
                "webhook returned response.patch but not response.patchType"),
            std::string::npos);
  answer([](const json&) {
    TestHttpResponse http;
    http.content_type = "application/json";
    http.body = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})";
    return http;
  });
  EXPECT_NE(json::parse(create(new_pod("web")).body)["message"].get<std::string>().find(
                "received invalid webhook response: webhook response was absent"),
            std::string::npos);

  // failurePolicy Ignore: as if there were no webhook (its patch unapplied).
  auto ignoring = webhook();
  ignoring.fail_open = true;
  cluster_.api->set_mutating_webhook(ignoring);
  answer([](const json& review) {
    auto http =
        allow(review, json::parse(R"([{"op":"add","path":"/metadata/labels","value":{"x":"y"}}])"));
    auto body = json::parse(http.body);
    body["response"]["uid"] = "not-the-uid";
    http.body = body.dump();
    return http;
  });
  const auto ignored = create(new_pod("web"));
  EXPECT_EQ(ignored.status, 201) << ignored.body;
  EXPECT_FALSE(json::parse(ignored.body)["metadata"].contains("labels"));
}

TEST_F(FakeKubeAdmission, AWebhookThatCannotBeReachedFailsTheCreateOrIsIgnored) {
  auto gone = webhook();
  gone.port = free_port();  // nothing listens there
  cluster_.api->set_mutating_webhook(gone);
  const auto refused = create(new_pod("web"));
  EXPECT_EQ(refused.status, 500);
  const std::string address = "127.0.0.1:" + std::to_string(gone.port);
  EXPECT_EQ(json::parse(refused.body)["message"],
            "Internal error occurred: failed calling webhook \"iam-for-pods.amazonaws.com\": "
            "failed to call webhook: Post \"https://" +
                address + "/mutate?timeout=10s\": dial tcp " + address +
                ": connect: connection refused");
  gone.fail_open = true;
  cluster_.api->set_mutating_webhook(gone);
  EXPECT_EQ(create(new_pod("web")).status, 201);

  // A webhook that does not answer in time.
  answer([](const json&) {
    TestHttpResponse silent;
    silent.silent = true;
    return silent;
  });
  auto slow = webhook();
  slow.timeout = 500ms;
  cluster_.api->set_mutating_webhook(slow);
  const auto start = std::chrono::steady_clock::now();
  const auto timed_out = create(new_pod("slow"));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(timed_out.status, 500);
  EXPECT_EQ(json::parse(timed_out.body)["message"],
            "Internal error occurred: failed calling webhook \"iam-for-pods.amazonaws.com\": "
            "failed to call webhook: Post \"https://127.0.0.1:" +
                std::to_string(slow.port) + "/mutate?timeout=500ms\": context deadline exceeded");
  EXPECT_GE(took, 500ms);
  EXPECT_LT(took, 5s);
  slow.fail_open = true;
  cluster_.api->set_mutating_webhook(slow);
  EXPECT_EQ(create(new_pod("slow")).status, 201);

  // A certificate the CA does not vouch for, and an HTTP error.
  answer([](const json& review) { return allow(review); });
  ASSERT_EQ(make_self_signed_pair(cluster_.dir, "stranger",
                                  {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                   "-addext", "subjectAltName=IP:127.0.0.1"}),
            "");
  auto untrusted = webhook();
  untrusted.ca_file = cluster_.dir.path("stranger.crt");
  cluster_.api->set_mutating_webhook(untrusted);
  const auto unverified = create(new_pod("tls"));
  EXPECT_EQ(unverified.status, 500);
  EXPECT_NE(json::parse(unverified.body)["message"].get<std::string>().find(
                "tls: failed to verify certificate"),
            std::string::npos)
      << unverified.body;
  cluster_.api->set_mutating_webhook(webhook());
  answer([](const json&) {
    TestHttpResponse error;
    error.status = 500;
    error.body = "oops";
    return error;
  });
  EXPECT_NE(json::parse(create(new_pod("http")).body)["message"].get<std::string>().find(
                "the server responded with the status code 500"),
            std::string::npos);
}

TEST_F(FakeKubeAdmission, WarningsComeBackAsWarningHeadersInOrder) {
  answer([](const json& review) {
    return review_answer(review, {{"allowed", true},
                                  {"warnings",
                                   {"first", "quotes \" and \\ backslashes", "first", "",
                                    "a bell \u0007 rings", "ünïcödé ✓", "last"}}});
  });
  const auto created = create(new_pod("web"));
  ASSERT_EQ(created.status, 201) << created.body << created.error;
  // Repeats and empty ones are skipped, one with a control character dropped, and quotes and
  // backslashes escaped in the quoted-string.
  EXPECT_EQ(
      created.header_values("warning"),
      (std::vector<std::string>{"299 - \"first\"", "299 - \"quotes \\\" and \\\\ backslashes\"",
                                "299 - \"ünïcödé ✓\"", "299 - \"last\""}));

  // A denial's warnings come back too.
  answer([](const json& review) {
    return review_answer(review, {{"allowed", false},
                                  {"warnings", {"why not"}},
                                  {"status", {{"code", 403}, {"message", "no"}}}});
  });
  const auto denied = create(new_pod("other"));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.header_values("warning"), (std::vector<std::string>{"299 - \"why not\""}));
}

TEST_F(FakeKubeAdmission, ManyLongWarningsAreCutAsTheApiServerCutsThem) {
  // 17 warnings of 300 characters: 13 fit in 4096; the 14th does not, so all go out cut to 256
  // (14 x 256 = 3584), the 15th and 16th are cut too (4096 then), the 17th is dropped.
  std::vector<std::string> warnings;
  for (int i = 0; i < 17; ++i) warnings.emplace_back(300, static_cast<char>('a' + i));
  answer([warnings](const json& review) {
    return review_answer(review, {{"allowed", true}, {"warnings", warnings}});
  });
  const auto created = create(new_pod("web"));
  ASSERT_EQ(created.status, 201) << created.body << created.error;
  const auto values = created.header_values("warning");
  ASSERT_EQ(values.size(), 16u);
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(values[i], "299 - \"" + std::string(256, static_cast<char>('a' + i)) + "\"");
  }

  // Under the limit, a long warning goes out whole.
  answer([](const json& review) {
    return review_answer(review,
                         {{"allowed", true}, {"warnings", {std::string(1000, 'x'), "short"}}});
  });
  EXPECT_EQ(
      create(new_pod("other")).header_values("warning"),
      (std::vector<std::string>{"299 - \"" + std::string(1000, 'x') + "\"", "299 - \"short\""}));
}

TEST(FakeKubeWarnings, CountCharactersNotBytesAndCutOnCharacters) {
  WarningRecorder recorder;
  const std::string e_acute = "\u00e9";  // two bytes, one character
  std::string accented;
  for (int i = 0; i < 2000; ++i) accented += e_acute;
  recorder.add(accented);                // 2000 characters (4000 bytes): fits
  recorder.add(std::string(2000, 'b'));  // 4000 in all: fits
  EXPECT_EQ(recorder.values().size(), 2u);
  recorder.add(std::string(97, 'c'));  // 4097: truncation starts, all cut to 256 characters
  ASSERT_EQ(recorder.values().size(), 3u);
  std::string cut;
  for (int i = 0; i < 256; ++i) cut += e_acute;
  EXPECT_EQ(recorder.values()[0], "299 - \"" + cut + "\"");
  EXPECT_EQ(recorder.values()[1], "299 - \"" + std::string(256, 'b') + "\"");
  EXPECT_EQ(recorder.values()[2], "299 - \"" + std::string(97, 'c') + "\"");
  recorder.add("c1 control \u0085 inside");  // U+0085 is a (C1) control character
  recorder.add("tab\tinside");
  EXPECT_EQ(recorder.values().size(), 3u);
  EXPECT_EQ(warning_field_value("\xff not UTF-8"), "");
  EXPECT_EQ(utf8_length("\u00e9\u2713x"), 3u);
}

TEST_F(FakeKubeAdmission, TheWebhookMayCallBackIntoTheServerWhileItReviews) {
  cluster_.api->put_service_account("shop", "api",
                                    {{"eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/api"}});
  const auto port = cluster_.api->port();
  const auto ca = cluster_.dir.path("server.crt");
  answer([port, ca](const json& review) {
    // An account the webhook has not seen yet: it asks the API server, which is waiting for
    // this very answer.
    const auto& object = review["request"]["object"];
    HttpClient client(port, ca, 5s);
    const auto account = client.get("/api/v1/namespaces/shop/serviceaccounts/" +
                                    object["spec"]["serviceAccountName"].get<std::string>());
    if (account.status != 200) {
      return review_answer(
          review, {{"allowed", false}, {"status", {{"code", 500}, {"message", account.error}}}});
    }
    const std::string role =
        json::parse(account.body)["metadata"]["annotations"]["eks.amazonaws.com/role-arn"];
    return allow(review, json::array({{{"op", "add"},
                                       {"path", "/spec/containers/0/env"},
                                       {"value", {{{"name", "AWS_ROLE_ARN"}, {"value", role}}}}}}));
  });
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto created = create(new_pod("web-" + std::to_string(i), "api"));
    ASSERT_EQ(created.status, 201) << created.body << created.error;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(json::parse(created.body)["spec"]["containers"][0]["env"][0]["value"],
              "arn:aws:iam::1:role/api");
  }
  const auto requests = cluster_.api->requests();
  EXPECT_EQ(std::count(requests.begin(), requests.end(),
                       "GET /api/v1/namespaces/shop/serviceaccounts/api"),
            3);
}

TEST_F(FakeKubeAdmission, ADryRunIsReviewedButNotStored) {
  const auto created = create(new_pod("web"), "?dryRun=All&fieldManager=kubectl-create");
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body)["metadata"]["name"], "web");
  const auto request = reviews()[0]["request"];
  EXPECT_EQ(request["dryRun"], true);
  EXPECT_EQ(request["options"], json::parse(R"({"kind":"CreateOptions",
      "apiVersion":"meta.k8s.io/v1","dryRun":["All"],"fieldManager":"kubectl-create"})"));
  cluster_.get("/api/v1/namespaces/shop/pods/web", 404);
  EXPECT_EQ(create(new_pod("web"), "?dryRun=Some").status, 400);
}

TEST_F(FakeKubeAdmission, CreatingPodsCanBeForbidden) {
  cluster_.api->forbid("create", "pods");
  const auto refused = create(new_pod("web"));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(json::parse(refused.body)["message"],
            "pods is forbidden: User \"system:serviceaccount:eks:doctor\" cannot create resource "
            "\"pods\" in API group \"\" in the namespace \"shop\"");
  EXPECT_TRUE(reviews().empty());
  cluster_.api->allow_everything();
  EXPECT_EQ(create(new_pod("web")).status, 201);
}

TEST_F(FakeKubeAdmission, WithoutAWebhookPodsAreCreatedAtOnce) {
  cluster_.api->clear_mutating_webhook();
  const auto created = create(new_pod("web"));
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body)["spec"]["serviceAccountName"], "default");
  EXPECT_TRUE(reviews().empty());
  EXPECT_EQ(create(new_pod("web")).status, 409);
  EXPECT_EQ(cluster_.client->post_json("/api/v1/namespaces/shop/pods", "not json").status, 400);
  json service = new_pod("svc");
  service["kind"] = "Service";
  EXPECT_EQ(create(service).status, 400);
  json elsewhere = new_pod("x");
  elsewhere["metadata"]["namespace"] = "blog";
  EXPECT_EQ(create(elsewhere).status, 400);
  EXPECT_EQ(cluster_.client->post_json("/api/v1/pods", new_pod("x").dump()).status, 405);
}

// --- RBAC refusals -----------------------------------------------------------------------------

TEST(FakeKubeClusterRbac, AForbiddenTokenRequestIsRefusedInTheApiServersWords) {
  Cluster cluster;
  cluster.api->put_service_account("shop", "api");
  cluster.api->forbid("create", "serviceaccounts/token");
  const auto result = cluster.client->post_json(
      "/api/v1/namespaces/shop/serviceaccounts/api/token",
      R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}})");
  EXPECT_EQ(result.status, 403);
  EXPECT_EQ(json::parse(result.body), json::parse(R"({"kind":"Status","apiVersion":"v1",
      "metadata":{},"status":"Failure","message":"serviceaccounts \"api\" is forbidden: User \"system:serviceaccount:eks:doctor\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"shop\"",
      "reason":"Forbidden","details":{"name":"api","kind":"serviceaccounts"},"code":403})"));
  // Reading the account is still allowed.
  cluster.get("/api/v1/namespaces/shop/serviceaccounts/api");
  cluster.api->allow_everything();
  EXPECT_EQ(cluster.client
                ->post_json("/api/v1/namespaces/shop/serviceaccounts/api/token",
                            R"({"kind":"TokenRequest","spec":{}})")
                .status,
            201);
}

TEST(FakeKubeClusterRbac, RefusalsNameTheScopeAndTheGroup) {
  Cluster cluster;
  cluster.api->set_user("system:serviceaccount:irsa-system:doctor");
  cluster.api->forbid("list", "pods");
  cluster.api->forbid("get", "namespaces");
  cluster.api->forbid("list", "mutatingwebhookconfigurations");
  cluster.api->forbid("get", "deployments.apps");
  cluster.api->forbid("*", "endpointslices");
  const std::string user = "User \"system:serviceaccount:irsa-system:doctor\"";
  EXPECT_EQ(cluster.get("/api/v1/namespaces/shop/pods", 403)["message"],
            "pods is forbidden: " + user +
                " cannot list resource \"pods\" in API group \"\" in the namespace \"shop\"");
  const auto all = cluster.get("/api/v1/pods?fieldSelector=spec.serviceAccountName%3Dapi", 403);
  EXPECT_EQ(all["message"], "pods is forbidden: " + user +
                                " cannot list resource \"pods\" in API group \"\" at the cluster "
                                "scope");
  EXPECT_EQ(all["details"], json::parse(R"({"kind":"pods"})"));
  EXPECT_EQ(cluster.get("/api/v1/namespaces/shop", 403)["message"],
            "namespaces \"shop\" is forbidden: " + user +
                " cannot get resource \"namespaces\" in API group \"\" in the namespace \"shop\"");
  const auto webhooks =
      cluster.get("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", 403);
  EXPECT_EQ(webhooks["message"],
            "mutatingwebhookconfigurations.admissionregistration.k8s.io is forbidden: " + user +
                " cannot list resource \"mutatingwebhookconfigurations\" in API group "
                "\"admissionregistration.k8s.io\" at the cluster scope");
  EXPECT_EQ(webhooks["details"]["group"], "admissionregistration.k8s.io");
  const auto deployment = cluster.get("/apis/apps/v1/namespaces/shop/deployments/web", 403);
  EXPECT_EQ(deployment["message"],
            "deployments.apps \"web\" is forbidden: " + user +
                " cannot get resource \"deployments\" in API group \"apps\" in the namespace "
                "\"shop\"");
  EXPECT_EQ(deployment["details"],
            json::parse(R"({"name":"web","group":"apps","kind":"deployments"})"));
  cluster.get("/apis/discovery.k8s.io/v1/namespaces/irsa-system/endpointslices", 403);
  // Only what was forbidden: getting one pod and listing deployments still work.
  cluster.get("/api/v1/namespaces/shop/pods/x", 404);
  cluster.get("/apis/apps/v1/namespaces/shop/deployments");
}

TEST(FakeKubeClusterRbac, ServiceAccountReadsAndDiscoveryCanBeForbiddenToo) {
  Cluster cluster;
  cluster.api->put_service_account("shop", "api");
  cluster.api->forbid("get", "serviceaccounts");
  cluster.api->forbid("get", "/.well-known/openid-configuration");
  EXPECT_EQ(cluster.get("/api/v1/namespaces/shop/serviceaccounts/api", 403)["details"]["name"],
            "api");
  cluster.get("/api/v1/namespaces/shop/serviceaccounts");  // a LIST is another verb
  const auto discovery = cluster.get("/.well-known/openid-configuration", 403);
  EXPECT_EQ(discovery["message"],
            "forbidden: User \"system:serviceaccount:eks:doctor\" cannot get path "
            "\"/.well-known/openid-configuration\"");
  EXPECT_EQ(discovery["reason"], "Forbidden");
  EXPECT_EQ(discovery["details"], json::object());
  cluster.get("/openid/v1/jwks");
}

// --- The program -------------------------------------------------------------------------------

TEST(FakeKubeClusterProgram, LoadsEveryKindOfItsManifestsAndTakesTheNewFlags) {
  ScratchDir dir("fake-cluster-program");
  ASSERT_EQ(make_self_signed_pair(dir, "server",
                                  {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                   "-addext", "subjectAltName=IP:127.0.0.1"}),
            "");
  const auto accounts = dir.write("accounts.yaml", R"(apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/shop-api
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {a: b}
)");
  const auto workloads = dir.write("workloads.yaml", R"(apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop}
spec:
  serviceAccountName: api
  containers: [{name: app, image: nginx}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: pod-identity-webhook}
webhooks: []
)");
  WebhookProcess program(
      IRSA_FAKE_KUBE_API_BINARY,
      {"--cert", dir.path("server.crt"), "--key", dir.path("server.key"), "--manifests", accounts,
       "--manifests", workloads, "--issuer", "https://oidc.example/id/1", "--token-issuer",
       "https://other.example", "--forbid", "list:namespaces", "--forbid", "get:/openid/v1/jwks"},
      dir.path("fake.log"));
  const std::string prefix = "listening on https://127.0.0.1:";
  ASSERT_TRUE(eventually([&] { return program.log().find(prefix) != std::string::npos; }))
      << program.log();
  const auto log = program.log();
  EXPECT_NE(log.find("2 objects from " + accounts), std::string::npos) << log;
  EXPECT_NE(log.find("3 objects from " + workloads), std::string::npos) << log;
  const auto port =
      static_cast<unsigned short>(std::stoi(log.substr(log.find(prefix) + prefix.size())));
  HttpClient client(port, dir.path("server.crt"));
  const auto get = [&](const std::string& target) {
    const auto result = client.get(target);
    return std::make_pair(result.status, json::parse(result.body, nullptr, false));
  };
  EXPECT_EQ(get("/api/v1/namespaces/shop/serviceaccounts/api").first, 200);
  EXPECT_EQ(get("/api/v1/namespaces/shop/configmaps/settings").second["data"]["a"], "b");
  EXPECT_EQ(get("/api/v1/namespaces/shop/pods?fieldSelector=spec.serviceAccountName%3Dapi")
                .second["items"]
                .size(),
            1u);
  EXPECT_EQ(get("/api/v1/namespaces/shop").first, 200);
  EXPECT_EQ(get("/api/v1/namespaces").first, 403);
  EXPECT_EQ(get("/openid/v1/jwks").first, 403);
  EXPECT_EQ(get("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/"
                "pod-identity-webhook")
                .first,
            200);
  EXPECT_EQ(get("/.well-known/openid-configuration").second["issuer"], "https://oidc.example/id/1");
  const auto token = client.post_json("/api/v1/namespaces/shop/serviceaccounts/api/token",
                                      R"({"kind":"TokenRequest","spec":{}})");
  EXPECT_EQ(token.status, 201);
  program.signal(SIGTERM);
  EXPECT_EQ(program.wait_exit(10s), 0);
}

TEST(FakeKubeClusterProgram, AKindItCannotHoldIsAnErrorAndTheUsageSaysSo) {
  ScratchDir dir("fake-cluster-program");
  ASSERT_EQ(make_self_signed_pair(dir, "server",
                                  {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                   "-addext", "subjectAltName=IP:127.0.0.1"}),
            "");
  const auto widgets = dir.write("widgets.yaml",
                                 "apiVersion: example.com/v1\nkind: Widget\n"
                                 "metadata: {name: w}\n");
  const auto refused = run_process(
      IRSA_FAKE_KUBE_API_BINARY,
      {"--cert", dir.path("server.crt"), "--key", dir.path("server.key"), "--manifests", widgets});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find(widgets + ": the fake API server has no store for kind Widget"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(run_process(IRSA_FAKE_KUBE_API_BINARY, {"--forbid", "pods"}).exit_code, 2);
  const auto help = run_process(IRSA_FAKE_KUBE_API_BINARY, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--issuer", "--token-issuer", "--forbid", "--manifests"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace irsa::testing
