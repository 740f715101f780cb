// How the fake API server reads a request for ServiceAccounts or ConfigMaps: the path (kind,
// namespace, name), the query, field selectors, and the continue tokens of paginated LISTs.
// Private to the fake.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/fake_kube_objects.hpp"

namespace irsa::testing::fake_kube {

using Query = std::map<std::string, std::string>;

[[nodiscard]] Query parse_query(std::string_view query);
// "" when absent.
[[nodiscard]] std::string query_value(const Query& query, const std::string& name);
// "1" or "true".
[[nodiscard]] bool query_flag(const Query& query, const std::string& name);
// A decimal number with nothing around it.
[[nodiscard]] std::optional<std::uint64_t> parse_unsigned(std::string_view text);

struct Route {
  Kind kind = Kind::service_account;
  std::string ns;    // empty: all namespaces
  std::string name;  // non-empty: one object
};

// /api/v1/{serviceaccounts,configmaps} and /api/v1/namespaces/NS/KIND[/NAME]; nullopt otherwise.
[[nodiscard]] std::optional<Route> parse_route(std::string_view path);

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

// Adds the field selector's terms to filter. Empty when the selector is understood, else the API
// server's complaint.
[[nodiscard]] std::string parse_field_selector(const std::string& text, Filter& filter);

// Continue tokens look like the API server's: URL-safe base64 (no padding) of a small JSON
// object with the list's resourceVersion and the key the next page starts after.
struct ContinueToken {
  std::uint64_t resource_version = 0;
  Key after;
};

[[nodiscard]] std::string encode_continue(std::uint64_t resource_version, const Object& last);
[[nodiscard]] std::optional<ContinueToken> decode_continue(std::string text);

}  // namespace irsa::testing::fake_kube
