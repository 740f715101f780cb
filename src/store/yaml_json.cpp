#include "irsa/store/yaml_json.hpp"

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include <yaml-cpp/depthguard.h>  // YAML::DeepRecursion, which yaml.h does not pull in
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

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

// Whether text is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF). yaml-cpp passes undecodable bytes through, and nlohmann::json::dump() throws on
// them later; checking here turns that into a positioned parse error instead.
bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;  // allowed range of the second byte, tightened per lead byte
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto byte = static_cast<unsigned char>(text[i + k]);
      if (byte < (k == 1 ? low : 0x80) || byte > (k == 1 ? high : 0xBF)) return false;
    }
    i += length;
  }
  return true;
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

bool is_decimal_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_octal_digit(char c) {
  return c >= '0' && c <= '7';
}
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
// The JSON is built from yaml-cpp's parser events rather than from YAML::LoadAll's node graph:
// LoadAll loops forever, allocating, on a stray top-level "," (yaml-cpp issue #1040, fixed only
// after 0.7), and the events give every position and tag the conversion needs, let aliases be
// charged for what they copy, and need no recursion.

// Thrown inside the builder only; parse_documents turns it into DocumentsParse::error.
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

class JsonBuilder final : public YAML::EventHandler {
 public:
  // `source` is the text as handed to yaml-cpp, used to recover the spelling of null keys and
  // to quote the character a stuck parser sits on. `budget` bounds the output: see charge().
  JsonBuilder(std::string_view source, std::size_t budget, DuplicateKeys duplicates)
      : source_(source), budget_(budget), duplicates_(duplicates) {}

  std::vector<nlohmann::json>& documents() { return documents_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp 0.7 starts a document at a token it cannot place without consuming it, so the
    // next document starts at the same token again, forever. A document that starts where the
    // previous one did has consumed nothing: stop there.
    if (previous_start_ && previous_start_->pos == mark.pos) {
      throw ConversionError{mark, "unexpected " + describe_at(mark)};
    }
    previous_start_ = mark;
    stack_.clear();
    root_.reset();
    anchors_.clear();  // anchors are scoped to their document, and yaml-cpp reuses the ids
  }

