// The cluster-wide account index: lookups, changes, shared entries, and readers running while
// the writer changes shards.
#include "irsa/store/account_index.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace irsa::store {
namespace {

core::Settings settings() {
  core::Settings value;
  value.web_identity.audience = "sts.amazonaws.com";
  return value;
}

TEST(AccountIndex, CountsTheAccountsThatNameEachRole) {
  AccountIndex index;
  EntryInterner interner(settings());
  const core::Annotations shared = {{"eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/shared"}};
  index.replace_all({{"a", "one", interner.entry_for(shared)},
                     {"b", "two", interner.entry_for(shared)},
                     {"b", "plain", interner.entry_for({})}});
  EXPECT_EQ(index.accounts_naming("arn:aws:iam::1:role/shared"), 2u);
  EXPECT_EQ(index.accounts_naming(""), 0u) << "no role is not a role";

  index.upsert("c", "three", interner.entry_for(shared));
  EXPECT_EQ(index.accounts_naming("arn:aws:iam::1:role/shared"), 3u);
  index.upsert("c", "three", interner.entry_for(shared));
  EXPECT_EQ(index.accounts_naming("arn:aws:iam::1:role/shared"), 3u)
      << "an update is no new account";
  index.upsert("a", "one",
               interner.entry_for({{"eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/own"}}));
  EXPECT_EQ(index.accounts_naming("arn:aws:iam::1:role/shared"), 2u);
  EXPECT_EQ(index.accounts_naming("arn:aws:iam::1:role/own"), 1u);
  index.erase("b", "two");
  index.erase("b", "two");
  EXPECT_EQ(index.accounts_naming("arn:aws:iam::1:role/shared"), 1u);
  index.replace_all({});
  EXPECT_EQ(index.accounts_naming("arn:aws:iam::1:role/own"), 0u);
}

TEST(AccountIndex, FindsWhatWasPutAndForgetsWhatWasErased) {
  AccountIndex index;
  EntryInterner interner(settings());
  index.replace_all(
      {{"apps", "web",
        interner.entry_for({{"eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/web"}})},
       {"apps", "plain", interner.entry_for({})}});
  EXPECT_EQ(index.size(), 2u);
  ASSERT_NE(index.find("apps", "web"), nullptr);
  EXPECT_EQ(index.find("apps", "web")->role_arn, "arn:aws:iam::1:role/web");
  ASSERT_NE(index.find("apps", "plain"), nullptr) << "known without a role is not unknown";
  EXPECT_EQ(index.find("apps", "plain")->role_arn, "");
  EXPECT_EQ(index.find("apps", "nobody"), nullptr);
  EXPECT_EQ(index.find("app", "s/web"), nullptr) << "keys are namespace/name, not a concatenation";

  index.upsert("apps", "new", interner.entry_for({}));
  index.upsert("apps", "web", interner.entry_for({}));
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.find("apps", "web")->role_arn, "") << "an update replaces";
  index.erase("apps", "web");
  index.erase("apps", "web");
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.find("apps", "web"), nullptr);

  std::size_t visited = 0;
  index.for_each([&](std::string_view key, const core::IdentityEntry&) {
    ++visited;
    EXPECT_TRUE(key == "apps/plain" || key == "apps/new") << key;
  });
  EXPECT_EQ(visited, 2u);
}

TEST(EntryInterner, SameAnnotationsShareOneEntry) {
  EntryInterner interner(settings());
  const core::Annotations role{{"eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/a"}};
  const auto first = interner.entry_for(role);
  EXPECT_EQ(interner.entry_for(role), first);
  EXPECT_EQ(interner.entry_for({}), interner.entry_for({}));
  EXPECT_NE(interner.entry_for({}), first);
  // "a"+"bc" and "ab"+"c" are different sets.
  const auto a_bc = interner.entry_for({{"a", "bc"}});
  const auto ab_c = interner.entry_for({{"ab", "c"}});
  EXPECT_NE(a_bc, ab_c);
  const auto none = interner.entry_for({});
  const std::size_t before = interner.distinct();
  {
    const auto temporary =
        interner.entry_for({{"eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/t"}});
    EXPECT_EQ(interner.distinct(), before + 1);
  }
  interner.prune();
  EXPECT_EQ(interner.distinct(), before) << "the unused entry is forgotten, the others kept";
  EXPECT_EQ(interner.entry_for(role), first) << "entries in use survive pruning";
}

TEST(AccountIndex, ReadersSeeWholeEntriesWhileTheWriterChangesShards) {
  AccountIndex index;
  EntryInterner interner(settings());
  const auto with_role =
      interner.entry_for({{"eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/r"}});
  const auto without = interner.entry_for({});
  std::vector<AccountIndex::Account> initial;
  for (int i = 0; i < 1000; ++i) initial.push_back({"ns", "sa-" + std::to_string(i), without});
  index.replace_all(std::move(initial));

  std::atomic<bool> stop{false};
  std::atomic<long> lookups{0};
  std::atomic<long> missing{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!stop) {
        for (int i = 0; i < 1000; i += 7) {
          const auto entry = index.find("ns", "sa-" + std::to_string(i));
          ++lookups;
          // Accounts 0..999 are never erased: each lookup finds one, with or without a role.
          if (!entry || (entry != with_role && entry != without)) ++missing;
        }
      }
    });
  }
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 1000; ++i) {
      index.upsert("ns", "sa-" + std::to_string(i), round % 2 == 0 ? with_role : without);
    }
    index.upsert("ns", "extra", without);
    index.erase("ns", "extra");
  }
  stop = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(missing.load(), 0) << "of " << lookups.load();
  EXPECT_GT(lookups.load(), 0);
  EXPECT_EQ(index.size(), 1000u);
}

}  // namespace
}  // namespace irsa::store
