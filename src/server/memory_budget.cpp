#include "irsa/server/memory_budget.hpp"

#include <utility>

#include "irsa/server/pressure_marks.hpp"

namespace irsa::server {

namespace {

constexpr std::size_t kMebibyte = 1024 * 1024;
constexpr std::size_t kFixedDefault = 64 * kMebibyte;

}  // namespace

MemoryBudget::MemoryBudget(std::size_t limit, OverloadEvents* events)
    : limit_(limit), events_(events) {}

bool MemoryBudget::take(std::size_t bytes) {
  std::size_t used_now = used_.load(std::memory_order_relaxed);
  do {
    if (bytes > limit_ - used_now) {
      note_pressure(used_now);
      return false;
    }
  } while (!used_.compare_exchange_weak(used_now, used_now + bytes, std::memory_order_relaxed));
  note_pressure(used_now + bytes);
  return true;
}

void MemoryBudget::give_back(std::size_t bytes) {
  const std::size_t used_now = used_.fetch_sub(bytes, std::memory_order_relaxed) - bytes;
  note_pressure(used_now);
}

// Pressure begins at three quarters of the budget and ends at half.
void MemoryBudget::note_pressure(std::size_t used_now) {
  if (events_ == nullptr) return;
  if (switch_at_marks(pressure_, used_now, limit_ / 4 * 3, limit_ / 2)) {
    events_->memory_pressure(pressure_.load(std::memory_order_relaxed), used_now, limit_);
  }
}

MemoryBudget::Share& MemoryBudget::Share::operator=(Share&& other) noexcept {
  if (this != &other) {
    release();
    budget_ = std::exchange(other.budget_, nullptr);
    bytes_ = other.bytes_;
  }
  return *this;
}

bool MemoryBudget::Share::resize(std::size_t bytes) {
  if (budget_ == nullptr) return true;
  if (bytes > bytes_) {
    if (!budget_->take(bytes - bytes_)) return false;
  } else if (bytes < bytes_) {
    budget_->give_back(bytes_ - bytes);
  }
  bytes_ = bytes;
  return true;
}

void MemoryBudget::Share::release() {
  if (budget_ != nullptr) budget_->give_back(bytes_);
  budget_ = nullptr;
}

std::size_t default_request_memory(std::size_t cgroup_limit_or_zero) noexcept {
  if (cgroup_limit_or_zero == 0) return kFixedDefault;
  return cgroup_limit_or_zero / 4;
}

}  // namespace irsa::server
