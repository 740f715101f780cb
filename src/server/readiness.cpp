#include "readiness.hpp"

namespace irsa::server {

Readiness::Readiness(const AccountSource& accounts, bool pod_identity_watched,
                     ServerMetrics& metrics)
    : accounts_(accounts), pod_identity_watched_(pod_identity_watched), metrics_(metrics) {}

bool Readiness::ready() const noexcept {
  return accounts_.synced() &&
         (!pod_identity_watched_ || pod_identity_loaded_.load(std::memory_order_acquire)) &&
         !draining();
}

bool Readiness::draining() const noexcept {
  return draining_.load(std::memory_order_acquire);
}

void Readiness::pod_identity_loaded() {
  pod_identity_loaded_.store(true, std::memory_order_release);
  update();
}

bool Readiness::begin_draining() {
  if (draining_.exchange(true)) return true;
  update();
  return false;
}

void Readiness::update() {
  metrics_.set_ready(ready());
}

}  // namespace irsa::server
