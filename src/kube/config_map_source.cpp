#include "irsa/kube/config_map_source.hpp"

#include "irsa/kube/api_client.hpp"
#include "irsa/kube/watch_events.hpp"

namespace irsa::kube {

ConfigMapSource::ConfigMapSource(std::string ns, const core::Settings& settings,
                                 SourceObserver& observer, Publish publish)
    : namespace_(std::move(ns)),
      settings_(settings),
      observer_(observer),
      publish_(std::move(publish)) {}

std::string ConfigMapSource::collection_path() const {
  return "/api/v1/namespaces/" + url_encode(namespace_) + "/configmaps";
}

std::string ConfigMapSource::extra_query() const {
  return "fieldSelector=" + url_encode(std::string("metadata.name=") + kConfigMapName);
}

void ConfigMapSource::begin_list() {
  listed_config_.reset();
}

PageResult ConfigMapSource::add_page(std::string_view body) {
  ConfigMapListPage page = parse_config_map_list(body);
  if (!page.error.empty()) return PageResult{0, {}, {}, std::move(page.error)};
  for (auto& item : page.items) {
    // The field selector already limits the list; the check keeps a lax server honest.
    if (item.name == kConfigMapName) listed_config_ = std::move(item.config);
  }
  return PageResult{
      page.items.size(), std::move(page.resource_version), std::move(page.continue_token), {}};
}

void ConfigMapSource::commit_list() {
  apply(listed_config_);
}

EventResult ConfigMapSource::apply_event(std::string_view line) {
  ConfigMapEventParse parse = parse_config_map_event(line);
  if (!parse.error.empty()) return EventResult{EventKind::malformed, {}, 0, std::move(parse.error)};
  ConfigMapEvent& event = parse.event;
  switch (event.type) {
    case WatchType::added:
    case WatchType::modified:
      if (event.object.name == kConfigMapName) apply(event.object.config);
      return EventResult{EventKind::applied, std::move(event.object.resource_version), 0, {}};
    case WatchType::deleted:
      if (event.object.name == kConfigMapName) apply(std::nullopt);
      return EventResult{EventKind::applied, std::move(event.object.resource_version), 0, {}};
    case WatchType::bookmark:
    case WatchType::error:
      return *bookmark_or_error(event);
  }
  return EventResult{EventKind::malformed, {}, 0, "unknown event type"};
}

void ConfigMapSource::apply(const std::optional<std::string>& config) {
  // Bookmark-free relists and repeated MODIFIED events often carry the same text: nothing to do.
  if (has_current_ && config == current_config_) return;
  auto entries = std::make_shared<core::StaticIdentities>();
  if (config) {
    core::ConfigMapParse parse = core::parse_config_map_config(*config, settings_);
    if (!parse.error.empty()) {
      observer_.log(SourceObserver::Level::error,
                    "ConfigMap config not applied; the previous entries stay",
                    {{"namespace", namespace_}, {"name", kConfigMapName}, {"error", parse.error}});
      return;
    }
    for (const auto& problem : parse.value.problems) {
      observer_.log(SourceObserver::Level::warn, "ConfigMap entry problem",
                    {{"namespace", namespace_}, {"name", kConfigMapName}, {"problem", problem}});
    }
    for (auto& [id, entry] : parse.value.entries) {
      entries->add_config_map_entry(id.ns, id.name, std::move(entry));
    }
  }
  const std::size_t count = entries->config_map_entry_count();
  publish_(std::move(entries));
  has_current_ = true;
  current_config_ = config;
  observer_.log(
      SourceObserver::Level::info,
      config ? "ConfigMap entries applied" : "ConfigMap absent; its entries are cleared",
      {{"namespace", namespace_}, {"name", kConfigMapName}, {"entries", std::to_string(count)}});
}

}  // namespace irsa::kube
