// The pod-identity-webhook ConfigMap (--watch-config-map), fed by a Reflector limited to that one
// object in --namespace. Its "config" entries are parsed once per change and published as a
// whole snapshot. Where upstream breaks, this source does not: deleting the ConfigMap clears its
// entries, and a key without "/" is skipped with a log line instead of crashing the process.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "irsa/core/identity_sources.hpp"
#include "irsa/kube/reflector.hpp"

namespace irsa::kube {

inline constexpr const char* kConfigMapName = "pod-identity-webhook";

class ConfigMapSource final : public ListWatchTarget {
 public:
  // Receives every new set of entries (an empty snapshot when the ConfigMap is gone).
  using Publish = std::function<void(std::shared_ptr<const core::StaticIdentities>)>;

  ConfigMapSource(std::string ns, const core::Settings& settings, SourceObserver& observer,
                  Publish publish);

  [[nodiscard]] std::string_view resource() const override { return "configmaps"; }
  [[nodiscard]] std::string collection_path() const override;
  [[nodiscard]] std::string extra_query() const override;
  void begin_list() override;
  [[nodiscard]] PageResult add_page(std::string_view body) override;
  void commit_list() override;
  [[nodiscard]] EventResult apply_event(std::string_view line) override;

 private:
  // Parses `config` (none: the ConfigMap or its key is absent) and publishes the entries; a
  // config that is not a JSON object is logged and the previous entries stay.
  void apply(const std::optional<std::string>& config);

  std::string namespace_;
  const core::Settings& settings_;
  SourceObserver& observer_;
  Publish publish_;
  std::optional<std::string> listed_config_;
  std::optional<std::string> current_config_;
  bool has_current_ = false;
};

}  // namespace irsa::kube
