#include "irsa/kube/api_client.hpp"

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <variant>
#include <vector>

#include "irsa/kube/credentials.hpp"
#include "irsa/kube/line_splitter.hpp"
#include "irsa/net/any_stream.hpp"
#include "irsa/net/http_url.hpp"
#include "irsa/net/no_throw.hpp"

#ifndef IRSA_VERSION
#define IRSA_VERSION "dev"
#endif

namespace irsa::kube {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using net::HttpUrl;
using net::HttpUrlParse;
using net::is_ip_literal;
using net::parse_http_url;

namespace {

using net::kNoThrow;
// Status bodies of failed watches are short; more than this is not worth keeping.
constexpr std::size_t kMaxErrorBody = 64 * 1024;
constexpr std::size_t kWatchReadSize = 64 * 1024;
constexpr const char* kClosedWhileConnecting = "connections were closed while this one was opened";

struct ServerUrl {
  bool tls = true;
  std::string host;         // without brackets
  std::string port;         // always set
  std::string host_header;  // as it goes into Host:
  std::string prefix;       // a path in front of every API path ("" or "/some/proxy")
};

ServerUrl parse_server(const std::string& server) {
  HttpUrlParse parse = parse_http_url(server);
  if (!parse.error.empty()) {
    throw std::invalid_argument("API server \"" + server + "\": " + parse.error);
  }
  HttpUrl& http = parse.url;
  if (http.rest.find('?') != std::string::npos) {
    throw std::invalid_argument("API server \"" + server + "\": a query has no place in it");
  }
  std::string prefix = std::move(http.rest);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return {http.tls, std::move(http.host), std::move(http.port), std::move(http.authority),
          std::move(prefix)};
}

std::string openssl_error(const boost::system::system_error& error) {
  return error.code().message();
}

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct Connection {
  explicit Connection(PlainStream plain) : stream(std::move(plain)) {}
  Connection(PlainStream plain, ssl::context& context)
      : stream(std::in_place_type<TlsStream>, std::move(plain), context) {}

  beast::tcp_stream& tcp() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                      stream);
  }

  // The stream that HTTP goes through, TLS or not: one type, so that each HTTP operation below
  // is compiled once rather than once per kind of stream (irsa/net/any_stream.hpp).
  net::AnyStream http() {
    return std::visit([](auto& s) { return net::AnyStream(s); }, stream);
  }

  std::variant<PlainStream, TlsStream> stream;
  beast::flat_buffer buffer;
};

using ConnectionPtr = std::unique_ptr<Connection>;

// What a failed step says on its own: "timed out" for a deadline, else the system's message.
std::string describe(const boost::system::error_code& error) {
  if (error == beast::error::timeout) return "timed out";
  return error.message();
}

// A reply without an HTTP answer: the message for the log, and the step and cause apart.
ApiReply failure(ApiStep step, std::string message, std::string cause) {
  ApiReply reply;
  reply.error = std::move(message);
  reply.failed_step = step;
  reply.cause = std::move(cause);
  return reply;
}

// Runs one Beast operation on the connection's stream. `operation(stream)` returns the awaitable
// (error, bytes) tuple that kNoThrow makes; only the error matters here.
template <typename Operation>
asio::awaitable<boost::system::error_code> on_stream(Connection& connection, Operation operation) {
  net::AnyStream stream = connection.http();
  auto [error, bytes] = co_await operation(stream);
  (void)bytes;
  co_return error;
}

}  // namespace

struct ApiClient::Impl {
  Impl(asio::any_io_executor executor, ClientConfig client_config, ApiLimits api_limits)
      : strand(std::move(executor)),
        config(std::move(client_config)),
        limits(api_limits),
        url(parse_server(config.server)),
        server_name(config.tls_server_name.empty() ? url.host : config.tls_server_name),
        credential_source(config),
        resolver(strand) {
    if (url.tls) {
      // Fails now, at start-up, on a CA or client pair that OpenSSL refuses.
      tls_context = make_tls_context(config.client_cert_pem, config.client_key_pem);
      tls_context_cert = config.client_cert_pem;
    }
  }

