#include "support/fake_kube_api.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "irsa/core/json_text.hpp"
#include "support/kube_cluster_routes.hpp"
#include "support/url_query.hpp"

namespace irsa::testing {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Executor = asio::strand<asio::io_context::executor_type>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using core::append_json_string;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// Real clusters hand out large numbers; starting above 1 keeps "0" (= "any") and the first
// versions apart in tests.
constexpr std::uint64_t kFirstResourceVersion = 100;
constexpr std::size_t kAccountsPerNamespace = 50;
constexpr const char* kRoleArnAnnotation = "eks.amazonaws.com/role-arn";
constexpr const char* kCreationTimestamp = "2026-01-01T00:00:00Z";
constexpr std::size_t kWatchWriteSlice = 256 * 1024;
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr std::chrono::seconds kIdleTimeout{120};
constexpr std::chrono::seconds kWriteTimeout{60};
constexpr std::chrono::seconds kGoodbyeTimeout{2};
constexpr std::chrono::seconds kStopTimeout{5};

// ---------------------------------------------------------------------------------------------
// Objects and their JSON

enum class Kind : std::size_t { service_account = 0, config_map = 1 };

struct KindNames {
  const char* kind;
  const char* list_kind;
  const char* plural;
};
constexpr std::array<KindNames, 2> kKindNames = {{
    {"ServiceAccount", "ServiceAccountList", "serviceaccounts"},
    {"ConfigMap", "ConfigMapList", "configmaps"},
}};
const KindNames& names_of(Kind kind) {
  return kKindNames[static_cast<std::size_t>(kind)];
}

struct Object {
  std::string ns;
  std::string name;
  std::uint64_t serial = 0;  // makes the uid, and picks which optional fields the object has
  std::uint64_t resource_version = 0;
  std::map<std::string, std::string> fields;  // an account's annotations, a ConfigMap's data
  // The JSON object without its opening brace and without kind/apiVersion, rendered once so
  // that LIST pages and watch events are concatenation: list items are "{" + body, full
  // objects put kind and apiVersion in front.
  std::string body;
};
using ObjectPtr = std::shared_ptr<const Object>;

struct Key {
  std::string ns;
  std::string name;
  auto operator<=>(const Key&) const = default;
};

bool less(const Object& object, const Key& key) {
  const int by_ns = object.ns.compare(key.ns);
  return by_ns != 0 ? by_ns < 0 : object.name < key.name;
}
bool less(const Key& key, const Object& object) {
  const int by_ns = key.ns.compare(object.ns);
  return by_ns != 0 ? by_ns < 0 : key.name < object.name;
}
Key key_of(const Object& object) {
  return {object.ns, object.name};
}

// Orders objects and keys together, for the binary searches over the sorted object lists.
struct KeyOrder {
  bool operator()(const ObjectPtr& a, const Key& b) const { return less(*a, b); }
  bool operator()(const Key& a, const ObjectPtr& b) const { return less(a, *b); }
  bool operator()(const ObjectPtr& a, const ObjectPtr& b) const {
    const int by_ns = a->ns.compare(b->ns);
    return by_ns != 0 ? by_ns < 0 : a->name < b->name;
  }
};

void append_number(std::string& out, std::uint64_t number) {
  char digits[24];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), number).ptr;
  out.append(digits, end);
}

void append_string_map(std::string& out, const std::map<std::string, std::string>& map) {
  out.push_back('{');
  bool first = true;
  for (const auto& [key, value] : map) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, key);
    out.push_back(':');
    append_json_string(out, value);
  }
  out.push_back('}');
}

std::string uid_of(Kind kind, std::uint64_t serial) {
  char uid[48];
  std::snprintf(uid, sizeof(uid), "0f4e6a2c-%04x-4000-8000-%012llx",
                static_cast<unsigned>(kind == Kind::service_account ? 0x5a : 0xc3),
                static_cast<unsigned long long>(serial));
  return uid;
}

std::string render_body(Kind kind, const Object& object) {
  std::string out;
  out.reserve(320);
  out += R"("metadata":{"name":)";
  append_json_string(out, object.name);
  out += R"(,"namespace":)";
  append_json_string(out, object.ns);
  out += R"(,"uid":")";
  out += uid_of(kind, object.serial);
  out += R"(","resourceVersion":")";
  append_number(out, object.resource_version);
  out += R"(","creationTimestamp":")";
  out += kCreationTimestamp;
  out.push_back('"');
  // Some objects carry fields nobody asked about, so that readers prove they skip them.
  if (object.serial % 5 == 0) {
    out += R"(,"labels":{"app.kubernetes.io/name":)";
    append_json_string(out, object.name);
    out.push_back('}');
  }
  if (kind == Kind::service_account) {
    if (!object.fields.empty()) {
      out += R"(,"annotations":)";
      append_string_map(out, object.fields);
    }
    out.push_back('}');
    if (object.serial % 3 == 0) {
      out += R"(,"secrets":[{"name":)";
      append_json_string(out, object.name + "-token-7x2kq");
      out += "}]";
    }
    if (object.serial % 4 == 1) out += R"(,"automountServiceAccountToken":false)";
  } else {
    out.push_back('}');
    if (!object.fields.empty()) {
      out += R"(,"data":)";
      append_string_map(out, object.fields);
    }
  }
  out.push_back('}');
  return out;
}

// The whole object as GET and watch events show it.
void append_full_object(std::string& out, Kind kind, const Object& object) {
  out += R"({"kind":")";
  out += names_of(kind).kind;
  out += R"(","apiVersion":"v1",)";
  out += object.body;
}

void append_event_line(std::string& out, const char* type, Kind kind, const Object& object) {
  out += R"({"type":")";
  out += type;
  out += R"(","object":)";
  append_full_object(out, kind, object);
  out += "}\n";
}

std::string bookmark_line(Kind kind, std::uint64_t resource_version) {
  std::string out = R"({"type":"BOOKMARK","object":{"kind":")";
  out += names_of(kind).kind;
  out += R"(","apiVersion":"v1","metadata":{"resourceVersion":")";
  append_number(out, resource_version);
  out += "\"}}}\n";
  return out;
}

