// One forward pass over an AdmissionReview (json_cursor.hpp), collecting ReviewFacts.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "json_tokens.hpp"
#include "review_facts.hpp"

namespace irsa::core::detail {

// The review is JSON but not the shape of an AdmissionReview of a Pod. The message names the
// field and is safe to show to the user who created the pod.
class ReviewShapeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads data[0, size) (followed by JsonTokens::kPadding readable bytes, the first of them NUL)
// into facts, whose strings may point into data or into tokens. Throws ReviewShapeError for a
// wrong shape and JsonSyntaxError for text that is not JSON.
void read_review(JsonTokens& tokens, const char* data, std::size_t size, const ReaderKeys& keys,
                 ReviewFacts& facts);

}  // namespace irsa::core::detail
