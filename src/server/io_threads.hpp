// The io_contexts that run the server, each on a thread of its own. The main context runs the
// acceptors, the timers, the signals, the watched files and the Kubernetes sources, and takes
// its turn with connections; the others run connections only.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

namespace irsa::server {

class IoThreads {
 public:
  explicit IoThreads(unsigned threads);
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  [[nodiscard]] boost::asio::io_context& main() noexcept { return main_; }
  // Every context, the main one first.
  [[nodiscard]] std::vector<boost::asio::io_context*> contexts();
  // Where the webhook's listener hands accepted connections in turn: every context, or none with
  // a single thread (connections then stay on the main context).
  [[nodiscard]] std::vector<boost::asio::io_context*> connection_contexts();

  // Makes each connection context's lasting bookkeeping for `connections` connections now: the
  // sockets' reactor states (kept in a pool that never shrinks). Made one by one as a flood of
  // connections arrives, they end up scattered among the connections' buffers, and after the flood
  // each pins a page of freed memory that cannot go back to the kernel (4,096 idle connections left
  // 16 MiB behind). Made together at start-up, they sit side by side.
  void prepare_for_connections(std::size_t connections);

  // Runs every context on its own thread; returns once stop() has ended them all.
  void run();
  // Ends every context; called once, by the shutdown sequence.
  void stop();

 private:
  // Declared before `main_`, so destroyed after it: an accept still pending on the main context
  // at exit holds a socket that belongs to one of these.
  std::vector<std::unique_ptr<boost::asio::io_context>> workers_;
  // The workers have no work of their own until connections arrive; these keep them running.
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
  boost::asio::io_context main_;
};

}  // namespace irsa::server