std::string status_json(int code, std::string_view reason, std::string_view message,
                        const std::string* details_name = nullptr,
                        const char* details_kind = nullptr) {
  std::string out = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)";
  out += R"("message":)";
  append_json_string(out, message);
  if (!reason.empty()) {
    out += R"(,"reason":)";
    append_json_string(out, reason);
  }
  if (details_name != nullptr) {
    out += R"(,"details":{"name":)";
    append_json_string(out, *details_name);
    out += R"(,"kind":")";
    out += details_kind;
    out += "\"}";
  }
  out += R"(,"code":)";
  append_number(out, static_cast<std::uint64_t>(code));
  out.push_back('}');
  return out;
}

// The reason the API server gives with each status code the fake can be told to answer.
std::string_view reason_for(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "";
  }
}

// ---------------------------------------------------------------------------------------------
// Requests: path, query, field selectors, continue tokens

using Query = std::map<std::string, std::string>;

Query parse_query(std::string_view query) {
  return parse_query_map(query);
}

std::string query_value(const Query& query, const std::string& name) {
  const auto found = query.find(name);
  return found == query.end() ? std::string() : found->second;
}

bool query_flag(const Query& query, const std::string& name) {
  const auto value = query_value(query, name);
  return value == "1" || value == "true";
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return {};
  return value;
}

struct Route {
  Kind kind = Kind::service_account;
  std::string ns;    // empty: all namespaces
  std::string name;  // non-empty: one object
};

std::optional<Route> parse_route(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    const auto slash = path.find('/');
    if (slash != 0) parts.push_back(url_decode(path.substr(0, slash)));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  if (parts.size() < 3 || parts[0] != "api" || parts[1] != "v1") return {};
  const auto kind_named = [](const std::string& plural) -> std::optional<Kind> {
    for (const Kind kind : {Kind::service_account, Kind::config_map}) {
      if (plural == names_of(kind).plural) return kind;
    }
    return {};
  };
  Route route;
  std::optional<Kind> kind;
  if (parts.size() == 3) {
    kind = kind_named(parts[2]);
  } else if ((parts.size() == 5 || parts.size() == 6) && parts[2] == "namespaces") {
    kind = kind_named(parts[4]);
    route.ns = parts[3];
    if (parts.size() == 6) route.name = parts[5];
  }
  if (!kind) return {};
  route.kind = *kind;
  return route;
}

// Which objects a LIST or WATCH covers: the path's namespace and the field selector terms the
// API server supports on every kind (metadata.name and metadata.namespace).
struct Filter {
  Kind kind = Kind::service_account;
  std::string ns;
  std::vector<std::pair<std::string, std::string>> equal, not_equal;  // (field, value)
  bool selective = false;  // a field selector is given: the server cannot count what is left

  [[nodiscard]] bool matches(Kind object_kind, const Object& object) const {
    if (object_kind != kind) return false;
    if (!ns.empty() && object.ns != ns) return false;
    const auto field = [&](const std::string& name) -> const std::string& {
      return name == "metadata.name" ? object.name : object.ns;
    };
    for (const auto& [name, value] : equal) {
      if (field(name) != value) return false;
    }
    for (const auto& [name, value] : not_equal) {
      if (field(name) == value) return false;
    }
    return true;
  }
};

// Empty when the selector is understood, else the API server's complaint.
std::string parse_field_selector(const std::string& text, Filter& filter) {
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto term = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (term.empty()) continue;
    const auto not_at = term.find("!=");
    const auto eq_at = term.find('=');
    if (eq_at == std::string_view::npos) return "invalid selector: '" + text + "'";
    const bool negated = not_at != std::string_view::npos && not_at < eq_at;
    const std::string field(term.substr(0, negated ? not_at : eq_at));
    std::string_view value = term.substr(eq_at + 1);
    if (!negated && !value.empty() && value.front() == '=') value.remove_prefix(1);  // "=="
    if (field != "metadata.name" && field != "metadata.namespace") {
      return "field label not supported: " + field;
    }
    (negated ? filter.not_equal : filter.equal).emplace_back(field, std::string(value));
    filter.selective = true;
  }
  return {};
}

// Continue tokens look like the API server's: URL-safe base64 (no padding) of a small JSON
// object with the list's resourceVersion and the key the next page starts after.
struct ContinueToken {
  std::uint64_t resource_version = 0;
  Key after;
};

