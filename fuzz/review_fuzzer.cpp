// libFuzzer harness for irsa::core::review_admission.
//
// The fuzzer hands us arbitrary bytes; we treat them as the body of an AdmissionReview POST and
// check properties that must hold for every input, well-formed or not:
//
//   (a) the response is JSON and carries a boolean response.allowed;
//   (b) the decision is "denied" exactly when allowed is false;
//   (c) a non-empty patch is a JSON array, its base64 copy inside the response matches it, and
//       it applies cleanly (RFC 6902) to request.object as nlohmann reads that object;
//   (d) mutation is idempotent: the same review carrying the patched pod needs no further patch;
//   (e) a role policy only ever refuses (403) or warns: the patch it lets through is the same;
//   (f) a body is refused as "not valid JSON" exactly when nlohmann's parser refuses it too
//       (both ways: no JSON is refused, nothing else is answered).
//
// Any violation prints what went wrong and aborts, so libFuzzer records the input as a crash.
// The same file is linked into a plain replay program (replay_main.cpp) for g++ builds, so it
// uses nothing libFuzzer-specific. review.dict (pass -dict=fuzz/review.dict) holds the field
// names and values the core looks for.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "irsa/core/admission.hpp"
#include "irsa/core/identity_sources.hpp"
#include "irsa/core/settings.hpp"

namespace {

using irsa::core::Admission;
using irsa::core::Result;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Fixed world. Built once: the settings and identities never change between inputs, so every
// crash reproduces from the input bytes alone.

irsa::core::Settings make_settings() {
  irsa::core::Settings settings;
  // A region makes the planner add AWS_REGION/AWS_DEFAULT_REGION, which exercises the
  // "region already defined" branches as well as the plain identity variables.
  settings.aws_default_region = "eu-west-1";
  settings.sts_regional_endpoint = false;
  settings.token_expiration = irsa::core::kDefaultTokenExpirationSeconds;
  // Random jitter driven by the entropy we pass in (derived from the input, so deterministic).
  settings.token_jitter = irsa::core::TokenJitter::random;
  return settings;
}

// Enforced in "default" for every role but fuzz-default's, audited elsewhere, with a sharing
// limit and a selector rule whose namespace labels are never known.
irsa::core::RolePolicy make_policy() {
  using irsa::core::PolicyMode;
  using irsa::core::PolicyRule;
  PolicyRule selected;
  selected.name = "labelled";
  selected.namespace_selector = irsa::core::LabelSelector{{{"team", "fuzz"}}, {}};
  selected.allowed_roles = {"*"};
  PolicyRule home;
  home.name = "default-roles";
  home.namespaces = {"def*"};
  home.allowed_roles = {"arn:aws:iam::111122223333:role/fuzz-{serviceAccount}"};
  home.allowed_accounts = {"111122223333"};
  home.max_service_accounts_per_role = 1;
  home.mode = PolicyMode::enforce;
  PolicyRule rest;
  rest.name = "rest";
  rest.allowed_roles = {"arn:aws:*"};
  irsa::core::RolePolicy policy;
  policy.rules = {selected, home, rest};
  return policy;
}

struct World {
  irsa::core::Settings settings = make_settings();
  irsa::core::StaticIdentities identities;
  irsa::core::RolePolicy policy = make_policy();

