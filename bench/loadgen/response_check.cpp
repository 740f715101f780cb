#include "response_check.hpp"

#include "irsa/core/base64.hpp"

namespace irsa::loadgen {

namespace {

bool is_string_field(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element value;
  return object[key].get(value) == simdjson::SUCCESS && value.is_string();
}

}  // namespace

bool is_error(Verdict verdict) noexcept {
  return verdict != Verdict::mutated && verdict != Verdict::unchanged;
}

std::string_view name_of(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::mutated:
      return "mutated";
    case Verdict::unchanged:
      return "unchanged";
    case Verdict::bad_status:
      return "status";
    case Verdict::not_a_review:
      return "not_a_review";
    case Verdict::wrong_uid:
      return "wrong_uid";
    case Verdict::bad_patch:
      return "bad_patch";
  }
  return "unknown";
}

Verdict ResponseChecker::check(unsigned status, std::string_view body,
                               std::string_view expected_uid) {
  if (status != 200) return Verdict::bad_status;
  const auto known = verified_.find(expected_uid);
  if (known != verified_.end() && known->second.body == body) return known->second.verdict;
  const Verdict verdict = check_review(body, expected_uid);
  if (!is_error(verdict)) verified_[std::string(expected_uid)] = {std::string(body), verdict};
  return verdict;
}

Verdict ResponseChecker::check_review(std::string_view body, std::string_view expected_uid) {
  simdjson::dom::element review;
  if (review_parser_.parse(body.data(), body.size()).get(review) != simdjson::SUCCESS) {
    return Verdict::not_a_review;
  }
  simdjson::dom::object response;
  if (review["response"].get(response) != simdjson::SUCCESS) return Verdict::not_a_review;
  std::string_view uid;
  if (response["uid"].get(uid) != simdjson::SUCCESS) return Verdict::not_a_review;
  bool allowed = false;
  if (response["allowed"].get(allowed) != simdjson::SUCCESS) return Verdict::not_a_review;
  if (uid != expected_uid) return Verdict::wrong_uid;
  std::string_view patch;
  const auto patch_error = response["patch"].get(patch);
  if (patch_error == simdjson::NO_SUCH_FIELD) return Verdict::unchanged;
  if (patch_error != simdjson::SUCCESS) return Verdict::bad_patch;
  std::string_view patch_type;
  if (response["patchType"].get(patch_type) != simdjson::SUCCESS || patch_type != "JSONPatch") {
    return Verdict::bad_patch;
  }
  return check_patch(patch);
}

Verdict ResponseChecker::check_patch(std::string_view encoded) {
  if (!core::decode_base64(encoded, decoded_)) return Verdict::bad_patch;
  simdjson::dom::array operations;
  if (patch_parser_.parse(decoded_).get(operations) != simdjson::SUCCESS) {
    return Verdict::bad_patch;
  }
  for (simdjson::dom::element operation : operations) {
    simdjson::dom::object fields;
    if (operation.get(fields) != simdjson::SUCCESS || !is_string_field(fields, "op") ||
        !is_string_field(fields, "path")) {
      return Verdict::bad_patch;
    }
  }
  return Verdict::mutated;
}

}  // namespace irsa::loadgen
