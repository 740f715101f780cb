#include "json_tokens.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include <simdjson.h>

namespace irsa::core::detail {

static_assert(JsonTokens::kPadding == simdjson::SIMDJSON_PADDING);

namespace {

// stage 1 does not nest; this only sizes what simdjson's second pass (unused here) would need.
constexpr std::size_t kUnusedMaxDepth = 64;

[[noreturn]] void fail(std::size_t offset, std::string_view problem) {
  std::string message = "at byte " + std::to_string(offset) + ": ";
  message.append(problem);
  throw JsonSyntaxError(message);
}

// The first backslash in [from, end), or end. Escapes come in clusters (managedFields' keys are
// JSON in a string, \"name\" and so on), so the next few bytes are looked at here before
// memchr, whose set-up costs more than a short search.
const char* find_backslash(const char* from, const char* end) {
  const char* near_end = std::min(end, from + 16);
  for (const char* at = from; at < near_end; ++at) {
    if (*at == '\\') return at;
  }
  if (near_end == end) return end;
  const void* found = std::memchr(near_end, '\\', static_cast<std::size_t>(end - near_end));
  return found != nullptr ? static_cast<const char*>(found) : end;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

JsonTokens::JsonTokens() = default;
JsonTokens::~JsonTokens() = default;

void JsonTokens::reserve(std::size_t size) {
  if (stage1_ && size <= capacity_) return;
  // Exactly the size asked for (a typical review's worth at least): the positions take four
  // bytes per byte of text, so growing ahead would keep up to twice that for a large body, in
  // every worker thread, for as long as the thread lives.
  const std::size_t capacity = std::max<std::size_t>(size, 8192);
  auto error = simdjson::get_active_implementation()->create_dom_parser_implementation(
      capacity, kUnusedMaxDepth, stage1_);
  if (error != simdjson::SUCCESS) {
    stage1_.reset();
    throw std::bad_alloc();
  }
  // parse_string writes in SIMD blocks and may run past the value's end, as simdjson's own
  // string buffer allows for.
  strings_ = std::make_unique<std::uint8_t[]>(capacity + simdjson::SIMDJSON_PADDING);
  capacity_ = capacity;
}

void JsonTokens::index(const char* data, std::size_t size) {
  // The end marker's position is size, so the byte there is read as a token: a NUL reads as
  // none, where padding holding a bracket would close what the document left open.
  if (data[size] != '\0')
    throw std::invalid_argument("JsonTokens: the padding must start with NUL");
  reserve(size);
  data_ = data;
  size_ = size;
  count_ = 0;
  strings_end_ = strings_.get();
  auto error = stage1_->stage1(reinterpret_cast<const std::uint8_t*>(data), size,
                               simdjson::stage1_mode::regular);
  if (error != simdjson::SUCCESS) {
    // The SIMD pass knows what is wrong but not where.
    throw JsonSyntaxError(simdjson::error_message(error));
  }
  positions_ = stage1_->structural_indexes.get();
  count_ = stage1_->n_structural_indexes;
  check_escapes();
}

// Every backslash outside a string is already an error of the grammar (it starts no token), so
// walking the document's backslashes left to right meets each string's escapes as its parser
// would: a backslash and the character it escapes, then the next one.
void JsonTokens::check_escapes() const {
  const char* end = data_ + size_;
  const void* first = std::memchr(data_, '\\', size_);
  if (first == nullptr) return;
  const char* at = static_cast<const char*>(first);
  while (at < end) {
    const char escaped = at + 1 < end ? at[1] : '\0';
    switch (escaped) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        at += 2;
        break;
      case 'u':
        if (end - at < 6 || !is_hex(at[2]) || !is_hex(at[3]) || !is_hex(at[4]) || !is_hex(at[5])) {
          fail(static_cast<std::size_t>(at - data_), "\\u is not followed by four hex digits");
        }
        at += 6;
        break;
      default:
        fail(static_cast<std::size_t>(at - data_), "a backslash that starts no escape");
    }
    at = find_backslash(at, end);
  }
}

std::string_view JsonTokens::unescape(const char* text) {
  std::uint8_t* start = strings_end_;
  std::uint8_t* written = stage1_->parse_string(reinterpret_cast<const std::uint8_t*>(text), start);
  if (written == nullptr) {
    fail(static_cast<std::size_t>(text - data_), "a \\u escape that is no character");
  }
  strings_end_ = written;
  return {reinterpret_cast<const char*>(start), static_cast<std::size_t>(written - start)};
}

}  // namespace irsa::core::detail
