// FakeKubeApi: the public face over the fake's parts. The objects and their JSON are in
// fake_kube_objects, reading requests in fake_kube_protocol, the shared state and its answers in
// fake_kube_server, the sockets in fake_kube_transport, WATCH streams in fake_kube_watch_stream,
// Pod creation in fake_kube_admission (the webhook call in fake_kube_webhook_call, the API
// server's rules in kube_admission), and the other kinds, tokens, discovery and RBAC in
// kube_cluster_routes.
#include "support/fake_kube_api.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "support/fake_kube_server.hpp"

namespace irsa::testing {

namespace {

using fake_kube::KeyOrder;
using fake_kube::Kind;
using fake_kube::Object;
using fake_kube::ObjectPtr;
using fake_kube::Outgoing;
using fake_kube::Server;
namespace asio = boost::asio;

constexpr std::size_t kAccountsPerNamespace = 50;
constexpr const char* kRoleArnAnnotation = "eks.amazonaws.com/role-arn";
constexpr std::chrono::seconds kStopTimeout{5};

}  // namespace

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
    object->body = fake_kube::render_body(Kind::service_account, *object);
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

void FakeKubeApi::put_namespace(const std::string& name,
                                const std::map<std::string, std::string>& labels) {
  // The API server keeps this label equal to the name, whatever the client asked for.
  auto fields = labels;
  fields[fake_kube::kNamespaceNameLabel] = name;
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->apply(Kind::namespace_, "", name, &fields);
}

void FakeKubeApi::delete_namespace(const std::string& name) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->apply(Kind::namespace_, "", name, nullptr);
}

void FakeKubeApi::set_mutating_webhook(MutatingWebhook webhook) {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->webhook = std::move(webhook);
}

void FakeKubeApi::clear_mutating_webhook() {
  const std::scoped_lock lock(impl_->server->mutex);
  impl_->server->webhook.reset();
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
  error.line =
      R"({"type":"ERROR","object":)" + fake_kube::status_json(code, reason, message) + "}\n";
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
  if (kind == "ServiceAccount" || kind == "ConfigMap" || kind == "Namespace") {
    const auto metadata = object.value("metadata", nlohmann::json::object());
    const std::string name =
        metadata.is_object() && metadata.contains("name") && metadata["name"].is_string()
            ? metadata["name"].get<std::string>()
            : std::string();
    if (name.empty()) throw std::invalid_argument(kind + ": metadata.name is required");
    if (kind == "Namespace") {
      put_namespace(name, string_map(metadata, "labels"));
      return;
    }
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
  if (kind == "Namespace") return delete_namespace(name);
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
