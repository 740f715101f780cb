// The cluster's Namespaces and their labels, fed by a Reflector, for role policy rules that
// pick namespaces with a namespaceSelector. Only names and labels are kept; every change
// publishes a new immutable snapshot, so admissions read labels without waiting for the watch.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "irsa/kube/reflector.hpp"
#include "irsa/store/live_identities.hpp"

namespace irsa::kube {

class NamespaceCache final : public ListWatchTarget {
 public:
  using Publish = std::function<void(std::shared_ptr<const store::NamespaceLabels>)>;

  explicit NamespaceCache(Publish publish) : publish_(std::move(publish)) {}

  [[nodiscard]] std::string_view resource() const override { return "namespaces"; }
  [[nodiscard]] std::string collection_path() const override { return "/api/v1/namespaces"; }
  void begin_list() override;
  [[nodiscard]] PageResult add_page(std::string_view body) override;
  void commit_list() override;
  [[nodiscard]] EventResult apply_event(std::string_view line) override;

 private:
  void publish();

  Publish publish_;
  store::NamespaceLabels current_;
  store::NamespaceLabels listing_;
};

}  // namespace irsa::kube
