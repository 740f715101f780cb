#include "load_run.hpp"

#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <thread>

#include "irsa/net/http_reader.hpp"
#include "irsa/net/no_throw.hpp"
#include "irsa/net/wire.hpp"
#include "response_check.hpp"

namespace irsa::loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

using Timer = asio::steady_timer;
using net::kNoThrow;

constexpr std::uint64_t kResponseLimit = std::uint64_t{64} * 1024 * 1024;
constexpr std::size_t kReadChunk = 16 * 1024;
// After a failed connect, a pause before the next attempt, so a dead server is not hammered.
constexpr auto kReconnectPause = std::chrono::milliseconds(100);
constexpr auto kStartLead = std::chrono::milliseconds(20);

std::uint64_t nanos(Clock::duration duration) {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count()));
}

std::chrono::milliseconds whole_milliseconds(std::chrono::nanoseconds duration) {
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(duration));
}

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The bytes of each request, built once: sending is then one write of one buffer.
std::vector<std::string> serialize_requests(const Target& target, const Corpus& corpus) {
  std::vector<std::string> requests;
  requests.reserve(corpus.entries.size());
  for (const auto& entry : corpus.entries) {
    std::string request = "POST " + target.target + " HTTP/1.1\r\nHost: " + target.host_header +
                          "\r\nUser-Agent: irsa-loadgen\r\nAccept: application/json, */*\r\n"
                          "Content-Type: application/json\r\nContent-Length: " +
                          std::to_string(entry.body.size()) + "\r\n\r\n";
    request += entry.body;
    requests.push_back(std::move(request));
  }
  return requests;
}

std::shared_ptr<asio::ssl::context> make_tls_context(const LoadOptions& options) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3);
  if (options.ca_file.empty()) {
    context->set_verify_mode(asio::ssl::verify_none);
  } else {
    context->load_verify_file(options.ca_file);
    context->set_verify_mode(asio::ssl::verify_peer);
  }
  return context;
}

// The read-only description of the run every thread works from, and the live counters the
// progress line reads.
struct Plan {
  const LoadOptions& options;
  const Corpus& corpus;
  std::vector<std::string> requests;
  std::shared_ptr<asio::ssl::context> tls;
  Clock::time_point start;
  Clock::time_point measure_from;
  Clock::time_point end;
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> latency_sum_ns{0};
};

struct Worker {
  explicit Worker(Plan& run_plan) : plan(run_plan), io(1) {}
  Plan& plan;
  asio::io_context io;
  LoadResult result;
};

// Connects (and shakes hands) within the timeout; returns the kind of failure, or "".
asio::awaitable<std::string> open_wire(Worker& worker, std::unique_ptr<net::Wire>& wire) {
  const auto& options = worker.plan.options;
  const auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  // Nothing answers a SYN to an unreachable address for minutes: the connect gets the same
  // budget as a request, enforced by closing the socket. The state is shared with the timer's
  // handler, which may run after this coroutine has moved on.
  struct ConnectDeadline {
    tcp::socket* socket = nullptr;
    bool fired = false;
  };
  const auto state = std::make_shared<ConnectDeadline>(ConnectDeadline{&socket});
  Timer deadline(executor);
  deadline.expires_after(options.timeout);
  deadline.async_wait([state](boost::system::error_code error) {
    if (error || state->socket == nullptr) return;
    state->fired = true;
    boost::system::error_code ignored;
    state->socket->close(ignored);
  });
  auto [connect_error, endpoint] =
      co_await asio::async_connect(socket, options.endpoints, kNoThrow);
  (void)endpoint;
  state->socket = nullptr;
  deadline.cancel();
  if (connect_error) co_return state->fired ? "timeout" : "connect";
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (!options.target.tls) {
    wire = std::make_unique<net::Wire>(std::move(socket), nullptr);
  } else {
    wire = std::make_unique<net::Wire>(std::move(socket), worker.plan.tls->native_handle(),
                                       net::Wire::Client{options.target.host});
  }
  wire->expires_after(whole_milliseconds(options.timeout));
  const auto handshake_error = co_await wire->handshake();
  if (handshake_error) {
    wire.reset();
    co_return handshake_error == asio::error::timed_out ? "timeout" : "tls_handshake";
  }
  ++worker.result.connections_opened;
  co_return "";
}

