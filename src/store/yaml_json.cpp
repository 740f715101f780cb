#include "irsa/store/yaml_json.hpp"

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <yaml-cpp/depthguard.h>  // YAML::DeepRecursion, which yaml.h does not pull in
#include <yaml-cpp/yaml.h>

namespace irsa::store {

namespace {

// yaml-cpp reports the tag of an untagged node as "?" when the scalar was plain and "!" when it
// was quoted or a block scalar; "!!x" shorthands arrive expanded to the standard prefix.
constexpr std::string_view kPlainTag = "?";
constexpr std::string_view kStandardTagPrefix = "tag:yaml.org,2002:";

enum class StandardTag { none, str, integer, floating, boolean, null, map, seq };

StandardTag standard_tag(std::string_view tag) {
  if (!tag.starts_with(kStandardTagPrefix)) return StandardTag::none;
  tag.remove_prefix(kStandardTagPrefix.size());
  if (tag == "str") return StandardTag::str;
  if (tag == "int") return StandardTag::integer;
  if (tag == "float") return StandardTag::floating;
  if (tag == "bool") return StandardTag::boolean;
  if (tag == "null") return StandardTag::null;
  if (tag == "map") return StandardTag::map;
  if (tag == "seq") return StandardTag::seq;
  return StandardTag::none;  // !!binary, !!timestamp, ...: kept as text
}

// Scalars quoted in messages are cut short: a message is one line, whatever the input holds.
std::string quoted_for_message(std::string_view text) {
  constexpr std::size_t kMaxChars = 60;
  std::string out = "\"";
  for (char c : text.substr(0, kMaxChars)) {
    out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
  if (text.size() > kMaxChars) out.append("...");
  out.push_back('"');
  return out;
}

// The tag as the author most likely wrote it, for messages.
std::string display_tag(std::string_view tag) {
  if (tag.starts_with(kStandardTagPrefix)) {
    return "!!" + std::string(tag.substr(kStandardTagPrefix.size()));
  }
  return std::string(tag);
}

// --- YAML 1.2 core schema resolution ------------------------------------------------------
// Kubernetes tooling (Go's yaml libraries) mostly follows YAML 1.1, where yes/no/on/off are
// booleans and 0755 is octal; the core schema is used on purpose so that a value like a region
// code "no" or a numeric-looking string keeps its meaning as text.

bool is_null_spelling(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> core_bool(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool is_decimal_digit(char c) { return c >= '0' && c <= '9'; }
bool is_octal_digit(char c) { return c >= '0' && c <= '7'; }
bool is_hex_digit(char c) {
  return is_decimal_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// An integer by the core schema's grammar: the text matched, and the value when it fits int64.
// Matching without fitting is told apart so that "99999999999999999999" stays text instead of
// silently becoming a rounded double.
struct IntegerMatch {
  bool matched = false;
  std::optional<std::int64_t> value;
};

IntegerMatch core_integer(std::string_view s) {
  std::string_view digits;
  int base = 10;
  bool negative = false;
  if (s.starts_with("0x")) {
    digits = s.substr(2);
    base = 16;
    if (!all_of(digits, is_hex_digit)) return {};
  } else if (s.starts_with("0o")) {
    digits = s.substr(2);
    base = 8;
    if (!all_of(digits, is_octal_digit)) return {};
  } else {
    digits = s;
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
      negative = digits.front() == '-';
      digits.remove_prefix(1);
    }
    if (!all_of(digits, is_decimal_digit)) return {};
  }
  // from_chars takes a '-' but not a '+', and only for base 10; parse the magnitude as unsigned
  // so that INT64_MIN, whose magnitude does not fit int64, is still accepted.
  std::uint64_t magnitude = 0;
  const char* end = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(digits.data(), end, magnitude, base);
  IntegerMatch match{.matched = true, .value = std::nullopt};
  if (ec != std::errc() || ptr != end) return match;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (!negative) {
    if (magnitude <= kMax) match.value = static_cast<std::int64_t>(magnitude);
  } else if (magnitude <= kMax) {
    match.value = -static_cast<std::int64_t>(magnitude);
  } else if (magnitude == kMax + 1) {
    match.value = std::numeric_limits<std::int64_t>::min();
  }
  return match;
}

// A float by the core schema: [-+]? ( .digits | digits ( . digits? )? ) ( [eE] [-+]? digits )?
// plus the .inf / .nan spellings. nullopt for text that does not match or does not fit a double.
std::optional<double> core_float(std::string_view s) {
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body.front() == '-' || body.front() == '+')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();

  // Check the grammar by hand: from_chars alone would also accept "inf", "nan" and hex floats.
  std::size_t i = 0;
  auto skip_digits = [&] {
    std::size_t start = i;
    while (i < body.size() && is_decimal_digit(body[i])) ++i;
    return i - start;
  };
  std::size_t mantissa_digits = skip_digits();
  if (i < body.size() && body[i] == '.') {
    ++i;
    mantissa_digits += skip_digits();
  }
  if (mantissa_digits == 0) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '-' || body[i] == '+')) ++i;
    if (skip_digits() == 0) return std::nullopt;
  }
  if (i != body.size()) return std::nullopt;

