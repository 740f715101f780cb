// A small Kubernetes API client on the server's own io_context: requests (LIST pages, one object,
// a TokenRequest POST) over reused keep-alive connections, and WATCH streams read line by line. It speaks
// HTTP/1.1 with Beast over OpenSSL (or plain HTTP for `kubectl proxy`), authenticates every
// request with what CredentialSource hands out, and enforces the timeouts and size limits in
// ApiLimits. Everything runs on one strand: callers co_await from coroutines spawned on it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "irsa/kube/client_config.hpp"

namespace irsa::kube {

struct ApiLimits {
  std::chrono::milliseconds connect{10'000};  // TCP connect plus TLS handshake
  std::chrono::milliseconds request{60'000};  // one whole non-watch response
  // A watch that delivers nothing (no event, no bookmark) for this long is taken as dead. The
  // server ends watches itself after their timeoutSeconds, well before this.
  std::chrono::milliseconds watch_idle{15 * 60'000};
  std::size_t max_body = 64 * 1024 * 1024;  // a LIST page of 500 accounts is a few hundred KiB
  std::size_t max_watch_line = 16 * 1024 * 1024;
  std::size_t max_idle_connections = 4;
  std::size_t max_header = 64 * 1024;  // the status line and headers of one response
};

// Which step of a request failed when no HTTP answer came, for callers that word their own
// messages (the instance metadata client) instead of passing ApiReply::error on.
enum class ApiStep {
  none,         // an HTTP answer came
  unsupported,  // the request was not sent (a method the client does not speak)
  credentials,
  resolve,
  connect,  // the TCP connect or the TLS handshake
  send,
  receive,
};

// The answer to a GET. `error` is set when there was no HTTP answer at all (connection refused,
// TLS failure, timeout, a response over the limits); status is then 0.
struct ApiReply {
  unsigned status = 0;
  std::string body;
  std::string error;
  std::string reason;  // the status line's reason phrase, such as "Not Found"
  ApiStep failed_step = ApiStep::none;
  std::string cause;  // with failed_step: why, without the server's name ("timed out", ...)
};

// How a watch ended. A stream that the server closed properly after its timeoutSeconds has
// status 200 and no error; `body` holds the response body when the status was not 200.
struct WatchEnd {
  unsigned status = 0;
  std::string body;
  std::string error;
  bool stopped = false;  // on_line asked to stop
};

// One request that is not a watch. The same client also speaks to endpoints that are not
// Kubernetes (STS's query API): they differ only in method, body and media types.
struct ApiRequest {
  std::string method = "GET";  // GET, POST or PUT
  std::string target;          // path and query, such as "/api/v1/serviceaccounts?limit=500"
  std::string body;            // sent with POST and PUT
  std::string content_type = "application/json";  // of the body; empty: no Content-Type
  std::string accept = "application/json";        // empty: no Accept header
  // The body holds a credential (a token for STS): the client wipes its copies once sent.
  bool secret_body = false;
  // More header fields (name, value), such as the instance metadata service's token headers.
  std::vector<std::pair<std::string, std::string>> headers;
};

class ApiClient {
 public:
  // `strand` must be a strand (or a single-threaded executor): the client is not thread-safe.
  // Throws std::invalid_argument when the configuration cannot work (a bad URL, a CA or client
  // certificate that OpenSSL refuses), with a message for the start-up log.
  ApiClient(boost::asio::any_io_executor strand, ClientConfig config, ApiLimits limits = {});
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  [[nodiscard]] const boost::asio::any_io_executor& executor() const noexcept;

  // GET `target` (a path with its query, such as "/api/v1/serviceaccounts?limit=500"), within
  // `timeout` (zero: ApiLimits::request) once connected.
  [[nodiscard]] boost::asio::awaitable<ApiReply> get(std::string target,
                                                     std::chrono::milliseconds timeout = {});

  // Sends `request` within `timeout` (zero: ApiLimits::request) once connected. Only a GET is
  // retried on a fresh connection when a pooled one turns out stale: a POST may have had its
  // effect (a TokenRequest mints a token) before the connection broke.
  [[nodiscard]] boost::asio::awaitable<ApiReply> send(ApiRequest request,
                                                      std::chrono::milliseconds timeout = {});

  // GET `target` as a watch and calls on_line for every complete line of the chunked stream;
  // on_line returns false to end the watch. Returns when the stream ends, breaks or idles out.
  using LineHandler = std::function<bool(std::string_view line)>;
  [[nodiscard]] boost::asio::awaitable<WatchEnd> watch(std::string target, LineHandler on_line);

  // Closes every connection, idle or busy; operations in flight end with an error. Call on the
  // strand.
  void close_all();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// A query parameter value with everything but unreserved characters percent-encoded.
[[nodiscard]] std::string url_encode(std::string_view value);
// The same, appended to `out` (no temporary copy of the value is made).
void append_url_encoded(std::string& out, std::string_view value);

}  // namespace irsa::kube
