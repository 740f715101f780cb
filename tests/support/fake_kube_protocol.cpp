#include "support/fake_kube_protocol.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "support/url_query.hpp"

namespace irsa::testing::fake_kube {

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

std::optional<Route> parse_route(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    const auto slash = path.find('/');
    if (slash != 0) parts.push_back(url_decode(path.substr(0, slash)));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  if (parts.size() < 3 || parts[0] != "api" || parts[1] != "v1") return {};
  const auto kind_named = [](const std::string& plural) -> std::optional<Kind> {
    for (const Kind kind : {Kind::service_account, Kind::config_map, Kind::namespace_}) {
      if (plural == names_of(kind).plural) return kind;
    }
    return {};
  };
  Route route;
  std::optional<Kind> kind;
  if (parts.size() == 3) {
    kind = kind_named(parts[2]);
  } else if (parts.size() == 4 && parts[2] == "namespaces") {
    // One Namespace: cluster-scoped, so its key has no namespace.
    kind = Kind::namespace_;
    route.name = parts[3];
  } else if ((parts.size() == 5 || parts.size() == 6) && parts[2] == "namespaces") {
    kind = kind_named(parts[4]);
    route.ns = parts[3];
    if (parts.size() == 6) route.name = parts[5];
  }
  if (!kind || (*kind == Kind::namespace_ && !route.ns.empty())) return {};
  route.kind = *kind;
  return route;
}

bool Filter::matches(Kind object_kind, const Object& object) const {
  if (object_kind != kind) return false;
  if (!ns.empty() && object.ns != ns) return false;
  static const std::string kActive = "Active";
  const auto field = [&](const std::string& name) -> const std::string& {
    if (name == "metadata.name") return object.name;
    if (name == "status.phase") return kActive;  // only Namespaces take it; theirs is Active
    return object.ns;
  };
  for (const auto& [name, value] : equal) {
    if (field(name) != value) return false;
  }
  for (const auto& [name, value] : not_equal) {
    if (field(name) == value) return false;
  }
  return labels.requirements.empty() || labels.matches(object.fields);
}

// The fake keeps only the (field, value) pairs of the parser the object store uses too.
std::string parse_field_selector(const std::string& text, Filter& filter) {
  FieldSelector parsed;
  std::vector<std::string> kind_fields;
  if (filter.kind == Kind::namespace_) kind_fields.emplace_back("status.phase");
  if (auto problem = irsa::testing::parse_field_selector(text, kind_fields, parsed);
      !problem.empty()) {
    return problem;
  }
  for (auto& requirement : parsed.requirements) {
    (requirement.negated ? filter.not_equal : filter.equal)
        .emplace_back(std::move(requirement.field), std::move(requirement.value));
    filter.selective = true;
  }
  return {};
}

std::string parse_label_selector(const std::string& text, Filter& filter) {
  // Only a Namespace's labels are kept as they were given; the other kinds' selectors are read
  // (a malformed one is still refused) but select nothing away.
  LabelSelector parsed;
  if (auto problem = irsa::testing::parse_label_selector(text, parsed); !problem.empty()) {
    return problem;
  }
  if (filter.kind != Kind::namespace_ || parsed.requirements.empty()) return {};
  filter.labels = std::move(parsed);
  filter.selective = true;
  return {};
}

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

}  // namespace irsa::testing::fake_kube
