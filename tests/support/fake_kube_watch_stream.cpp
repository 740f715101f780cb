#include "support/fake_kube_watch_stream.hpp"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <cstdio>
#include "irsa/net/no_throw.hpp"

namespace irsa::testing::fake_kube {

namespace {

using net::kNoThrow;
constexpr std::size_t kWatchWriteSlice = 256 * 1024;

// A watch session notices a client that leaves while no event is due: it waits for the socket
// to become readable without consuming anything, then looks at what arrived.
void arm_read_wait(const std::shared_ptr<Connection>& connection) {
  if (connection->read_wait_armed || connection->stream == nullptr) return;
  connection->read_wait_armed = true;
  auto on_readable = [connection](const beast::error_code& error) {
    connection->read_wait_armed = false;
    if (!error) connection->client_readable = true;
    connection->timer.cancel();  // a spurious wake costs the session one loop turn
  };
  connection->stream->socket().async_wait(tcp::socket::wait_read,
                                          asio::bind_executor(connection->strand, on_readable));
}

// Whether what the client sent during a watch means it is gone: end of stream, an error, or a
// TLS alert record (close_notify). Application data (a pipelined request) does not.
bool client_left(tcp::socket& socket) {
  unsigned char first = 0;
  const ssize_t n = ::recv(socket.native_handle(), &first, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  constexpr unsigned char kTlsAlert = 21;
  return first == kTlsAlert;
}

void append_chunk(std::string& out, std::string_view data) {
  char size[20];
  const int length = std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  out.append(size, static_cast<std::size_t>(length));
  out.append(data);
  out += "\r\n";
}

// Renders one queued item into `out` as a chunk; says how the watch ends if the item ends it.
std::optional<WatchEnd> render_item(const Outgoing& item, Kind kind, std::string& out) {
  std::string line;
  std::optional<WatchEnd> ending;
  switch (item.what) {
    case Outgoing::What::event:
      append_event_line(line, item.type, kind, *item.object);
      break;
    case Outgoing::What::bookmark:
      line = bookmark_line(kind, item.resource_version);
      break;
    case Outgoing::What::error_then_end:
      line = item.line;
      ending = WatchEnd::finished;
      break;
    case Outgoing::What::cut:
      ending = WatchEnd::cut;
      break;
    case Outgoing::What::cut_mid_line:
      line = bookmark_line(kind, item.resource_version);
      line.resize(line.size() / 2);
      ending = WatchEnd::cut;
      break;
  }
  if (!line.empty()) append_chunk(out, line);
  if (ending == WatchEnd::finished) out += "0\r\n\r\n";
  return ending;
}

asio::awaitable<bool> write_all(net::AnyStream& stream, std::string& out) {
  stream.lowest().expires_after(kWriteTimeout);
  auto [error, written] = co_await asio::async_write(stream, asio::buffer(out), kNoThrow);
  (void)written;
  out.clear();
  co_return !error;
}

// Sends what is queued for the watch, as it comes, until the watch ends, times out or the
// client leaves.
asio::awaitable<WatchEnd> pump_watch(Server& server, const std::shared_ptr<Connection>& connection,
                                     net::AnyStream& stream, Watch& watch,
                                     Clock::time_point deadline) {
  bool look_for_goodbye = true;
  connection->client_readable = false;
  std::string out;
  for (;;) {
    std::deque<Outgoing> batch;
    {
      const std::scoped_lock lock(server.mutex);
      batch.swap(watch.queue);
      watch.wake_posted = false;
    }
    std::optional<WatchEnd> ending;
    for (const auto& item : batch) {
      ending = render_item(item, watch.filter.kind, out);
      if (ending) break;
      // A long replay goes out in slices, not as one string of every event.
      if (out.size() >= kWatchWriteSlice && !co_await write_all(stream, out))
        co_return WatchEnd::lost;
      if (connection->closed) co_return WatchEnd::lost;
    }
    if (!ending && batch.empty()) {
      if (connection->closed) co_return WatchEnd::lost;
      if (connection->client_readable) {
        connection->client_readable = false;
        if (client_left(stream.lowest().socket())) co_return WatchEnd::lost;
        look_for_goodbye = false;  // data, not a goodbye: looking again would spin on it
      }
    }
    // Checked after every batch, so that a busy stream still ends on time.
    if (!ending && Clock::now() >= deadline) {
      out += "0\r\n\r\n";
      ending = WatchEnd::finished;
    }
    if (!out.empty() && !co_await write_all(stream, out)) co_return WatchEnd::lost;
    if (ending) co_return *ending;
    if (!batch.empty()) continue;  // more may have been queued while writing
    if (look_for_goodbye) arm_read_wait(connection);
    connection->timer.expires_at(deadline);
    co_await connection->timer.async_wait(kNoThrow);
  }
}

}  // namespace

asio::awaitable<WatchEnd> stream_watch(Server& server,
                                       const std::shared_ptr<Connection>& connection,
                                       net::AnyStream& stream, const std::shared_ptr<Watch>& watch,
                                       Clock::time_point deadline, const Request& request) {
  http::response<http::empty_body> header{http::status::ok, request.version()};
  header.set(http::field::content_type, "application/json");
  header.set(http::field::cache_control, "no-cache, private");
  header.keep_alive(request.keep_alive());
  header.chunked(true);
  http::response_serializer<http::empty_body> serializer{header};
  auto& lowest = stream.lowest();
  lowest.expires_after(kWriteTimeout);
  auto [header_error, header_bytes] =
      co_await http::async_write_header(stream, serializer, kNoThrow);
  (void)header_bytes;
  const WatchEnd end = header_error
                           ? WatchEnd::lost
                           : co_await pump_watch(server, connection, stream, *watch, deadline);
  {
    const std::scoped_lock lock(server.mutex);
    std::erase(server.watches, watch);
  }
  if (connection->read_wait_armed && !connection->closed) {
    // Nothing else is pending on the socket now: this only stops the readability wait.
    beast::error_code ignored;
    lowest.socket().cancel(ignored);
  }
  co_return end;
}

}  // namespace irsa::testing::fake_kube
