// When /readyz answers 200: the ServiceAccounts have arrived, so have the Pod Identity
// associations when their file is watched, and no shutdown has begun. The irsa_webhook_ready
// gauge follows the same rule.
#pragma once

#include <atomic>

#include "irsa/server/account_source.hpp"
#include "irsa/server/server_metrics.hpp"

namespace irsa::server {

class Readiness {
 public:
  Readiness(const AccountSource& accounts, bool pod_identity_watched, ServerMetrics& metrics);
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  [[nodiscard]] bool ready() const noexcept;
  [[nodiscard]] bool draining() const noexcept;

  // The Pod Identity associations have been loaded once; they stay usable from then on.
  void pod_identity_loaded();
  // Marks the server as shutting down, so that /readyz fails from now on; returns whether it
  // already was (a second stop signal).
  bool begin_draining();
  // Sets the gauge to ready(). Called whenever something ready() reads may have changed.
  void update();

 private:
  const AccountSource& accounts_;
  const bool pod_identity_watched_;
  ServerMetrics& metrics_;
  std::atomic<bool> pod_identity_loaded_{false};
  std::atomic<bool> draining_{false};
};

}  // namespace irsa::server
