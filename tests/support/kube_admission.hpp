// What kube-apiserver does around a mutating admission webhook, as plain functions for the fake
// API server's Pod creation (fake_kube_admission.cpp): the AdmissionReview it sends, how it reads
// the answer, the Warning headers it makes of the answer's warnings, and the names and uids it
// makes up. Each rule says where it comes from.
#pragma once

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::testing {

// --- Generated names --------------------------------------------------------------------------

// The characters of the random parts of generated names (apimachinery's util/rand): no vowels,
// so that no words form, and none of 0, 1 and 3, which look like letters.
inline constexpr std::string_view kRandomNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
// The storage layer's name generator (apiserver's names.SimpleNameGenerator): the base cut to 58
// characters, then 5 random characters, so that the name fits in 63.
inline constexpr std::size_t kMaxGeneratedNameBase = 58;
inline constexpr std::size_t kGeneratedNameSuffix = 5;
[[nodiscard]] std::string generate_name(std::string_view base, std::mt19937_64& random);

// A random (version 4) UUID, as the API server gives each admission request.
[[nodiscard]] std::string random_uuid(std::mt19937_64& random);

// How Go's time.Duration prints, as the API server puts a webhook's timeout in the URL it calls
// ("?timeout=10s"): "10s", "1.5s", "500ms".
[[nodiscard]] std::string go_duration(std::chrono::milliseconds duration);

// --- Warnings -----------------------------------------------------------------------------------

// The API server's warning recorder for one response (k8s.io/apiserver, endpoints/filters/
// warning.go, and apimachinery's util/net NewWarningHeader), which turns each warning an admission
// webhook returns into a `Warning: 299 - "<text>"` header field, in order:
//  * an empty warning is skipped, and one given before (the same text) is not repeated;
//  * lengths are counted in characters (Unicode code points), never bytes;
//  * as long as all of them fit in 4096 characters they go out whole; the first one that would
//    not fit switches to truncating: every warning so far is sent again cut to 256 characters
//    (in the same order), and every later one is cut to 256 characters too and sent while fewer
//    than 4096 characters went out, the rest dropped;
//  * a warning that is not valid UTF-8 or holds a control character (U+0000-U+001F,
//    U+007F-U+009F) is dropped (it still counts as given, for the repeats);
//  * the text is a quoted-string: `"` and `\` get a backslash before them, and nothing else
//    changes.
// The published documentation says less (the AdmissionResponse.warnings field: "Limit warnings
// to 120 characters if possible. Warnings over 256 characters and large numbers of warnings may
// be truncated"; the webhook guide: over 4096 characters in all, more warnings are ignored); the
// rules above are its source code's.
class WarningRecorder {
 public:
  static constexpr std::size_t kTotalCharacters = 4 * 1024;
  static constexpr std::size_t kItemCharacters = 256;

  void add(const std::string& text);
  // The Warning field values so far, in order.
  [[nodiscard]] const std::vector<std::string>& values() const { return values_; }

 private:
  std::set<std::string> given_;
  std::vector<std::string> ordered_;
  std::vector<std::string> values_;
  std::size_t written_ = 0;  // characters of warning text in values_
  bool truncating_ = false;
};

// `299 - "<text>"` with the quoted-string's escapes; empty when the text cannot be a warning.
[[nodiscard]] std::string warning_field_value(std::string_view text);
// Unicode code points in valid UTF-8 text (for other text: its bytes).
[[nodiscard]] std::size_t utf8_length(std::string_view text);

// --- The review and its answer ----------------------------------------------------------------

struct AdmissionRequestInfo {
  std::string uid;
  std::string ns;
  std::string name;  // empty when the client left naming to the server (generateName)
  std::string username;
  nlohmann::json object;  // the Pod
  bool dry_run = false;
  std::string field_manager;  // the create's fieldManager, if it had one
};

// The admission.k8s.io/v1 AdmissionReview of a Pod CREATE, in the API server's field order.
[[nodiscard]] std::string admission_review(const AdmissionRequestInfo& info);

// How the API server reads a mutating webhook's answer
// (k8s.io/apiserver admission/plugin/webhook: request/admissionreview.go VerifyAdmissionResponse,
// mutating/dispatcher.go, errors/statuserror.go ToStatusErr).
struct AdmissionAnswer {
  enum class Outcome {
    allowed,  // patch (if any) to be applied
    denied,   // status is the Status to answer with
    failed,   // a failed call: failurePolicy decides; problem says why
  };
  Outcome outcome = Outcome::failed;
  // failed: why, as the API server words it after `failed calling webhook "<name>": `
  // ("failed to call webhook: ...", "received invalid webhook response: ...").
  std::string problem;
  std::vector<std::string> warnings;  // relayed for allowed and denied answers alike
  std::string patch;                  // allowed: the JSON Patch text (base64-decoded)
  int code = 0;                       // denied: the HTTP status
  nlohmann::ordered_json status;      // denied: the Status body
};

[[nodiscard]] AdmissionAnswer read_admission_answer(std::string_view body, std::string_view uid,
                                                    std::string_view webhook_name);

// The Status of apierrors.NewInternalError(error): 500 InternalError, the message prefixed with
// "Internal error occurred: ", the error again as the details' one cause.
[[nodiscard]] std::string internal_error_status(std::string_view error);

}  // namespace irsa::testing
