#include "irsa/store/live_identities.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace irsa::store {
namespace {

std::shared_ptr<const core::StaticIdentities> accounts_with_role(const std::string& role) {
  auto accounts = std::make_shared<core::StaticIdentities>();
  core::IdentityEntry entry;
  entry.role_arn = role;
  accounts->add_service_account("apps", "web", entry);
  return accounts;
}

TEST(LiveIdentities, StartsEmpty) {
  LiveIdentities live;
  EXPECT_EQ(live.find_service_account("apps", "web"), nullptr);
  EXPECT_FALSE(live.uses_container_credentials("apps", "web"));
}

TEST(LiveIdentities, AnswersFromTheLatestSnapshot) {
  LiveIdentities live;
  live.publish_accounts(accounts_with_role("arn:aws:iam::111122223333:role/one"));
  auto kept = live.find_service_account("apps", "web");
  live.publish_accounts(accounts_with_role("arn:aws:iam::111122223333:role/two"));
  EXPECT_EQ(live.find_service_account("apps", "web")->role_arn,
            "arn:aws:iam::111122223333:role/two");
  EXPECT_EQ(kept->role_arn, "arn:aws:iam::111122223333:role/one")
      << "an entry already handed out stays valid";
  live.publish_pod_identity(
      std::make_shared<const PodIdentityAssociations>(PodIdentityAssociations{{"apps", "web"}}));
  EXPECT_TRUE(live.uses_container_credentials("apps", "web"));
  live.publish_pod_identity(nullptr);
  EXPECT_FALSE(live.uses_container_credentials("apps", "web"));
}

TEST(LiveIdentities, PolicyFactsComeFromEverySource) {
  LiveIdentities live;
  const std::string role = "arn:aws:iam::111122223333:role/one";
  live.publish_accounts(accounts_with_role(role));
  auto roles = std::make_shared<PodIdentityRoles>();
  roles->roles.emplace(core::NamespacedName{"apps", "pi"}, role);
  roles->counts[role] = 1;
  live.publish_pod_identity(
      std::make_shared<const PodIdentityAssociations>(PodIdentityAssociations{{"apps", "pi"}}),
      roles);
  EXPECT_EQ(live.accounts_naming_role(role), 2u) << "the file's account and the association";
  EXPECT_EQ(live.container_credentials_role("apps", "pi"), role);
  EXPECT_EQ(live.container_credentials_role("apps", "web"), "");

  EXPECT_EQ(live.namespace_labels("apps"), nullptr) << "nothing published, nothing known";
  auto namespaces = std::make_shared<NamespaceLabels>();
  (*namespaces)["apps"] = std::make_shared<const core::Labels>(core::Labels{{"team", "a"}});
  live.publish_namespaces(namespaces);
  ASSERT_NE(live.namespace_labels("apps"), nullptr);
  EXPECT_EQ(live.namespace_labels("apps")->at("team"), "a");
  EXPECT_EQ(live.namespace_labels("other"), nullptr);
}

TEST(LiveIdentities, ReadersSeeWholeSnapshotsWhileAWriterPublishes) {
  LiveIdentities live;
  live.publish_accounts(accounts_with_role("role-0"));
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto entry = live.find_service_account("apps", "web");
        if (!entry || entry->role_arn.rfind("role-", 0) != 0) torn.fetch_add(1);
      }
    });
  }
  for (int i = 1; i <= 2000; ++i)
    live.publish_accounts(accounts_with_role("role-" + std::to_string(i)));
  stop = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(live.find_service_account("apps", "web")->role_arn, "role-2000");
}

}  // namespace
}  // namespace irsa::store
