#include "irsa/store/role_policy_file.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <exception>
#include <limits>
#include <map>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <yaml-cpp/depthguard.h>  // YAML::DeepRecursion, which yaml.h does not pull in
#include <yaml-cpp/yaml.h>
#include "irsa/core/annotations.hpp"
#include "irsa/store/yaml_json.hpp"

namespace irsa::store {
namespace {
// The names below share a unity batch with the other store sources: kept apart in their own
// namespace.
namespace policy_yaml {

using core::LabelRequirement;
using core::PolicyMode;

constexpr std::array<std::string_view, 2> kFileKeys = {"mode", "rules"};
constexpr std::array<std::string_view, 8> kRuleKeys = {"name",
                                                       "namespaces",
                                                       "namespaceSelector",
                                                       "allowedRoles",
                                                       "allowedAccounts",
                                                       "allowedPartitions",
                                                       "maxServiceAccountsPerRole",
                                                       "mode"};
constexpr std::array<std::string_view, 2> kSelectorKeys = {"matchLabels", "matchExpressions"};
constexpr std::array<std::string_view, 3> kExpressionKeys = {"key", "operator", "values"};

// Rule names become metric label values: short and of a safe alphabet.
constexpr std::size_t kMaxRuleNameLength = 63;

// A mistake in the file, and where it is.
struct PolicyFileError {
  YAML::Mark mark;
  std::string message;
};

std::string position_prefix(const YAML::Mark& mark) {
  // yaml-cpp counts from 0; editors and people count from 1. Every node the reader looks at
  // has a mark; should one not, the start of the file keeps the message's shape.
  const int line = mark.is_null() ? 0 : mark.line;
  const int column = mark.is_null() ? 0 : mark.column;
  return "line " + std::to_string(line + 1) + ", column " + std::to_string(column + 1) + ": ";
}

// Values quoted in messages: one line of plain ASCII, cut short, whatever the file holds.
std::string quoted_value(std::string_view text) {
  constexpr std::size_t kMaxChars = 60;
  std::string out = "\"";
  for (char c : text.substr(0, kMaxChars)) out.push_back(c >= ' ' && c <= '~' ? c : '?');
  if (text.size() > kMaxChars) out.append("...");
  out.push_back('"');
  return out;
}

// What a node is, for "... is X; expected Y".
std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "empty";
    case YAML::NodeType::Scalar:
      return "the value " + quoted_value(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Undefined:
      break;
  }
  return "missing";
}

template <std::size_t N>
std::string key_list(const std::array<std::string_view, N>& keys) {
  std::string out;
  for (auto key : keys) {
    if (!out.empty()) out.append(", ");
    out.append(key);
  }
  return out;
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

bool is_lower_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || is_digit(c);
}

bool is_rule_name_char(char c) noexcept {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '-';
}

bool is_glob_char(char c) noexcept {
  return is_lower_alnum(c) || c == '-' || c == '*';
}

bool is_partition(std::string_view text) noexcept {
  if (text == "aws") return true;
  constexpr std::string_view kPrefix = "aws-";
  if (!text.starts_with(kPrefix) || text.size() == kPrefix.size()) return false;
  return std::ranges::all_of(text.substr(kPrefix.size()),
                             [](char c) { return is_lower_alnum(c) || c == '-'; });
}

// The problem with the placeholders of a role pattern, or empty: only {namespace} and
// {serviceAccount}, each brace closed.
std::string placeholder_problem(std::string_view pattern) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '}') return "has an unbalanced '}' at character " + std::to_string(i + 1);
    if (pattern[i] != '{') continue;
    const std::size_t close = pattern.find('}', i);
    if (close == std::string_view::npos) {
      return "has an unbalanced '{' at character " + std::to_string(i + 1);
    }
    const std::string_view placeholder = pattern.substr(i, close - i + 1);
    if (placeholder != "{namespace}" && placeholder != "{serviceAccount}") {
      return "has the unknown placeholder " + quoted_value(placeholder) +
             "; only {namespace} and {serviceAccount} are allowed";
    }
    i = close;
  }
  return {};
}

