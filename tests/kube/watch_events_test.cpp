// ServiceAccount LIST pages and WATCH lines as the API server writes them.
#include "irsa/kube/watch_events.hpp"

#include <gtest/gtest.h>

namespace irsa::kube {
namespace {

constexpr std::string_view kPrefix = "eks.amazonaws.com";

TEST(ServiceAccountList, KeepsNamesVersionAndPrefixedAnnotationsOnly) {
  const auto page = parse_service_account_list(R"({
    "kind": "ServiceAccountList", "apiVersion": "v1",
    "metadata": {"resourceVersion": "4711", "continue": "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ"},
    "items": [
      {"metadata": {"name": "web", "namespace": "apps", "uid": "u1", "resourceVersion": "12",
                    "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/web",
                                    "eks.amazonaws.com/audience": "sts",
                                    "kubectl.kubernetes.io/last-applied-configuration": "{}",
                                    "eks.amazonaws.comX/other": "no"}},
       "secrets": [{"name": "web-token"}]},
      {"metadata": {"namespace": "apps", "name": "plain", "resourceVersion": "13"}}
    ]})",
                                               kPrefix);
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.resource_version, "4711");
  EXPECT_EQ(page.continue_token, "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ");
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].ns, "apps");
  EXPECT_EQ(page.items[0].name, "web");
  EXPECT_EQ(page.items[0].resource_version, "12");
  EXPECT_EQ(page.items[0].annotations,
            (core::Annotations{{"eks.amazonaws.com/audience", "sts"},
                               {"eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/web"}}));
  EXPECT_EQ(page.items[1].name, "plain");
  EXPECT_TRUE(page.items[1].annotations.empty());
}

TEST(ServiceAccountList, KeepsTheKeyOfANearMissWithoutItsValue) {
  const auto page = parse_service_account_list(R"({
    "kind": "ServiceAccountList", "apiVersion": "v1", "metadata": {"resourceVersion": "5"},
    "items": [
      {"metadata": {"name": "api", "namespace": "shop", "resourceVersion": "3",
                    "annotations": {"eks.amazon.com/role-arn": "arn:aws:iam::1:role/api",
                                    "app.kubernetes.io/role": "frontend",
                                    "kubectl.kubernetes.io/last-applied-configuration": "{}"}}}
    ]})",
                                               kPrefix);
  ASSERT_EQ(page.error, "");
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].annotations, (core::Annotations{{"eks.amazon.com/role-arn", ""}}));
}

TEST(ServiceAccountList, LastPageAndEmptyList) {
  const auto page = parse_service_account_list(
      R"({"kind":"ServiceAccountList","metadata":{"resourceVersion":"9"},"items":null})", kPrefix);
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.continue_token, "");
  EXPECT_TRUE(page.items.empty());
}

TEST(ServiceAccountList, UnusablePagesAreErrors) {
  for (const char* bad :
       {"", "[]", R"({"items":[]})",
        R"({"metadata":{"resourceVersion":"1"},)"
        R"("items":[{"metadata":{"namespace":"a"}}]})",
        R"({"metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"a"}}]})",
        R"({"metadata":{"resourceVersion":"1"},"items":[1]})",
        R"({"metadata":{"resourceVersion":"1"},"items":[)"}) {
    const auto page = parse_service_account_list(bad, kPrefix);
    EXPECT_NE(page.error, "") << bad;
    EXPECT_TRUE(page.items.empty()) << bad;
  }
}

TEST(WatchEvent, AddedModifiedDeleted) {
  const auto added = parse_watch_event(
      R"({"type":"ADDED","object":{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"web","namespace":"apps","resourceVersion":"20","annotations":{"eks.amazonaws.com/role-arn":"arn:aws:iam::1:role/web"}}}})",
      kPrefix);
  ASSERT_EQ(added.error, "");
  EXPECT_EQ(added.event.type, WatchType::added);
  EXPECT_EQ(added.event.object.name, "web");
  EXPECT_EQ(added.event.object.resource_version, "20");
  EXPECT_EQ(added.event.object.annotations.at("eks.amazonaws.com/role-arn"),
            "arn:aws:iam::1:role/web");
  // The object may come first.
  const auto deleted = parse_watch_event(
      R"({"object":{"metadata":{"name":"web","namespace":"apps","resourceVersion":"21"}},"type":"DELETED"})",
      kPrefix);
  ASSERT_EQ(deleted.error, "");
  EXPECT_EQ(deleted.event.type, WatchType::deleted);
  EXPECT_EQ(deleted.event.object.ns, "apps");
  EXPECT_EQ(
      parse_watch_event(R"({"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"b"}}})",
                        kPrefix)
          .event.type,
      WatchType::modified);
}

TEST(WatchEvent, BookmarkCarriesOnlyTheResourceVersion) {
  const auto bookmark = parse_watch_event(
      R"({"type":"BOOKMARK","object":{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"resourceVersion":"12345","annotations":{"k8s.io/initial-events-end":"true"}}}})",
      kPrefix);
  ASSERT_EQ(bookmark.error, "");
  EXPECT_EQ(bookmark.event.type, WatchType::bookmark);
  EXPECT_EQ(bookmark.event.object.resource_version, "12345");
}