std::string encode_continue(std::uint64_t resource_version, const Object& last) {
  const std::string json = nlohmann::json{
      {"v", "meta.k8s.io/v1"},
      {"rv", resource_version},
      {"start", last.ns + "/" + last.name +
                    '\0'}}.dump();
  std::string out(4 * ((json.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(json.data()),
                                     static_cast<int>(json.size()));
  out.resize(static_cast<std::size_t>(length));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::optional<ContinueToken> decode_continue(std::string text) {
  for (auto& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  std::size_t padding = 0;
  while (text.size() % 4 != 0) {
    text.push_back('=');
    ++padding;
  }
  if (padding == 3) return {};
  std::string raw(text.size() / 4 * 3 + 1, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     static_cast<int>(text.size()));
  if (length < 0) return {};
  raw.resize(static_cast<std::size_t>(length) - padding);
  const auto json = nlohmann::json::parse(raw, nullptr, false);
  if (!json.is_object() || !json.contains("rv") || !json["rv"].is_number_unsigned() ||
      !json.contains("start") || !json["start"].is_string()) {
    return {};
  }
  std::string start = json["start"].get<std::string>();
  if (!start.empty() && start.back() == '\0') start.pop_back();
  const auto slash = start.find('/');
  if (slash == std::string::npos) return {};
  return ContinueToken{json["rv"].get<std::uint64_t>(),
                       Key{start.substr(0, slash), start.substr(slash + 1)}};
}

// ---------------------------------------------------------------------------------------------
// Connections and watches

// One accepted connection. The session coroutine and everything posted to `strand` touch the
// fields below; other threads only post to the strand.
struct Connection {
  explicit Connection(const Executor& executor) : strand(executor), timer(executor) {}
  Executor strand;
  // The session's own waits (a delayed GET, a watch between events); cancelling it wakes the
  // session, which then looks at what changed.
  asio::steady_timer timer;
  beast::tcp_stream* stream = nullptr;  // null before the session starts and after it ends
  bool closed = false;
  bool read_wait_armed = false;
  bool client_readable = false;  // the client sent something (or left) during a watch

  void close() {
    closed = true;
    if (stream != nullptr) {
      beast::error_code ignored;
      stream->socket().close(ignored);
    }
    timer.cancel();
  }
};

// What a watch session still has to send, queued by whichever thread made the change.
struct Outgoing {
  enum class What { event, bookmark, error_then_end, cut, cut_mid_line } what = What::event;
  const char* type = nullptr;  // ADDED, MODIFIED, DELETED
  ObjectPtr object;
  std::uint64_t resource_version = 0;  // of a bookmark
  std::string line;                    // an ERROR event, rendered
};

struct Watch {
  Filter filter;
  bool bookmarks = false;
  std::shared_ptr<Connection> connection;
  // Guarded by Server::mutex.
  std::deque<Outgoing> queue;
  bool wake_posted = false;
};

struct Change {
  std::uint64_t resource_version;
  Kind kind;
  const char* type;
  ObjectPtr before;  // null: did not exist
  ObjectPtr after;   // a DELETED change: the object as deleted, with the deletion's version
};

// A reply decided under the lock; the session writes it (or streams the watch) afterwards.
struct Reply {
  http::status status = http::status::ok;
  std::string body;
  std::shared_ptr<Watch> watch;
  Clock::time_point watch_deadline = Clock::time_point::max();
  std::chrono::milliseconds delay{0};
  std::string content_type = "application/json";
};

Reply status_reply(int code, std::string_view message, const std::string* name = nullptr,
                   const char* plural = nullptr) {
  Reply reply;
  reply.status = static_cast<http::status>(code);
  reply.body = status_json(code, reason_for(code), message, name, plural);
  return reply;
}

// Walks the objects of one kind as they were at a past resourceVersion, in key order: the
// current objects, except that those changed since then are replaced by their earlier state
// (or skipped when they did not exist yet).
class SnapshotCursor {
 public:
  using Items = std::vector<ObjectPtr>;
  using Earlier = std::map<Key, ObjectPtr>;

  SnapshotCursor(Items::const_iterator current, Items::const_iterator current_end,
                 Earlier::const_iterator earlier, Earlier::const_iterator earlier_end,
                 const Filter& filter)
      : current_(current),
        current_end_(current_end),
        earlier_(earlier),
        earlier_end_(earlier_end),
        filter_(filter) {}

  const Object* next() {
    for (;;) {
      const bool have_current = current_ != current_end_;
      const bool have_earlier = earlier_ != earlier_end_;
      if (!have_current && !have_earlier) return nullptr;
      if (have_current && (!have_earlier || less(**current_, earlier_->first))) {
        const Object* object = (current_++)->get();
        if (filter_.matches(filter_.kind, *object)) return object;
        continue;
      }
      // The key changed since the snapshot: its current version (if any) is too new.
      if (have_current && !less(earlier_->first, **current_)) ++current_;
      const Object* object = (earlier_++)->second.get();
      if (object != nullptr && filter_.matches(filter_.kind, *object)) return object;
    }
  }

 private:
  Items::const_iterator current_, current_end_;
  Earlier::const_iterator earlier_, earlier_end_;
  const Filter& filter_;
};

// ---------------------------------------------------------------------------------------------
// The state the server thread and the control methods share. Sessions hold it by shared_ptr, so
// that it outlives any coroutine frame the io_context destroys unrun.

struct Server : std::enable_shared_from_this<Server> {
  Server(asio::io_context& io_context, FakeKubeApiOptions given);

  // Runs f on the acceptor's strand and waits for it (never call from the server thread).
  void on_acceptor(const std::function<void()>& f);
  void start_listening();  // on the acceptor's strand
  void stop_listening();   // on the acceptor's strand
  void close_connections();
  bool wait_for_no_connections(std::chrono::milliseconds within);

  // The rest runs under the lock.
  [[nodiscard]] bool authenticated(const std::string& authorization, bool certificate_ok) const;
  Reply handle(const Request& request, bool certificate_ok,
               const std::shared_ptr<Connection>& connection);
  Reply get_object(const Route& route);
  Reply list(const Filter& filter, const Query& query);
  Reply start_watch(const Filter& filter, const Query& query,
                    const std::shared_ptr<Connection>& connection);
  void apply(Kind kind, const std::string& ns, const std::string& name,
             const std::map<std::string, std::string>* fields);
  void queue(const std::shared_ptr<Watch>& watch, Outgoing item);
  void end_watches();  // no more changes are queued for the open watches

  asio::io_context& io;
  const FakeKubeApiOptions options;
  const std::shared_ptr<asio::ssl::context> tls;
  Executor acceptor_strand;
  tcp::acceptor acceptor;
  std::atomic<unsigned short> port{0};
  std::uint64_t accept_generation = 0;  // on the acceptor's strand

  mutable std::mutex mutex;
  std::condition_variable connections_changed;
  // Everything below is guarded by mutex.
  bool stopping = false;
  std::unordered_map<const Connection*, std::shared_ptr<Connection>> connections;
  std::vector<std::string> tokens;
  std::uint64_t resource_version = kFirstResourceVersion;
  std::uint64_t oldest = kFirstResourceVersion;  // versions below it are compacted away
  std::uint64_t next_serial = 1;
  std::array<std::vector<ObjectPtr>, 2> objects;  // per Kind, sorted by (namespace, name)
  std::vector<Change> history;                    // by resourceVersion
  std::vector<std::shared_ptr<Watch>> watches;
  FakeKubeApi::Counts counts;
  std::vector<std::string> requests;
  std::string last_authorization;
  int failing_gets = 0;
  int failing_watches = 0;
  int failing_status = 500;
  std::chrono::milliseconds get_delay{0};
  // The generic store, tokens, discovery and RBAC (see kube_cluster_routes.hpp).
  KubeClusterRoutes cluster;
  [[nodiscard]] std::optional<std::string> account_uid(const std::string& ns,
                                                       const std::string& name) const;
};

// The API server speaks HTTP/2 too, but the clients under test must be fine with HTTP/1.1:
// pick it from the client's offer, or agree on nothing.
int select_http11(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_length,
                  const unsigned char* offered, unsigned int offered_length, void* /*arg*/) {
  constexpr std::string_view kHttp11 = "http/1.1";
  unsigned int at = 0;
  while (at < offered_length) {
    const unsigned int length = offered[at];
    if (at + 1 + length > offered_length) break;
    if (std::string_view(reinterpret_cast<const char*>(offered + at + 1), length) == kHttp11) {
      *out = offered + at + 1;
      *out_length = static_cast<unsigned char>(length);
      return SSL_TLSEXT_ERR_OK;
    }
    at += 1 + length;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

std::shared_ptr<asio::ssl::context> make_tls_context(const FakeKubeApiOptions& options) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(native, options.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(native, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("fake kube-apiserver: cannot serve with " + options.cert_file +
                             " and " + options.key_file);
  }
  SSL_CTX_set_alpn_select_cb(native, select_http11, nullptr);
  // Resumed sessions must belong to this server when client certificates are asked for.
  static constexpr unsigned char kSessionContext[] = "irsa-fake-kube-api";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof(kSessionContext) - 1);
  if (!options.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(native, options.client_ca_file.c_str(), nullptr) != 1) {
      throw std::runtime_error("fake kube-apiserver: cannot read client CA " +
                               options.client_ca_file);
    }
    // Tells clients which CA to pick their certificate for.
    SSL_CTX_set_client_CA_list(native, SSL_load_client_CA_file(options.client_ca_file.c_str()));
    // Ask for a certificate but let every handshake through, as the API server does: the
    // verdict (which OpenSSL keeps) decides per request, so a bad certificate earns a 401, not
    // a failed handshake, and a token-only client need not send one.
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
  }
  return context;
}

bool verified_client_certificate(SSL* ssl) {
  return SSL_get0_peer_certificate(ssl) != nullptr && SSL_get_verify_result(ssl) == X509_V_OK;
}

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

enum class WatchEnd {
  finished,  // the final chunk went out; the connection may carry another request
  cut,       // to be closed on purpose without the final chunk
  lost,      // the client left, a write failed, or the server is closing
};

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

asio::awaitable<bool> write_all(TlsStream& stream, std::string& out) {
  beast::get_lowest_layer(stream).expires_after(kWriteTimeout);
  auto [error, written] = co_await asio::async_write(stream, asio::buffer(out), kNoThrow);
  (void)written;
  out.clear();
  co_return !error;
}

// Sends what is queued for the watch, as it comes, until the watch ends, times out or the
// client leaves.
asio::awaitable<WatchEnd> pump_watch(Server& server, const std::shared_ptr<Connection>& connection,
                                     TlsStream& stream, Watch& watch, Clock::time_point deadline) {
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
        if (client_left(beast::get_lowest_layer(stream).socket())) co_return WatchEnd::lost;
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

asio::awaitable<WatchEnd> stream_watch(Server& server,
                                       const std::shared_ptr<Connection>& connection,
                                       TlsStream& stream, const std::shared_ptr<Watch>& watch,
                                       Clock::time_point deadline, const Request& request) {
  http::response<http::empty_body> header{http::status::ok, request.version()};
  header.set(http::field::content_type, "application/json");
  header.set(http::field::cache_control, "no-cache, private");
  header.keep_alive(request.keep_alive());
  header.chunked(true);
  http::response_serializer<http::empty_body> serializer{header};
  auto& lowest = beast::get_lowest_layer(stream);
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

// Unregisters the connection however the session ends.
struct SessionGuard {
  SessionGuard(Server& s, Connection& c) : server(s), connection(c) {}
  SessionGuard(const SessionGuard&) = delete;
  SessionGuard& operator=(const SessionGuard&) = delete;
  ~SessionGuard() {
    connection.stream = nullptr;
    const std::scoped_lock lock(server.mutex);
    server.connections.erase(&connection);
    server.connections_changed.notify_all();
  }
  Server& server;
  Connection& connection;
};

asio::awaitable<void> wait_out(Connection& connection, std::chrono::milliseconds delay) {
  const auto until = Clock::now() + delay;
  while (!connection.closed && Clock::now() < until) {
    connection.timer.expires_at(until);
    co_await connection.timer.async_wait(kNoThrow);
  }
}

asio::awaitable<void> session(std::shared_ptr<Server> server,
                              std::shared_ptr<Connection> connection, tcp::socket socket) {
  const SessionGuard guard{*server, *connection};
  TlsStream stream(beast::tcp_stream(std::move(socket)), *server->tls);
  auto& lowest = beast::get_lowest_layer(stream);
  connection->stream = &lowest;
  if (connection->closed) co_return;
  lowest.expires_after(kHandshakeTimeout);
  auto [handshake_error] =
      co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
  if (handshake_error) co_return;
  const bool certificate_ok = verified_client_certificate(stream.native_handle());
  beast::flat_buffer buffer;
  for (;;) {
    if (connection->closed) co_return;
    http::request_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    lowest.expires_after(kIdleTimeout);
    auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, kNoThrow);
    (void)read_bytes;
    if (read_error == http::error::end_of_stream) break;
    if (read_error) co_return;  // reset, timed out, not HTTP: no goodbye to say
    lowest.expires_never();
    const Request request = parser.release();
    Reply reply;
    {
      const std::scoped_lock lock(server->mutex);
      reply = server->handle(request, certificate_ok, connection);
    }
    if (reply.watch) {
      const WatchEnd end = co_await stream_watch(*server, connection, stream, reply.watch,
                                                 reply.watch_deadline, request);
      // A cut leaves without close_notify: the socket closes when the stream goes.
      if (end != WatchEnd::finished) co_return;
      if (!request.keep_alive()) break;
      continue;
    }
    if (reply.delay.count() > 0) {
      co_await wait_out(*connection, reply.delay);
      if (connection->closed) co_return;
    }
    Response response{reply.status, request.version()};
    response.set(http::field::content_type, reply.content_type);
    response.set(http::field::cache_control, "no-cache, private");
    response.keep_alive(request.keep_alive());
    response.body() = std::move(reply.body);
    response.prepare_payload();
    lowest.expires_after(kWriteTimeout);
    auto [write_error, written] = co_await http::async_write(stream, response, kNoThrow);
    (void)written;
    if (write_error) co_return;
    if (!response.keep_alive()) break;
  }
  if (connection->closed) co_return;
  lowest.expires_after(kGoodbyeTimeout);
  auto [shutdown_error] = co_await stream.async_shutdown(kNoThrow);
  (void)shutdown_error;  // the client may be gone already; the socket closes either way
}

asio::awaitable<void> accept_loop(std::shared_ptr<Server> server, std::uint64_t generation) {
  for (;;) {
    // One strand per connection: its session never runs on two threads at once.
    Executor strand = asio::make_strand(server->io);
    auto [error, socket] = co_await server->acceptor.async_accept(strand, kNoThrow);
    if (generation != server->accept_generation || !server->acceptor.is_open()) co_return;
    if (error) {
      // Out of descriptors, say: pause instead of spinning on the same error.
      asio::steady_timer pause(server->acceptor_strand, std::chrono::milliseconds(50));
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    // As Go's net package does for every TCP connection: without it, the last segment of a
    // response waits for the client's delayed ACK (40 ms a page).
    beast::error_code no_delay_error;
    socket.set_option(tcp::no_delay(true), no_delay_error);
    auto connection = std::make_shared<Connection>(strand);
    {
      const std::scoped_lock lock(server->mutex);
      if (server->stopping) co_return;
      server->connections.emplace(connection.get(), connection);
    }
    asio::co_spawn(strand, session(server, connection, std::move(socket)), asio::detached);
  }
}

Server::Server(asio::io_context& io_context, FakeKubeApiOptions given)
    : io(io_context),
      options(std::move(given)),
      tls(make_tls_context(options)),
      acceptor_strand(asio::make_strand(io_context)),
      acceptor(acceptor_strand),
      port(options.port),
      tokens(options.tokens) {}

void Server::on_acceptor(const std::function<void()>& f) {
  std::promise<void> done;
  asio::post(acceptor_strand, [&] {
    try {
      f();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  done.get_future().get();
}

void Server::start_listening() {
  if (acceptor.is_open()) return;
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port.load());
  try {
    acceptor.open(endpoint.protocol());
    // After set_available(false) the same port is taken again, while connections of the last
    // round may still linger in TIME_WAIT.
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& error) {
    beast::error_code ignored;
    acceptor.close(ignored);
    throw std::runtime_error("fake kube-apiserver: cannot listen on 127.0.0.1:" +
                             std::to_string(endpoint.port()) + ": " + error.what());
  }
  port = acceptor.local_endpoint().port();
  asio::co_spawn(acceptor_strand, accept_loop(shared_from_this(), ++accept_generation),
                 asio::detached);
}

void Server::stop_listening() {
  ++accept_generation;
  beast::error_code ignored;
  acceptor.close(ignored);
}

void Server::close_connections() {
  std::vector<std::shared_ptr<Connection>> all;
  {
    const std::scoped_lock lock(mutex);
    for (const auto& [key, connection] : connections) all.push_back(connection);
    end_watches();
  }
  for (const auto& connection : all) {
    asio::post(connection->strand, [connection] { connection->close(); });
  }
}

bool Server::wait_for_no_connections(std::chrono::milliseconds within) {
  std::unique_lock lock(mutex);
  return connections_changed.wait_for(lock, within, [&] { return connections.empty(); });
}

bool Server::authenticated(const std::string& authorization, bool certificate_ok) const {
  if (tokens.empty() && options.client_ca_file.empty()) return true;
  if (certificate_ok) return true;
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view value = authorization;
  if (value.size() <= kBearer.size() || value.substr(0, kBearer.size()) != kBearer) return false;
  return std::find(tokens.begin(), tokens.end(), value.substr(kBearer.size())) != tokens.end();
}

Reply Server::handle(const Request& request, bool certificate_ok,
                     const std::shared_ptr<Connection>& connection) {
  const std::string target(request.target());
  requests.push_back(std::string(request.method_string()) + " " + target);
  last_authorization = std::string(request[http::field::authorization]);
  if (!authenticated(last_authorization, certificate_ok)) {
    ++counts.unauthorized;
    return status_reply(401, "Unauthorized");
  }
  const auto account = [this](const std::string& ns, const std::string& name) {
    return account_uid(ns, name);
  };
  const std::string method(request.method_string());
  if (auto answer = cluster.handle({method, target, request.body()}, account, resource_version,
                                   "https://127.0.0.1:" + std::to_string(port.load()))) {
    Reply reply;
    reply.status = static_cast<http::status>(answer->status);
    reply.body = std::move(answer->body);
    reply.content_type = std::move(answer->content_type);
    return reply;
  }
  const auto question = target.find('?');
  const auto route = parse_route(std::string_view(target).substr(0, question));
  if (!route) return status_reply(404, "the server could not find the requested resource");
  if (request.method() != http::verb::get) {
    return status_reply(405, "the server does not allow this method on the requested resource");
  }
  const Query query = question == std::string::npos
                          ? Query()
                          : parse_query(std::string_view(target).substr(question + 1));
  if (!route->name.empty()) {
    ++counts.gets;
    Reply reply = get_object(*route);
    reply.delay = get_delay;
    return reply;
  }
  Filter filter;
  filter.kind = route->kind;
  filter.ns = route->ns;
  const bool watch = query_flag(query, "watch");
  ++(watch ? counts.watches : counts.lists);
  if (watch && failing_watches > 0) {
    --failing_watches;
    return status_reply(503, "the fake API server was told to refuse this watch");
  }
  if (auto problem = parse_field_selector(query_value(query, "fieldSelector"), filter);
      !problem.empty()) {
    return status_reply(400, problem);
  }
  return watch ? start_watch(filter, query, connection) : list(filter, query);
}

std::optional<std::string> Server::account_uid(const std::string& ns,
                                               const std::string& name) const {
  const auto& items = objects[static_cast<std::size_t>(Kind::service_account)];
  const Key key{ns, name};
  const auto found = std::lower_bound(items.begin(), items.end(), key, KeyOrder());
  if (found == items.end() || key_of(**found) != key) return std::nullopt;
  return uid_of(Kind::service_account, (*found)->serial);
}

Reply Server::get_object(const Route& route) {
  if (failing_gets > 0) {
    --failing_gets;
    return status_reply(failing_status, "the fake API server was told to fail this request");
  }
  const auto& items = objects[static_cast<std::size_t>(route.kind)];
  const Key key{route.ns, route.name};
  const auto found = std::lower_bound(items.begin(), items.end(), key, KeyOrder());
  if (found == items.end() || key_of(**found) != key) {
    const char* plural = names_of(route.kind).plural;
    return status_reply(404, std::string(plural) + " \"" + route.name + "\" not found", &route.name,
                        plural);
  }
  Reply reply;
  append_full_object(reply.body, route.kind, **found);
  return reply;
}

Reply Server::list(const Filter& filter, const Query& query) {
  const auto& items = objects[static_cast<std::size_t>(filter.kind)];
  std::uint64_t at = resource_version;
  std::optional<Key> after;
  if (const auto token = query_value(query, "continue"); !token.empty()) {
    const auto decoded = decode_continue(token);
    if (!decoded) return status_reply(400, "continue key is not valid");
    if (decoded->resource_version < oldest) {
      return status_reply(410,
                          "The provided continue parameter is too old to display a consistent "
                          "list result. You can start a new list without the continue "
                          "parameter.");
    }
    at = decoded->resource_version;
    after = decoded->after;
  }
  std::size_t limit = 0;  // none
  if (const auto parsed = parse_unsigned(query_value(query, "limit"))) {
    limit = static_cast<std::size_t>(*parsed);
  }

  // The state at `at` of every key changed since: the version before its first later change.
  SnapshotCursor::Earlier earlier;
  const auto since = std::upper_bound(history.begin(), history.end(), at,
                                      [](std::uint64_t version, const Change& change) {
                                        return version < change.resource_version;
                                      });
  for (auto change = since; change != history.end(); ++change) {
    if (change->kind == filter.kind) earlier.try_emplace(key_of(*change->after), change->before);
  }
  // The current objects of the path's namespace (or all), from where the page starts.
  auto begin = items.begin();
  auto end = items.end();
  if (!filter.ns.empty()) {
    begin = std::lower_bound(begin, end, Key{filter.ns, ""}, KeyOrder());
    end = std::upper_bound(begin, end, filter.ns,
                           [](const std::string& ns, const ObjectPtr& o) { return ns < o->ns; });
  }
  auto start = begin;
  auto earlier_start = earlier.begin();
  if (after) {
    start = std::upper_bound(begin, end, *after, KeyOrder());
    earlier_start = earlier.upper_bound(*after);
  }
  SnapshotCursor cursor(start, end, earlier_start, earlier.end(), filter);

  std::string items_json;
  std::size_t count = 0;
  const Object* last = nullptr;
  while (limit == 0 || count < limit) {
    const Object* object = cursor.next();
    if (object == nullptr) break;
    if (count != 0) items_json.push_back(',');
    items_json.push_back('{');
    items_json += object->body;
    last = object;
    ++count;
  }
  const bool more = limit != 0 && count == limit && cursor.next() != nullptr;

  Reply reply;
  std::string& out = reply.body;
  out.reserve(items_json.size() + 256);
  out += R"({"kind":")";
  out += names_of(filter.kind).list_kind;
  out += R"(","apiVersion":"v1","metadata":{"resourceVersion":")";
  append_number(out, at);
  out.push_back('"');
  if (more) {
    out += R"(,"continue":")";
    out += encode_continue(at, *last);
    out.push_back('"');
    // Like the API server, counted only when no field selector makes that expensive.
    if (!filter.selective) {
      const Key last_key = key_of(*last);
      auto remaining = end - std::upper_bound(begin, end, last_key, KeyOrder());
      for (auto it = earlier.upper_bound(last_key); it != earlier.end(); ++it) {
        if (!filter.ns.empty() && it->first.ns != filter.ns) continue;
        if (it->second != nullptr) ++remaining;
        if (std::binary_search(begin, end, it->first, KeyOrder())) --remaining;
      }
      out += R"(,"remainingItemCount":)";
      append_number(out, static_cast<std::uint64_t>(std::max<std::ptrdiff_t>(remaining, 0)));
    }
  }
  out += R"(},"items":[)";
  out += items_json;
  out += "]}";
  return reply;
}

Reply Server::start_watch(const Filter& filter, const Query& query,
                          const std::shared_ptr<Connection>& connection) {
  const auto version_text = query_value(query, "resourceVersion");
  std::optional<std::uint64_t> from;
  if (!version_text.empty()) {
    from = parse_unsigned(version_text);
    if (!from) return status_reply(400, "resourceVersion: Invalid value: \"" + version_text + "\"");
  }
  Reply reply;
  if (const auto seconds = parse_unsigned(query_value(query, "timeoutSeconds"));
      seconds && *seconds > 0) {
    reply.watch_deadline = Clock::now() + std::chrono::seconds(*seconds);
  }
  auto watch = std::make_shared<Watch>();
  watch->filter = filter;
  watch->bookmarks = query_flag(query, "allowWatchBookmarks");
  watch->connection = connection;
  reply.watch = watch;
  if (!from || *from == 0) {
    // Like the API server: the current state first, as ADDED events.
    for (const auto& object : objects[static_cast<std::size_t>(filter.kind)]) {
      if (filter.matches(filter.kind, *object)) {
        watch->queue.push_back({Outgoing::What::event, "ADDED", object, 0, {}});
      }
    }
  } else if (*from < oldest) {
    Outgoing error;
    error.what = Outgoing::What::error_then_end;
    error.line = R"({"type":"ERROR","object":)" +
                 status_json(410, "Expired",
                             "too old resource version: " + std::to_string(*from) + " (" +
                                 std::to_string(oldest) + ")") +
                 "}\n";
    watch->queue.push_back(std::move(error));
    return reply;  // never registered: nothing more will come
  } else {
    const auto since = std::upper_bound(history.begin(), history.end(), *from,
                                        [](std::uint64_t version, const Change& change) {
                                          return version < change.resource_version;
                                        });
    for (auto change = since; change != history.end(); ++change) {
      if (filter.matches(change->kind, *change->after)) {
        watch->queue.push_back({Outgoing::What::event, change->type, change->after, 0, {}});
      }
    }
  }
  watches.push_back(watch);
  return reply;
}

void Server::queue(const std::shared_ptr<Watch>& watch, Outgoing item) {
  watch->queue.push_back(std::move(item));
  if (watch->wake_posted) return;
  watch->wake_posted = true;
  asio::post(watch->connection->strand,
             [connection = watch->connection] { connection->timer.cancel(); });
}

void Server::end_watches() {
  watches.clear();
}

void Server::apply(Kind kind, const std::string& ns, const std::string& name,
                   const std::map<std::string, std::string>* fields) {
  auto& items = objects[static_cast<std::size_t>(kind)];
  const Key key{ns, name};
  const auto found = std::lower_bound(items.begin(), items.end(), key, KeyOrder());
  const bool exists = found != items.end() && key_of(**found) == key;
  if (fields == nullptr && !exists) return;
  auto updated = std::make_shared<Object>();
  updated->ns = ns;
  updated->name = name;
  updated->serial = exists ? (*found)->serial : next_serial++;
  updated->resource_version = ++resource_version;
  updated->fields = fields != nullptr ? *fields : (*found)->fields;
  updated->body = render_body(kind, *updated);
  Change change{resource_version, kind, "ADDED", exists ? *found : nullptr, updated};
  if (fields == nullptr) {
    change.type = "DELETED";
    items.erase(found);
  } else if (exists) {
    change.type = "MODIFIED";
    *found = updated;
  } else {
    items.insert(found, updated);
  }
  for (const auto& watch : watches) {
    if (watch->filter.matches(kind, *updated)) {
      queue(watch, {Outgoing::What::event, change.type, updated, 0, {}});
    }
  }
  history.push_back(std::move(change));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The public face

struct FakeKubeApi::Impl {
  asio::io_context io{1};
  std::shared_ptr<Server> server;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
};

FakeKubeApi::FakeKubeApi(FakeKubeApiOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->server = std::make_shared<Server>(impl_->io, std::move(options));
  // Bound before the server thread exists, so that a taken port throws here.
  impl_->server->start_listening();
  impl_->work.emplace(impl_->io.get_executor());
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

FakeKubeApi::~FakeKubeApi() {
  auto& server = *impl_->server;
  {
    const std::scoped_lock lock(server.mutex);
    server.stopping = true;
  }
  server.on_acceptor([&server] { server.stop_listening(); });
  server.close_connections();
  const bool drained = server.wait_for_no_connections(kStopTimeout);
  impl_->work.reset();
  // Every session has ended by now; should one hang, its coroutine is destroyed unrun.
  if (!drained) impl_->io.stop();
  impl_->thread.join();
}

std::string FakeKubeApi::url() const {
  return "https://127.0.0.1:" + std::to_string(port());
}

unsigned short FakeKubeApi::port() const {
  return impl_->server->port.load();
}

void FakeKubeApi::set_tokens(std::vector<std::string> tokens) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->tokens = std::move(tokens);
}

void FakeKubeApi::put_service_account(const std::string& ns, const std::string& name,
                                      const std::map<std::string, std::string>& annotations) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->apply(Kind::service_account, ns, name, &annotations);
}

void FakeKubeApi::delete_service_account(const std::string& ns, const std::string& name) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->apply(Kind::service_account, ns, name, nullptr);
}

void FakeKubeApi::add_service_accounts(std::size_t count, std::size_t annotated_every) {
  // Rendered before taking the lock; only the version and the serials need it.
  std::vector<std::shared_ptr<Object>> fresh;
  fresh.reserve(count);
  char ns[32];
  for (std::size_t i = 0; i < count; ++i) {
    auto object = std::make_shared<Object>();
    std::snprintf(ns, sizeof(ns), "ns-%04zu", i / kAccountsPerNamespace);
    object->ns = ns;
    object->name = "sa-" + std::to_string(i);
    if (annotated_every != 0 && i % annotated_every == 0) {
      object->fields.emplace(kRoleArnAnnotation,
                             "arn:aws:iam::111122223333:role/r-" + std::to_string(i));
    }
    fresh.push_back(std::move(object));
  }
  std::sort(fresh.begin(), fresh.end(), KeyOrder());
  auto& server = *impl_->server;
  const std::scoped_lock lock(server.mutex);
  const std::uint64_t version = ++server.resource_version;
  for (auto& object : fresh) {
    object->serial = server.next_serial++;
    object->resource_version = version;
    object->body = render_body(Kind::service_account, *object);
  }
  // Merged into what is there; a loaded account replaces one of the same name.
  auto& items = server.objects[static_cast<std::size_t>(Kind::service_account)];
  std::vector<ObjectPtr> merged;
  merged.reserve(items.size() + fresh.size());
  auto old = items.begin();
  for (auto& object : fresh) {
    while (old != items.end() && KeyOrder()(*old, object)) merged.push_back(*old++);
    if (old != items.end() && !KeyOrder()(object, *old)) ++old;
    merged.push_back(std::move(object));
  }
  merged.insert(merged.end(), old, items.end());
  items = std::move(merged);
}

void FakeKubeApi::put_config_map(const std::string& ns, const std::string& name,
                                 const std::map<std::string, std::string>& data) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->apply(Kind::config_map, ns, name, &data);
}

void FakeKubeApi::delete_config_map(const std::string& ns, const std::string& name) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->apply(Kind::config_map, ns, name, nullptr);
}

void FakeKubeApi::send_bookmarks() {
  auto& server = *impl_->server;
  const std::scoped_lock lock(server.mutex);
  for (const auto& watch : server.watches) {
    if (!watch->bookmarks) continue;
    Outgoing bookmark;
    bookmark.what = Outgoing::What::bookmark;
    bookmark.resource_version = server.resource_version;
    server.queue(watch, std::move(bookmark));
  }
}

void FakeKubeApi::send_watch_error(int code, const std::string& reason,
                                   const std::string& message) {
  auto& server = *impl_->server;
  const std::scoped_lock lock(server.mutex);
  Outgoing error;
  error.what = Outgoing::What::error_then_end;
  error.line = R"({"type":"ERROR","object":)" + status_json(code, reason, message) + "}\n";
  for (const auto& watch : server.watches) server.queue(watch, error);
  server.end_watches();
}

void FakeKubeApi::cut_watches(bool mid_line) {
  auto& server = *impl_->server;
  const std::scoped_lock lock(server.mutex);
  Outgoing cut;
  cut.what = mid_line ? Outgoing::What::cut_mid_line : Outgoing::What::cut;
  cut.resource_version = server.resource_version;
  for (const auto& watch : server.watches) server.queue(watch, cut);
  server.end_watches();
}

void FakeKubeApi::compact() {
  auto& server = *impl_->server;
  const std::scoped_lock lock(server.mutex);
  server.oldest = ++server.resource_version;
  server.history.clear();
}

void FakeKubeApi::set_available(bool available) {
  auto& server = *impl_->server;
  if (available) {
    server.on_acceptor([&server] { server.start_listening(); });
    return;
  }
  server.on_acceptor([&server] { server.stop_listening(); });
  server.close_connections();
  server.wait_for_no_connections(kStopTimeout);
}

void FakeKubeApi::fail_next_gets(int count, int status) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->failing_gets = count;
  impl_->server->failing_status = status;
}

void FakeKubeApi::fail_next_watches(int count) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->failing_watches = count;
}

void FakeKubeApi::delay_gets(std::chrono::milliseconds delay) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->get_delay = delay;
}

FakeKubeApi::Counts FakeKubeApi::counts() const {
  const std::scoped_lock lock(impl_->server->mutex);
  return impl_->server->counts;
}

std::vector<std::string> FakeKubeApi::requests() const {
  const std::scoped_lock lock(impl_->server->mutex);
  return impl_->server->requests;
}

std::size_t FakeKubeApi::open_watches() const {
  const std::scoped_lock lock(impl_->server->mutex);
  return impl_->server->watches.size();
}

std::string FakeKubeApi::last_authorization() const {
  const std::scoped_lock lock(impl_->server->mutex);
  return impl_->server->last_authorization;
}

// --- Other kinds, tokens, discovery and RBAC: kept by KubeClusterRoutes, under the same lock.

namespace {

// String values of a JSON object (an account's annotations, a ConfigMap's data); others are
// skipped, as the API server would refuse them anyway.
std::map<std::string, std::string> string_map(const nlohmann::json& object, const char* field) {
  std::map<std::string, std::string> out;
  if (!object.is_object() || !object.contains(field) || !object[field].is_object()) return out;
  for (const auto& [key, value] : object[field].items()) {
    if (value.is_string()) out[key] = value.get<std::string>();
  }
  return out;
}

}  // namespace

void FakeKubeApi::put_object(const nlohmann::json& object) {
  const std::string kind =
      object.is_object() && object.contains("kind") && object["kind"].is_string()
          ? object["kind"].get<std::string>()
          : std::string();
  if (kind == "ServiceAccount" || kind == "ConfigMap") {
    const auto metadata = object.value("metadata", nlohmann::json::object());
    const std::string name = metadata.is_object() ? metadata.value("name", "") : "";
    if (name.empty()) throw std::invalid_argument(kind + ": metadata.name is required");
    const std::string ns = metadata.value("namespace", "default");
    if (kind == "ServiceAccount") {
      put_service_account(ns, name, string_map(metadata, "annotations"));
    } else {
      put_config_map(ns, name, string_map(object, "data"));
    }
    return;
  }
  auto& server = *impl_->server;
  const std::scoped_lock lock(server.mutex);
  // The store checks the object before it changes anything: a refused one takes no version.
  server.cluster.objects.put(object, server.resource_version + 1);
  ++server.resource_version;
}

void FakeKubeApi::put_objects(std::string_view json_text) {
  const auto parsed = nlohmann::json::parse(json_text, nullptr, false);
  if (parsed.is_discarded()) throw std::invalid_argument("put_objects: not JSON");
  const bool list = parsed.is_object() && parsed.value("kind", "") == "List";
  const auto& items = list ? parsed["items"] : parsed;
  if (items.is_array()) {
    for (const auto& item : items) put_object(item);
  } else {
    put_object(items);
  }
}

void FakeKubeApi::delete_object(const std::string& kind, const std::string& ns,
                                const std::string& name) {
  if (kind == "ServiceAccount") return delete_service_account(ns, name);
  if (kind == "ConfigMap") return delete_config_map(ns, name);
  auto& server = *impl_->server;
  const std::scoped_lock lock(server.mutex);
  if (server.cluster.objects.remove(kind, ns, name)) ++server.resource_version;
}

void FakeKubeApi::set_issuer(const std::string& url) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->cluster.issuer = url;
}