  double value = 0;
  const char* end = body.data() + body.size();
  auto [ptr, ec] = std::from_chars(body.data(), end, value);
  // Overflow and underflow both come back as result_out_of_range; keep such text a string,
  // as for integers, rather than guess.
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return negative ? -value : value;
}

// --- Conversion -----------------------------------------------------------------------------

// Thrown inside the converter only; parse_documents turns it into DocumentsParse::error.
struct ConversionError {
  YAML::Mark mark;
  std::string message;
};

std::string with_position(const YAML::Mark& mark, const std::string& message) {
  if (mark.is_null()) return message;
  // yaml-cpp counts from 0; editors and people count from 1.
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) +
         ": " + message;
}

class Converter {
 public:
  // `source` is the text as handed to yaml-cpp, used only to recover the spelling of null keys.
  // `budget` bounds the work: see parse_documents.
  Converter(std::string_view source, std::size_t budget) : source_(source), budget_(budget) {}

  nlohmann::json convert(const YAML::Node& node, int depth) {
    if (depth > kMaxDepth) {
      fail(node, "nesting is deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    charge(node, 1);
    switch (node.Type()) {
      case YAML::NodeType::Null:
        // yaml-cpp only builds Null nodes for untagged plain null spellings and missing values.
        return nullptr;
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        check_collection_tag(node, StandardTag::seq, "sequence");
        nlohmann::json array = nlohmann::json::array();
        for (const auto& item : node) array.push_back(convert(item, depth + 1));
        return array;
      }
      case YAML::NodeType::Map: {
        check_collection_tag(node, StandardTag::map, "mapping");
        nlohmann::json object = nlohmann::json::object();
        for (const auto& pair : node) {
          std::string key = key_text(pair.first);
          charge(pair.first, key.size());
          if (object.contains(key)) {
            // A later duplicate would silently win; for a role ARN annotation that is a security
            // decision better not left to the order of lines.
            fail(pair.first, "duplicate mapping key " + quoted_for_message(key));
          }
          object.emplace(std::move(key), convert(pair.second, depth + 1));
        }
        return object;
      }
      case YAML::NodeType::Undefined:
        break;
    }
    fail(node, "undefined YAML node");
  }

 private:
  [[noreturn]] static void fail(const YAML::Node& node, std::string message) {
    throw ConversionError{node.Mark(), std::move(message)};
  }

  // yaml-cpp shares the node of an anchor among all its aliases, so a few lines of nested
  // aliases ("billion laughs") can describe an exponentially large document. Without aliases the
  // output is at most a small multiple of the input, so a budget linear in the input size never
  // stops honest input but stops the expansion before it exhausts memory.
  void charge(const YAML::Node& node, std::size_t cost) {
    if (cost > budget_) fail(node, "document expands far beyond its text (alias expansion?)");
    budget_ -= cost;
  }

  void check_collection_tag(const YAML::Node& node, StandardTag own, const char* what) {
    StandardTag tag = standard_tag(node.Tag());
    if (tag == StandardTag::none || tag == own) return;
    fail(node, "tag " + display_tag(node.Tag()) + " cannot apply to a " + what);
  }

  nlohmann::json scalar(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    charge(node, text.size());
    const std::string& tag = node.Tag();
    if (tag == kPlainTag) return resolve_plain(text);

    // Explicitly tagged: the tag decides, and text that cannot be what the tag says is an error
    // rather than a quiet string, the same as Go's YAML decoders do.
    auto mismatch = [&]() -> nlohmann::json {
      fail(node,
           display_tag(tag) + " value " + quoted_for_message(text) + " is not valid for its tag");
    };
    switch (standard_tag(tag)) {
      case StandardTag::null:
        if (is_null_spelling(text)) return nullptr;
        return mismatch();
      case StandardTag::boolean:
        if (auto b = core_bool(text)) return *b;
        return mismatch();
      case StandardTag::integer: {
        IntegerMatch match = core_integer(text);
        if (match.value) return *match.value;
        return mismatch();
      }
      case StandardTag::floating: {
        if (auto d = core_float(text)) return *d;
        return mismatch();
      }
      case StandardTag::map:
      case StandardTag::seq:
        return mismatch();
      case StandardTag::str:
      case StandardTag::none:
        break;
    }
    // "!" (quoted or block scalars, or the explicit non-specific tag), !!str, and every tag we do
    // not know: the text as written.
    return text;
  }

  static nlohmann::json resolve_plain(const std::string& text) {
    if (is_null_spelling(text)) return nullptr;
    if (auto b = core_bool(text)) return *b;
    IntegerMatch match = core_integer(text);
    if (match.matched) {
      if (match.value) return *match.value;
      return text;  // an integer too large for int64: keep every digit
    }
    if (auto d = core_float(text)) return *d;
    return text;
  }

  // JSON keys are strings, and the key's text is what a reader of the file sees, so a key is
  // never typed: "1: x" has the key "1" and "true: x" the key "true".
  std::string key_text(const YAML::Node& key) {
    switch (key.Type()) {
      case YAML::NodeType::Scalar:
        return key.Scalar();
      case YAML::NodeType::Null:
        return null_key_text(key);
      case YAML::NodeType::Sequence:
      case YAML::NodeType::Map:
      case YAML::NodeType::Undefined:
        break;
    }
    fail(key, "a mapping key must be a scalar to become a JSON key");
  }

  // yaml-cpp turns the key "null" (or "~", "Null", "NULL", or an empty key) into a Null node and
  // drops its text. The node's mark still points at where the key was written, counted in bytes
  // of the UTF-8 input after any byte order mark, so read the spelling back from there. A mark
  // that does not land on a null spelling (an empty key, or input yaml-cpp transcoded from
  // UTF-16/32) means the key was empty or cannot be recovered: use "".
  std::string null_key_text(const YAML::Node& key) const {
    std::string_view source = source_;
    if (source.starts_with("\xEF\xBB\xBF")) source.remove_prefix(3);
    const YAML::Mark mark = key.Mark();
    if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= source.size()) return {};
    std::string_view rest = source.substr(static_cast<std::size_t>(mark.pos));
    for (std::string_view spelling : {"null", "Null", "NULL", "~"}) {
      if (!rest.starts_with(spelling)) continue;
      // The spelling must be the whole plain scalar, not the start of "nullable".
      std::string_view after = rest.substr(spelling.size());
      if (after.empty() || after.find_first_of(" \t\r\n:,]}#") == 0) return std::string(spelling);
    }
    return {};
  }

