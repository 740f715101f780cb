#include "response_check.hpp"

#include <gtest/gtest.h>

namespace irsa::loadgen {
namespace {

std::string answer(const std::string& response_fields) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{)" +
         response_fields + "}}";
}

// [{"op":"add","path":"/spec/volumes/-","value":{}}]
constexpr const char* kPatch =
    "W3sib3AiOiJhZGQiLCJwYXRoIjoiL3NwZWMvdm9sdW1lcy8tIiwidmFsdWUiOnt9fV0=";

TEST(ResponseCheckTest, APatchThatDecodesIsAMutation) {
  ResponseChecker checker;
  const auto body = answer(R"("uid":"u1","allowed":true,"patchType":"JSONPatch","patch":")" +
                           std::string(kPatch) + "\"");
  EXPECT_EQ(checker.check(200, body, "u1"), Verdict::mutated);
  // The checker is reused between answers.
  EXPECT_EQ(checker.check(200, body, "u1"), Verdict::mutated);
}

// An answer already verified is recognised by its bytes; any other answer for the same request
// is checked in full, so a server that starts answering wrongly is caught at once.
TEST(ResponseCheckTest, RepeatedAnswersAreComparedAndChangedOnesCheckedAgain) {
  ResponseChecker checker;
  const auto good = answer(R"("uid":"u1","allowed":true,"patchType":"JSONPatch","patch":")" +
                           std::string(kPatch) + "\"");
  EXPECT_EQ(checker.check(200, good, "u1"), Verdict::mutated);
  EXPECT_EQ(checker.check(200, good, "u1"), Verdict::mutated);
  EXPECT_EQ(checker.check(500, good, "u1"), Verdict::bad_status);
  auto broken = good;
  broken.replace(broken.find(kPatch), 4, "!!!!");
  EXPECT_EQ(checker.check(200, broken, "u1"), Verdict::bad_patch);
  EXPECT_EQ(checker.check(200, good, "u2"), Verdict::wrong_uid);
  EXPECT_EQ(checker.check(200, answer(R"("uid":"u1","allowed":true)"), "u1"), Verdict::unchanged);
}

TEST(ResponseCheckTest, NoPatchIsAnUnchangedAnswer) {
  ResponseChecker checker;
  EXPECT_EQ(checker.check(200, answer(R"("uid":"u1","allowed":true)"), "u1"), Verdict::unchanged);
  EXPECT_EQ(checker.check(200, answer(R"("uid":"u1","allowed":false)"), "u1"), Verdict::unchanged);
}

TEST(ResponseCheckTest, EachWrongAnswerHasItsKind) {
  ResponseChecker checker;
  const auto good = answer(R"("uid":"u1","allowed":true)");
  EXPECT_EQ(checker.check(500, good, "u1"), Verdict::bad_status);
  EXPECT_EQ(checker.check(200, good, "u2"), Verdict::wrong_uid);
  EXPECT_EQ(checker.check(200, "{", "u1"), Verdict::not_a_review);
  EXPECT_EQ(checker.check(200, "[]", "u1"), Verdict::not_a_review);
  EXPECT_EQ(checker.check(200, answer(R"("allowed":true)"), "u1"), Verdict::not_a_review);
  EXPECT_EQ(checker.check(200, answer(R"("uid":"u1")"), "u1"), Verdict::not_a_review);
  const auto with_patch = [](const std::string& type, const std::string& patch) {
    return answer(R"("uid":"u1","allowed":true,"patchType":")" + type + R"(","patch":")" + patch +
                  "\"");
  };
  EXPECT_EQ(checker.check(200, with_patch("JSONPatch", "not base64!"), "u1"), Verdict::bad_patch);
  EXPECT_EQ(checker.check(200, with_patch("MergePatch", kPatch), "u1"), Verdict::bad_patch);
  // {"op":"add"} base64: an operation without a path.
  EXPECT_EQ(checker.check(200, with_patch("JSONPatch", "W3sib3AiOiJhZGQifV0="), "u1"),
            Verdict::bad_patch);
  // {} base64: a patch that is not a list.
  EXPECT_EQ(checker.check(200, with_patch("JSONPatch", "e30="), "u1"), Verdict::bad_patch);
}

TEST(ResponseCheckTest, OnlySuccessfulVerdictsAreNotErrors) {
  EXPECT_FALSE(is_error(Verdict::mutated));
  EXPECT_FALSE(is_error(Verdict::unchanged));
  EXPECT_TRUE(is_error(Verdict::wrong_uid));
  EXPECT_EQ(name_of(Verdict::bad_status), "status");
}

}  // namespace
}  // namespace irsa::loadgen
