#include "memory_trimmer.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>

namespace irsa::server {

namespace {

// Looked at once a second; trimming walks every arena under its lock, a few milliseconds for a
// heap of 100 MB, so it is done only after at least this many connections have gone.
constexpr std::chrono::seconds kCheckEvery{1};
constexpr std::size_t kClosedBeforeTrim = 64;
// Free heap memory grown by this much since its lowest point after the last trim is trimmed too,
// flood or not: the buffers a burst of large pods leaves on the heap, which keeps them for the
// next ones (see the serve command), once their connections are gone. Under a steady load of
// large pods that can be a trim every second: a walk as above, and pages that later requests
// fault in again (0.06-0.08 page faults per large review in `make bench-load`'s runs).
constexpr std::size_t kFreedBeforeTrim = 1024 * 1024;

// Free bytes on the heap by glibc's count. Pages a trim gave back still count until used again,
// so the count does not fall after a trim, and only memory freed since then makes it grow.
std::size_t heap_free_bytes() {
  return ::mallinfo2().fordblks;
}

}  // namespace

MemoryTrimmer::MemoryTrimmer(boost::asio::io_context& io,
                             std::function<std::size_t()> open_connections,
                             std::function<std::size_t()> peak_since_last)
    : open_connections_(std::move(open_connections)),
      peak_since_last_(std::move(peak_since_last)),
      timer_(io) {}

void MemoryTrimmer::start() {
  timer_.expires_after(kCheckEvery);
  timer_.async_wait([this](boost::system::error_code error) {
    if (error) return;
    check();
    start();
  });
}

void MemoryTrimmer::stop() {
  timer_.cancel();
}

void MemoryTrimmer::check() {
  high_water_ = std::max(high_water_, peak_since_last_());
  const std::size_t open = open_connections_();
  const std::size_t free_now = heap_free_bytes();
  least_free_ = std::min(least_free_, free_now);
  const bool after_flood = high_water_ >= open + kClosedBeforeTrim;
  const bool freed = free_now >= least_free_ + kFreedBeforeTrim;
  if (!after_flood && !freed) return;
  ::malloc_trim(0);
  high_water_ = open;
  least_free_ = heap_free_bytes();
}

}  // namespace irsa::server
