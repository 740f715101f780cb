// Decides whether one answer of the server is what an admission client needs: status 200, an
// AdmissionReview whose response echoes the request's uid and says whether it is allowed, and,
// when there is a patch, a base64 JSON Patch that decodes to a list of operations. Anything else
// is an error of a named kind, so a fast server that answers wrongly cannot look good.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <unordered_map>

namespace irsa::loadgen {

enum class Verdict {
  mutated,    // allowed, with a patch
  unchanged,  // allowed (or denied) without a patch
  bad_status,
  not_a_review,
  wrong_uid,
  bad_patch,
};

[[nodiscard]] bool is_error(Verdict verdict) noexcept;
[[nodiscard]] std::string_view name_of(Verdict verdict) noexcept;

// Keeps its parsers and scratch buffers between answers. A body byte-identical to one already
// verified for the same request is that same answer, so it is compared instead of parsed again:
// every answer is still checked, and the generator stays cheaper than the servers it measures.
class ResponseChecker {
 public:
  Verdict check(unsigned status, std::string_view body, std::string_view expected_uid);

 private:
  struct Verified {
    std::string body;
    Verdict verdict = Verdict::unchanged;
  };

  Verdict check_review(std::string_view body, std::string_view expected_uid);
  Verdict check_patch(std::string_view encoded);

  simdjson::dom::parser review_parser_;
  simdjson::dom::parser patch_parser_;
  std::string decoded_;
  struct UidHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view uid) const noexcept {
      return std::hash<std::string_view>{}(uid);
    }
  };
  std::unordered_map<std::string, Verified, UidHash, std::equal_to<>> verified_;  // by uid
};

}  // namespace irsa::loadgen