// Walks the parsed document by the file's schema, building the policy and throwing
// PolicyFileError at the first mistake.
class PolicyFileReader {
 public:
  explicit PolicyFileReader(std::size_t budget) : budget_(budget) {}

  core::RolePolicy read(const YAML::Node& root) {
    if (!root.IsMap()) {
      fail(root, "the role policy file is " + describe_node(root) +
                     "; expected a mapping with mode and rules");
    }
    check_keys(root, "the top level", kFileKeys);
    core::RolePolicy policy;
    if (const YAML::Node mode = root["mode"]; mode) policy.mode = read_mode(mode, "mode");
    const YAML::Node rules = root["rules"];
    if (!rules) {
      fail(root,
           "the role policy file has no rules; expected rules: a list of rules (it may be "
           "empty)");
    }
    check_list(rules, "rules", "a list of rules", kMaxPolicyRules);
    std::map<std::string, std::size_t, std::less<>> names;
    std::size_t index = 0;
    for (const YAML::Node& rule : rules) {
      const std::string path = "rules[" + std::to_string(index) + "]";
      policy.rules.push_back(read_rule(rule, path, policy.mode));
      auto [seen, inserted] = names.emplace(policy.rules.back().name, index);
      if (!inserted) {
        fail(rule["name"], path + ".name " + quoted_value(seen->first) +
                               " is also the name of rules[" + std::to_string(seen->second) +
                               "]; rule names must be unique");
      }
      ++index;
    }
    return policy;
  }

 private:
  [[noreturn]] void fail(const YAML::Node& node, std::string message) const {
    YAML::Mark mark = node.Mark();
    // A value left out ("rules:" and nothing) is marked where the parser noticed, often the
    // next line; its key is where the reader should look.
    if (node.IsNull()) {
      const auto found = std::ranges::find_if(
          null_values_, [&](const NullValue& value) { return value.node.is(node); });
      if (found != null_values_.end()) mark = found->key_mark;
    }
    throw PolicyFileError{mark, std::move(message)};
  }

  // Aliases let a few lines name a node many times; every read is charged, so a file cannot
  // make the reader build (or admission walk) far more than its own size.
  void charge(const YAML::Node& node, const std::string& path, std::size_t cost) {
    if (cost > budget_) {
      fail(node, path +
                     " takes the role policy file far beyond the size of its text (aliases "
                     "repeating large lists?)");
    }
    budget_ -= cost;
  }

