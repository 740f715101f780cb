// One forward pass over an AdmissionReview with simdjson On-Demand, collecting ReviewFacts.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "review_facts.hpp"

namespace irsa::core::detail {

// The review is JSON but not the shape of an AdmissionReview of a Pod. The message names the
// field and is safe to show to the user who created the pod.
class ReviewShapeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses `padded` (which must have simdjson::SIMDJSON_PADDING readable bytes past its size)
// into facts. Throws ReviewShapeError for a wrong shape and simdjson::simdjson_error for text
// that is not JSON.
void read_review(simdjson::ondemand::parser& parser, const char* data, std::size_t size,
                 std::size_t capacity, const ReaderKeys& keys, ReviewFacts& facts);

}  // namespace irsa::core::detail