  std::shared_ptr<ssl::context> make_tls_context(const std::string& cert_pem,
                                                 const std::string& key_pem) const {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    context->set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
    try {
      if (config.insecure_skip_tls_verify) {
        context->set_verify_mode(ssl::verify_none);
      } else {
        context->set_verify_mode(ssl::verify_peer);
        if (config.ca_pem.empty()) {
          context->set_default_verify_paths();
        } else {
          context->add_certificate_authority(asio::buffer(config.ca_pem));
        }
      }
    } catch (const boost::system::system_error& error) {
      throw std::invalid_argument(config.description + ": the certificate authority is not " +
                                  "usable PEM (" + openssl_error(error) + ")");
    }
    if (!cert_pem.empty()) {
      try {
        context->use_certificate_chain(asio::buffer(cert_pem));
        context->use_private_key(asio::buffer(key_pem), ssl::context::pem);
      } catch (const boost::system::system_error& error) {
        throw std::invalid_argument(config.description + ": the client certificate or key is " +
                                    "not usable (" + openssl_error(error) + ")");
      }
    }
    // Kubernetes API servers speak HTTP/2 too; this client reads HTTP/1.1 only.
    static constexpr std::array<unsigned char, 9> kAlpn{8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    SSL_CTX_set_alpn_protos(context->native_handle(), kAlpn.data(), kAlpn.size());
    return context;
  }

  struct Connected {
    ConnectionPtr connection;
    std::string error;
    ApiStep failed_step = ApiStep::none;
    std::string cause;
  };

  // `generation`: close_generation when the operation began. A close_all since then (while it
  // waited for credentials or the name lookup, holding no socket yet) ends it here.
  asio::awaitable<Connected> connect(const Credentials& credentials, std::uint64_t generation) {
    if (url.tls && credentials.client_cert_pem != tls_context_cert) {
      // An exec plugin handed out a new client certificate: new connections present it.
      try {
        tls_context = make_tls_context(credentials.client_cert_pem, credentials.client_key_pem);
      } catch (const std::invalid_argument& error) {
        co_return Connected{nullptr, error.what(), ApiStep::connect, error.what()};
      }
      tls_context_cert = credentials.client_cert_pem;
      idle.clear();
    }
    auto [resolve_error, endpoints] = co_await resolver.async_resolve(url.host, url.port, kNoThrow);
    if (resolve_error) {
      co_return Connected{nullptr, "cannot resolve " + url.host + ": " + resolve_error.message(),
                          ApiStep::resolve, describe(resolve_error)};
    }
    if (generation != close_generation) {
      co_return Connected{nullptr, kClosedWhileConnecting, ApiStep::connect,
                          kClosedWhileConnecting};
    }
    PlainStream plain(strand);
    plain.expires_after(limits.connect);
    std::optional<Busy> connecting(std::in_place, *this, plain);
    auto [connect_error, endpoint] = co_await plain.async_connect(endpoints, kNoThrow);
    connecting.reset();
    if (connect_error) {
      co_return Connected{nullptr,
                          "cannot connect to " + config.server + ": " + connect_error.message(),
                          ApiStep::connect, describe(connect_error)};
    }
    (void)endpoint;
    plain.socket().set_option(tcp::no_delay(true));
    if (!url.tls)
      co_return Connected{std::make_unique<Connection>(std::move(plain)), {}, ApiStep::none, {}};

    auto connection = std::make_unique<Connection>(std::move(plain), *tls_context);
    auto& tls = std::get<TlsStream>(connection->stream);
    if (!is_ip_literal(server_name)) {
      // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
      SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(server_name.c_str()));
    }
    if (!config.insecure_skip_tls_verify) {
      tls.set_verify_callback(ssl::host_name_verification(server_name));
    }
    connection->tcp().expires_after(limits.connect);
    const Busy handshaking(*this, connection->tcp());
    auto [handshake_error] = co_await tls.async_handshake(ssl::stream_base::client, kNoThrow);
    if (handshake_error) {
      co_return Connected{
          nullptr, "TLS handshake with " + config.server + " failed: " + handshake_error.message(),
          ApiStep::connect, "TLS handshake: " + describe(handshake_error)};
    }
    co_return Connected{std::move(connection), {}, ApiStep::none, {}};
  }

  template <typename Body>
  void set_common_headers(http::request<Body>& request, const Credentials& credentials,
                          const std::string& accept) const {
    request.set(http::field::host, url.host_header);
    request.set(http::field::user_agent, "irsa-webhook/" IRSA_VERSION);
    if (!accept.empty()) request.set(http::field::accept, accept);
    if (!credentials.bearer_token.empty()) {
      request.set(http::field::authorization, "Bearer " + credentials.bearer_token);
    }
  }