TEST(WatchEvent, ErrorCarriesTheStatus) {
  const auto gone = parse_watch_event(
      R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (4711)","reason":"Expired","code":410}})json",
      kPrefix);
  ASSERT_EQ(gone.error, "");
  EXPECT_EQ(gone.event.type, WatchType::error);
  EXPECT_EQ(gone.event.status_code, 410);
  EXPECT_EQ(gone.event.status_message, "too old resource version: 5 (4711)");
}

TEST(WatchEvent, LinesThatAreNotEventsAreErrors) {
  for (const char* bad :
       {"", "{}", R"({"type":"ADDED"})", R"({"object":{}})", R"({"type":"RENAMED","object":{}})",
        R"({"type":"ADDED","object":{"metadata":{"namespace":"a"}}})",
        R"({"type":"ADDED","object":{"metadata":{"name":"a","namespace":"b"})"}) {
    EXPECT_NE(parse_watch_event(bad, kPrefix).error, "") << bad;
  }
}

}  // namespace
}  // namespace irsa::kube

namespace irsa::kube {
namespace {

TEST(ConfigMapList, TheNamedMapWithItsConfig) {
  const auto page = parse_config_map_list(
      R"({"kind":"ConfigMapList","metadata":{"resourceVersion":"77"},"items":[{"metadata":{)"
      R"("name":"pod-identity-webhook","namespace":"eks","resourceVersion":"70"},"data":{)"
      R"("config":"{\"default/web\":{\"RoleARN\":\"arn:aws:iam::1:role/web\"}}","other":"x"}}]})");
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.resource_version, "77");
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].name, "pod-identity-webhook");
  EXPECT_EQ(page.items[0].ns, "eks");
  ASSERT_TRUE(page.items[0].config.has_value());
  EXPECT_EQ(*page.items[0].config, R"({"default/web":{"RoleARN":"arn:aws:iam::1:role/web"}})");
}

TEST(ConfigMapEvent, DataWithoutConfigAndDeletion) {
  const auto modified = parse_config_map_event(
      R"({"type":"MODIFIED","object":{"metadata":{"name":"pod-identity-webhook","namespace":"eks"},"data":{"unrelated":"1"}}})");
  ASSERT_EQ(modified.error, "");
  EXPECT_EQ(modified.event.type, WatchType::modified);
  EXPECT_FALSE(modified.event.object.config.has_value());
  const auto deleted = parse_config_map_event(
      R"({"type":"DELETED","object":{"metadata":{"name":"pod-identity-webhook","namespace":"eks"}}})");
  ASSERT_EQ(deleted.error, "");
  EXPECT_EQ(deleted.event.type, WatchType::deleted);
  const auto gone =
      parse_config_map_event(R"({"type":"ERROR","object":{"kind":"Status","code":410}})");
  EXPECT_EQ(gone.event.status_code, 410);
  EXPECT_NE(parse_config_map_event(R"({"type":"ADDED","object":{"metadata":{}}})").error, "");
}

TEST(NamespaceList, NamesAndLabels) {
  const auto page = parse_namespace_list(R"({
    "kind": "NamespaceList", "apiVersion": "v1", "metadata": {"resourceVersion": "77"},
    "items": [
      {"metadata": {"name": "shop", "resourceVersion": "5",
                    "labels": {"team": "shop", "kubernetes.io/metadata.name": "shop"}},
       "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}},
      {"metadata": {"name": "bare", "resourceVersion": "6"}}
    ]})");
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.resource_version, "77");
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].name, "shop");
  EXPECT_EQ(page.items[0].labels,
            (core::Labels{{"kubernetes.io/metadata.name", "shop"}, {"team", "shop"}}));
  EXPECT_TRUE(page.items[1].labels.empty());
  EXPECT_NE(
      parse_namespace_list(R"({"metadata":{"resourceVersion":"1"},"items":[{"metadata":{}}]})")
          .error,
      "");
}

TEST(NamespaceEvent, LabelChangesAndDeletion) {
  const auto modified = parse_namespace_event(
      R"({"type":"MODIFIED","object":{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"shop","resourceVersion":"9","labels":{"env":"prod"}}}})");
  ASSERT_EQ(modified.error, "");
  EXPECT_EQ(modified.event.type, WatchType::modified);
  EXPECT_EQ(modified.event.object.labels, (core::Labels{{"env", "prod"}}));
  EXPECT_EQ(modified.event.object.resource_version, "9");
  const auto deleted = parse_namespace_event(
      R"({"type":"DELETED","object":{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"shop","resourceVersion":"10"}}})");
  EXPECT_EQ(deleted.event.type, WatchType::deleted);
  EXPECT_EQ(deleted.event.object.name, "shop");
}

}  // namespace
}  // namespace irsa::kube