std::string read_error_kind(const boost::system::error_code& error) {
  if (error == asio::error::timed_out) return "timeout";
  if (error == http::error::end_of_stream || error == asio::error::eof ||
      error == asio::error::connection_reset || error == asio::ssl::error::stream_truncated ||
      error == http::error::partial_message) {
    return "closed";
  }
  if (error == http::error::body_limit || error == http::error::header_limit) return "too_large";
  return "read";
}

// One whole response through the shared reader. Bytes past it (none, as requests are not
// pipelined) would stay in `buffer`.
asio::awaitable<boost::system::error_code> read_response(
    net::Wire& wire, beast::flat_buffer& buffer, http::response_parser<http::string_body>& parser) {
  parser.eager(true);
  return net::read_http(
      wire, buffer, parser,
      [](const http::response_parser<http::string_body>& p) { return p.is_done(); },
      net::HttpReadRules{kReadChunk, /*truncation_ends_message=*/true});
}

class Outcomes {
 public:
  Outcomes(Worker& worker, Clock::time_point origin) : worker_(worker), origin_(origin) {}

  [[nodiscard]] bool measured() const { return origin_ >= worker_.plan.measure_from; }

  void error(const std::string& kind) {
    worker_.plan.errors.fetch_add(1, std::memory_order_relaxed);
    if (measured()) {
      ++worker_.result.errors[kind];
    } else {
      ++worker_.result.warmup_errors;
    }
  }

  void answered(Verdict verdict, Clock::time_point done) {
    if (is_error(verdict)) {
      error(std::string(name_of(verdict)));
      return;
    }
    const auto latency = nanos(done - origin_);
    worker_.plan.completed.fetch_add(1, std::memory_order_relaxed);
    worker_.plan.latency_sum_ns.fetch_add(latency, std::memory_order_relaxed);
    if (!measured()) return;
    worker_.result.latency.record(latency);
    ++(verdict == Verdict::mutated ? worker_.result.mutated : worker_.result.unchanged);
  }

 private:
  Worker& worker_;
  Clock::time_point origin_;
};

asio::awaitable<void> drive(Worker& worker, unsigned index) {
  Plan& plan = worker.plan;
  const LoadOptions& options = plan.options;
  BodyPicker picker(plan.corpus, options.order, options.seed + index, index);
  ResponseChecker checker;
  beast::flat_buffer buffer;
  std::unique_ptr<net::Wire> wire;
  Timer timer(worker.io.get_executor());
  const auto request_budget = whole_milliseconds(options.timeout);

  const bool open_loop = options.mode == Mode::open_loop;
  // Connection k of N sends requests k, k+N, k+2N... of the global schedule. A closed loop has
  // none (its rate is 0): a step of 1/rate there would be past what the clock can hold, and its
  // conversion to clock ticks undefined (UBSan reported it).
  const auto step =
      std::chrono::duration<double>(open_loop ? 1.0 / std::max(options.rate, 0.001) : 0.0);
  const auto spacing = std::chrono::duration_cast<Clock::duration>(step * options.connections);
  Clock::time_point due = plan.start + std::chrono::duration_cast<Clock::duration>(step * index);

  for (;;) {
    const auto now = Clock::now();
    if (open_loop && due >= plan.end) break;
    if (now >= plan.end) {
      if (open_loop) {
        worker.result.behind += static_cast<std::uint64_t>((plan.end - due) / spacing) + 1;
      }
      break;
    }
    if (!wire) {
      const std::string failure = co_await open_wire(worker, wire);
      if (!failure.empty()) {
        Outcomes(worker, open_loop ? due : now).error(failure);
        if (open_loop) due += spacing;
        timer.expires_after(kReconnectPause);
        co_await timer.async_wait(kNoThrow);
        continue;
      }
      buffer.clear();
    }
    if (open_loop && Clock::now() < due) {
      timer.expires_at(due);
      co_await timer.async_wait(kNoThrow);
    }
    const auto sent = Clock::now();
    const auto origin = open_loop ? due : sent;
    Outcomes outcomes(worker, origin);
    if (open_loop && outcomes.measured()) worker.result.lateness.record(nanos(sent - due));
    if (open_loop) due += spacing;

    const CorpusEntry& entry = picker.next();
    const auto& request =
        plan.requests[static_cast<std::size_t>(&entry - plan.corpus.entries.data())];
    wire->expires_after(request_budget);
    if (const auto write_error = co_await wire->write(request)) {
      outcomes.error(write_error == asio::error::timed_out ? "timeout" : "write");
      wire.reset();
      continue;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kResponseLimit);
    const auto read_error = co_await read_response(*wire, buffer, parser);
    const auto done = Clock::now();
    if (read_error) {
      outcomes.error(read_error_kind(read_error));
      wire.reset();
      continue;
    }
    const auto& response = parser.get();
    outcomes.answered(checker.check(response.result_int(), response.body(), entry.uid), done);
    if (!response.keep_alive()) wire.reset();
  }
}

