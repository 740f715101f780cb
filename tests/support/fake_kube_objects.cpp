#include "support/fake_kube_objects.hpp"

#include <charconv>
#include <cstdio>
#include <iterator>

#include "irsa/core/json_text.hpp"

namespace irsa::testing::fake_kube {

namespace {

using core::append_json_string;

constexpr const char* kCreationTimestamp = "2026-01-01T00:00:00Z";

constexpr std::array<KindNames, kKindCount> kKindNames = {{
    {"ServiceAccount", "ServiceAccountList", "serviceaccounts"},
    {"ConfigMap", "ConfigMapList", "configmaps"},
    {"Namespace", "NamespaceList", "namespaces"},
}};

// The middle of each kind's uids, so that uids of different kinds never collide.
constexpr std::array<unsigned, kKindCount> kUidMarks = {0x5a, 0xc3, 0x4e};

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

}  // namespace

const KindNames& names_of(Kind kind) {
  return kKindNames[static_cast<std::size_t>(kind)];
}

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

void append_number(std::string& out, std::uint64_t number) {
  char digits[24];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), number).ptr;
  out.append(digits, end);
}

std::string uid_of(Kind kind, std::uint64_t serial) {
  char uid[48];
  std::snprintf(uid, sizeof(uid), "0f4e6a2c-%04x-4000-8000-%012llx",
                kUidMarks[static_cast<std::size_t>(kind)], static_cast<unsigned long long>(serial));
  return uid;
}

namespace {

// A Namespace as the API server shows it: cluster-scoped (no metadata.namespace), its labels
// (kubernetes.io/metadata.name among them), the "kubernetes" finalizer and phase Active.
std::string render_namespace(const Object& object) {
  std::string out;
  out.reserve(320);
  out += R"("metadata":{"name":)";
  append_json_string(out, object.name);
  out += R"(,"uid":")";
  out += uid_of(Kind::namespace_, object.serial);
  out += R"(","resourceVersion":")";
  append_number(out, object.resource_version);
  out += R"(","creationTimestamp":")";
  out += kCreationTimestamp;
  out.push_back('"');
  if (!object.fields.empty()) {
    out += R"(,"labels":)";
    append_string_map(out, object.fields);
  }
  out += R"(},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})";
  return out;
}

}  // namespace

std::string render_body(Kind kind, const Object& object) {
  if (kind == Kind::namespace_) return render_namespace(object);
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
                        const std::string* details_name, const char* details_kind) {
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

}  // namespace irsa::testing::fake_kube
