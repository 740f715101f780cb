// Gives the heap's free pages back to the kernel after many connections have closed, or once
// 1 MiB more of the heap is free than at any time since it last did. Each
// connection's small buffers (TLS session, record buffers, parser) come from the heap, whose
// free pages glibc keeps mapped: after a flood of connections ends, resident memory would stay
// at the flood's peak for good. A large pod's buffers stay on the heap, which keeps up to 1 MiB
// free at its top for the next one; bodies of 1 MiB and more are mappings of their own and go
// back when freed, without this (see the serve command).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <functional>
#include <limits>

namespace irsa::server {

class MemoryTrimmer {
 public:
  // `open_connections` counts the connections open now; `peak_since_last` the most open at once
  // since it was last asked.
  MemoryTrimmer(boost::asio::io_context& io, std::function<std::size_t()> open_connections,
                std::function<std::size_t()> peak_since_last);
  MemoryTrimmer(const MemoryTrimmer&) = delete;
  MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

  void start();
  void stop();

 private:
  void check();

  std::function<std::size_t()> open_connections_;
  std::function<std::size_t()> peak_since_last_;
  boost::asio::steady_timer timer_;
  std::size_t high_water_ = 0;  // the most open at once since the last trim
  // The fewest free heap bytes seen since the last trim (none seen yet: the most there can be).
  std::size_t least_free_ = std::numeric_limits<std::size_t>::max();
};

}  // namespace irsa::server