  World() {
    using irsa::core::Annotations;
    using irsa::core::entry_from_service_account;
    const std::string prefix = settings.annotation_prefix + "/";

    // default/default: plain IRSA with a role and a custom token lifetime.
    identities.add_service_account(
        "default", "default",
        entry_from_service_account(
            Annotations{{prefix + "role-arn", "arn:aws:iam::111122223333:role/fuzz-default"},
                        {prefix + "token-expiration", "3600"}},
            settings));

    // default/regional: IRSA with regional STS on, so AWS_STS_REGIONAL_ENDPOINTS is injected.
    identities.add_service_account(
        "default", "regional",
        entry_from_service_account(
            Annotations{{prefix + "role-arn", "arn:aws:iam::111122223333:role/fuzz-regional"},
                        {prefix + "sts-regional-endpoints", "true"},
                        {prefix + "audience", "fuzz.example"}},
            settings));

    // default/sloppy: annotation values that do not parse, so the entry carries "problems"
    // that surface as response warnings (long text, clipped by the core).
    identities.add_service_account(
        "default", "sloppy",
        entry_from_service_account(Annotations{{prefix + "role-arn", "not-an-arn-but-used-anyway"},
                                               {prefix + "sts-regional-endpoints", "perhaps"},
                                               {prefix + "token-expiration", "soon"}},
                                   settings));

    // default/plain: known but unannotated, i.e. "not mutated" without "missing".
    identities.add_service_account("default", "plain", irsa::core::IdentityEntry{});

    // default/pod-identity: container-credentials (EKS Pod Identity) mode, with a ServiceAccount
    // entry that supplies regional STS.
    identities.add_container_credentials("default", "pod-identity");
    identities.add_service_account(
        "default", "pod-identity",
        entry_from_service_account(Annotations{{prefix + "sts-regional-endpoints", "1"}},
                                   settings));
    // default/pod-identity-bare: container-credentials with no ServiceAccount entry at all, so
    // the flag defaults (and the jitter on the default lifetime) apply.
    identities.add_container_credentials("default", "pod-identity-bare");

    // "*/mapped": a ConfigMap wildcard entry, found for a ServiceAccount that does not exist.
    irsa::core::IdentityEntry mapped;
    mapped.role_arn = "arn:aws:iam::444455556666:role/fuzz-mapped";
    mapped.audience = settings.web_identity.audience;
    mapped.token_expiration = settings.token_expiration;
    identities.add_config_map_entry("*", "mapped", std::move(mapped));
  }
};

const World& world() {
  static const World instance;
  return instance;
}

// ---------------------------------------------------------------------------------------------
// Reporting.

[[noreturn]] void violation(const char* check, const std::string& detail,
                            const Admission* admission = nullptr) {
  std::fprintf(stderr, "\n=== review_fuzzer: check %s violated ===\n%s\n", check, detail.c_str());
  if (admission != nullptr) {
    std::fprintf(stderr, "result: %s\nresponse: %s\npatch: %s\n",
                 std::string(irsa::core::to_string(admission->decision.result)).c_str(),
                 admission->response.c_str(), admission->patch.c_str());
  }
  std::fflush(stderr);
  std::abort();
}

// ---------------------------------------------------------------------------------------------
// Helpers.

// Strict base64 decoding (padding required), enough to compare the response's copy of the
// patch with Admission::patch. Returns nullopt for anything that is not canonical base64.
std::optional<std::string> decode_base64(std::string_view text) {
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int padding = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        v[j] = 0;
        ++padding;
        continue;
      }
      if (padding > 0) return std::nullopt;  // data after '='
      v[j] = value_of(c);
      if (v[j] < 0) return std::nullopt;
    }
    const auto bits = (static_cast<std::uint32_t>(v[0]) << 18) |
                      (static_cast<std::uint32_t>(v[1]) << 12) |
                      (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    out.push_back(static_cast<char>((bits >> 16) & 0xFF));
    if (padding < 2) out.push_back(static_cast<char>((bits >> 8) & 0xFF));
    if (padding < 1) out.push_back(static_cast<char>(bits & 0xFF));
  }
  return out;
}

