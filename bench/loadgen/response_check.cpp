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
  // Written in place, four characters to three bytes at a time: this runs for every answer
  // and must cost the generator far less than the server spends producing it.
  out.resize(text.size() / 4 * 3 - padding);
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  auto* write = reinterpret_cast<unsigned char*>(out.data());
  const std::size_t full_groups = padding > 0 ? text.size() / 4 - 1 : text.size() / 4;
  for (std::size_t group = 0; group < full_groups; ++group, in += 4, write += 3) {
    const std::uint32_t a = kDecode[in[0]], b = kDecode[in[1]], c = kDecode[in[2]],
                        d = kDecode[in[3]];
    if (((a | b | c | d) & 0xc0) != 0) return false;  // kInvalid has the top bits set
    const std::uint32_t bits = (a << 18) | (b << 12) | (c << 6) | d;
    write[0] = static_cast<unsigned char>(bits >> 16);
    write[1] = static_cast<unsigned char>(bits >> 8);
    write[2] = static_cast<unsigned char>(bits);
  }
  if (padding > 0) {
    // The last group: "xx==" holds one byte, "xxx=" two; padding only there.
    const std::uint32_t a = kDecode[in[0]], b = kDecode[in[1]];
    const std::uint32_t c = padding == 2 ? 0 : kDecode[in[2]];
    if (((a | b | c) & 0xc0) != 0) return false;
    const std::uint32_t bits = (a << 18) | (b << 12) | (c << 6);
    write[0] = static_cast<unsigned char>(bits >> 16);
    if (padding == 1) write[1] = static_cast<unsigned char>(bits >> 8);
  }
  return true;
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