  std::string_view source_;
  std::size_t budget_;
};

}  // namespace

DocumentsParse parse_documents(std::string_view text) {
  DocumentsParse result;
  // See Converter::charge. 16 units per input byte leaves a wide margin over what plain input
  // needs (roughly one unit per byte of text plus one per node); the constant keeps tiny
  // documents with a few aliases working.
  constexpr std::size_t kBaseBudget = std::size_t{1} << 20;
  constexpr std::size_t kBudgetPerByte = 16;
  const std::size_t budget =
      text.size() > (std::numeric_limits<std::size_t>::max() - kBaseBudget) / kBudgetPerByte
          ? std::numeric_limits<std::size_t>::max()
          : kBaseBudget + kBudgetPerByte * text.size();
  try {
    const std::string source(text);
    std::vector<YAML::Node> nodes = YAML::LoadAll(source);
    Converter converter(source, budget);
    for (const YAML::Node& node : nodes) {
      // An empty document comes back as null; so does a document that is just "null", which is
      // as useless to callers (they all expect objects) and is dropped alike.
      nlohmann::json document = converter.convert(node, 0);
      if (!document.is_null()) result.documents.push_back(std::move(document));
    }
  } catch (const ConversionError& e) {
    result.error = with_position(e.mark, e.message);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own depth guard reports only "bad file".
    result.error = with_position(e.mark, "nesting is too deep");
  } catch (const YAML::Exception& e) {
    result.error = with_position(e.mark, e.msg);
  } catch (const std::bad_alloc&) {
    result.error = "out of memory while reading YAML";
  } catch (const std::exception& e) {
    result.error = std::string("cannot read YAML: ") + e.what();
  } catch (...) {
    // yaml-cpp documents only YAML::Exception, but the promise here is "never throws".
    result.error = "cannot read YAML: unknown failure";
  }
  if (!result.error.empty()) result.documents.clear();
  return result;
}

}  // namespace irsa::store
