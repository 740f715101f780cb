// Pressure that begins at one mark and ends at a lower one, so that a value hovering around a
// single mark does not switch it on and off with every change. The listeners' connection counts
// and the request memory budget both use it.
#pragma once

#include <atomic>
#include <cstddef>

namespace irsa::server {

// Turns `flag` on when `value` reaches `on_at` and off when it falls to `off_at`; true when this
// call switched it (of callers racing on the same change, one).
inline bool switch_at_marks(std::atomic<bool>& flag, std::size_t value, std::size_t on_at,
                            std::size_t off_at) {
  const bool active = flag.load(std::memory_order_relaxed);
  const bool turn_on = !active && value >= on_at;
  const bool turn_off = active && value <= off_at;
  if (!turn_on && !turn_off) return false;
  bool expected = active;
  return flag.compare_exchange_strong(expected, turn_on, std::memory_order_relaxed);
}

}  // namespace irsa::server
