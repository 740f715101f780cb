#include "irsa/store/account_index.hpp"

#include <mutex>

namespace irsa::store {

AccountIndex::AccountIndex() {
  for (auto& shard : shards_) shard.store(std::make_shared<const Shard>());
}

std::size_t AccountIndex::shard_of(std::string_view key) noexcept {
  return KeyHash{}(key) % kShards;
}

core::IdentityEntryPtr AccountIndex::find(std::string_view ns, std::string_view name) const {
  return core::with_account_key(ns, name, [this](std::string_view key) -> core::IdentityEntryPtr {
    const auto shard = shards_[shard_of(key)].load(std::memory_order_acquire);
    const auto it = shard->find(key);
    return it == shard->end() ? nullptr : it->second;
  });
}

void AccountIndex::for_each(
    const std::function<void(std::string_view, const core::IdentityEntry&)>& visit) const {
  for (const auto& slot : shards_) {
    const auto shard = slot.load(std::memory_order_acquire);
    for (const auto& [key, entry] : *shard) visit(key, *entry);
  }
}

std::size_t AccountIndex::accounts_naming(std::string_view role_arn) const {
  const std::shared_lock lock(role_counts_mutex_);
  const auto it = role_counts_.find(role_arn);
  return it == role_counts_.end() ? 0 : it->second;
}

void AccountIndex::count_role(const core::IdentityEntryPtr& before,
                              const core::IdentityEntryPtr& after) {
  const std::string_view old_role = before ? std::string_view(before->role_arn) : "";
  const std::string_view new_role = after ? std::string_view(after->role_arn) : "";
  if (old_role == new_role) return;
  const std::unique_lock lock(role_counts_mutex_);
  if (!old_role.empty()) {
    const auto it = role_counts_.find(old_role);
    if (it != role_counts_.end() && --it->second == 0) role_counts_.erase(it);
  }
  if (!new_role.empty()) {
    const auto it = role_counts_.find(new_role);
    if (it != role_counts_.end()) {
      ++it->second;
    } else {
      role_counts_.emplace(std::string(new_role), 1);
    }
  }
}

void AccountIndex::replace_all(std::vector<Account> accounts) {
  std::array<std::shared_ptr<Shard>, kShards> fresh;
  for (auto& shard : fresh) shard = std::make_shared<Shard>();
  RoleCounts counts;
  for (auto& account : accounts) {
    if (account.entry && !account.entry->role_arn.empty()) ++counts[account.entry->role_arn];
    std::string key = core::account_key(account.ns, account.name);
    const std::size_t index = shard_of(key);
    (*fresh[index])[std::move(key)] = std::move(account.entry);
  }
  std::size_t total = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    total += fresh[i]->size();
    shards_[i].store(std::move(fresh[i]), std::memory_order_release);
  }
  size_.store(total, std::memory_order_relaxed);
  const std::unique_lock lock(role_counts_mutex_);
  role_counts_ = std::move(counts);
}

void AccountIndex::upsert(std::string_view ns, std::string_view name,
                          core::IdentityEntryPtr entry) {
  std::string key = core::account_key(ns, name);
  auto& slot = shards_[shard_of(key)];
  auto copy = std::make_shared<Shard>(*slot.load(std::memory_order_acquire));
  const auto existing = copy->find(key);
  count_role(existing != copy->end() ? existing->second : nullptr, entry);
  const bool added = copy->insert_or_assign(std::move(key), std::move(entry)).second;
  slot.store(std::move(copy), std::memory_order_release);
  if (added) size_.fetch_add(1, std::memory_order_relaxed);
}

void AccountIndex::erase(std::string_view ns, std::string_view name) {
  const std::string key = core::account_key(ns, name);
  auto& slot = shards_[shard_of(key)];
  const auto current = slot.load(std::memory_order_acquire);
  if (current->find(key) == current->end()) return;
  auto copy = std::make_shared<Shard>(*current);
  const auto existing = copy->find(key);
  count_role(existing->second, nullptr);
  copy->erase(existing);
  slot.store(std::move(copy), std::memory_order_release);
  size_.fetch_sub(1, std::memory_order_relaxed);
}

core::IdentityEntryPtr EntryInterner::entry_for(const core::Annotations& annotations) {
  // The annotations as one string: lengths first, so that no two different sets collide.
  std::string key;
  for (const auto& [name, value] : annotations) {
    key.append(std::to_string(name.size())).push_back(':');
    key.append(name).append(std::to_string(value.size())).push_back(':');
    key.append(value);
  }
  auto& slot = entries_[key];
  if (auto shared = slot.lock()) return shared;
  auto entry = std::make_shared<const core::IdentityEntry>(
      core::entry_from_service_account(annotations, settings_));
  slot = entry;
  return entry;
}

void EntryInterner::prune() {
  std::erase_if(entries_, [](const auto& item) { return item.second.expired(); });
}

}  // namespace irsa::store