// Parses text with nlohmann (no exceptions). Sets `duplicate_keys` when any object repeats a
// key. nlohmann keeps the last value of a repeated key, whereas the core's streaming reader
// handles every occurrence in order: for scalars both end up with the last one, but facts
// collected from an earlier occurrence of an object can survive. For example, with
//   "metadata":{"labels":{}}, "metadata":{}
// the core has seen labels (and patches /metadata/labels/<key>), while nlohmann's pod has no
// labels, so the patch would not apply (seed v1-duplicate-keys.json shows exactly this). The
// API server never sends repeated keys (it serialises its own object), and no JSON reader is
// "the" right one for them, so there is no reference object to check (c) and (d) against: we
// skip those two checks for such inputs and keep (a) and (b).
json parse_tracking_duplicates(std::string_view text, bool& duplicate_keys) {
  duplicate_keys = false;
  // One set of keys per object currently open; arrays need no entry because only the
  // innermost open object receives "key" events.
  std::vector<std::unordered_set<std::string>> open_objects;
  json::parser_callback_t callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open_objects.empty() && parsed.is_string() &&
            !open_objects.back().insert(parsed.get_ref<const std::string&>()).second) {
          duplicate_keys = true;
        }
        break;
      default:
        break;
    }
    return true;  // keep everything: the result equals a plain parse
  };
  return json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/false);
}

std::uint64_t cheap_hash(std::string_view bytes) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// (a), (b) and the patch/response consistency part of (c), for one admission.
void check_response(const Admission& admission, const char* which) {
  const std::string label = std::string(which) + ": ";
  const json response = json::parse(admission.response, nullptr, /*allow_exceptions=*/false);
  if (response.is_discarded()) {
    violation("(a)", label + "the response is not valid JSON (nlohmann, strict UTF-8)", &admission);
  }
  if (!response.is_object() || !response.contains("response") ||
      !response["response"].is_object()) {
    violation("(a)", label + "the response has no response object", &admission);
  }
  const json& inner = response["response"];
  if (!inner.contains("allowed") || !inner["allowed"].is_boolean()) {
    violation("(a)", label + "response.allowed is missing or not a boolean", &admission);
  }
  const bool allowed = inner["allowed"].get<bool>();
  const bool denied =
      admission.decision.result == Result::denied || admission.decision.result == Result::forbidden;
  if (denied == allowed) {
    violation("(b)", label + "decision.result and response.allowed disagree", &admission);
  }
  if (denied) {
    if (!admission.patch.empty()) violation("(b)", label + "a denial carries a patch", &admission);
    return;
  }

  // The patch the API server will apply is the base64 text inside the response; it must be
  // exactly Admission::patch, with patchType only when there is a patch.
  const bool has_patch_field = inner.contains("patch");
  if (has_patch_field != !admission.patch.empty() ||
      inner.contains("patchType") != !admission.patch.empty()) {
    violation("(c)", label + "response patch/patchType presence disagrees with Admission::patch",
              &admission);
  }
  if (has_patch_field) {
    if (!inner["patch"].is_string()) {
      violation("(c)", label + "response.patch is not a string", &admission);
    }
    const auto decoded = decode_base64(inner["patch"].get_ref<const std::string&>());
    if (!decoded || *decoded != admission.patch) {
      violation("(c)", label + "response.patch does not base64-decode to Admission::patch",
                &admission);
    }
    if (inner["patchType"] != "JSONPatch") {
      violation("(c)", label + "response.patchType is not \"JSONPatch\"", &admission);
    }
  }
  if (!admission.patch.empty()) {
    const json patch = json::parse(admission.patch, nullptr, /*allow_exceptions=*/false);
    if (patch.is_discarded() || !patch.is_array() || patch.empty()) {
      violation("(c)", label + "the patch is not a non-empty JSON array", &admission);
    }
  }
}

// nlohmann's verdict on the body as JSON, where it is one the core must share. Four differences
// are allowed, and bodies that could show them are left undecided: nlohmann takes a NUL byte for
// the end of the text (and accepts "9\0junk"); it refuses a lone surrogate escape (\ud800) in
// any string, the core only in strings it reads (Go accepts them); it refuses numbers beyond a
// double, the core checks only their grammar (as Go does for fields it does not decode); the
// core refuses nesting deeper than 1,024 levels.
enum class JsonVerdict { is_json, not_json, undecided };

