#include "support/kube_admission.hpp"

#include <cstdio>
#include <optional>

#include "support/base64url.hpp"

namespace irsa::testing {

namespace {

// Decodes one UTF-8 sequence at `at`; nullopt when it is not valid UTF-8 (overlong forms,
// surrogates and values past U+10FFFF included).
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char first = byte(at);
  std::size_t length = 0;
  char32_t value = 0;
  char32_t least = 0;
  if (first < 0x80) {
    ++at;
    return first;
  }
  if ((first & 0xe0) == 0xc0) {
    length = 2;
    value = first & 0x1f;
    least = 0x80;
  } else if ((first & 0xf0) == 0xe0) {
    length = 3;
    value = first & 0x0f;
    least = 0x800;
  } else if ((first & 0xf8) == 0xf0) {
    length = 4;
    value = first & 0x07;
    least = 0x10000;
  } else {
    return std::nullopt;
  }
  if (at + length > text.size()) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80) return std::nullopt;
    value = (value << 6) | (byte(at + i) & 0x3f);
  }
  if (value < least || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
    return std::nullopt;
  }
  at += length;
  return value;
}

// The first `count` code points of valid UTF-8 text.
std::string_view first_code_points(std::string_view text, std::size_t count) {
  std::size_t at = 0;
  for (std::size_t n = 0; n < count && at < text.size(); ++n) {
    if (!next_code_point(text, at)) return text;
  }
  return text.substr(0, at);
}

// Go's unicode.IsControl: the C0 controls, DEL and the C1 controls.
bool is_control(char32_t c) {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

// Standard base64 with padding, as Go's encoding/json reads a []byte field.
std::optional<std::string> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string url(text);
  for (auto& c : url) {
    if (c == '-' || c == '_') return std::nullopt;
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return base64url_decode(url);
}

// How Go's %q shows a string (JSON's escapes are the same for what the fake sees).
std::string go_quoted(std::string_view text) {
  return nlohmann::json(std::string(text)).dump();
}

nlohmann::ordered_json group_version_kind() {
  return {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}};
}

nlohmann::ordered_json group_version_resource() {
  return {{"group", ""}, {"version", "v1"}, {"resource", "pods"}};
}

// The shape checks Go's decoder makes on the fields the API server reads: a field of the wrong
// type fails the whole decode (and so the call).
std::string wrong_type(const nlohmann::json& response) {
  const auto is = [&](const char* field, auto check) {
    return !response.contains(field) || response[field].is_null() || check(response[field]);
  };
  if (!is("uid", [](const auto& v) { return v.is_string(); })) return "response.uid";
  if (!is("allowed", [](const auto& v) { return v.is_boolean(); })) return "response.allowed";
  if (!is("patch", [](const auto& v) { return v.is_string(); })) return "response.patch";
  if (!is("patchType", [](const auto& v) { return v.is_string(); })) return "response.patchType";
  if (!is("status", [](const auto& v) { return v.is_object(); })) return "response.status";
  if (!is("warnings", [](const auto& v) {
        if (!v.is_array()) return false;
        for (const auto& item : v) {
          if (!item.is_string()) return false;
        }
        return true;
      })) {
    return "response.warnings";
  }
  return {};
}

std::string string_field(const nlohmann::json& object, const char* field) {
  return object.contains(field) && object[field].is_string() ? object[field].get<std::string>()
                                                             : std::string();
}

}  // namespace

std::string generate_name(std::string_view base, std::mt19937_64& random) {
  std::string name(base.substr(0, kMaxGeneratedNameBase));
  std::uniform_int_distribution<std::size_t> pick(0, kRandomNameAlphabet.size() - 1);
  for (std::size_t i = 0; i < kGeneratedNameSuffix; ++i) {
    name.push_back(kRandomNameAlphabet[pick(random)]);
  }
  return name;
}

