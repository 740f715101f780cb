// The role policy a running server checks admissions against: an immutable snapshot that the
// --role-policy file's reloads replace as a whole, so that an admission sees one policy from its
// start to its end and never waits for a reload.
#pragma once

#include <atomic>
#include <memory>
#include <utility>

#include "irsa/core/role_policy.hpp"

namespace irsa::store {

class LivePolicy {
 public:
  void publish(std::shared_ptr<const core::RolePolicy> policy) {
    current_.store(std::move(policy), std::memory_order_release);
  }
  // Null when no policy is configured.
  [[nodiscard]] std::shared_ptr<const core::RolePolicy> current() const {
    return current_.load(std::memory_order_acquire);
  }

 private:
  std::atomic<std::shared_ptr<const core::RolePolicy>> current_;
};

}  // namespace irsa::store
