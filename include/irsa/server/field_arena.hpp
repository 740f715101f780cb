// Where a request's header fields are kept. Beast's basic_fields makes a heap block for every
// field and one for the request target, about eight per request, and frees them all with the
// request. A connection hands its requests a buffer of its own instead: blocks are taken from it
// in order, and all of them are given back at once when the next request begins, so a keep-alive
// connection parses headers without calling malloc. Blocks past the buffer's end, and the fields
// of a request made anywhere else (tests, copies), are ordinary heap blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

namespace irsa::server {

class FieldArena {
 public:
  // Room for the headers the API server sends (six or seven fields of about 100 bytes each with
  // Beast's bookkeeping); a busy connection keeps it between requests, so it is not made larger.
  static constexpr std::size_t kBytes = 1024;

  FieldArena() = default;
  FieldArena(const FieldArena&) = delete;
  FieldArena& operator=(const FieldArena&) = delete;

  // A block of `bytes`, aligned to `align` (a power of two), or null when the rest is too small.
  [[nodiscard]] void* take(std::size_t bytes, std::size_t align) noexcept {
    const std::size_t at = (used_ + align - 1) & ~(align - 1);
    if (at > kBytes || bytes > kBytes - at) return nullptr;
    used_ = at + bytes;
    return storage_ + at;
  }
  [[nodiscard]] bool holds(const void* block) const noexcept {
    const auto address = reinterpret_cast<std::uintptr_t>(block);
    const auto begin = reinterpret_cast<std::uintptr_t>(storage_);
    return address >= begin && address < begin + kBytes;
  }
  // Every block taken is free again. Only when no request that took one is alive.
  void reset() noexcept { used_ = 0; }

 private:
  alignas(std::max_align_t) unsigned char storage_[kBytes];
  std::size_t used_ = 0;
};

// The allocator of a request's fields: from a FieldArena when it has one and room, else the heap.
// It moves and swaps with the fields it allocated (so a block always goes back to where it came
// from), and a copy of the fields starts on the heap, since a copy may outlive the arena's reset.
template <typename T>
class FieldAllocator {
 public:
  using value_type = T;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  using propagate_on_container_copy_assignment = std::false_type;
  using is_always_equal = std::false_type;

  FieldAllocator() noexcept = default;
  explicit FieldAllocator(FieldArena* arena) noexcept : arena_(arena) {}
  template <typename U>
  FieldAllocator(const FieldAllocator<U>& other) noexcept  // NOLINT: rebinding is implicit
      : arena_(other.arena()) {}

  [[nodiscard]] T* allocate(std::size_t count) {
    if (arena_ != nullptr) {
      if (void* block = arena_->take(count * sizeof(T), alignof(T))) return static_cast<T*>(block);
    }
    return std::allocator<T>().allocate(count);
  }
  void deallocate(T* block, std::size_t count) noexcept {
    if (arena_ != nullptr && arena_->holds(block)) return;  // back with the arena's reset
    std::allocator<T>().deallocate(block, count);
  }
  [[nodiscard]] FieldAllocator select_on_container_copy_construction() const noexcept {
    return FieldAllocator();
  }
  [[nodiscard]] FieldArena* arena() const noexcept { return arena_; }

  template <typename U>
  bool operator==(const FieldAllocator<U>& other) const noexcept {
    return arena_ == other.arena();
  }

 private:
  FieldArena* arena_ = nullptr;
};

}  // namespace irsa::server