void FakeKubeApi::set_token_issuer(const std::string& url) {
  const std::scoped_lock lock(impl_->server->mutex);
  if (url.empty()) {
    impl_->server->cluster.token_issuer_override.reset();
  } else {
    impl_->server->cluster.token_issuer_override = url;
  }
}

void FakeKubeApi::set_discovery_available(bool available) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->cluster.discovery_available = available;
}

std::string FakeKubeApi::issuer() const {
  const std::scoped_lock lock(impl_->server->mutex);
  return impl_->server->cluster.issuer;
}

std::string FakeKubeApi::token_issuer() const {
  const std::scoped_lock lock(impl_->server->mutex);
  return impl_->server->cluster.token_issuer();
}

std::string FakeKubeApi::signing_key_id() const {
  const std::scoped_lock lock(impl_->server->mutex);
  return impl_->server->cluster.signer.key_id();
}

int FakeKubeApi::token_requests() const {
  const std::scoped_lock lock(impl_->server->mutex);
  return impl_->server->cluster.token_requests;
}

void FakeKubeApi::forbid(const std::string& verb, const std::string& resource) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->cluster.rbac.forbid(verb, resource);
}

void FakeKubeApi::allow_everything() {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->cluster.rbac.allow_everything();
}

void FakeKubeApi::set_user(const std::string& user) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->cluster.rbac.set_user(user);
}

}  // namespace irsa::testing
