// Mutator::review_in_place: the same answers as review(), read from the caller's string, which
// is left as it was.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "irsa/core/admission.hpp"
#include "irsa/core/identity_sources.hpp"
#include "support/reviews.hpp"

namespace irsa::core {
namespace {

using nlohmann::json;

class ReviewInPlaceTest : public ::testing::Test {
 protected:
  ReviewInPlaceTest() {
    IdentityEntry entry;
    entry.role_arn = "arn:aws:iam::111122223333:role/web";
    entry.audience = "sts.amazonaws.com";
    entry.token_expiration = 86400;
    identities_.add_service_account("apps", "web", entry);
  }

  static std::string review_of(const std::string& service_account) {
    json pod = {
        {"metadata", {{"name", "web-1"}}},
        {"spec",
         {{"serviceAccountName", service_account},
          {"containers", {{{"name", "c"}, {"env", {{{"name", "A"}, {"value", "a\\b"}}}}}}}}}};
    return irsa::testing::review_for_pod(pod, "apps");
  }

  // What review() answers, and what review_in_place() answers for a copy of the same body,
  // which must come back unchanged.
  void expect_same_answer(const std::string& body) {
    const Admission copied = mutator_.review(body, identities_, {3}, scratch_);
    std::string lent = body;
    const Admission in_place = mutator_.review_in_place(lent, identities_, {3}, scratch_);
    EXPECT_EQ(in_place.response, copied.response);
    EXPECT_EQ(in_place.patch, copied.patch);
    EXPECT_EQ(in_place.decision.result, copied.decision.result);
    EXPECT_EQ(in_place.decision.error, copied.decision.error);
    EXPECT_EQ(lent, body);
  }

  Mutator mutator_{Settings{}};
  StaticIdentities identities_;
  Scratch scratch_;
};

TEST_F(ReviewInPlaceTest, AnswersAsReviewDoesAndLeavesTheBodyAsItWas) {
  const std::vector<std::string> bodies = {
      review_of("web"),                  // mutated
      review_of("nobody"),               // no role: not mutated
      review_of("web").substr(0, 120),   // cut short: not JSON
      "{\"kind\":\"AdmissionReview\"}",  // no request
      "  \r\n\t",                        // empty
      "",                                // empty
      review_of("web") + "  ",           // trailing whitespace
      review_of("web") + "{}",           // a second document
  };
  for (const auto& body : bodies) {
    SCOPED_TRACE(body.substr(0, 40));
    expect_same_answer(body);
  }
}

TEST_F(ReviewInPlaceTest, DoesNotMoveABodyWithRoomForThePadding) {
  std::string body = review_of("web");
  body.reserve(body.size() + Mutator::kBodyPadding);
  const char* before = body.data();
  const std::size_t size = body.size();
  const Admission admission = mutator_.review_in_place(body, identities_, {3}, scratch_);
  EXPECT_EQ(admission.decision.result, Result::mutated);
  EXPECT_EQ(body.data(), before);
  EXPECT_EQ(body.size(), size);
}

// What lies past the body's end in its capacity is overwritten, not read: a leftover bracket
// there must not close what the body left open, nor a leftover quote end a string.
TEST_F(ReviewInPlaceTest, WhatFollowsTheBodyInItsCapacityIsNotRead) {
  const std::string full = review_of("web");
  const std::vector<std::string> leftovers = {"}", "\"}]}}", std::string(70, ']')};
  for (const std::string& leftover : leftovers) {
    SCOPED_TRACE(leftover);
    std::string open = full.substr(0, full.size() - 1);  // the review's closing brace cut off
    std::string body = open + leftover;
    body.reserve(body.size() + Mutator::kBodyPadding);
    body.resize(open.size());
    const Admission admission = mutator_.review_in_place(body, identities_, {3}, scratch_);
    EXPECT_EQ(admission.decision.result, Result::denied);
    EXPECT_NE(admission.decision.error.find("not valid JSON"), std::string::npos)
        << admission.decision.error;
    EXPECT_EQ(body, open);
  }
}

}  // namespace
}  // namespace irsa::core