  // A mapping's keys: scalars, each once, and (when `known` is given) only the known ones.
  template <std::size_t N>
  void check_keys(const YAML::Node& map, const std::string& where,
                  const std::array<std::string_view, N>& known) {
    std::set<std::string, std::less<>> seen;
    for (const auto& entry : map) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) {
        fail(key, "a key in " + where + " is " + describe_node(key) + "; expected a name");
      }
      const std::string& name = key.Scalar();
      charge(key, "a key of " + where, name.size() + 1);
      if (entry.second.IsNull()) null_values_.push_back(NullValue{entry.second, key.Mark()});
      if (!seen.insert(name).second) {
        fail(key, "duplicate key " + quoted_value(name) + " in " + where);
      }
      if constexpr (N > 0) {
        if (std::ranges::find(known, name) == known.end()) {
          fail(key, "unknown key " + quoted_value(name) + " in " + where +
                        "; known keys: " + key_list(known));
        }
      }
    }
  }

  void check_map(const YAML::Node& node, const std::string& path, std::string_view expected) {
    if (!node.IsMap()) {
      fail(node, path + " is " + describe_node(node) + "; expected " + std::string(expected));
    }
  }

  void check_list(const YAML::Node& node, const std::string& path, std::string_view expected,
                  std::size_t max_items) {
    if (!node.IsSequence()) {
      fail(node, path + " is " + describe_node(node) + "; expected " + std::string(expected));
    }
    if (node.size() > max_items) {
      fail(node, path + " has " + std::to_string(node.size()) + " entries; at most " +
                     std::to_string(max_items) + " are allowed");
    }
    charge(node, path, node.size() + 1);
  }

  std::string read_scalar(const YAML::Node& node, const std::string& path,
                          std::string_view expected) {
    if (!node.IsScalar()) {
      fail(node, path + " is " + describe_node(node) + "; expected " + std::string(expected));
    }
    charge(node, path, node.Scalar().size() + 1);
    return node.Scalar();
  }

  // A list of scalars, each checked by `check` (which returns a problem, or empty).
  template <typename Check>
  std::vector<std::string> read_strings(const YAML::Node& node, const std::string& path,
                                        std::string_view expected, Check check) {
    check_list(node, path, "a list of " + std::string(expected), kMaxPolicyListItems);
    std::vector<std::string> out;
    out.reserve(node.size());
    for (const YAML::Node& item : node) {
      const std::string item_path = path + "[" + std::to_string(out.size()) + "]";
      std::string text = read_scalar(item, item_path, expected);
      if (std::string problem = check(text); !problem.empty()) {
        std::string message = item_path;
        message.append(" ").append(quoted_value(text)).append(" ").append(problem);
        fail(item, std::move(message));
      }
      out.push_back(std::move(text));
    }
    return out;
  }

  PolicyMode read_mode(const YAML::Node& node, const std::string& path) {
    const std::string text = read_scalar(node, path, "audit or enforce");
    if (text == "audit") return PolicyMode::audit;
    if (text == "enforce") return PolicyMode::enforce;
    fail(node, path + " " + quoted_value(text) + " is not a mode; expected audit or enforce");
  }

  core::PolicyRule read_rule(const YAML::Node& node, const std::string& path,
                             PolicyMode file_mode) {
    check_map(node, path, "a rule (a mapping with name and what it allows)");
    check_keys(node, path, kRuleKeys);
    core::PolicyRule rule;
    const YAML::Node name = node["name"];
    if (!name) fail(node, path + " has no name; expected name: a unique rule name");
    rule.name = read_rule_name(name, path + ".name");
    if (const YAML::Node globs = node["namespaces"]; globs) {
      rule.namespaces = read_strings(globs, path + ".namespaces", "namespace globs", glob_problem);
    }
    if (const YAML::Node selector = node["namespaceSelector"]; selector) {
      rule.namespace_selector = read_selector(selector, path + ".namespaceSelector");
    }
    if (const YAML::Node roles = node["allowedRoles"]; roles) {
      rule.allowed_roles =
          read_strings(roles, path + ".allowedRoles", "role ARN patterns", role_pattern_problem);
    }
    if (const YAML::Node accounts = node["allowedAccounts"]; accounts) {
      rule.allowed_accounts =
          read_strings(accounts, path + ".allowedAccounts", "AWS account ids", account_problem);
    }
    if (const YAML::Node partitions = node["allowedPartitions"]; partitions) {
      rule.allowed_partitions = read_strings(partitions, path + ".allowedPartitions",
                                             "AWS partitions", partition_problem);
    }
    if (const YAML::Node limit = node["maxServiceAccountsPerRole"]; limit) {
      rule.max_service_accounts_per_role = read_limit(limit, path + ".maxServiceAccountsPerRole");
    }
    const YAML::Node mode = node["mode"];
    rule.mode = mode ? read_mode(mode, path + ".mode") : file_mode;
    return rule;
  }

  std::string read_rule_name(const YAML::Node& node, const std::string& path) {
    std::string name = read_scalar(node, path, "a rule name");
    if (name.empty() || name.size() > kMaxRuleNameLength ||
        !std::ranges::all_of(name, is_rule_name_char)) {
      fail(node, path + " " + quoted_value(name) +
                     " is not a valid rule name; expected 1 to 63 of A-Z, a-z, 0-9, '.', '_', '-'");
    }
    return name;
  }

  static std::string glob_problem(std::string_view glob) {
    if (glob.empty()) return "is empty; expected a namespace name or glob";
    const auto bad = std::ranges::find_if_not(glob, is_glob_char);
    if (bad == glob.end()) return {};
    return "has " + core::describe_char(*bad) + "; a namespace glob holds a-z, 0-9, '-' and '*'";
  }

  static std::string role_pattern_problem(std::string_view pattern) {
    if (pattern != "*" && !pattern.starts_with("arn:")) {
      return "is not a role ARN pattern; expected one starting with \"arn:\", or \"*\"";
    }
    // Role ARNs are printable ASCII; anything else is a paste accident (a curly quote, a
    // non-breaking space) that would never match.
    const auto bad = std::ranges::find_if_not(pattern, [](char c) { return c > ' ' && c <= '~'; });
    if (bad != pattern.end()) {
      return "has " + core::describe_char(*bad) + "; role ARNs hold printable ASCII only";
    }
    return placeholder_problem(pattern);
  }

  // Unquoted, YAML reads an account id as an integer; its text is taken as written, so a
  // leading zero is kept.
  static std::string account_problem(std::string_view account) {
    if (account.size() == 12 && std::ranges::all_of(account, is_digit)) return {};
    return "is not an AWS account id; expected exactly 12 digits";
  }

  static std::string partition_problem(std::string_view partition) {
    if (is_partition(partition)) return {};
    return "is not an AWS partition; expected aws or aws-SUFFIX (aws-cn, aws-us-gov, ...)";
  }

  std::size_t read_limit(const YAML::Node& node, const std::string& path) {
    const std::string text = read_scalar(node, path, "a whole number of at least 1");
    std::size_t value = 0;
    const char* end = text.data() + text.size();
    const bool digits = !text.empty() && std::ranges::all_of(text, is_digit);
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (!digits || ec != std::errc() || ptr != end || value < 1) {
      fail(node, path + " " + quoted_value(text) + " is not allowed; expected a whole number of " +
                     "at least 1");
    }
    return value;
  }

  core::LabelSelector read_selector(const YAML::Node& node, const std::string& path) {
    check_map(node, path, "a label selector (matchLabels, matchExpressions)");
    check_keys(node, path, kSelectorKeys);
    core::LabelSelector selector;
    if (const YAML::Node labels = node["matchLabels"]; labels) {
      selector.match_labels = read_match_labels(labels, path + ".matchLabels");
    }
    if (const YAML::Node expressions = node["matchExpressions"]; expressions) {
      const std::string list_path = path + ".matchExpressions";
      check_list(expressions, list_path, "a list of {key, operator, values}", kMaxPolicyListItems);
      for (const YAML::Node& expression : expressions) {
        const std::string item_path =
            list_path + "[" + std::to_string(selector.match_expressions.size()) + "]";
        selector.match_expressions.push_back(read_expression(expression, item_path));
      }
    }
    return selector;
  }

  std::vector<std::pair<std::string, std::string>> read_match_labels(const YAML::Node& node,
                                                                     const std::string& path) {
    check_map(node, path, "a mapping of label names to values");
    if (node.size() > kMaxPolicyListItems) {
      fail(node, path + " has " + std::to_string(node.size()) + " labels; at most " +
                     std::to_string(kMaxPolicyListItems) + " are allowed");
    }
    check_keys(node, path, std::array<std::string_view, 0>{});
    std::vector<std::pair<std::string, std::string>> labels;
    for (const auto& entry : node) {
      // Label names are not checked, so the path quotes them (one line, plain ASCII).
      const std::string& key = entry.first.Scalar();
      const std::string value_path = path + "[" + quoted_value(key) + "]";
      labels.emplace_back(key, read_scalar(entry.second, value_path, "a label value"));
    }
    return labels;
  }

  LabelRequirement read_expression(const YAML::Node& node, const std::string& path) {
    check_map(node, path, "a mapping with key, operator and values");
    check_keys(node, path, kExpressionKeys);
    LabelRequirement requirement;
    const YAML::Node key = node["key"];
    if (!key) fail(node, path + " has no key; expected key: a label name");
    requirement.key = read_scalar(key, path + ".key", "a label name");
    if (requirement.key.empty()) fail(key, path + ".key is empty; expected a label name");
    const YAML::Node op = node["operator"];
    if (!op) fail(node, path + " has no operator; expected In, NotIn, Exists or DoesNotExist");
    requirement.op = read_operator(op, path + ".operator");
    const YAML::Node values = node["values"];
    if (values) {
      requirement.values = read_strings(values, path + ".values", "label values",
                                        [](std::string_view) { return std::string(); });
    }
    const bool takes_values = requirement.op == LabelRequirement::Operator::in ||
                              requirement.op == LabelRequirement::Operator::not_in;
    // As in Kubernetes: In and NotIn compare against values, Exists and DoesNotExist have none.
    if (takes_values && requirement.values.empty()) {
      fail(values ? values : node, path + " has operator " + op.Scalar() +
                                       " without values; expected a non-empty values list");
    }
    if (!takes_values && !requirement.values.empty()) {
      fail(values, path + " has operator " + op.Scalar() +
                       " with values; Exists and DoesNotExist take no values");
    }
    return requirement;
  }

  LabelRequirement::Operator read_operator(const YAML::Node& node, const std::string& path) {
    const std::string text = read_scalar(node, path, "In, NotIn, Exists or DoesNotExist");
    if (text == "In") return LabelRequirement::Operator::in;
    if (text == "NotIn") return LabelRequirement::Operator::not_in;
    if (text == "Exists") return LabelRequirement::Operator::exists;
    if (text == "DoesNotExist") return LabelRequirement::Operator::does_not_exist;
    fail(node, path + " " + quoted_value(text) +
                   " is not an operator; expected In, NotIn, Exists or DoesNotExist");
  }

  // A mapping value that is null, with the mark of its key.
  struct NullValue {
    YAML::Node node;
    YAML::Mark key_mark;
  };

  std::size_t budget_;
  std::vector<NullValue> null_values_;
};

