#include "irsa/server/listener.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "irsa/core/admission.hpp"
#include "irsa/net/http_reader.hpp"
#include "irsa/net/no_throw.hpp"
#include "irsa/net/wire.hpp"
#include "irsa/server/memory_budget.hpp"
#include "irsa/server/pressure_marks.hpp"
#include "request_buffer.hpp"

namespace irsa::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
// A connection's executor: its io_context's own. Each context is run by one thread (see
// listener.hpp), so a connection's handlers never run at once without a strand, whose mutex and
// shared state every handler of every request would otherwise go through.
using Executor = asio::io_context::executor_type;
using net::Wire;

namespace {

using Clock = std::chrono::steady_clock;

// Where a connection is. The first three wait for the client, and such a connection may be
// closed by drain() (idle ones) or to make room for a new connection at the cap; a busy one
// (body, handler, response) is left to finish.
enum class Phase : std::uint8_t { unused, idle, headers, busy };

WaitingPhase waiting_phase(Phase phase) {
  switch (phase) {
    case Phase::idle:
      return WaitingPhase::idle;
    case Phase::headers:
      return WaitingPhase::headers;
    default:
      return WaitingPhase::unused;
  }
}

// What drain() and the accept loop need to see of one connection. `wire` and `buffer` are only
// touched on the connection's thread; the atomics are read by the accept loop when it must make
// room; the registry entry itself is guarded by the mutex in State.
struct Connection {
  explicit Connection(Executor context) : executor(std::move(context)) {}
  void enter(Phase next, Clock::time_point now) {
    since.store(now.time_since_epoch().count(), std::memory_order_relaxed);
    phase.store(next, std::memory_order_relaxed);
  }
  // Whether bytes of a request have come, parsed or not: such a connection is not idle. On the
  // connection's thread only.
  [[nodiscard]] bool request_arrived() const {
    return wire != nullptr && ((buffer != nullptr && buffer->size() != 0) || wire->readable());
  }
  Executor executor;
  Wire* wire = nullptr;  // null once the session has ended
  const RequestBuffer* buffer = nullptr;
  std::atomic<Phase> phase{Phase::unused};
  std::atomic<Clock::rep> since{0};  // when the phase began
  std::atomic<bool> closing{false};  // chosen to make room (never chosen twice)
};

}  // namespace

// Shared between the listener object and its coroutines, which may outlive a stop().
struct Listener::State {
  State(asio::io_context& io_context, TlsSource tls_source, ServerLimits server_limits,
        Handler request_handler, std::vector<asio::io_context*> contexts,
        ListenerOverload overload_hooks)
      : io(io_context),
        connection_contexts(std::move(contexts)),
        tls(std::move(tls_source)),
        limits(server_limits),
        handler(std::move(request_handler)),
        overload(std::move(overload_hooks)) {}

  void add(const std::shared_ptr<Connection>& connection) {
    const std::scoped_lock lock(mutex);
    registry.emplace(connection.get(), connection);
  }
  void remove(const Connection* connection) {
    const std::scoped_lock lock(mutex);
    registry.erase(connection);
  }
  std::vector<std::shared_ptr<Connection>> snapshot() {
    const std::scoped_lock lock(mutex);
    std::vector<std::shared_ptr<Connection>> all;
    all.reserve(registry.size());
    for (const auto& [key, connection] : registry) all.push_back(connection);
    return all;
  }

  // The waiting connection that has waited longest, marked as closing; null when none waits.
  std::shared_ptr<Connection> longest_waiting() {
    const std::scoped_lock lock(mutex);
    std::shared_ptr<Connection> oldest;
    Clock::rep oldest_since = 0;
    for (const auto& [key, connection] : registry) {
      if (connection->phase.load(std::memory_order_relaxed) == Phase::busy) continue;
      if (connection->closing.load(std::memory_order_relaxed)) continue;
      const Clock::rep since = connection->since.load(std::memory_order_relaxed);
      if (!oldest || since < oldest_since) {
        oldest = connection;
        oldest_since = since;
      }
    }
    if (oldest) oldest->closing.store(true, std::memory_order_relaxed);
    return oldest;
  }