  void OnDocumentEnd() override {
    // An empty document comes back as null; so does a document that is just "null", which is
    // as useless to callers (they all expect objects) and is dropped alike.
    if (root_ && !root_->is_null()) documents_.push_back(std::move(*root_));
    root_.reset();
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    // yaml-cpp reports untagged plain null spellings and missing values as null events.
    charge(mark, 1);
    std::string text = null_key_text(mark);
    if (expecting_key()) {
      if (anchor != YAML::NullAnchor) anchors_[anchor] = Anchored{nullptr, 1, text};
      set_key(std::move(text), mark);
      return;
    }
    place(nullptr, mark, anchor, 1, std::move(text));
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      // The parser knows the name, so the anchored node is still open: an alias inside its own
      // anchor. Expanding it has no end.
      throw ConversionError{mark, "alias refers to a node that contains it"};
    }
    const Anchored& target = it->second;
    if (expecting_key()) {
      if (!target.scalar_text) fail_collection_key(mark);
      charge(mark, target.scalar_text->size());
      set_key(*target.scalar_text, mark);
      return;
    }
    // A copy costs what the original did, so nested aliases cannot multiply past the budget.
    charge(mark, target.cost);
    place(nlohmann::json(target.value), mark, YAML::NullAnchor, target.cost, target.scalar_text);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    charge(mark, 1 + value.size());
    if (!is_valid_utf8(value)) throw ConversionError{mark, "text is not valid UTF-8"};
    if (expecting_key()) {
      // JSON keys are strings, and the key's text is what a reader of the file sees, so a key
      // is never typed: "1: x" has the key "1" and "true: x" the key "true".
      if (anchor != YAML::NullAnchor) {
        // Aliased as a value elsewhere, the key reads as any scalar would. Tags on keys are not
        // checked (they never matter for the key), so an explicitly tagged one stays text.
        nlohmann::json as_value = tag == kPlainTag ? resolve_plain(value) : nlohmann::json(value);
        anchors_[anchor] = Anchored{std::move(as_value), 1 + value.size(), value};
      }
      set_key(value, mark);
      return;
    }
    place(scalar(mark, tag, value), mark, anchor, 1 + value.size(), value);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    open(mark, tag, anchor, StandardTag::seq, "sequence", nlohmann::json::array());
  }

  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    open(mark, tag, anchor, StandardTag::map, "mapping", nlohmann::json::object());
  }

  void OnMapEnd() override { close(); }

 private:
  // A mapping or sequence being filled.
  struct Frame {
    nlohmann::json value;
    YAML::Mark mark;
    YAML::anchor_t anchor = YAML::NullAnchor;
    std::size_t spent_before = 0;    // spent_ when the collection opened, to price its aliases
    std::optional<std::string> key;  // mappings: the key waiting for its value
  };

  // A completed anchored node, kept for its aliases.
  struct Anchored {
    nlohmann::json value;
    std::size_t cost = 0;
    std::optional<std::string> scalar_text;  // for scalars: the text, should it be used as a key
  };

  [[noreturn]] static void fail_collection_key(const YAML::Mark& mark) {
    throw ConversionError{mark, "a mapping key must be a scalar to become a JSON key"};
  }

  bool expecting_key() const {
    return !stack_.empty() && stack_.back().value.is_object() && !stack_.back().key;
  }

  void set_key(std::string key, const YAML::Mark& mark) {
    Frame& frame = stack_.back();
    if (duplicates_ == DuplicateKeys::reject && frame.value.contains(key)) {
      // A later duplicate would silently win; for a role ARN annotation that is a security
      // decision better not left to the order of lines.
      throw ConversionError{mark, "duplicate mapping key " + quoted_for_message(key)};
    }
    frame.key = std::move(key);
  }

  // Every alias is expanded into a copy of its node, so a few lines of nested aliases
  // ("billion laughs") describe an exponentially large document. Without aliases the output is
  // at most a small multiple of the input (a unit per value plus a unit per byte of text), so a
  // budget linear in the input size never stops honest input but stops the expansion long
  // before it exhausts memory.
  void charge(const YAML::Mark& mark, std::size_t cost) {
    if (cost > budget_) {
      throw ConversionError{mark, "document expands far beyond its text (alias expansion?)"};
    }
    budget_ -= cost;
    spent_ += cost;
  }

  void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, StandardTag own,
            const char* what, nlohmann::json empty) {
    if (expecting_key()) fail_collection_key(mark);
    StandardTag standard = standard_tag(tag);
    if (standard != StandardTag::none && standard != own) {
      throw ConversionError{mark, "tag " + display_tag(tag) + " cannot apply to a " + what};
    }
    if (stack_.size() >= static_cast<std::size_t>(kMaxDepth)) {
      throw ConversionError{mark,
                            "nesting is deeper than " + std::to_string(kMaxDepth) + " levels"};
    }
    charge(mark, 1);
    stack_.push_back(Frame{std::move(empty), mark, anchor, spent_ - 1, std::nullopt});
  }

  void close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    place(std::move(frame.value), frame.mark, frame.anchor, spent_ - frame.spent_before,
          std::nullopt);
  }

  // Puts a finished value where it belongs: the document root, the end of the enclosing
  // sequence, or under the pending key of the enclosing mapping.
  void place(nlohmann::json value, const YAML::Mark& mark, YAML::anchor_t anchor, std::size_t cost,
             const std::optional<std::string>& scalar_text) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = Anchored{value, cost, scalar_text};
    if (stack_.empty()) {
      root_ = std::move(value);
      return;
    }
    Frame& parent = stack_.back();
    if (parent.value.is_array()) {
      parent.value.push_back(std::move(value));
    } else if (parent.key) {
      parent.value[std::move(*parent.key)] = std::move(value);  // replaces a duplicate
      parent.key.reset();
    } else {
      // Unreachable with yaml-cpp's event order; a clear error beats a misplaced value.
      throw ConversionError{mark, "value without a key"};
    }
  }

  nlohmann::json scalar(const YAML::Mark& mark, const std::string& tag,
                        const std::string& text) const {
    if (tag == kPlainTag) return resolve_plain(text);

    // Explicitly tagged: the tag decides, and text that cannot be what the tag says is an error
    // rather than a quiet string, the same as Go's YAML decoders do.
    auto mismatch = [&]() -> nlohmann::json {
      throw ConversionError{mark, display_tag(tag) + " value " + quoted_for_message(text) +
                                      " is not valid for its tag"};
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

  // The input from a mark on. Marks count bytes of the UTF-8 text after any byte order mark;
  // for input yaml-cpp transcoded from UTF-16/32 they point elsewhere, which callers tolerate.
  std::string_view source_at(const YAML::Mark& mark) const {
    std::string_view source = source_;
    if (source.starts_with("\xEF\xBB\xBF")) source.remove_prefix(3);
    if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= source.size()) return {};
    return source.substr(static_cast<std::size_t>(mark.pos));
  }

  // yaml-cpp turns the key "null" (or "~", "Null", "NULL", or an empty key) into a null event
  // and drops its text; the event's mark still points at where the key was written, so read the
  // spelling back from there. A mark that does not land on a null spelling means the key was
  // empty (or cannot be recovered): use "". (Also kept for null values, should an alias of one
  // be used as a key.)
  std::string null_key_text(const YAML::Mark& mark) const {
    std::string_view rest = source_at(mark);
    for (std::string_view spelling : {"null", "Null", "NULL", "~"}) {
      if (!rest.starts_with(spelling)) continue;
      // The spelling must be the whole plain scalar, not the start of "nullable".
      std::string_view after = rest.substr(spelling.size());
      if (after.empty() || after.find_first_of(" \t\r\n:,]}#") == 0) return std::string(spelling);
    }
    return {};
  }

  std::string describe_at(const YAML::Mark& mark) const {
    std::string_view rest = source_at(mark);
    if (!rest.empty() && rest.front() > ' ' && rest.front() < 0x7F) {
      return "'" + std::string(1, rest.front()) + "'";
    }
    return "content";
  }

  std::string_view source_;
  std::size_t budget_;
  std::size_t spent_ = 0;
  std::vector<Frame> stack_;
  std::optional<nlohmann::json> root_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  std::vector<nlohmann::json> documents_;
  std::optional<YAML::Mark> previous_start_;
  DuplicateKeys duplicates_;
};

}  // namespace

DocumentsParse parse_documents(std::string_view text, DuplicateKeys duplicates) {
  DocumentsParse result;
  // See JsonBuilder::charge.
  const std::size_t budget = alias_budget(text.size());
  try {
    const std::string source(text);
    std::istringstream stream(source);
    YAML::Parser parser(stream);
    JsonBuilder builder(source, budget, duplicates);
    while (parser.HandleNextDocument(builder)) {
    }
    result.documents = std::move(builder.documents());
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
