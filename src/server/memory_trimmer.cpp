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
  if (high_water_ < open + kClosedBeforeTrim) return;
  ::malloc_trim(0);
  high_water_ = open;
}

}  // namespace irsa::server