// The file's one document, or nullopt when it holds none (empty, comments, or null).
std::optional<YAML::Node> single_document(const std::string& text) {
  std::vector<YAML::Node> documents = YAML::LoadAll(text);
  std::erase_if(documents, [](const YAML::Node& document) { return document.IsNull(); });
  if (documents.empty()) return std::nullopt;
  if (documents.size() > 1) {
    throw PolicyFileError{documents[1].Mark(),
                          "a second YAML document; the role policy file is one document"};
  }
  return documents.front();
}

}  // namespace policy_yaml
}  // namespace

RolePolicyParse parse_role_policy(std::string_view yaml_text) {
  using policy_yaml::PolicyFileError;
  using policy_yaml::position_prefix;
  RolePolicyParse result;
  // See PolicyFileReader::charge.
  const std::size_t budget = alias_budget(yaml_text.size());
  try {
    const std::string text(yaml_text);
    const std::optional<YAML::Node> document = policy_yaml::single_document(text);
    if (!document) {
      result.error = "line 1, column 1: the role policy file is empty; expected mode and rules";
      return result;
    }
    result.policy = policy_yaml::PolicyFileReader(budget).read(*document);
  } catch (const PolicyFileError& e) {
    result.error = position_prefix(e.mark) + e.message;
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own depth guard reports only "bad file".
    result.error = position_prefix(e.mark) + "nesting is too deep";
  } catch (const YAML::Exception& e) {
    result.error = position_prefix(e.mark) + e.msg;
  } catch (const std::bad_alloc&) {
    result.error = "out of memory while reading the role policy file";
  } catch (const std::exception& e) {
    result.error = std::string("cannot read the role policy file: ") + e.what();
  } catch (...) {
    // yaml-cpp documents only YAML::Exception, but the promise here is "never throws".
    result.error = "cannot read the role policy file: unknown failure";
  }
  if (!result.error.empty()) result.policy = core::RolePolicy{};
  return result;
}

}  // namespace irsa::store