void run_worker(Worker& worker, const std::vector<unsigned>& connections) {
  for (const unsigned index : connections) {
    asio::co_spawn(worker.io, drive(worker, index), asio::detached);
  }
  worker.io.run();
}

void merge_into(LoadResult& total, const LoadResult& part) {
  total.latency.merge(part.latency);
  total.lateness.merge(part.lateness);
  total.mutated += part.mutated;
  total.unchanged += part.unchanged;
  for (const auto& [kind, count] : part.errors) total.errors[kind] += count;
  total.warmup_errors += part.warmup_errors;
  total.behind += part.behind;
  total.connections_opened += part.connections_opened;
}

}  // namespace

std::uint64_t LoadResult::error_total() const noexcept {
  std::uint64_t total = 0;
  for (const auto& [kind, count] : errors) total += count;
  return total;
}

double LoadResult::throughput() const noexcept {
  return measured_seconds > 0 ? static_cast<double>(good()) / measured_seconds : 0.0;
}

LoadResult run_load(const LoadOptions& options, const Corpus& corpus,
                    const ProgressSink& progress) {
  Plan plan{options,
            corpus,
            serialize_requests(options.target, corpus),
            options.target.tls ? make_tls_context(options) : nullptr,
            {},
            {},
            {}};
  const unsigned threads = std::max(1U, std::min(options.threads, options.connections));
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::vector<unsigned>> assignment(threads);
  for (unsigned i = 0; i < threads; ++i) workers.push_back(std::make_unique<Worker>(plan));
  for (unsigned index = 0; index < options.connections; ++index) {
    assignment[index % threads].push_back(index);
  }

  const double cpu_before = cpu_seconds();
  plan.start = Clock::now() + kStartLead;
  plan.measure_from = plan.start + std::chrono::duration_cast<Clock::duration>(options.warmup);
  plan.end = plan.measure_from + std::chrono::duration_cast<Clock::duration>(options.duration);
  std::atomic<unsigned> finished{0};
  std::vector<std::jthread> running;
  for (unsigned i = 0; i < threads; ++i) {
    running.emplace_back([&, i] {
      run_worker(*workers[i], assignment[i]);
      finished.fetch_add(1);
    });
  }
  auto next_report = plan.start + std::chrono::seconds(1);
  while (finished.load() < threads) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto now = Clock::now();
    if (progress && now >= next_report) {
      next_report += std::chrono::seconds(1);
      progress(Progress{std::chrono::duration<double>(now - plan.start).count(),
                        plan.completed.load(), plan.errors.load(), plan.latency_sum_ns.load(),
                        now < plan.measure_from});
    }
  }
  running.clear();

  LoadResult total;
  for (const auto& worker : workers) merge_into(total, worker->result);
  total.all_requests = plan.completed.load() + plan.errors.load();
  total.measured_seconds = std::chrono::duration<double>(options.duration).count();
  total.client_cpu_seconds = cpu_seconds() - cpu_before;
  return total;
}

}  // namespace irsa::loadgen
