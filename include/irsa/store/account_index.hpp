// ServiceAccounts of a whole cluster, kept for lookups from many threads while one writer (the
// watch) applies changes. The accounts are split into shards, each an immutable map published
// through an atomic pointer: a change copies and republishes one shard only, a reader loads one
// pointer and never waits for the writer to build anything. Entries with the same annotations
// share one IdentityEntry (most accounts have none), which keeps 100,000 accounts small.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "irsa/core/identity_sources.hpp"

namespace irsa::store {

class AccountIndex {
 public:
  AccountIndex();

  // Readers, any thread.
  [[nodiscard]] core::IdentityEntryPtr find(std::string_view ns, std::string_view name) const;
  [[nodiscard]] std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }
  // How many accounts name role_arn (for a role policy's maxServiceAccountsPerRole).
  [[nodiscard]] std::size_t accounts_naming(std::string_view role_arn) const;
  // Calls visit(key, entry) for every account of a consistent view of each shard.
  void for_each(
      const std::function<void(std::string_view, const core::IdentityEntry&)>& visit) const;

  // The writer: one thread (or strand) at a time.
  struct Account {
    std::string ns;
    std::string name;
    core::IdentityEntryPtr entry;
  };
  void replace_all(std::vector<Account> accounts);
  void upsert(std::string_view ns, std::string_view name, core::IdentityEntryPtr entry);
  void erase(std::string_view ns, std::string_view name);

  static constexpr std::size_t kShards = 64;

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept {
      return std::hash<std::string_view>{}(key);
    }
  };
  using Shard = std::unordered_map<std::string, core::IdentityEntryPtr, KeyHash, std::equal_to<>>;
  static std::size_t shard_of(std::string_view key) noexcept;

  std::array<std::atomic<std::shared_ptr<const Shard>>, kShards> shards_;
  std::atomic<std::size_t> size_{0};
  // Accounts per role ARN. The writer changes it under the exclusive lock; readers look one role
  // up under the shared lock, which a writer holds only for a few map updates.
  void count_role(const core::IdentityEntryPtr& before, const core::IdentityEntryPtr& after);
  using RoleCounts = std::unordered_map<std::string, std::size_t, KeyHash, std::equal_to<>>;
  mutable std::shared_mutex role_counts_mutex_;
  RoleCounts role_counts_;
};

// Makes IdentityEntry values from ServiceAccount annotations under one Settings, handing out the
// same shared entry for the same annotations. Writer-side only (not thread-safe).
class EntryInterner {
 public:
  explicit EntryInterner(core::Settings settings) : settings_(std::move(settings)) {}
  [[nodiscard]] core::IdentityEntryPtr entry_for(const core::Annotations& annotations);
  // Forgets entries no account uses any more.
  void prune();
  [[nodiscard]] std::size_t distinct() const noexcept { return entries_.size(); }

 private:
  core::Settings settings_;
  std::unordered_map<std::string, std::weak_ptr<const core::IdentityEntry>> entries_;
};

}  // namespace irsa::store
