// The ServiceAccount cache as a reflector feeds it: LIST pages replace everything at commit,
// watch lines add, change and remove single accounts, and every change is announced by key.
#include "irsa/kube/account_cache.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace irsa::kube {
namespace {

std::string account_json(const std::string& ns, const std::string& name, const std::string& rv,
                         const std::string& role = {}) {
  std::string json = R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns +
                     R"(","resourceVersion":")" + rv + "\"";
  if (!role.empty()) json += R"(,"annotations":{"eks.amazonaws.com/role-arn":")" + role + "\"}";
  return json + "}}";
}

std::string event(const std::string& type, const std::string& object) {
  return R"({"type":")" + type + R"(","object":)" + object + "}";
}

class AccountCacheTest : public ::testing::Test {
 protected:
  AccountCacheTest() : cache_(core::Settings{}) {
    cache_.set_change_listener([this](std::string_view key) { changes_.emplace_back(key); });
  }

  AccountCache cache_;
  std::vector<std::string> changes_;
};

TEST_F(AccountCacheTest, AListReplacesEverythingOnlyAtCommit) {
  cache_.begin_list();
  const auto page =
      cache_.add_page(R"({"metadata":{"resourceVersion":"10","continue":"next"},"items":[)" +
                      account_json("apps", "web", "5", "arn:aws:iam::111122223333:role/web") + "," +
                      account_json("apps", "plain", "6") + "]}");
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.items, 2u);
  EXPECT_EQ(page.resource_version, "10");
  EXPECT_EQ(page.continue_token, "next");
  // Readers still see the previous (empty) state while the list is incomplete.
  EXPECT_EQ(cache_.index().find("apps", "web"), nullptr);
  cache_.commit_list();
  const auto web = cache_.index().find("apps", "web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->role_arn, "arn:aws:iam::111122223333:role/web");
  // An account without annotations exists, with no role: not the same as unknown.
  const auto plain = cache_.index().find("apps", "plain");
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->role_arn, "");
  EXPECT_EQ(cache_.index().size(), 2u);
  EXPECT_EQ(changes_, std::vector<std::string>{""});

  // A second list without "plain" removes it.
  cache_.begin_list();
  ASSERT_EQ(cache_
                .add_page(R"({"metadata":{"resourceVersion":"20"},"items":[)" +
                          account_json("apps", "web", "5") + "]}")
                .error,
            "");
  cache_.commit_list();
  EXPECT_EQ(cache_.index().find("apps", "plain"), nullptr);
  EXPECT_EQ(cache_.index().size(), 1u);
}

TEST_F(AccountCacheTest, WatchEventsChangeSingleAccountsAndAnnounceThem) {
  auto result = cache_.apply_event(
      event("ADDED", account_json("apps", "api", "11", "arn:aws:iam::111122223333:role/api")));
  EXPECT_EQ(result.kind, EventKind::applied);
  EXPECT_EQ(result.resource_version, "11");
  ASSERT_NE(cache_.index().find("apps", "api"), nullptr);

  result = cache_.apply_event(event("MODIFIED", account_json("apps", "api", "12")));
  EXPECT_EQ(result.kind, EventKind::applied);
  EXPECT_EQ(cache_.index().find("apps", "api")->role_arn, "")
      << "removing the annotation clears the role";

  result = cache_.apply_event(event("DELETED", account_json("apps", "api", "13")));
  EXPECT_EQ(result.kind, EventKind::applied);
  EXPECT_EQ(cache_.index().find("apps", "api"), nullptr);
  EXPECT_EQ(changes_, (std::vector<std::string>{"apps/api", "apps/api", "apps/api"}));
}

TEST_F(AccountCacheTest, BookmarksErrorsAndJunkAreTold) {
  auto result = cache_.apply_event(
      R"({"type":"BOOKMARK","object":{"kind":"ServiceAccount","metadata":{"resourceVersion":"99"}}})");
  EXPECT_EQ(result.kind, EventKind::bookmark);
  EXPECT_EQ(result.resource_version, "99");

  result = cache_.apply_event(
      R"({"type":"ERROR","object":{"kind":"Status","code":410,"message":"too old"}})");
  EXPECT_EQ(result.kind, EventKind::expired);

  result = cache_.apply_event(
      R"({"type":"ERROR","object":{"kind":"Status","code":500,"message":"boom"}})");
  EXPECT_EQ(result.kind, EventKind::error);
  EXPECT_EQ(result.code, 500);
  EXPECT_EQ(result.message, "boom");

  result = cache_.apply_event("{\"type\":\"ADDED\"");
  EXPECT_EQ(result.kind, EventKind::malformed);
  EXPECT_TRUE(changes_.empty());
}

TEST_F(AccountCacheTest, AccountsWithTheSameAnnotationsShareOneEntry) {
  cache_.begin_list();
  std::string items;
  for (int i = 0; i < 100; ++i) {
    if (i > 0) items += ",";
    items += account_json("ns", "sa-" + std::to_string(i), "1");
  }
  ASSERT_EQ(
      cache_.add_page(R"({"metadata":{"resourceVersion":"2"},"items":[)" + items + "]}").error, "");
  cache_.commit_list();
  EXPECT_EQ(cache_.index().find("ns", "sa-1").get(), cache_.index().find("ns", "sa-99").get());
}

TEST_F(AccountCacheTest, ClearForgetsEveryAccount) {
  (void)cache_.apply_event(event("ADDED", account_json("apps", "api", "11")));
  cache_.clear();
  EXPECT_EQ(cache_.index().size(), 0u);
  EXPECT_EQ(cache_.index().find("apps", "api"), nullptr);
}

}  // namespace
}  // namespace irsa::kube
