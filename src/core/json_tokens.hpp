// simdjson's first pass over one JSON document: where each of its tokens starts. The review
// reader walks these positions itself (json_cursor.hpp) instead of through On-Demand, whose
// general navigation cost more than the SIMD pass that finds the tokens (docs/performance.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace simdjson::internal {
class dom_parser_implementation;
}

namespace irsa::core::detail {

// The text is not JSON. The message says what is wrong and at which byte; it quotes nothing
// from the document, so it is safe to show and to log.
class JsonSyntaxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class JsonTokens {
 public:
  // Readable bytes the text must be followed by (simdjson's SIMDJSON_PADDING).
  static constexpr std::size_t kPadding = 64;

  JsonTokens();
  ~JsonTokens();
  JsonTokens(const JsonTokens&) = delete;
  JsonTokens& operator=(const JsonTokens&) = delete;

  // Finds the tokens of data[0, size), which must be followed by kPadding readable bytes, the
  // first of them NUL. Rejects text that is not UTF-8, a control character inside a string and a
  // string left open (the SIMD pass sees those), and a backslash anywhere that starts no valid
  // escape. The grammar (what may follow what) is the cursor's to check. Throws JsonSyntaxError.
  void index(const char* data, std::size_t size);

  [[nodiscard]] const char* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  // Positions of the tokens: each {, }, [, ], :, and comma, the opening quote of each string, and
  // the first byte of anything else outside strings (numbers, true, false, null, and junk the
  // cursor then refuses). count() of them, then size() as an end marker.
  [[nodiscard]] const std::uint32_t* positions() const noexcept { return positions_; }
  [[nodiscard]] std::uint32_t count() const noexcept { return count_; }

  // The value of the string whose text starts at `text` (after its opening quote), unescaped
  // into a buffer that lives until the next index(). Throws JsonSyntaxError for an escape that
  // is not a character (a lone surrogate).
  std::string_view unescape(const char* text);

 private:
  void reserve(std::size_t size);
  void check_escapes() const;

  std::unique_ptr<simdjson::internal::dom_parser_implementation> stage1_;
  std::unique_ptr<std::uint8_t[]> strings_;  // unescaped values, for the current document
  std::uint8_t* strings_end_ = nullptr;
  std::size_t capacity_ = 0;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  const std::uint32_t* positions_ = nullptr;
  std::uint32_t count_ = 0;
};

}  // namespace irsa::core::detail
