// What the fake API server serves beyond ServiceAccounts and ConfigMaps, driven over real HTTPS:
// the read-only store of other kinds (GET, LIST, selectors, pages), RBAC refusals, and the
// fake-kube-api program's manifests and new flags. Tokens and discovery are in
// fake_kube_tokens_test.cpp.
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/fake_kube_api.hpp"
#include "support/https_client.hpp"
#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"
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

TEST(FakeKubeCluster, TheStoreIsReadOnlyAndUnwatched) {
  Cluster cluster;
  EXPECT_EQ(cluster.client->post_json("/api/v1/namespaces/shop/pods", "{}").status, 405);
  EXPECT_EQ(cluster.client->request("DELETE", "/api/v1/namespaces/shop/pods/web").status, 405);
  EXPECT_EQ(cluster.client->get("/api/v1/pods?watch=true").status, 405);
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
