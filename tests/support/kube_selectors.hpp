// The labelSelector and fieldSelector query parameters of LIST requests, as the API server reads
// them, applied to objects held as JSON.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::testing {

struct LabelRequirement {
  enum class Op { equals, not_equals, in, not_in, exists, not_exists };
  std::string key;
  Op op = Op::equals;
  std::vector<std::string> values;
};

struct LabelSelector {
  std::vector<LabelRequirement> requirements;  // all must hold; none: everything matches
  // labels: the object's metadata.labels (null or absent: no labels).
  [[nodiscard]] bool matches(const nlohmann::json& labels) const;
  // The same for labels kept as a map.
  [[nodiscard]] bool matches(const std::map<std::string, std::string>& labels) const;
};

struct FieldRequirement {
  std::string field;  // dotted path into the object, "spec.serviceAccountName"
  std::string value;
  bool negated = false;
};

struct FieldSelector {
  std::vector<FieldRequirement> requirements;
  [[nodiscard]] bool matches(const nlohmann::json& object) const;
};

// Each returns an empty string when the selector is understood, else the API server's
// complaint (a 400 BadRequest message).
// Equality terms (a=b, a==b, a!=b), existence (a, !a) and sets (a in (x,y), a notin (x)).
[[nodiscard]] std::string parse_label_selector(std::string_view text, LabelSelector& out);
// Equality terms on the fields the kind supports; metadata.name and metadata.namespace are
// supported by every kind.
[[nodiscard]] std::string parse_field_selector(std::string_view text,
                                               const std::vector<std::string>& kind_fields,
                                               FieldSelector& out);

// A field's value as field selectors compare it: strings as they are, booleans and numbers in
// their JSON spelling, absent fields as "".
[[nodiscard]] std::string field_value(const nlohmann::json& object, std::string_view field);

}  // namespace irsa::testing
