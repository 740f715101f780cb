// The state of the fake API server that the server thread and FakeKubeApi's control methods
// share, and how it answers a request for its watched kinds, ServiceAccounts, ConfigMaps and
// Namespaces (fake_kube_server.cpp): GET, paginated LIST at a past resourceVersion, WATCH from
// the history, and the changes that feed open watches; and how it creates a Pod through a
// mutating admission webhook (fake_kube_admission.cpp). The sockets are fake_kube_transport's.
// Private to the fake.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "support/fake_kube_api.hpp"
#include "support/fake_kube_objects.hpp"
#include "support/fake_kube_protocol.hpp"
#include "support/fake_kube_transport.hpp"
#include "support/kube_cluster_routes.hpp"

namespace irsa::testing::fake_kube {

namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Request = http::request<http::string_body>;

// Real clusters hand out large numbers; starting above 1 keeps "0" (= "any") and the first
// versions apart in tests.
constexpr std::uint64_t kFirstResourceVersion = 100;

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

// A Pod create waiting for the mutating webhook's answer: what the webhook is sent, and what
// the create needs once the answer is there.
struct PodCreate {
  MutatingWebhook webhook;
  nlohmann::json pod;  // as the webhook sees it
  std::string uid;     // of the AdmissionReview request
  bool dry_run = false;
  std::string review;  // the AdmissionReview, as POSTed
};

// How the call to the webhook went (fake_kube_webhook_call.cpp).
struct WebhookCall {
  std::string error;  // non-empty: no answer, and why (as Go's HTTP client puts it)
  int status = 0;     // the HTTP status of the answer
  std::string body;
};

// A reply decided under the lock; the session writes it (or streams the watch, or first calls
// the webhook of a Pod create) afterwards.
struct Reply {
  http::status status = http::status::ok;
  std::string body;
  std::shared_ptr<Watch> watch;
  Clock::time_point watch_deadline = Clock::time_point::max();
  std::chrono::milliseconds delay{0};
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // more fields, in order (Warning)
  // Set: the webhook is to be called without the lock, then finish_pod_create decides.
  std::shared_ptr<PodCreate> create;
};

// A Status error as the reply.
[[nodiscard]] Reply status_reply(int code, std::string_view message,
                                 const std::string* name = nullptr, const char* plural = nullptr);

// The state the server thread and the control methods share. Sessions hold it by shared_ptr, so
// that it outlives any coroutine frame the io_context destroys unrun. The listening and
// connection methods are defined in fake_kube_transport.cpp, the answers in fake_kube_server.cpp.
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
  // POST /api/v1/namespaces/NS/pods (fake_kube_admission.cpp): the answer, or one with `create`
  // set when a mutating webhook is to be called first.
  Reply begin_pod_create(const std::string& ns, const Query& query, const std::string& body);
  // The answer once the webhook has answered (or not).
  Reply finish_pod_create(const PodCreate& create, const WebhookCall& call);
  // An allowed create: the webhook's JSON Patch (if any) applied, then store_pod.
  Reply apply_patch_and_store(const PodCreate& create, const std::string& patch_text);
  // Names the Pod if it only has a generateName, and stores it (unless dry_run).
  Reply store_pod(nlohmann::json pod, bool dry_run);
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
  std::array<std::vector<ObjectPtr>, kKindCount> objects;  // per Kind, sorted by (namespace, name)
  std::vector<Change> history;                             // by resourceVersion
  std::vector<std::shared_ptr<Watch>> watches;
  FakeKubeApi::Counts counts;
  std::vector<std::string> requests;
  std::string last_authorization;
  int failing_gets = 0;
  int failing_watches = 0;
  int failing_status = 500;
  std::chrono::milliseconds get_delay{0};
  std::optional<MutatingWebhook> webhook;          // called for every Pod create
  std::mt19937_64 random{std::random_device{}()};  // generated names, request uids
  // The generic store, tokens, discovery and RBAC (see kube_cluster_routes.hpp).
  KubeClusterRoutes cluster;
  [[nodiscard]] std::optional<std::string> account_uid(const std::string& ns,
                                                       const std::string& name) const;
};

}  // namespace irsa::testing::fake_kube
