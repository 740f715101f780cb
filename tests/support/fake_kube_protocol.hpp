// How the fake API server reads a request for its watched kinds (ServiceAccounts, ConfigMaps,
// Namespaces): the path (kind, namespace, name), the query, label and field selectors, and the
// continue tokens of paginated LISTs. Private to the fake.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/fake_kube_objects.hpp"
#include "support/kube_selectors.hpp"

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
  std::string ns;    // empty: all namespaces (and always for Namespaces, which have none)
  std::string name;  // non-empty: one object
};

// /api/v1/{serviceaccounts,configmaps,namespaces}, /api/v1/namespaces/NS/KIND[/NAME] and
// /api/v1/namespaces/NAME (one Namespace); nullopt otherwise.
[[nodiscard]] std::optional<Route> parse_route(std::string_view path);

// Which objects a LIST or WATCH covers: the path's namespace, the field selector terms the API
// server supports (metadata.name and metadata.namespace on every kind, status.phase on
// Namespaces) and, for Namespaces, the label selector.
struct Filter {
  Kind kind = Kind::service_account;
  std::string ns;
  std::vector<std::pair<std::string, std::string>> equal, not_equal;  // (field, value)
  LabelSelector labels;    // Namespaces only: their labels are what the fake keeps of them
  bool selective = false;  // a selector is given: the server cannot count what is left

  [[nodiscard]] bool matches(Kind object_kind, const Object& object) const;
};

// Adds the field selector's terms to filter (whose kind must be set). Empty when the selector is
// understood, else the API server's complaint.
[[nodiscard]] std::string parse_field_selector(const std::string& text, Filter& filter);
// Adds the label selector's requirements to filter; the same contract.
[[nodiscard]] std::string parse_label_selector(const std::string& text, Filter& filter);

// Continue tokens look like the API server's: URL-safe base64 (no padding) of a small JSON
// object with the list's resourceVersion and the key the next page starts after.
struct ContinueToken {
  std::uint64_t resource_version = 0;
  Key after;
};

[[nodiscard]] std::string encode_continue(std::uint64_t resource_version, const Object& last);
[[nodiscard]] std::optional<ContinueToken> decode_continue(std::string text);

}  // namespace irsa::testing::fake_kube