  http::request<http::empty_body> make_request(const std::string& target,
                                               const Credentials& credentials) const {
    http::request<http::empty_body> request{http::verb::get, url.prefix + target, 11};
    set_common_headers(request, credentials, "application/json");
    return request;
  }

  http::request<http::string_body> make_request(const ApiRequest& call,
                                                const Credentials& credentials) const {
    http::request<http::string_body> request{http::string_to_verb(call.method),
                                             url.prefix + call.target, 11};
    set_common_headers(request, credentials, call.accept);
    for (const auto& [name, value] : call.headers) request.set(name, value);
    if (request.method() != http::verb::get) {
      if (!call.content_type.empty()) request.set(http::field::content_type, call.content_type);
      request.body() = call.body;
      request.prepare_payload();
    }
    return request;
  }

  // Registers a stream as busy so that close_all can reach it, for the scope's lifetime: from
  // the TCP connect on, through the TLS handshake and the request, to the last byte read.
  struct Busy {
    Busy(Impl& impl, beast::tcp_stream& stream) : impl_(impl), stream_(&stream) {
      impl_.busy_streams.insert(stream_);
    }
    ~Busy() { impl_.busy_streams.erase(stream_); }
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;

   private:
    Impl& impl_;
    beast::tcp_stream* stream_;
  };

  asio::awaitable<ApiReply> send_once(const ApiRequest& call, std::chrono::milliseconds timeout,
                                      std::uint64_t generation, bool& reused) {
    auto [credentials, credentials_error] = co_await credential_source.current();
    if (!credentials_error.empty()) {
      co_return failure(ApiStep::credentials, credentials_error, credentials_error);
    }
    ConnectionPtr connection;
    reused = !idle.empty();
    if (reused) {
      connection = std::move(idle.back());
      idle.pop_back();
    } else {
      auto connected = co_await connect(credentials, generation);
      if (!connected.connection) {
        co_return failure(connected.failed_step, connected.error, connected.cause);
      }
      connection = std::move(connected.connection);
    }
    const Busy busy(*this, connection->tcp());
    auto request = make_request(call, credentials);
    connection->tcp().expires_after(timeout.count() > 0 ? timeout : limits.request);
    boost::system::error_code error = co_await on_stream(
        *connection, [&](auto& stream) { return http::async_write(stream, request, kNoThrow); });
    if (call.secret_body) OPENSSL_cleanse(request.body().data(), request.body().size());
    if (error) {
      co_return failure(ApiStep::send, "request to " + config.server + ": " + error.message(),
                        describe(error));
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(limits.max_body);
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header));
    error = co_await on_stream(*connection, [&](auto& stream) {
      return http::async_read(stream, connection->buffer, parser, kNoThrow);
    });
    if (error) {
      co_return failure(ApiStep::receive, "response from " + config.server + ": " + error.message(),
                        describe(error));
    }
    auto response = parser.release();
    ApiReply reply;
    reply.status = response.result_int();
    reply.body = std::move(response.body());
    reply.reason = std::string(response.reason());
    if (reply.status == 401) credential_source.invalidate();
    if (response.keep_alive() && idle.size() < limits.max_idle_connections) {
      idle.push_back(std::move(connection));
    }
    co_return reply;
  }

  asio::awaitable<WatchEnd> watch(const std::string& target, const LineHandler& on_line) {
    const std::uint64_t generation = close_generation;
    auto [credentials, credentials_error] = co_await credential_source.current();
    if (!credentials_error.empty()) co_return WatchEnd{0, {}, credentials_error, false};
    // A watch holds its connection for minutes: it gets a fresh one, never a pooled one.
    auto connected = co_await connect(credentials, generation);
    if (!connected.connection) co_return WatchEnd{0, {}, connected.error, false};
    const ConnectionPtr connection = std::move(connected.connection);
    const Busy busy(*this, connection->tcp());
    const auto request = make_request(target, credentials);
    connection->tcp().expires_after(limits.request);
    boost::system::error_code error = co_await on_stream(
        *connection, [&](auto& stream) { return http::async_write(stream, request, kNoThrow); });
    if (error) co_return WatchEnd{0, {}, "watch request: " + error.message(), false};

    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);  // a watch has no end but its timeout
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header));
    error = co_await on_stream(*connection, [&](auto& stream) {
      return http::async_read_header(stream, connection->buffer, parser, kNoThrow);
    });
    if (error) co_return WatchEnd{0, {}, "watch response: " + error.message(), false};
    const unsigned status = parser.get().result_int();
    if (status == 401) credential_source.invalidate();

    std::vector<char> chunk(kWatchReadSize);
    std::string error_body;
    LineSplitter lines(limits.max_watch_line);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      connection->tcp().expires_after(status == 200 ? limits.watch_idle : limits.request);
      error = co_await on_stream(*connection, [&](auto& stream) {
        return http::async_read_some(stream, connection->buffer, parser, kNoThrow);
      });
      if (error == http::error::need_buffer) error = {};
      const std::size_t got = chunk.size() - parser.get().body().size;
      if (status != 200) {
        error_body.append(chunk.data(), std::min(got, kMaxErrorBody - std::min(kMaxErrorBody,
                                                                               error_body.size())));
        if (error) break;
        continue;
      }
      if (got > 0 && !lines.append(std::string_view(chunk.data(), got))) {
        co_return WatchEnd{status, {}, "a watch line is longer than the limit", false};
      }
      while (auto line = lines.next_line()) {
        if (!on_line(*line)) co_return WatchEnd{status, {}, {}, true};
      }
      if (error) {
        co_return WatchEnd{status, {}, "watch stream broke: " + error.message(), false};
      }
    }
    if (status != 200) co_return WatchEnd{status, std::move(error_body), {}, false};
    if (lines.pending() > 0) {
      co_return WatchEnd{status, {}, "the watch stream ended inside a line", false};
    }
    co_return WatchEnd{status, {}, {}, false};
  }

  void close_all() {
    // Operations still waiting for credentials or a name lookup hold no socket yet: the
    // generation tells them, before they open one, that they were meant to end too.
    ++close_generation;
    idle.clear();
    for (beast::tcp_stream* stream : busy_streams) {
      boost::system::error_code ignored;
      stream->socket().close(ignored);
    }
  }

  asio::any_io_executor strand;
  ClientConfig config;
  ApiLimits limits;
  ServerUrl url;
  std::string server_name;
  CredentialSource credential_source;
  tcp::resolver resolver;
  std::shared_ptr<ssl::context> tls_context;
  std::string tls_context_cert;
  std::vector<ConnectionPtr> idle;
  std::set<beast::tcp_stream*> busy_streams;
  std::uint64_t close_generation = 0;
};

