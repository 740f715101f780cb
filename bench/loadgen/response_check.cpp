#include "response_check.hpp"

#include <array>
#include <cstdint>

namespace irsa::loadgen {

namespace {

constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  table.fill(kInvalid);
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr auto kDecode = make_decode_table();

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

bool decode_base64(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      std::uint8_t bits = 0;
      if (c == '=') {
        // Padding only at the very end, and only as much as was counted.
        if (!last || j < 4 - padding) return false;
      } else {
        bits = kDecode[static_cast<unsigned char>(c)];
        if (bits == kInvalid) return false;
      }
      group = (group << 6) | bits;
    }
    const std::size_t bytes = last ? 3 - padding : 3;
    for (std::size_t k = 0; k < bytes; ++k) {
      out.push_back(static_cast<char>((group >> (16 - 8 * k)) & 0xff));
    }
  }
  return true;
}

Verdict ResponseChecker::check(unsigned status, std::string_view body,
                               std::string_view expected_uid) {
  if (status != 200) return Verdict::bad_status;
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
  if (!decode_base64(encoded, decoded_)) return Verdict::bad_patch;
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
