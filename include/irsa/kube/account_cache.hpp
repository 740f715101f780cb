// The cluster's ServiceAccounts as the webhook needs them, fed by a Reflector: one compact entry
// per account (entries with the same annotations are shared), annotated or not, so that "exists
// without a role" and "not seen yet" stay different answers. Readers use index() from any thread
// and never wait for the writer; the writer side runs on the reflector's strand.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "irsa/core/settings.hpp"
#include "irsa/kube/reflector.hpp"
#include "irsa/kube/watch_events.hpp"
#include "irsa/store/account_index.hpp"

namespace irsa::kube {

class AccountCache final : public ListWatchTarget {
 public:
  explicit AccountCache(const core::Settings& settings);

  [[nodiscard]] const store::AccountIndex& index() const noexcept { return index_; }
  [[nodiscard]] const std::string& annotation_prefix() const noexcept { return prefix_; }

  // Called on the writer's strand with "<ns>/<name>" whenever that account was added, changed or
  // removed, and with "" after a relist replaced everything.
  using ChangeListener = std::function<void(std::string_view key)>;
  void set_change_listener(ChangeListener listener) { listener_ = std::move(listener); }

  // An account read on its own (the GET after a cache miss).
  void add_fetched(const AccountObject& account);

  // Forgets every account until the next relist (upstream's /debug/alpha/cache/clear).
  void clear();

  // ListWatchTarget.
  [[nodiscard]] std::string_view resource() const override { return "serviceaccounts"; }
  [[nodiscard]] std::string collection_path() const override { return "/api/v1/serviceaccounts"; }
  void begin_list() override;
  [[nodiscard]] PageResult add_page(std::string_view body) override;
  void commit_list() override;
  [[nodiscard]] EventResult apply_event(std::string_view line) override;

 private:
  void changed(std::string_view ns, std::string_view name);

  std::string prefix_;
  store::AccountIndex index_;
  store::EntryInterner interner_;
  std::vector<store::AccountIndex::Account> listing_;
  ChangeListener listener_;
  std::size_t removals_since_prune_ = 0;
};

}  // namespace irsa::kube
