// The memory that request bodies may hold at once, shared by every connection of both ports. A
// request takes its share before its body is read and gives it back once answered; a request
// that does not fit is refused (503) instead of the process growing until the kernel kills it.
#pragma once

#include <atomic>
#include <cstddef>

#include "irsa/server/overload_events.hpp"

namespace irsa::server {

class MemoryBudget {
 public:
  // `events` (may be null) hears when use crosses three quarters of `limit` and falls back to
  // half of it.
  MemoryBudget(std::size_t limit, OverloadEvents* events);
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Takes `bytes`; false, with nothing taken, when they are not left. Any thread.
  [[nodiscard]] bool take(std::size_t bytes);
  void give_back(std::size_t bytes);

  [[nodiscard]] std::size_t used() const noexcept { return used_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::size_t limit() const noexcept { return limit_; }

  // What one request holds, given back when it goes out of scope. Empty when nothing was taken.
  class Share {
   public:
    Share() = default;
    Share(MemoryBudget* budget, std::size_t bytes) : budget_(budget), bytes_(bytes) {}
    Share(Share&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) {
      other.budget_ = nullptr;
    }
    Share& operator=(Share&& other) noexcept;
    Share(const Share&) = delete;
    Share& operator=(const Share&) = delete;
    ~Share() { release(); }
    void release();
    // Takes or gives back the difference; false, with the share unchanged, when more is not
    // left. Always true without a budget.
    [[nodiscard]] bool resize(std::size_t bytes);

   private:
    MemoryBudget* budget_ = nullptr;
    std::size_t bytes_ = 0;
  };

 private:
  void note_pressure(std::size_t used_now);

  const std::size_t limit_;
  OverloadEvents* events_;
  std::atomic<std::size_t> used_{0};
  std::atomic<bool> pressure_{false};
};

// The budget when --request-memory-budget is not given: a quarter of the cgroup's memory limit
// when there is one (the chart's 256 MiB gives 64 MiB), else 64 MiB.
[[nodiscard]] std::size_t default_request_memory(std::size_t cgroup_limit_or_zero) noexcept;

}  // namespace irsa::server
