#include "response_writer.hpp"

#include "json_writer.hpp"
#include "patch_base64_encoder.hpp"

namespace irsa::core::detail {

using namespace std::string_view_literals;

namespace {

void open_envelope(std::string& out, const Envelope& envelope, std::string_view uid) {
  out.push_back('{');
  if (!envelope.api_version.empty()) {
    out.append(R"("apiVersion":)"sv);
    append_json_string(out, envelope.api_version);
    out.push_back(',');
  }
  if (!envelope.kind.empty()) {
    out.append(R"("kind":)"sv);
    append_json_string(out, envelope.kind);
    out.push_back(',');
  }
  out.append(R"("response":{"uid":)"sv);
  append_json_string(out, uid);
}

}  // namespace

void write_allowed_response(std::string& out, const Envelope& envelope, const Decision& decision,
                            std::string_view patch) {
  // Sized so that the response is written without growing: base64 of the patch plus the
  // envelope, uid, role and warnings with room for quotes and keys.
  std::size_t warnings_size = 0;
  for (const auto& warning : decision.warnings) warnings_size += warning.size() + 8;
  out.reserve(out.size() + 256 + envelope.api_version.size() + envelope.kind.size() +
              decision.uid.size() + decision.role_arn.size() + (patch.size() + 2) / 3 * 4 +
              warnings_size);
  open_envelope(out, envelope, decision.uid);
  out.append(R"(,"allowed":true)"sv);
  if (!patch.empty()) {
    out.append(R"(,"patch":")"sv);
    append_base64(out, patch);
    out.append(R"(","patchType":"JSONPatch")"sv);
  }
  if (decision.mode != Mode::none) {
    // The API server files these under "<webhook name>/<key>" in the audit log.
    out.append(R"(,"auditAnnotations":{"mode":)"sv);
    append_json_string(out, to_string(decision.mode));
    if (!decision.role_arn.empty()) {
      out.append(R"(,"role-arn":)"sv);
      append_json_string(out, decision.role_arn);
    }
    if (!decision.policy_rule.empty()) {
      out.append(R"(,"policy-rule":)"sv);
      append_json_string(out, decision.policy_rule);
      out.append(R"(,"policy-violation":)"sv);
      append_json_string(out, decision.policy_violation);
    }
    out.push_back('}');
  }
  if (!decision.warnings.empty()) {
    out.append(R"(,"warnings":[)"sv);
    for (std::size_t i = 0; i < decision.warnings.size(); ++i) {
      if (i > 0) out.push_back(',');
      append_json_string(out, decision.warnings[i]);
    }
    out.push_back(']');
  }
  out.append("}}"sv);
}

void write_denied_response(std::string& out, const Envelope& envelope, std::string_view uid,
                           std::string_view message, int code) {
  open_envelope(out, envelope, uid);
  out.append(R"(,"allowed":false,"status":{"metadata":{},"message":)"sv);
  append_json_string(out, message);
  out.append(R"(,"code":)"sv);
  append_int(out, code);
  out.append("}}}"sv);
}

}  // namespace irsa::core::detail