  // Pressure begins when three quarters of the connection limit are open and ends at half;
  // lean waits begin at limits.lean_connections and end at half of that. Each mark's two ends
  // differ so that a count hovering around one does not flap.
  void note_connections(std::size_t open) {
    if (switch_at_marks(pressure, open, limits.max_connections / 4 * 3,
                        limits.max_connections / 2) &&
        overload.events != nullptr) {
      overload.events->connection_pressure(overload.port, pressure.load(std::memory_order_relaxed),
                                           open, limits.max_connections);
    }
    if (switch_at_marks(lean, open, limits.lean_connections, limits.lean_connections / 2)) {
      // Every connection, those waiting already too, waits without its input buffer (or again
      // with it).
      const bool now_lean = lean.load(std::memory_order_relaxed);
      for (const auto& connection : snapshot()) {
        asio::post(connection->executor, [connection, now_lean] {
          if (connection->wire != nullptr) connection->wire->set_lean(now_lean);
        });
      }
    }
  }

  // A wait's budget: the shorter one while under pressure, as Envoy's overload manager does.
  [[nodiscard]] std::chrono::milliseconds budget(std::chrono::milliseconds usual,
                                                 std::chrono::milliseconds pressed) const {
    return pressure.load(std::memory_order_relaxed) ? std::min(usual, pressed) : usual;
  }

  // Where the next accepted connection lives: round robin over the worker threads' contexts.
  asio::io_context& next_context() {
    if (connection_contexts.empty()) return io;
    return *connection_contexts[next_connection++ % connection_contexts.size()];
  }

  asio::io_context& io;
  std::vector<asio::io_context*> connection_contexts;
  std::size_t next_connection = 0;  // only touched by the accept loop
  TlsSource tls;
  ServerLimits limits;
  Handler handler;
  ListenerOverload overload;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> pressure{false};
  std::atomic<bool> lean{false};     // connections wait without input buffers (Wire::set_lean)
  std::atomic<std::size_t> peak{0};  // the most connections open at once since last asked
  std::atomic<bool> draining{false};
  // Set by drain() when its quiet period ends, before it closes the idle connections.
  std::atomic<bool> quiet_period_over{false};
  std::mutex mutex;
  std::unordered_map<const Connection*, std::shared_ptr<Connection>> registry;
};

namespace {

using net::kNoThrow;
constexpr std::chrono::milliseconds kAcceptRetryPause{50};

using RequestParser = http::request_parser<http::string_body, FieldAllocator<char>>;

// A response the listener itself sends when a request breaks a limit; it then closes.
Response limit_response(http::status status, std::string_view text) {
  return make_response(status, 11, /*keep_alive=*/false, kPlainText, std::string(text));
}

// A request Beast could not parse (not the end of the stream, not a limit): Go's server answers
// these with 400, and so does this one, rather than closing without a word.
bool malformed(const boost::system::error_code& error) {
  static const auto& http_errors = http::make_error_code(http::error::bad_method).category();
  return error.category() == http_errors && error != http::error::end_of_stream &&
         error != http::error::partial_message && error != http::error::need_more;
}

// A request whose end the server cannot be sure of, or that HTTP/1.1 forbids: answered as Go's
// server answers it, then the connection closes. Treating "gzip, chunked" as chunked, or a
// coding we do not know as absent, is how one request gets hidden inside another.
std::optional<Response> framing_refusal(const Request& request) {
  std::size_t codings = 0;
  std::size_t hosts = 0;
  for (const auto& field : request) {
    if (field.name() == http::field::transfer_encoding) ++codings;
    if (field.name() == http::field::host) ++hosts;
  }
  if (codings > 1 ||
      (codings == 1 && !beast::iequals(request[http::field::transfer_encoding], "chunked"))) {
    return limit_response(http::status::not_implemented, "unsupported transfer encoding\n");
  }
  if (hosts > 1) return limit_response(http::status::bad_request, "too many Host headers\n");
  if (hosts == 0 && request.version() >= 11) {
    return limit_response(http::status::bad_request, "missing required Host header\n");
  }
  return std::nullopt;
}

bool expects_continue(const Request& request) {
  const auto expect = request[http::field::expect];
  return beast::iequals(expect, "100-continue");
}

// A connection's read buffer beyond what any connection may hold for free is charged to the
// request memory budget: headers just under their limit on thousands of connections would
// otherwise add up to more than the bodies the budget guards (4,096 connections stalled in
// 15 KiB of headers took resident memory to 245 MiB).
class BufferCharge {
 public:
  static constexpr std::size_t kFreeBytes = 8 * 1024;
  explicit BufferCharge(MemoryBudget* budget) : share_(budget, 0) {}
  // Whether a buffer of `capacity` bytes fits; its charge is taken (or given back) when it does.
  bool fits(std::size_t capacity) {
    return share_.resize(capacity > kFreeBytes ? capacity - kFreeBytes : 0);
  }

