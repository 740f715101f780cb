#include "irsa/kube/account_cache.hpp"

namespace irsa::kube {

namespace {

// Interned entries no account uses any more are dropped after this many removals; they are
// small, so an occasional sweep is enough.
constexpr std::size_t kPruneEvery = 1024;

}  // namespace

AccountCache::AccountCache(const core::Settings& settings)
    : prefix_(settings.annotation_prefix), interner_(settings) {}

void AccountCache::changed(std::string_view ns, std::string_view name) {
  if (!listener_) return;
  core::with_account_key(ns, name, [this](std::string_view key) {
    listener_(key);
    return 0;
  });
}

void AccountCache::add_fetched(const AccountObject& account) {
  index_.upsert(account.ns, account.name, interner_.entry_for(account.annotations));
  changed(account.ns, account.name);
}

void AccountCache::clear() {
  index_.replace_all({});
  interner_.prune();
}

void AccountCache::begin_list() {
  listing_.clear();
}

PageResult AccountCache::add_page(std::string_view body) {
  ListPage page = parse_service_account_list(body, prefix_);
  if (!page.error.empty()) return PageResult{0, {}, {}, std::move(page.error)};
  for (auto& item : page.items) {
    listing_.push_back(
        {std::move(item.ns), std::move(item.name), interner_.entry_for(item.annotations)});
  }
  return PageResult{
      page.items.size(), std::move(page.resource_version), std::move(page.continue_token), {}};
}

void AccountCache::commit_list() {
  index_.replace_all(std::move(listing_));
  listing_ = {};
  interner_.prune();
  if (listener_) listener_({});
}

EventResult AccountCache::apply_event(std::string_view line) {
  WatchEventParse parse = parse_watch_event(line, prefix_);
  if (!parse.error.empty()) return EventResult{EventKind::malformed, {}, 0, std::move(parse.error)};
  WatchEvent& event = parse.event;
  switch (event.type) {
    case WatchType::added:
    case WatchType::modified:
      index_.upsert(event.object.ns, event.object.name,
                    interner_.entry_for(event.object.annotations));
      changed(event.object.ns, event.object.name);
      return EventResult{EventKind::applied, std::move(event.object.resource_version), 0, {}};
    case WatchType::deleted:
      index_.erase(event.object.ns, event.object.name);
      changed(event.object.ns, event.object.name);
      if (++removals_since_prune_ >= kPruneEvery) {
        removals_since_prune_ = 0;
        interner_.prune();
      }
      return EventResult{EventKind::applied, std::move(event.object.resource_version), 0, {}};
    case WatchType::bookmark:
    case WatchType::error:
      return *bookmark_or_error(event);
  }
  return EventResult{EventKind::malformed, {}, 0, "unknown event type"};
}

}  // namespace irsa::kube
