#include "load_run.hpp"

#include <openssl/ssl.h>
#include <sys/resource.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>

#include "response_check.hpp"

namespace irsa::loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Every object on a worker's hot path names the io_context's own executor type, which spares
// the type-erased any_io_executor its indirections on each operation.
using Executor = asio::io_context::executor_type;
template <typename T = void>
using Task = asio::awaitable<T, Executor>;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable_t<Executor>{});
using Socket = asio::basic_stream_socket<tcp, Executor>;
using TlsStream = asio::ssl::stream<Socket>;
using Timer = asio::basic_waitable_timer<Clock, asio::wait_traits<Clock>, Executor>;

constexpr std::uint64_t kResponseLimit = std::uint64_t{64} * 1024 * 1024;
constexpr auto kWatchdogTick = std::chrono::milliseconds(20);
// After a failed connect, a pause before the next attempt, so a dead server is not hammered.
constexpr auto kReconnectPause = std::chrono::milliseconds(100);
constexpr auto kStartLead = std::chrono::milliseconds(20);

std::uint64_t nanos(Clock::duration duration) {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count()));
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

bool is_ip_literal(const std::string& host) {
  boost::system::error_code error;
  (void)asio::ip::make_address(host, error);
  return !error;
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

// A connection's in-flight state as the watchdog sees it.
struct Slot {
  std::optional<Clock::time_point> busy_since;
  bool timed_out = false;
  Socket* socket = nullptr;
};

struct Worker {
  explicit Worker(Plan& run_plan) : plan(run_plan), io(1) {}
  Plan& plan;
  asio::io_context io;
  LoadResult result;
  std::vector<Slot*> slots;
  unsigned running = 0;
};

// Registers a connection with its worker for its whole life.
struct SlotGuard {
  SlotGuard(Worker& owner, Slot& slot) : worker(owner), registered(&slot) {
    worker.slots.push_back(registered);
    ++worker.running;
  }
  ~SlotGuard() {
    std::erase(worker.slots, registered);
    --worker.running;
  }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;
  Worker& worker;
  Slot* registered;
};

Socket& lowest(Socket& socket) {
  return socket;
}
Socket& lowest(TlsStream& stream) {
  return stream.next_layer();
}

template <typename Stream>
void emplace_stream(std::optional<Stream>& stream, Worker& worker) {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    stream.emplace(worker.io.get_executor(), *worker.plan.tls);
  } else {
    stream.emplace(worker.io.get_executor());
  }
}

// Connects (and shakes hands); returns the kind of failure, or an empty string.
template <typename Stream>
Task<std::string> open_stream(Worker& worker, Slot& slot, std::optional<Stream>& stream) {
  const auto& options = worker.plan.options;
  emplace_stream(stream, worker);
  slot.socket = &lowest(*stream);
  slot.timed_out = false;
  auto [connect_error, endpoint] =
      co_await asio::async_connect(lowest(*stream), options.endpoints, kNoThrow);
  (void)endpoint;
  if (connect_error) co_return slot.timed_out ? "timeout" : "connect";
  boost::system::error_code ignored;
  lowest(*stream).set_option(tcp::no_delay(true), ignored);
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    const auto& host = options.target.host;
    if (!is_ip_literal(host)) {
      // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
      ::SSL_ctrl(stream->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(host.c_str()));
    }
    if (!options.ca_file.empty()) {
      stream->set_verify_callback(asio::ssl::host_name_verification(host));
    }
    auto [handshake_error] =
        co_await stream->async_handshake(asio::ssl::stream_base::client, kNoThrow);
    if (handshake_error) co_return slot.timed_out ? "timeout" : "tls_handshake";
  }
  ++worker.result.connections_opened;
  co_return "";
}

std::string transport_error_kind(const Slot& slot, bool while_writing,
                                 const boost::system::error_code& error) {
  if (slot.timed_out) return "timeout";
  if (while_writing) return "write";
  if (error == http::error::end_of_stream || error == asio::error::eof ||
      error == asio::error::connection_reset || error == asio::ssl::error::stream_truncated) {
    return "closed";
  }
  if (error == http::error::body_limit) return "too_large";
  return "read";
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

template <typename Stream>
Task<> drive(Worker& worker, unsigned index) {
  Plan& plan = worker.plan;
  const LoadOptions& options = plan.options;
  Slot slot;
  const SlotGuard guard(worker, slot);
  BodyPicker picker(plan.corpus, options.order, options.seed + index, index);
  ResponseChecker checker;
  beast::flat_buffer buffer;
  std::optional<Stream> stream;
  Timer timer(worker.io.get_executor());

  const bool open_loop = options.mode == Mode::open_loop;
  // Connection k of N sends requests k, k+N, k+2N... of the global schedule.
  const auto step = std::chrono::duration<double>(1.0 / std::max(options.rate, 1e-9));
  const auto spacing = std::chrono::duration_cast<Clock::duration>(step * options.connections);
  Clock::time_point due = plan.start + std::chrono::duration_cast<Clock::duration>(step * index);

  for (;;) {
    const auto now = Clock::now();
    if (open_loop && due >= plan.end) break;
    if (now >= plan.end) {
      if (open_loop)
        worker.result.behind += static_cast<std::uint64_t>((plan.end - due) / spacing) + 1;
      break;
    }
    if (!stream) {
      slot.busy_since = now;
      const std::string failure = co_await open_stream(worker, slot, stream);
      slot.busy_since.reset();
      if (!failure.empty()) {
        stream.reset();
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
    slot.busy_since = sent;
    auto [write_error, written] =
        co_await asio::async_write(*stream, asio::buffer(request), kNoThrow);
    (void)written;
    boost::system::error_code read_error;
    http::response_parser<http::string_body> parser;
    if (!write_error) {
      parser.body_limit(kResponseLimit);
      auto [error, read] = co_await http::async_read(*stream, buffer, parser, kNoThrow);
      (void)read;
      read_error = error;
    }
    slot.busy_since.reset();
    const auto done = Clock::now();
    if (write_error || read_error) {
      outcomes.error(transport_error_kind(slot, static_cast<bool>(write_error),
                                          write_error ? write_error : read_error));
      stream.reset();
      continue;
    }
    const auto& response = parser.get();
    outcomes.answered(checker.check(response.result_int(), response.body(), entry.uid), done);
    if (!response.keep_alive()) stream.reset();
  }
}

// Closes the socket of any request that has run past the timeout; its coroutine then sees the
// failure and counts a timeout.
Task<> watchdog(Worker& worker) {
  Timer tick(worker.io.get_executor());
  const auto timeout = worker.plan.options.timeout;
  while (worker.running > 0) {
    tick.expires_after(kWatchdogTick);
    co_await tick.async_wait(kNoThrow);
    const auto now = Clock::now();
    for (Slot* slot : worker.slots) {
      if (slot->busy_since && slot->socket != nullptr && now - *slot->busy_since > timeout) {
        slot->timed_out = true;
        boost::system::error_code ignored;
        slot->socket->close(ignored);
      }
    }
  }
}

void run_worker(Worker& worker, const std::vector<unsigned>& connections) {
  const bool tls = worker.plan.options.target.tls;
  for (const unsigned index : connections) {
    if (tls) {
      asio::co_spawn(worker.io, drive<TlsStream>(worker, index), asio::detached);
    } else {
      asio::co_spawn(worker.io, drive<Socket>(worker, index), asio::detached);
    }
  }
  asio::co_spawn(worker.io, watchdog(worker), asio::detached);
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
