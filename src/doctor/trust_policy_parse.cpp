// Reading a trust policy from whatever people paste: the document, `aws iam get-role` output, or
// the URL-encoded text the IAM API itself returns. Element names are case-sensitive, as in IAM;
// single values and lists are both accepted wherever IAM accepts both.
#include <algorithm>
#include <cstddef>
#include <optional>

#include "trust_policy_parts.hpp"

namespace irsa::doctor {
namespace {

using nlohmann::json;

bool is_json_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && is_json_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_json_space(text.back())) text.remove_suffix(1);
  return text;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding. '+' stays '+': the IAM API encodes spaces as %20, and a literal '+'
// (legal in role names) must survive.
std::optional<std::string> percent_decode(std::string_view text, std::string& error) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    const bool complete = i + 2 < text.size();
    const int high = complete ? hex_value(text[i + 1]) : -1;
    const int low = complete ? hex_value(text[i + 2]) : -1;
    if (high < 0 || low < 0) {
      error = "the trust policy looks URL-encoded but has a bad escape at character " +
              std::to_string(i + 1);
      return std::nullopt;
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

// IAM caps a role's trust policy at 2,048 characters (4,096 with a quota raise), whitespace not
// counted. Pasted text is larger than the policy (indentation, the get-role wrapper, URL-encoding
// tripling each escaped character), so doctor reads sixteen times the raised quota and refuses
// more: past that the text is not one role's trust policy, and reading it only costs memory.
constexpr std::size_t kMaxTextBytes = 64 * 1024;
// nlohmann parses and copies nested values recursively, so a deep enough document overflows the
// stack. A trust policy nests 8 levels at most (get-role wrapper included: Role, the document,
// Statement, a statement, Condition, an operator, a key's value list); 32 leaves room to spare.
constexpr std::size_t kMaxDepth = 32;

std::string with_thousands(std::size_t number) {
  std::string digits = std::to_string(number);
  for (std::size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
}

bool too_long(std::string_view text, std::string& error) {
  if (text.size() <= kMaxTextBytes) return false;
  error = "the trust policy is " + with_thousands(text.size()) +
          " bytes; IAM allows at most 2,048 characters (4,096 with a quota raise), so this is "
          "not one role's trust policy, and doctor reads at most " +
          with_thousands(kMaxTextBytes) + " bytes";
  return true;
}

// The deepest nesting of objects and lists, counted without parsing: brackets inside strings do
// not count. Stops counting past kMaxDepth, so it is linear and allocation-free.
std::size_t nesting_depth(std::string_view text) noexcept {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
      if (deepest > kMaxDepth) break;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

bool too_deep(std::string_view text, std::string& error) {
  if (nesting_depth(text) <= kMaxDepth) return false;
  error = "the trust policy nests objects and lists more than " + std::to_string(kMaxDepth) +
          " levels deep; a trust policy needs 8 at most (get-role output included), so doctor "
          "does not read it";
  return true;
}

// nlohmann's message without its "[json.exception.parse_error.101] " tag; the rest names the line
// and column.
std::string parse_error_text(const json::parse_error& failure) {
  std::string_view message = failure.what();
  const std::size_t tag_end = message.find("] ");
  if (tag_end != std::string_view::npos) message.remove_prefix(tag_end + 2);
  return std::string(message);
}

std::optional<json> parse_json(std::string_view text, std::string& error) {
  // Both caps hold for the text as given and again for what URL-decoding makes of it, before
  // nlohmann sees either.
  if (too_long(text, error)) return std::nullopt;
  text = trim(text);
  if (text.empty()) {
    error = "the trust policy is empty";
    return std::nullopt;
  }
  std::string decoded;
  if (text.front() == '%') {
    auto plain = percent_decode(text, error);
    if (!plain) return std::nullopt;
    decoded = std::move(*plain);
    text = decoded;
  }
  if (too_long(text, error) || too_deep(text, error)) return std::nullopt;
  try {
    return json::parse(text);
  } catch (const json::parse_error& failure) {
    error = "the trust policy is not JSON: " + parse_error_text(failure);
    return std::nullopt;
  }
}

// The document inside `aws iam get-role` output (whole, or its Role object), else the value.
std::optional<json> unwrap_document(json value, std::string& error) {
  if (value.is_object() && value.contains("Role") && value["Role"].is_object()) {
    json role = std::move(value["Role"]);
    value = std::move(role);
    if (!value.contains("AssumeRolePolicyDocument")) {
      error = "the get-role output has no Role.AssumeRolePolicyDocument";
      return std::nullopt;
    }
  }
  if (value.is_object() && value.contains("AssumeRolePolicyDocument")) {
    json document = std::move(value["AssumeRolePolicyDocument"]);
    // The IAM API returns the document as URL-encoded text; the CLI decodes it to an object.
    if (document.is_string()) return parse_json(document.get<std::string>(), error);
    return document;
  }
  return value;
}

std::string statement_name(std::size_t number, const json& object) {
  const auto sid = object.find("Sid");
  if (sid != object.end() && sid->is_string() && !sid->get<std::string>().empty()) {
    return "statement \"" + sid->get<std::string>() + "\"";
  }
  return "statement " + std::to_string(number);
}

// A string or a list of strings, as IAM accepts for Action, principal values and the like.
std::optional<std::vector<std::string>> string_list(const json& value) {
  if (value.is_string()) return std::vector<std::string>{value.get<std::string>()};
  if (!value.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) return std::nullopt;
    out.push_back(item.get<std::string>());
  }
  return out;
}

// Condition values may also be numbers or booleans ("Bool": {"aws:SecureTransport": true}).
std::optional<std::vector<std::string>> condition_values(const json& value) {
  const auto scalar = [](const json& item) -> std::optional<std::string> {
    if (item.is_string()) return item.get<std::string>();
    if (item.is_number() || item.is_boolean()) return item.dump();
    return std::nullopt;
  };
  std::vector<std::string> out;
  if (!value.is_array()) {
    auto one = scalar(value);
    if (!one) return std::nullopt;
    out.push_back(std::move(*one));
    return out;
  }
  for (const auto& item : value) {
    auto one = scalar(item);
    if (!one) return std::nullopt;
    out.push_back(std::move(*one));
  }
  return out;
}

std::optional<TrustPrincipal> parse_principal(const json& value, std::string_view element,
                                              const std::string& name, std::string& error) {
  TrustPrincipal principal;
  if (value.is_string() && value.get<std::string>() == "*") {
    principal.everyone = true;
    return principal;
  }
  if (!value.is_object()) {
    error = name + "'s " + std::string(element) +
            " is neither \"*\" nor an object such as {\"Federated\": \"arn:...\"}";
    return std::nullopt;
  }
  for (const auto& [type, values] : value.items()) {
    auto list = string_list(values);
    if (!list) {
      error = name + "'s " + std::string(element) + "." + type +
              " is neither a string nor a list of strings";
      return std::nullopt;
    }
    principal.by_type[type] = std::move(*list);
  }
  return principal;
}

bool parse_conditions(const json& value, const std::string& name, TrustStatement& statement,
                      std::string& error) {
  if (!value.is_object()) {
    error = name + "'s Condition is not an object";
    return false;
  }
  for (const auto& [op, keys] : value.items()) {
    if (!keys.is_object()) {
      error = name + "'s Condition." + op + " is not an object of keys and values";
      return false;
    }
    for (const auto& [key, values] : keys.items()) {
      auto list = condition_values(values);
      if (!list) {
        error = name + "'s condition " + op + " on " + key +
                " has a value that is neither a string nor a list of strings";
        return false;
      }
      statement.conditions.push_back({op, key, std::move(*list)});
    }
  }
  return true;
}

}  // namespace

namespace trust {

std::optional<TrustStatement> parse_statement(json written, std::size_t number,
                                              std::string& error) {
  // Read through a const view: operator[] on a mutable object would insert what it looks up.
  const json& object = written;
  const std::string name = statement_name(number, object);
  if (!object.is_object()) {
    error = "statement " + std::to_string(number) + " is not an object";
    return std::nullopt;
  }
  TrustStatement statement;
  statement.number = number;
  if (const auto sid = object.find("Sid"); sid != object.end() && sid->is_string()) {
    statement.sid = sid->get<std::string>();
  }

  const auto effect = object.find("Effect");
  if (effect == object.end()) {
    error = name + " has no Effect";
    return std::nullopt;
  }
  if (*effect == "Allow") {
    statement.effect = Effect::allow;
  } else if (*effect == "Deny") {
    statement.effect = Effect::deny;
  } else {
    error = name + " has Effect " + effect->dump() + "; IAM accepts only \"Allow\" or \"Deny\"";
    return std::nullopt;
  }

  const bool has_principal = object.contains("Principal");
  const bool has_not_principal = object.contains("NotPrincipal");
  if (!has_principal && !has_not_principal) {
    error = name + " has no Principal: a trust policy statement names who may assume the role";
    return std::nullopt;
  }
  if (has_principal) {
    statement.principal = parse_principal(object["Principal"], "Principal", name, error);
    if (!statement.principal) return std::nullopt;
  } else {
    statement.not_principal = parse_principal(object["NotPrincipal"], "NotPrincipal", name, error);
    if (!statement.not_principal) return std::nullopt;
  }

  const bool has_action = object.contains("Action");
  const bool has_not_action = object.contains("NotAction");
  if (has_action == has_not_action) {
    error = name +
            (has_action ? " has both Action and NotAction" : " has neither Action nor NotAction");
    return std::nullopt;
  }
  const char* action_element = has_action ? "Action" : "NotAction";
  auto actions = string_list(object[action_element]);
  if (!actions) {
    error = name + "'s " + action_element + " is neither a string nor a list of strings";
    return std::nullopt;
  }
  statement.actions = std::move(*actions);
  statement.not_action = has_not_action;

  if (const auto condition = object.find("Condition"); condition != object.end()) {
    if (!parse_conditions(*condition, name, statement, error)) return std::nullopt;
  }
  statement.source = std::move(written);
  return statement;
}

}  // namespace trust

std::string statement_label(const TrustStatement& statement) {
  if (!statement.sid.empty()) return "statement \"" + statement.sid + "\"";
  return "statement " + std::to_string(statement.number);
}

TrustPolicyParse parse_trust_policy(std::string_view text) {
  TrustPolicyParse result;
  auto parsed = parse_json(text, result.error);
  if (!parsed) return result;
  auto document = unwrap_document(std::move(*parsed), result.error);
  if (!document) return result;
  if (!document->is_object()) {
    result.error =
        std::string("the trust policy is a JSON ") + document->type_name() + ", not an object";
    return result;
  }
  const auto statements = document->find("Statement");
  if (statements == document->end()) {
    result.error = "the trust policy has no Statement";
    return result;
  }
  if (const auto version = document->find("Version");
      version != document->end() && version->is_string()) {
    result.policy.version = version->get<std::string>();
  }
  // One statement may stand alone, unwrapped by a list. The document is ours: move, not copy.
  json list = std::move(*statements);
  if (!list.is_array()) {
    json one = std::move(list);
    list = json::array();
    list.push_back(std::move(one));
  }
  std::size_t number = 0;
  for (auto& object : list) {
    auto statement = trust::parse_statement(std::move(object), ++number, result.error);
    if (!statement) {
      result.policy.statements.clear();
      return result;
    }
    result.policy.statements.push_back(std::move(*statement));
  }
  return result;
}

}  // namespace irsa::doctor
