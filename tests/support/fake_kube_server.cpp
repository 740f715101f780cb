#include "support/fake_kube_server.hpp"

#include <algorithm>

#include "support/kube_api_path.hpp"

namespace irsa::testing::fake_kube {

namespace {

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

// What a watch with this filter sees of one change, as the API server's watch cache decides it:
// an object that comes to match is ADDED, one that matches before and after is MODIFIED, and
// one that is deleted, or stops matching, is DELETED (showing its earlier state, at the change's
// resourceVersion). Nothing when it matches neither before nor after. (Only a Namespace's labels
// can change whether it matches: names and namespaces never change.)
std::optional<Outgoing> event_for(const Filter& filter, Kind kind, const char* type,
                                  const ObjectPtr& before, const ObjectPtr& after) {
  const bool deleted = std::string_view(type) == "DELETED";
  const bool now = !deleted && filter.matches(kind, *after);
  const bool was = before != nullptr && filter.matches(kind, *before);
  if (!now && !was) return std::nullopt;
  Outgoing event{Outgoing::What::event, type, after, 0, {}};
  if (now) {
    event.type = was ? "MODIFIED" : "ADDED";
  } else if (!deleted) {
    auto gone = std::make_shared<Object>(*before);
    gone->resource_version = after->resource_version;
    gone->body = render_body(kind, *gone);
    event.type = "DELETED";
    event.object = std::move(gone);
  }
  return event;
}

}  // namespace

Reply status_reply(int code, std::string_view message, const std::string* name,
                   const char* plural) {
  Reply reply;
  reply.status = static_cast<http::status>(code);
  reply.body = status_json(code, reason_for(code), message, name, plural);
  return reply;
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
  const std::string_view path = std::string_view(target).substr(0, question);
  const Query query = question == std::string::npos
                          ? Query()
                          : parse_query(std::string_view(target).substr(question + 1));
  if (const auto api_path = parse_api_path(path);
      api_path && KubeClusterRoutes::is_pod_create(method, *api_path)) {
    return begin_pod_create(api_path->ns, query, request.body());
  }
  const auto route = parse_route(path);
  if (!route) return status_reply(404, "the server could not find the requested resource");
  if (request.method() != http::verb::get) {
    return status_reply(405, "the server does not allow this method on the requested resource");
  }
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
  if (auto problem = parse_label_selector(query_value(query, "labelSelector"), filter);
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
      if (auto event =
              event_for(filter, change->kind, change->type, change->before, change->after)) {
        watch->queue.push_back(std::move(*event));
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
  wake(watch->connection);
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
    if (auto event = event_for(watch->filter, kind, change.type, change.before, updated)) {
      queue(watch, std::move(*event));
    }
  }
  history.push_back(std::move(change));
}

}  // namespace irsa::testing::fake_kube
