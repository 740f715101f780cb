// One load run: N keep-alive connections spread over worker threads, each thread with its own
// io_context so no lock is shared on the hot path.
//
// Closed loop: every connection sends its next request as soon as the last answer is in; the
// rate is whatever the server sustains. Open loop: requests are due on a fixed schedule (the
// rate split evenly over the connections, as wrk2 does) and latency counts from the moment a
// request was due, not from when it left. A stalled server therefore shows up in the latency of
// every request that should have gone out during the stall, instead of hiding as one slow
// request followed by fewer sends (coordinated omission).
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "corpus.hpp"
#include "histogram.hpp"
#include "target.hpp"

namespace irsa::loadgen {

enum class Mode { closed_loop, open_loop };

struct LoadOptions {
  Target target;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  Mode mode = Mode::closed_loop;
  double rate = 0;  // requests per second over all connections, open loop only
  unsigned connections = 32;
  unsigned threads = 1;
  std::chrono::nanoseconds duration = std::chrono::seconds(10);
  // Requests due (open loop) or sent (closed loop) before this are not measured: handshakes,
  // cold caches and the server's first allocations stay out of the figures.
  std::chrono::nanoseconds warmup = std::chrono::seconds(1);
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);
  Order order = Order::round_robin;
  std::uint64_t seed = 1;
  std::string ca_file;  // verify the server's certificate against this; empty: no verification
};

// What went wrong, by kind. Transport kinds come from the connection, the others from the
// response check.
using ErrorCounts = std::map<std::string, std::uint64_t>;

struct LoadResult {
  LatencyHistogram latency;   // measured requests that got a good answer
  LatencyHistogram lateness;  // open loop: how long after its due time each request left
  std::uint64_t mutated = 0;
  std::uint64_t unchanged = 0;
  ErrorCounts errors;
  // Failures of requests during warm-up: not in the figures, but a run that had them is not
  // clean (a server that hangs at first would otherwise go unnoticed).
  std::uint64_t warmup_errors = 0;
  // Open loop: requests due within the run that never left because their connection was still
  // busy when the run ended. A server keeping up leaves this near zero.
  std::uint64_t behind = 0;
  std::uint64_t connections_opened = 0;
  // Every request answered or failed, warm-up included: what the server worked for, so that its
  // CPU time over the whole run can be divided by it.
  std::uint64_t all_requests = 0;
  double measured_seconds = 0;
  double client_cpu_seconds = 0;

  [[nodiscard]] std::uint64_t good() const noexcept { return mutated + unchanged; }
  [[nodiscard]] std::uint64_t error_total() const noexcept;
  [[nodiscard]] double throughput() const noexcept;
};

// Snapshot for the progress line: totals since the start, measured or not.
struct Progress {
  double elapsed_seconds = 0;
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;
  std::uint64_t latency_sum_ns = 0;
  bool warming_up = false;
};

using ProgressSink = std::function<void(const Progress&)>;

// Runs to the end of warm-up plus duration, then waits for answers still in flight (each bounded
// by the timeout). Calls `progress` about once a second from the calling thread when given.
LoadResult run_load(const LoadOptions& options, const Corpus& corpus,
                    const ProgressSink& progress = {});

}  // namespace irsa::loadgen