JsonVerdict reference_verdict(std::string_view body) {
  if (body.find('\0') != std::string_view::npos) return JsonVerdict::undecided;
  for (std::size_t at = body.find("\\u"); at != std::string_view::npos;
       at = body.find("\\u", at + 1)) {
    const char c = at + 2 < body.size() ? body[at + 2] : '\0';
    if (c == 'd' || c == 'D') return JsonVerdict::undecided;
  }
  std::size_t opened = 0;
  for (char c : body) opened += (c == '[' || c == '{') ? 1 : 0;
  if (opened > 1000) return JsonVerdict::undecided;
  try {
    const json parsed = json::parse(body);
    (void)parsed;
    return JsonVerdict::is_json;
  } catch (const json::parse_error&) {
    return JsonVerdict::not_json;
  } catch (const json::exception&) {
    return JsonVerdict::undecided;  // a number out of a double's range
  }
}

void check_json_verdict(std::string_view body, const Admission& admission) {
  const JsonVerdict verdict = reference_verdict(body);
  const bool refused_as_not_json =
      admission.decision.error.find("not valid JSON") != std::string::npos;
  if (verdict == JsonVerdict::is_json && refused_as_not_json) {
    violation("(f)", "a JSON body was refused as not JSON", &admission);
  }
  if (verdict == JsonVerdict::not_json && admission.decision.result != Result::denied) {
    violation("(f)", "a body that is not JSON was answered", &admission);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const World& w = world();
  // One Scratch for the whole process, as a server worker thread keeps one: this also checks
  // that state left over from a previous (possibly malformed) review does not leak into the
  // next one.
  static irsa::core::Scratch scratch;

  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const irsa::core::RequestEntropy entropy{cheap_hash(body)};

  const Admission first =
      irsa::core::review_admission(body, w.settings, w.identities, entropy, scratch);
  check_response(first, "first review");
  check_json_verdict(body, first);

  // (e) the same review under the role policy.
  const Admission judged =
      irsa::core::review_admission(body, w.settings, w.identities, entropy, scratch, &w.policy);
  check_response(judged, "review under the policy");
  if (judged.decision.result != Result::forbidden && judged.patch != first.patch) {
    violation("(e)", "the role policy changed the patch", &judged);
  }

  // (c) and (d) need a patch and an independent view of the pod.
  if (first.patch.empty()) return 0;

  // Only inputs nlohmann accepts, without duplicate keys, go further: for the few bodies the
  // core answers and nlohmann refuses (see (f): 1e999999 in a field the core skips, a lone
  // surrogate there) there is no reference object to apply the patch to.
  bool duplicate_keys = false;
  json review = parse_tracking_duplicates(body, duplicate_keys);
  if (review.is_discarded() || duplicate_keys) return 0;
  if (!review.is_object() || !review.contains("request") || !review["request"].is_object()) {
    return 0;
  }
  json& request = review["request"];
  if (!request.contains("object") || !request["object"].is_object()) return 0;

  // (c) the patch applies to request.object.
  json patched;
  try {
    patched = request["object"].patch(json::parse(first.patch));
  } catch (const json::exception& error) {
    violation("(c)", std::string("applying the patch to request.object failed: ") + error.what(),
              &first);
  }

  // (d) idempotence: same envelope, the patched pod in place of the original.
  request["object"] = std::move(patched);
  std::string second_body;
  try {
    second_body = review.dump();
  } catch (const json::exception& error) {
    violation("(d)", std::string("re-serialising the patched review failed: ") + error.what(),
              &first);
  }
  const Admission second =
      irsa::core::review_admission(second_body, w.settings, w.identities, entropy, scratch);
  check_response(second, "second review");
  if (second.decision.result != Result::unchanged || !second.patch.empty()) {
    violation("(d)",
              "the patched pod was not accepted as complete (expected result unchanged, no "
              "patch)\nsecond result: " +
                  std::string(irsa::core::to_string(second.decision.result)) +
                  "\nsecond error: " + second.decision.error + "\nsecond patch: " + second.patch +
                  "\nsecond body: " + second_body,
              &first);
  }
  return 0;
}
