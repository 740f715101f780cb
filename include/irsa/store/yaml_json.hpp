// YAML (and therefore JSON, which is a subset of it) read into nlohmann::json values, so that
// everything above this layer handles one in-memory form whatever the file format was.
#pragma once

#include <cstddef>

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace irsa::store {

// The deepest nesting of mappings and sequences accepted (deeper input is an error). Kubernetes
// objects nest a few dozen levels at most; the bound keeps the recursive conversion's stack use
// small and also stops an alias that refers to its own ancestor (which yaml-cpp builds as a
// cycle).
inline constexpr int kMaxDepth = 512;

// How much work aliases may make a reader of `input_size` bytes do (in the units its builder
// charges): honest YAML needs about its own size; aliases may buy a generous multiple of it, not
// an unbounded one (a "billion laughs" file). Shared by every reader of hand-written YAML.
[[nodiscard]] constexpr std::size_t alias_budget(std::size_t input_size) noexcept {
  constexpr std::size_t kBase = std::size_t{1} << 20;
  constexpr std::size_t kPerByte = 16;
  constexpr std::size_t kMax = static_cast<std::size_t>(-1);
  return input_size > (kMax - kBase) / kPerByte ? kMax : kBase + kPerByte * input_size;
}

struct DocumentsParse {
  std::vector<nlohmann::json> documents;
  std::string error;  // non-empty: the text is unusable and `documents` is empty
};

// Parses a YAML stream into one JSON value per document. Empty documents (a trailing "---", a
// stream of comments, a document holding only null) are dropped.
//
// Scalars follow the YAML 1.2 core schema, and only plain (unquoted) scalars are typed: null,
// Null, NULL, ~ and the empty scalar become null; true/True/TRUE/false/False/FALSE booleans
// (yes/no/on/off stay strings); decimal, 0x hex and 0o octal integers int64 (a string when out
// of range); 1.5, -2e3, .inf, .nan doubles (a string when out of range). Quoted and block
// scalars are strings. The explicit tags !!str, !!int, !!float, !!bool and !!null are honoured
// and a value that does not fit its tag is an error; other tags leave a string.
// Mapping keys are always the key's scalar text. Duplicate keys and non-scalar keys are errors.
// Every string in the result is valid UTF-8 (other bytes are an error), so dump() cannot throw
// on it; .inf and .nan doubles still dump as null, JSON having no spelling for them.
//
// Errors carry a 1-based "line L, column C: " prefix. Never throws: parser failures, nesting
// deeper than kMaxDepth and aliases that would expand far beyond the input's own size are all
// reported through `error`.
enum class DuplicateKeys {
  reject,     // an error (the default: a second role-arn line must not win silently)
  last_wins,  // the later value replaces the earlier one, as Go's YAML readers do
};
[[nodiscard]] DocumentsParse parse_documents(std::string_view text,
                                             DuplicateKeys duplicates = DuplicateKeys::reject);

}  // namespace irsa::store
