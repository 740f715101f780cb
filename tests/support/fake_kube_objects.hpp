// The fake API server's watched kinds (ServiceAccounts, ConfigMaps and Namespaces): the objects,
// their keys and order, and the JSON they are served as (LIST items, GET bodies, watch event
// lines, Status errors). Private to the fake (fake_kube_api.cpp is its face).
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace irsa::testing::fake_kube {

enum class Kind : std::size_t { service_account = 0, config_map = 1, namespace_ = 2 };
inline constexpr std::size_t kKindCount = 3;
// The label the API server puts on every Namespace (and keeps equal to its name).
inline constexpr const char* kNamespaceNameLabel = "kubernetes.io/metadata.name";

struct KindNames {
  const char* kind;
  const char* list_kind;
  const char* plural;
};
[[nodiscard]] const KindNames& names_of(Kind kind);

struct Object {
  std::string ns;  // empty for a Namespace (cluster-scoped)
  std::string name;
  std::uint64_t serial = 0;  // makes the uid, and picks which optional fields the object has
  std::uint64_t resource_version = 0;
  // An account's annotations, a ConfigMap's data, a Namespace's labels.
  std::map<std::string, std::string> fields;
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

[[nodiscard]] bool less(const Object& object, const Key& key);
[[nodiscard]] bool less(const Key& key, const Object& object);
[[nodiscard]] Key key_of(const Object& object);

// Orders objects and keys together, for the binary searches over the sorted object lists.
struct KeyOrder {
  bool operator()(const ObjectPtr& a, const Key& b) const { return less(*a, b); }
  bool operator()(const Key& a, const ObjectPtr& b) const { return less(a, *b); }
  bool operator()(const ObjectPtr& a, const ObjectPtr& b) const {
    const int by_ns = a->ns.compare(b->ns);
    return by_ns != 0 ? by_ns < 0 : a->name < b->name;
  }
};

// One change in the history that watches and continue tokens replay from.
struct Change {
  std::uint64_t resource_version;
  Kind kind;
  const char* type;
  ObjectPtr before;  // null: did not exist
  ObjectPtr after;   // a DELETED change: the object as deleted, with the deletion's version
};

void append_number(std::string& out, std::uint64_t number);
[[nodiscard]] std::string uid_of(Kind kind, std::uint64_t serial);
// Object::body for the object's current fields.
[[nodiscard]] std::string render_body(Kind kind, const Object& object);
// The whole object as GET and watch events show it.
void append_full_object(std::string& out, Kind kind, const Object& object);
void append_event_line(std::string& out, const char* type, Kind kind, const Object& object);
[[nodiscard]] std::string bookmark_line(Kind kind, std::uint64_t resource_version);

// The API server's Status body for an error; with details_name, also its details.
[[nodiscard]] std::string status_json(int code, std::string_view reason, std::string_view message,
                                      const std::string* details_name = nullptr,
                                      const char* details_kind = nullptr);
// The reason the API server gives with each status code the fake can be told to answer.
[[nodiscard]] std::string_view reason_for(int code);

}  // namespace irsa::testing::fake_kube