std::string random_uuid(std::mt19937_64& random) {
  const std::uint64_t high = random();
  const std::uint64_t low = random();
  char text[40];
  std::snprintf(text, sizeof(text), "%08llx-%04llx-4%03llx-%04llx-%012llx",
                static_cast<unsigned long long>(high >> 32),
                static_cast<unsigned long long>((high >> 16) & 0xffff),
                static_cast<unsigned long long>(high & 0x0fff),
                static_cast<unsigned long long>(0x8000 | ((low >> 48) & 0x3fff)),
                static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return text;
}

std::string go_duration(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms == 0) return "0s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string text = std::to_string(ms / 1000);
  if (const auto fraction = ms % 1000; fraction != 0) {
    char digits[8];
    std::snprintf(digits, sizeof(digits), ".%03lld", static_cast<long long>(fraction));
    std::string tail = digits;
    while (tail.back() == '0') tail.pop_back();
    text += tail;
  }
  return text + "s";
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    if (!next_code_point(text, at)) return text.size();
    ++count;
  }
  return count;
}

std::string warning_field_value(std::string_view text) {
  std::string out = "299 - \"";
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t start = at;
    const auto c = next_code_point(text, at);
    if (!c || is_control(*c)) return {};
    if (*c == '"' || *c == '\\') out.push_back('\\');
    out.append(text.substr(start, at - start));
  }
  out.push_back('"');
  return out;
}

void WarningRecorder::add(const std::string& text) {
  if (text.empty()) return;
  if (truncating_ && written_ >= kTotalCharacters) return;
  if (!given_.insert(text).second) return;
  ordered_.push_back(text);

  std::string_view shown = text;
  std::size_t length = utf8_length(text);
  if (truncating_ && length > kItemCharacters) {
    shown = first_code_points(text, kItemCharacters);
    length = kItemCharacters;
  }
  auto value = warning_field_value(shown);
  if (value.empty()) return;
  if (truncating_ || written_ + length <= kTotalCharacters) {
    written_ += length;
    values_.push_back(std::move(value));
    return;
  }
  // Too much in all: from here on every warning is cut short, those already there included.
  truncating_ = true;
  written_ = 0;
  values_.clear();
  for (const auto& earlier : ordered_) {
    std::string_view cut = earlier;
    std::size_t cut_length = utf8_length(earlier);
    if (cut_length > kItemCharacters) {
      cut = first_code_points(earlier, kItemCharacters);
      cut_length = kItemCharacters;
    }
    auto earlier_value = warning_field_value(cut);
    if (earlier_value.empty()) continue;
    written_ += cut_length;
    values_.push_back(std::move(earlier_value));
  }
}

std::string admission_review(const AdmissionRequestInfo& info) {
  nlohmann::ordered_json request = {{"uid", info.uid},
                                    {"kind", group_version_kind()},
                                    {"resource", group_version_resource()},
                                    {"requestKind", group_version_kind()},
                                    {"requestResource", group_version_resource()}};
  // name is omitempty: a create that leaves the name to the server sends none.
  if (!info.name.empty()) request["name"] = info.name;
  request["namespace"] = info.ns;
  request["operation"] = "CREATE";
  request["userInfo"] = {{"username", info.username}, {"groups", {"system:authenticated"}}};
  request["object"] = info.object;
  request["oldObject"] = nullptr;
  request["dryRun"] = info.dry_run;
  nlohmann::ordered_json options = {{"kind", "CreateOptions"}, {"apiVersion", "meta.k8s.io/v1"}};
  if (info.dry_run) options["dryRun"] = {"All"};
  if (!info.field_manager.empty()) options["fieldManager"] = info.field_manager;
  request["options"] = std::move(options);
  const nlohmann::ordered_json review = {{"kind", "AdmissionReview"},
                                         {"apiVersion", "admission.k8s.io/v1"},
                                         {"request", std::move(request)}};
  return review.dump();
}

