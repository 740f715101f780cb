#include "support/kube_selectors.hpp"

#include <algorithm>

namespace irsa::testing {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// Splits at commas outside parentheses: "a in (x,y),b=c" is two terms.
std::vector<std::string_view> split_terms(std::string_view text) {
  std::vector<std::string_view> terms;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      terms.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      --depth;
    }
  }
  return terms;
}

bool valid_label_key(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '/';
  });
}

std::string parse_set_term(std::string_view term, std::size_t op_at, std::size_t op_length,
                           LabelRequirement& requirement) {
  requirement.key = std::string(trim(term.substr(0, op_at)));
  std::string_view set = trim(term.substr(op_at + op_length));
  if (set.size() < 2 || set.front() != '(' || set.back() != ')') {
    return "unable to parse requirement: found '" + std::string(set) + "', expected: '('";
  }
  set = set.substr(1, set.size() - 2);
  while (!set.empty()) {
    const auto comma = set.find(',');
    requirement.values.emplace_back(trim(set.substr(0, comma)));
    set = comma == std::string_view::npos ? std::string_view() : set.substr(comma + 1);
  }
  return {};
}

}  // namespace

namespace {

// Whether one requirement holds for a label that is there (has) with this value, or is not.
bool requirement_holds(const LabelRequirement& requirement, bool has, const std::string& value) {
  const auto& values = requirement.values;
  const bool listed = std::find(values.begin(), values.end(), value) != values.end();
  using Op = LabelRequirement::Op;
  switch (requirement.op) {
    case Op::equals:
    case Op::in:
      return has && listed;
    case Op::not_equals:
    case Op::not_in:
      // As in Kubernetes: an object without the label matches "!=" and "notin".
      return !(has && listed);
    case Op::exists:
      return has;
    case Op::not_exists:
      return !has;
  }
  return false;
}

}  // namespace

bool LabelSelector::matches(const nlohmann::json& labels) const {
  return std::all_of(requirements.begin(), requirements.end(), [&](const LabelRequirement& r) {
    const bool has = labels.is_object() && labels.contains(r.key) && labels[r.key].is_string();
    return requirement_holds(r, has, has ? labels[r.key].get<std::string>() : std::string());
  });
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  return std::all_of(requirements.begin(), requirements.end(), [&](const LabelRequirement& r) {
    const auto found = labels.find(r.key);
    return requirement_holds(r, found != labels.end(),
                             found != labels.end() ? found->second : std::string());
  });
}

bool FieldSelector::matches(const nlohmann::json& object) const {
  return std::all_of(requirements.begin(), requirements.end(), [&](const FieldRequirement& r) {
    return (field_value(object, r.field) == r.value) != r.negated;
  });
}

std::string parse_label_selector(std::string_view text, LabelSelector& out) {
  if (trim(text).empty()) return {};
  for (const std::string_view term : split_terms(text)) {
    LabelRequirement requirement;
    using Op = LabelRequirement::Op;
    std::string problem;
    if (const auto at = term.find(" notin "); at != std::string_view::npos) {
      requirement.op = Op::not_in;
      problem = parse_set_term(term, at, 7, requirement);
    } else if (const auto in_at = term.find(" in "); in_at != std::string_view::npos) {
      requirement.op = Op::in;
      problem = parse_set_term(term, in_at, 4, requirement);
    } else if (const auto not_at = term.find("!="); not_at != std::string_view::npos) {
      requirement.op = Op::not_equals;
      requirement.key = std::string(trim(term.substr(0, not_at)));
      requirement.values.emplace_back(trim(term.substr(not_at + 2)));
    } else if (const auto eq_at = term.find('='); eq_at != std::string_view::npos) {
      requirement.op = Op::equals;
      requirement.key = std::string(trim(term.substr(0, eq_at)));
      std::string_view value = term.substr(eq_at + 1);
      if (!value.empty() && value.front() == '=') value.remove_prefix(1);  // "=="
      requirement.values.emplace_back(trim(value));
    } else if (!term.empty() && term.front() == '!') {
      requirement.op = Op::not_exists;
      requirement.key = std::string(trim(term.substr(1)));
    } else {
      requirement.op = Op::exists;
      requirement.key = std::string(term);
    }
    if (!problem.empty()) return problem;
    if (!valid_label_key(requirement.key)) {
      return "unable to parse requirement: invalid label key \"" + requirement.key + "\"";
    }
    out.requirements.push_back(std::move(requirement));
  }
  return {};
}

std::string parse_field_selector(std::string_view text, const std::vector<std::string>& kind_fields,
                                 FieldSelector& out) {
  const std::string whole(text);
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto term = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (term.empty()) continue;
    const auto not_at = term.find("!=");
    const auto eq_at = term.find('=');
    if (eq_at == std::string_view::npos) return "invalid selector: '" + whole + "'";
    FieldRequirement requirement;
    requirement.negated = not_at != std::string_view::npos && not_at < eq_at;
    requirement.field = std::string(term.substr(0, requirement.negated ? not_at : eq_at));
    std::string_view value = term.substr(eq_at + 1);
    if (!requirement.negated && !value.empty() && value.front() == '=') value.remove_prefix(1);
    requirement.value = std::string(value);
    const bool supported =
        requirement.field == "metadata.name" || requirement.field == "metadata.namespace" ||
        std::find(kind_fields.begin(), kind_fields.end(), requirement.field) != kind_fields.end();
    if (!supported) return "field label not supported: " + requirement.field;
    out.requirements.push_back(std::move(requirement));
  }
  return {};
}

std::string field_value(const nlohmann::json& object, std::string_view field) {
  const nlohmann::json* at = &object;
  while (!field.empty()) {
    const auto dot = field.find('.');
    const std::string part(field.substr(0, dot));
    field = dot == std::string_view::npos ? std::string_view() : field.substr(dot + 1);
    if (!at->is_object() || !at->contains(part)) return {};
    at = &(*at)[part];
  }
  if (at->is_string()) return at->get<std::string>();
  if (at->is_null()) return {};
  return at->dump();
}

}  // namespace irsa::testing