 private:
  MemoryBudget::Share share_;
};

// What read_http asks before keeping a grown buffer.
struct AskCharge {
  BufferCharge* charge;
  bool operator()(std::size_t capacity) const { return charge->fits(capacity); }
};

asio::awaitable<boost::system::error_code> read_header(Wire& wire, RequestBuffer& buffer,
                                                       RequestParser& parser,
                                                       BufferCharge& charge) {
  return net::read_http(
      wire, buffer, parser, [](const RequestParser& p) { return p.is_header_done(); }, {},
      AskCharge{&charge});
}

asio::awaitable<boost::system::error_code> read_body(Wire& wire, RequestBuffer& buffer,
                                                     RequestParser& parser, BufferCharge& charge) {
  parser.eager(true);  // as http::async_read: the body is parsed as it arrives
  return net::read_http(
      wire, buffer, parser, [](const RequestParser& p) { return p.is_done(); }, {},
      AskCharge{&charge});
}

// A body whose Content-Length the headers gave, read straight into the request's string: what
// came with the headers is copied from the connection's buffer, and the rest is decrypted where it
// belongs. Beast's parser would take it through that buffer a read_size at a time (512 bytes on a
// fresh connection), copying each piece once more. Nothing past the body is read: the next
// request's bytes stay with the Wire. The parser is left at the body's start and not used again.
// The string grows a step ahead of what has come, not to the whole length at once: a client that
// announces megabytes and sends them slowly does not make the server touch them all up front.
// Its capacity leaves room for the padding the review appends (Mutator::review_in_place), so
// that the review neither copies the body nor makes the string move.
asio::awaitable<boost::system::error_code> read_sized_body(Wire& wire, RequestBuffer& buffer,
                                                           std::string& body, std::size_t length) {
  constexpr std::size_t kStep = 64 * 1024;
  body.reserve(length + core::Mutator::kBodyPadding);
  const std::size_t buffered = std::min(buffer.size(), length);
  body.resize(buffered);
  asio::buffer_copy(asio::buffer(body.data(), buffered), buffer.data());
  buffer.consume(buffered);
  for (std::size_t got = buffered; got < length;) {
    body.resize(std::min(length, got + kStep));
    auto [error, bytes] =
        co_await wire.read_some(asio::buffer(body.data() + got, body.size() - got));
    if (error) co_return error;
    got += bytes;
    body.resize(got);
  }
  co_return boost::system::error_code{};
}

// A response as Beast's serializer writes one whose length is known (the handler always sets
// Content-Length): status line, fields in the order they were set, a blank line, the body. Written
// by hand into the connection's own buffer, so that header and body leave in one TLS record and
// one send without the serializer's buffer sequences or a fresh string per response.
template <typename Fields>
void append_header(std::string& out, const http::header<false, Fields>& header) {
  const unsigned version = header.version();
  const unsigned code = header.result_int();
  char status_line[] = "HTTP/x.y ### ";
  status_line[5] = static_cast<char>('0' + version / 10);
  status_line[7] = static_cast<char>('0' + version % 10);
  status_line[9] = static_cast<char>('0' + code / 100);
  status_line[10] = static_cast<char>('0' + code / 10 % 10);
  status_line[11] = static_cast<char>('0' + code % 10);
  out.append(status_line, sizeof status_line - 1);
  const auto reason = header.reason();
  out.append(reason.data(), reason.size()).append("\r\n");
  for (const auto& field : header) {
    const auto name = field.name_string();
    const auto value = field.value();
    out.append(name.data(), name.size()).append(": ").append(value.data(), value.size());
    out.append("\r\n");
  }
  out.append("\r\n");
}

// Beast's serializer, for the one shape the hand-written path does not cover (a chunked body).
std::string serialize_with_beast(Response& message) {
  http::response_serializer<http::string_body, Fields> serializer(message);
  std::string bytes;
  boost::system::error_code error;
  while (!serializer.is_done() && !error) {
    serializer.next(error, [&](boost::system::error_code&, const auto& buffers) {
      std::size_t size = 0;
      for (const auto piece : beast::buffers_range_ref(buffers)) {
        bytes.append(static_cast<const char*>(piece.data()), piece.size());
        size += piece.size();
      }
      serializer.consume(size);
    });
  }
  if (error) throw boost::system::system_error(error);
  return bytes;
}

// `out` holds the whole message afterwards (its capacity is kept from response to response).
void serialize_into(std::string& out, Response& message) {
  out.clear();
  if (message.chunked()) {
    out = serialize_with_beast(message);
    return;
  }
  append_header(out, message.base());
  out.append(message.body());
}

// Buffers are kept from request to request, which spares an allocation per request; but one
// large pod must not leave every keep-alive connection holding buffers of its size for good.
constexpr std::size_t kKeptBufferBytes = 32 * 1024;

// The buffers one connection keeps from request to request.
struct KeptBuffers {
  std::string outgoing;  // the bytes of the response being written
  // Each request's header fields; the request is gone when the next begins. Made with the first
  // request, so that a connection that never sends one does not hold it.
  std::unique_ptr<FieldArena> fields;
};

void release_if_large(KeptBuffers& kept, RequestBuffer& incoming) {
  if (kept.outgoing.capacity() > kKeptBufferBytes) std::string().swap(kept.outgoing);
  if (incoming.size() == 0 && incoming.capacity() > kKeptBufferBytes) incoming.shrink_to_fit();
}

// How a connection's exchange ended, which decides how it is closed.
enum class Ending {
  polite,   // TLS close_notify both ways (or TCP's half-close)
  refused,  // a request was refused while its body may still be coming: a lingering close
};

// The share of the request memory budget a request's body needs: its length, or the most a
// body may be when it comes in chunks of unknown total.
std::size_t body_share(const RequestParser& parser, const ServerLimits& limits) {
  if (const auto length = parser.content_length()) return static_cast<std::size_t>(*length);
  return parser.chunked() ? static_cast<std::size_t>(limits.body_limit) : 0;
}

// The answer when the request memory budget cannot hold a request, counted as such.
Response refuse_for_memory(Listener::State& state) {
  if (state.overload.events != nullptr) {
    state.overload.events->refused_for_memory(state.overload.port);
  }
  Response response = limit_response(http::status::service_unavailable,
                                     "too many requests in memory; retry shortly\n");
  response.set(http::field::retry_after, "1");
  return response;
}

// Waits for the first bytes of the next request; false when the client left, the wait timed out
// or the connection was closed to make room.
asio::awaitable<bool> await_request(Wire& wire, RequestBuffer& buffer) {
  // As much as read_http would ask for.
  const std::size_t most = net::HttpReadRules{}.chunk;
  auto [error, bytes] = co_await wire.read_some(buffer.prepare(beast::read_size(buffer, most)));
  buffer.commit(bytes);
  co_return !error;
}

// Reads requests and writes responses until the client leaves, a limit or timeout is hit, or
// the listener drains.
asio::awaitable<Ending> exchange(Listener::State& state, Connection& connection, Wire& wire) {
  const ServerLimits& limits = state.limits;
  RequestBuffer buffer;
  connection.buffer = &buffer;
  BufferCharge buffer_charge(state.overload.memory);
  KeptBuffers kept;
  std::string& outgoing = kept.outgoing;
  bool first = true;
  for (;;) {
    // Once draining's quiet period is over, a connection that has had its answer is not kept,
    // unless its client has already sent more (which is answered, with Connection: close).
    if (!first && state.quiet_period_over.load(std::memory_order_acquire) &&
        !connection.request_arrived()) {
      co_return Ending::polite;
    }
    const auto header_budget = [&] {
      return state.budget(limits.request_header, limits.pressure_request_header);
    };
    if (first) {
      // The first request must come promptly: its wait and its headers share one budget. The
      // connection stays `unused` (since its accept) until the request's first bytes.
      wire.expires_after(header_budget());
      if (buffer.size() == 0) {
        if (!co_await await_request(wire, buffer)) co_return Ending::polite;
      }
      connection.enter(Phase::headers, Clock::now());
    } else {
      if (buffer.size() == 0) {
        // Between requests the connection may sit idle; once the next request begins, its
        // headers get the same short budget as a first request's. Under pressure, or with many
        // connections open, it waits without buffers.
        if (state.pressure.load(std::memory_order_relaxed) ||
            state.lean.load(std::memory_order_relaxed)) {
          buffer.shrink_to_fit();
          kept = KeptBuffers{};
          (void)buffer_charge.fits(0);
        }
        const auto now = Clock::now();
        wire.expires_at(now + state.budget(limits.idle, limits.pressure_idle));
        connection.enter(Phase::idle, now);
        if (!co_await await_request(wire, buffer)) co_return Ending::polite;
      }
      const auto now = Clock::now();
      wire.expires_at(now + header_budget());
      connection.enter(Phase::headers, now);
    }
    first = false;
    // Made now, after the wait: a connection waiting without its buffers holds no arena either.
    if (kept.fields) {
      kept.fields->reset();
    } else {
      kept.fields = std::make_unique<FieldArena>();
    }
    RequestParser parser(std::piecewise_construct, std::make_tuple(),
                         std::make_tuple(FieldAllocator<char>(kept.fields.get())));
    parser.header_limit(limits.header_limit);
    parser.body_limit(limits.body_limit);
    const auto header_error = co_await read_header(wire, buffer, parser, buffer_charge);
    connection.phase.store(Phase::busy, std::memory_order_relaxed);
    std::optional<Response> refusal;
    MemoryBudget::Share body_memory;
    if (header_error == http::error::header_limit) {
      refusal = limit_response(http::status::request_header_fields_too_large,
                               "request headers too large\n");
    } else if (header_error == http::error::body_limit) {
      // A Content-Length over the limit is refused before any of the body is read.
      refusal = limit_response(http::status::payload_too_large, "request body too large\n");
    } else if (header_error == http::error::buffer_overflow) {
      refusal = refuse_for_memory(state);
    } else if (header_error == http::error::bad_transfer_encoding) {
      refusal = limit_response(http::status::not_implemented, "unsupported transfer encoding\n");
    } else if (malformed(header_error)) {
      refusal = limit_response(http::status::bad_request, "malformed request\n");
    } else if (header_error) {
      co_return Ending::polite;  // closed, reset or timed out: nothing to answer
    } else if (auto framing = framing_refusal(parser.get())) {
      refusal = std::move(framing);
    } else if (const std::size_t share = body_share(parser, limits);
               state.overload.memory != nullptr && share > 0 &&
               !state.overload.memory->take(share)) {
      // Refused before any of the body is read: what it would hold is not left in the budget.
      refusal = refuse_for_memory(state);
    } else {
      if (state.overload.memory != nullptr && share > 0) {
        body_memory = MemoryBudget::Share(state.overload.memory, share);
      }
      wire.expires_after(limits.request_body);
      if (expects_continue(parser.get())) {
        // curl asks before sending a large body; answering at once spares it a one-second wait.
        const http::response<http::empty_body> proceed{http::status::continue_, 11};
        outgoing.clear();
        append_header(outgoing, proceed.base());
        if (co_await wire.write(outgoing)) co_return Ending::polite;
      }
      boost::system::error_code body_error;
      // Not a conditional expression: GCC 12 mishandles co_await inside one.
      if (const auto length = parser.content_length(); length && !parser.chunked()) {
        body_error = co_await read_sized_body(wire, buffer, parser.get().body(),
                                              static_cast<std::size_t>(*length));
      } else {
        body_error = co_await read_body(wire, buffer, parser, buffer_charge);
      }
      if (body_error == http::error::buffer_overflow) {
        refusal = refuse_for_memory(state);
      } else if (body_error == http::error::body_limit) {
        refusal = limit_response(http::status::payload_too_large, "request body too large\n");
      } else if (malformed(body_error)) {
        refusal = limit_response(http::status::bad_request, "malformed request body\n");
      } else if (body_error) {
        co_return Ending::polite;
      }
    }
    const bool refused = refusal.has_value();
    // A HEAD is answered as its GET would be, headers only: the client reads no body after it,
    // and one sent anyway would be taken for the start of the next response.
    const bool head_only = !refused && parser.get().method() == http::verb::head;
    // Not a conditional expression: GCC 12 mishandles co_await inside one.
    Response response;
    Request request;
    if (refused) {
      response = std::move(*refusal);
    } else {
      request = parser.release();
      response = co_await state.handler(request);
    }
    if (state.draining.load(std::memory_order_relaxed)) response.keep_alive(false);
    const bool keep_alive = response.keep_alive();
    wire.expires_after(limits.response_write);
    if (head_only) {
      outgoing.clear();
      append_header(outgoing, response.base());
    } else {
      serialize_into(outgoing, response);
    }
    const auto write_error = co_await wire.write(outgoing);
    body_memory.release();
    if (write_error) co_return Ending::polite;
    // The rest of a refused request was never read: closing now would reset the connection.
    if (refused) co_return Ending::refused;
    if (!keep_alive) co_return Ending::polite;
    release_if_large(kept, buffer);
    (void)buffer_charge.fits(buffer.capacity());
  }
}

// Deregisters a connection and releases its slot however the session ends.
struct SessionGuard {
  Listener::State& state;
  Connection& connection;
  ~SessionGuard() {
    connection.wire = nullptr;
    connection.buffer = nullptr;
    state.remove(&connection);
    state.note_connections(state.connections.fetch_sub(1, std::memory_order_relaxed) - 1);
  }
};

asio::awaitable<void> serve(std::shared_ptr<Listener::State> state,
                            std::shared_ptr<Connection> connection, tcp::socket socket,
                            std::shared_ptr<asio::ssl::context> tls) {
  const SessionGuard guard{*state, *connection};
  Wire wire(std::move(socket), tls ? tls->native_handle() : nullptr);
  wire.set_lean(state->lean.load(std::memory_order_relaxed));
  connection->wire = &wire;
  wire.expires_after(
      state->budget(state->limits.tls_handshake, state->limits.pressure_tls_handshake));
  if (co_await wire.handshake()) co_return;
  if (co_await exchange(*state, *connection, wire) == Ending::refused) {
    co_await wire.close_lingering(state->limits.lingering_close,
                                  state->limits.lingering_close_bytes);
  } else {
    co_await wire.close(state->limits.tls_close);
  }
}

// Closes a connection chosen to make room, unless it has stopped waiting meanwhile (its request
// arrived, or it is gone). Runs on the connection's thread.
void close_to_make_room(Listener::State& state, Connection& connection) {
  const Phase phase = connection.phase.load(std::memory_order_relaxed);
  if (connection.wire == nullptr || phase == Phase::busy ||
      (phase == Phase::idle && connection.request_arrived())) {
    connection.closing.store(false, std::memory_order_relaxed);
    return;
  }
  boost::system::error_code ignored;
  connection.wire->socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (state.overload.events != nullptr) {
    state.overload.events->closed_for_pressure(state.overload.port, waiting_phase(phase));
  }
}

// At the connection cap a new client is still served: the connection that has waited longest
// for its client (unused, idle or with headers trickling in) is closed instead. An attacker's
// connection is the likelier one; the API server reconnects. Returns false when none waits.
bool make_room(const std::shared_ptr<Listener::State>& state) {
  // A few connections may be over the cap while those chosen close; never more.
  constexpr std::size_t kMostOverTheCap = 32;
  if (state->connections.load(std::memory_order_relaxed) >=
      state->limits.max_connections + kMostOverTheCap) {
    return false;
  }
  auto chosen = state->longest_waiting();
  if (!chosen) return false;
  asio::post(chosen->executor, [state, chosen] { close_to_make_room(*state, *chosen); });
  return true;
}

// Registers an accepted connection and starts serving it on its context.
void start_session(const std::shared_ptr<Listener::State>& state, tcp::socket socket,
                   const Executor& executor) {
  if (state->connections.load(std::memory_order_relaxed) >= state->limits.max_connections &&
      !make_room(state)) {
    boost::system::error_code ignored;
    socket.close(ignored);
    if (state->overload.events != nullptr) {
      state->overload.events->connection_refused(state->overload.port);
    }
    return;
  }
  // Every response is written whole; Nagle's algorithm would only hold its last segment back
  // until the client's delayed ACK (40 ms on Linux) when the client is not sending.
  boost::system::error_code no_delay_error;
  socket.set_option(tcp::no_delay(true), no_delay_error);
  const std::size_t open = state->connections.fetch_add(1, std::memory_order_relaxed) + 1;
  state->note_connections(open);
  std::size_t peak = state->peak.load(std::memory_order_relaxed);
  while (open > peak && !state->peak.compare_exchange_weak(peak, open, std::memory_order_relaxed)) {
  }
  auto connection = std::make_shared<Connection>(executor);
  connection->enter(Phase::unused, Clock::now());
  state->add(connection);
  auto tls = state->tls ? state->tls() : nullptr;
  asio::co_spawn(executor, serve(state, connection, std::move(socket), std::move(tls)),
                 asio::detached);
}

asio::awaitable<void> accept_loop(std::shared_ptr<Listener::State> state,
                                  std::shared_ptr<tcp::acceptor> acceptor) {
  for (;;) {
    const Executor executor = state->next_context().get_executor();
    auto [error, socket] = co_await acceptor->async_accept(executor, kNoThrow);
    if (error) {
      if (error == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      // Out of descriptors or memory: those already connected go on being served, and accepting
      // resumes after a pause instead of spinning on the same error.
      asio::steady_timer pause(acceptor->get_executor(), kAcceptRetryPause);
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    // Served even when the listener closed meanwhile: its client has already connected.
    start_session(state, std::move(socket), executor);
  }
}

// Takes every connection the kernel has completed but nobody has accepted yet. Closing the
// listener with them queued would reset them, and a plain-HTTP client may have sent its request.
void accept_backlog(const std::shared_ptr<Listener::State>& state, tcp::acceptor& acceptor) {
  boost::system::error_code error;
  acceptor.non_blocking(true, error);
  while (!error) {
    const Executor executor = state->next_context().get_executor();
    tcp::socket socket(executor);
    acceptor.accept(socket, error);
    if (!error) start_session(state, std::move(socket), executor);
  }
}

// Closes a connection that waits for its next request with nothing of one arrived yet. Runs on
// the connection's thread; one with bytes waiting is left to answer them and close.
void close_if_idle(Connection& connection) {
  if (connection.phase.load(std::memory_order_relaxed) != Phase::idle) return;
  if (connection.wire == nullptr || connection.request_arrived()) return;
  boost::system::error_code ignored;
  // Shutting the socket down completes the pending read at once, and makes the TLS goodbye that
  // follows fail fast instead of waiting for the peer's.
  connection.wire->socket().shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace

Listener::Listener(asio::io_context& io, const tcp::endpoint& endpoint, TlsSource tls,
                   ServerLimits limits, Handler handler,
                   std::vector<asio::io_context*> connection_contexts, ListenerOverload overload)
    : state_(std::make_shared<State>(io, std::move(tls), limits, std::move(handler),
                                     std::move(connection_contexts), std::move(overload))),
      acceptor_(std::make_shared<tcp::acceptor>(asio::make_strand(io))),
      quiet_timer_(io) {
  auto& acceptor = *acceptor_;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  if (endpoint.address().is_v6()) {
    // "::" then serves IPv4 clients too, as Go's ":port" does.
    acceptor.set_option(asio::ip::v6_only(false));
  }
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
}

Listener::~Listener() {
  stop();
}

tcp::endpoint Listener::local_endpoint() const {
  return acceptor_->local_endpoint();
}

std::size_t Listener::open_connections() const noexcept {
  return state_->connections.load(std::memory_order_relaxed);
}

std::size_t Listener::take_peak_connections() noexcept {
  return state_->peak.exchange(state_->connections.load(std::memory_order_relaxed),
                               std::memory_order_relaxed);
}

void Listener::start() {
  asio::co_spawn(acceptor_->get_executor(), accept_loop(state_, acceptor_), asio::detached);
}

void Listener::stop() {
  asio::post(acceptor_->get_executor(), [acceptor = acceptor_] {
    boost::system::error_code ignored;
    acceptor->close(ignored);
  });
}

void Listener::drain(std::chrono::milliseconds quiet_period) {
  state_->draining.store(true, std::memory_order_relaxed);
  asio::post(acceptor_->get_executor(), [state = state_, acceptor = acceptor_] {
    if (!acceptor->is_open()) return;
    accept_backlog(state, *acceptor);
    boost::system::error_code ignored;
    acceptor->close(ignored);
  });
  // A keep-alive client may be sending its next request right now; it is answered (with
  // Connection: close) if it arrives within the quiet period, and idle connections close after.
  quiet_timer_.expires_after(quiet_period);
  quiet_timer_.async_wait([state = state_](boost::system::error_code error) {
    if (error) return;
    state->quiet_period_over.store(true, std::memory_order_release);
    for (const auto& connection : state->snapshot()) {
      asio::post(connection->executor, [connection] { close_if_idle(*connection); });
    }
  });
}

}  // namespace irsa::server
