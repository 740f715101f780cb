#include "irsa/kube/namespace_cache.hpp"

#include "irsa/kube/watch_events.hpp"

namespace irsa::kube {

void NamespaceCache::begin_list() {
  listing_.clear();
}

PageResult NamespaceCache::add_page(std::string_view body) {
  NamespaceListPage page = parse_namespace_list(body);
  if (!page.error.empty()) return PageResult{0, {}, {}, std::move(page.error)};
  for (auto& item : page.items) {
    listing_[std::move(item.name)] = std::make_shared<const core::Labels>(std::move(item.labels));
  }
  return PageResult{
      page.items.size(), std::move(page.resource_version), std::move(page.continue_token), {}};
}

void NamespaceCache::commit_list() {
  current_ = std::move(listing_);
  listing_ = {};
  publish();
}

EventResult NamespaceCache::apply_event(std::string_view line) {
  NamespaceEventParse parse = parse_namespace_event(line);
  if (!parse.error.empty()) return EventResult{EventKind::malformed, {}, 0, std::move(parse.error)};
  NamespaceEvent& event = parse.event;
  switch (event.type) {
    case WatchType::added:
    case WatchType::modified:
      current_[event.object.name] =
          std::make_shared<const core::Labels>(std::move(event.object.labels));
      publish();
      return EventResult{EventKind::applied, std::move(event.object.resource_version), 0, {}};
    case WatchType::deleted:
      current_.erase(event.object.name);
      publish();
      return EventResult{EventKind::applied, std::move(event.object.resource_version), 0, {}};
    case WatchType::bookmark:
    case WatchType::error:
      return *bookmark_or_error(event);
  }
  return EventResult{EventKind::malformed, {}, 0, "unknown event type"};
}

// A copy of the map (its labels are shared, not copied): namespaces number in the hundreds or
// thousands and change rarely, so whole snapshots keep readers lock-free at little cost.
void NamespaceCache::publish() {
  publish_(std::make_shared<const store::NamespaceLabels>(current_));
}

}  // namespace irsa::kube