AdmissionAnswer read_admission_answer(std::string_view body, std::string_view uid,
                                      std::string_view webhook_name) {
  AdmissionAnswer answer;
  const auto failed = [&](std::string problem) {
    answer.outcome = AdmissionAnswer::Outcome::failed;
    answer.problem = std::move(problem);
    return answer;
  };
  const auto invalid = [&](const std::string& problem) {
    return failed("received invalid webhook response: " + problem);
  };
  const auto review = nlohmann::json::parse(body, nullptr, false);
  if (review.is_discarded() || !review.is_object()) {
    return failed("failed to call webhook: the answer is not a JSON object");
  }
  const nlohmann::json* response = nullptr;
  if (review.contains("response") && !review["response"].is_null()) {
    if (!review["response"].is_object()) {
      return failed("failed to call webhook: response is not an object");
    }
    response = &review["response"];
    if (auto field = wrong_type(*response); !field.empty()) {
      return failed("failed to call webhook: " + field + " has the wrong type");
    }
  }
  // VerifyAdmissionResponse's checks, in its order.
  if (response == nullptr) return invalid("webhook response was absent");
  const std::string answered_uid = string_field(*response, "uid");
  if (answered_uid != uid) {
    return invalid("expected response.uid=" + go_quoted(uid) + ", got " + go_quoted(answered_uid));
  }
  const std::string api_version = string_field(review, "apiVersion");
  const std::string kind = string_field(review, "kind");
  if (api_version != "admission.k8s.io/v1" || kind != "AdmissionReview") {
    // schema.GroupVersionKind's String(): "group/version, Kind=kind".
    return invalid("expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got " +
                   (api_version.find('/') == std::string::npos ? "/" + api_version : api_version) +
                   ", Kind=" + kind);
  }
  const std::string patch_text = string_field(*response, "patch");
  std::string patch;
  if (!patch_text.empty()) {
    const auto decoded = decode_base64(patch_text);
    if (!decoded) return failed("failed to call webhook: illegal base64 data in response.patch");
    patch = *decoded;
  }
  if (!patch.empty()) {
    if (!response->contains("patchType") || (*response)["patchType"].is_null()) {
      return invalid("webhook returned response.patch but not response.patchType");
    }
    if (const auto type = string_field(*response, "patchType"); type != "JSONPatch") {
      return invalid("webhook returned invalid response.patchType of " + go_quoted(type));
    }
  }
  if (response->contains("warnings") && (*response)["warnings"].is_array()) {
    for (const auto& warning : (*response)["warnings"]) {
      answer.warnings.push_back(warning.get<std::string>());
    }
  }
  const bool allowed = response->contains("allowed") && (*response)["allowed"].is_boolean() &&
                       (*response)["allowed"].get<bool>();
  if (allowed) {
    answer.outcome = AdmissionAnswer::Outcome::allowed;
    answer.patch = std::move(patch);
    return answer;
  }

  // A denial: the webhook's Status, made a failure of 400 or more (ToStatusErr).
  answer.outcome = AdmissionAnswer::Outcome::denied;
  const nlohmann::json given = response->contains("status") && (*response)["status"].is_object()
                                   ? (*response)["status"]
                                   : nlohmann::json::object();
  int code =
      given.contains("code") && given["code"].is_number_integer() ? given["code"].get<int>() : 0;
  if (code < 400) code = 400;
  std::string status = string_field(given, "status");
  if (status.empty() || status == "Success") status = "Failure";
  const std::string message = string_field(given, "message");
  const std::string reason = string_field(given, "reason");
  const std::string denied_by =
      "admission webhook " + go_quoted(webhook_name) + " denied the request";
  std::string full = !message.empty()  ? denied_by + ": " + message
                     : !reason.empty() ? denied_by + ": " + reason
                                       : denied_by + " without explanation";
  answer.code = code;
  answer.status = {{"kind", "Status"},
                   {"apiVersion", "v1"},
                   {"metadata", nlohmann::ordered_json::object()},
                   {"status", status},
                   {"message", std::move(full)}};
  if (!reason.empty()) answer.status["reason"] = reason;
  if (given.contains("details") && given["details"].is_object()) {
    answer.status["details"] = given["details"];
  }
  answer.status["code"] = code;
  return answer;
}

std::string internal_error_status(std::string_view error) {
  const nlohmann::ordered_json status = {
      {"kind", "Status"},
      {"apiVersion", "v1"},
      {"metadata", nlohmann::ordered_json::object()},
      {"status", "Failure"},
      {"message", "Internal error occurred: " + std::string(error)},
      {"reason", "InternalError"},
      {"details", {{"causes", {{{"message", std::string(error)}}}}}},
      {"code", 500}};
  return status.dump();
}

}  // namespace irsa::testing