ApiClient::ApiClient(asio::any_io_executor strand, ClientConfig config, ApiLimits limits)
    : impl_(std::make_shared<Impl>(std::move(strand), std::move(config), limits)) {}

ApiClient::~ApiClient() = default;

const asio::any_io_executor& ApiClient::executor() const noexcept {
  return impl_->strand;
}

asio::awaitable<ApiReply> ApiClient::get(std::string target, std::chrono::milliseconds timeout) {
  ApiRequest request;
  request.target = std::move(target);
  co_return co_await send(std::move(request), timeout);
}

asio::awaitable<ApiReply> ApiClient::send(ApiRequest request, std::chrono::milliseconds timeout) {
  if (request.method != "GET" && request.method != "POST" && request.method != "PUT") {
    const std::string message = "method " + request.method + " is not supported";
    co_return failure(ApiStep::unsupported, message, message);
  }
  // Keep the implementation alive while the coroutine runs, even if the client is destroyed.
  const auto impl = impl_;
  // The retry below belongs to the same request: a close_all ends it too.
  const std::uint64_t generation = impl->close_generation;
  bool reused = false;
  ApiReply reply = co_await impl->send_once(request, timeout, generation, reused);
  // A pooled connection the server closed while idle fails at once; one retry on a fresh
  // connection covers that without hiding real failures. Only GET is idempotent.
  if (!reply.error.empty() && reused && request.method == "GET") {
    impl->idle.clear();
    reply = co_await impl->send_once(request, timeout, generation, reused);
  }
  if (request.secret_body) OPENSSL_cleanse(request.body.data(), request.body.size());
  co_return reply;
}

asio::awaitable<WatchEnd> ApiClient::watch(std::string target, LineHandler on_line) {
  const auto impl = impl_;
  co_return co_await impl->watch(target, on_line);
}

void ApiClient::close_all() {
  impl_->close_all();
}

std::string url_encode(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  append_url_encoded(out, value);
  return out;
}

void append_url_encoded(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4U]);
      out.push_back(kHex[byte & 0x0FU]);
    }
  }
}

}  // namespace irsa::kube
