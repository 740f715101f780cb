#include "support/token_request.hpp"

#include <cstdint>

#include "support/fake_values.hpp"

namespace irsa::testing {

namespace {

constexpr const char* kGroup = "authentication.k8s.io";
constexpr const char* kApiVersion = "authentication.k8s.io/v1";
constexpr std::int64_t kDefaultExpirationSeconds = 3600;
constexpr std::int64_t kMinExpirationSeconds = 600;
constexpr std::int64_t kMaxExpirationSeconds = std::int64_t{1} << 32;

// The 422 the API server answers when validation fails (apierrors.NewInvalid with no name).
KubeReply invalid(const std::string& field, std::int64_t value, const std::string& why) {
  const std::string detail = "Invalid value: " + std::to_string(value) + ": " + why;
  const nlohmann::ordered_json details = {
      {"group", kGroup},
      {"kind", "TokenRequest"},
      {"causes", nlohmann::ordered_json::array(
                     {{{"reason", "FieldValueInvalid"}, {"message", detail}, {"field", field}}})}};
  return status_failure(
      422, "Invalid",
      std::string("TokenRequest.") + kGroup + " \"\" is invalid: " + field + ": " + detail,
      details);
}

}  // namespace

KubeReply answer_token_request(const ApiPath& path, std::string_view body,
                               const TokenRequestContext& context) {
  // Decoding comes first on the real server too: a bad body is refused before any lookup.
  const auto request = nlohmann::json::parse(body, nullptr, false);
  if (!request.is_object()) {
    return bad_request(
        "couldn't get version/kind; json parse error: the body is not a JSON object");
  }
  if (request.contains("apiVersion") && request["apiVersion"] != kApiVersion) {
    return bad_request("the API version in the data (" + request["apiVersion"].dump() +
                       ") does not match the expected API version (" + kApiVersion + ")");
  }
  if (request.contains("kind") && request["kind"] != "TokenRequest") {
    return bad_request("the kind in the data (" + request["kind"].dump() +
                       ") does not match the expected kind (TokenRequest)");
  }
  const auto spec = request.value("spec", nlohmann::json::object());
  const auto metadata = request.value("metadata", nlohmann::json::object());
  if (!spec.is_object() || !metadata.is_object()) {
    return bad_request("TokenRequest in version \"v1\" cannot be handled as a TokenRequest");
  }
  if (const auto given_ns = metadata.value("namespace", std::string());
      !given_ns.empty() && given_ns != path.ns) {
    return bad_request(
        "namespace of the provided object does not match the namespace sent on "
        "the request (\"" +
        path.ns + "\")");
  }
  if (context.account_uid == nullptr) return not_found("", "serviceaccounts", path.name);

  std::vector<std::string> audiences;
  if (spec.contains("audiences") && spec["audiences"].is_array()) {
    for (const auto& audience : spec["audiences"]) {
      if (audience.is_string()) audiences.push_back(audience.get<std::string>());
    }
  }
  if (audiences.empty()) audiences = context.default_audiences;
  std::int64_t expiration = kDefaultExpirationSeconds;
  if (spec.contains("expirationSeconds") && spec["expirationSeconds"].is_number_integer()) {
    expiration = spec["expirationSeconds"].get<std::int64_t>();
  }
  if (expiration < kMinExpirationSeconds) {
    return invalid("spec.expirationSeconds", expiration,
                   "may not specify a duration less than 10 minutes");
  }
  if (expiration > kMaxExpirationSeconds) {
    return invalid("spec.expirationSeconds", expiration,
                   "may not specify a duration larger than 2^32 seconds");
  }

  nlohmann::json kubernetes = {
      {"namespace", path.ns},
      {"serviceaccount", {{"name", path.name}, {"uid", *context.account_uid}}}};
  nlohmann::json bound = nullptr;
  if (spec.contains("boundObjectRef") && spec["boundObjectRef"].is_object()) {
    bound = spec["boundObjectRef"];
    if (bound.value("kind", "") == "Pod") {
      const std::string pod_name = bound.value("name", "");
      const nlohmann::json* pod = context.find_pod ? context.find_pod(pod_name) : nullptr;
      if (pod == nullptr) return not_found("", "pods", pod_name);
      const std::string pod_uid = (*pod)["metadata"].value("uid", "");
      const std::string wanted_uid = bound.value("uid", "");
      if (!wanted_uid.empty() && wanted_uid != pod_uid) {
        return status_failure(409, "Conflict",
                              "the UID in the bound object reference (" + wanted_uid +
                                  ") does not match the UID in record. The object might have "
                                  "been deleted and then recreated");
      }
      kubernetes["pod"] = {{"name", pod_name}, {"uid", pod_uid}};
    }
  }

  const auto now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(context.now.time_since_epoch()).count();
  const nlohmann::json claims = {
      {"aud", audiences},     {"exp", now_seconds + expiration},
      {"iat", now_seconds},   {"iss", context.issuer},
      {"jti", random_uuid()}, {"kubernetes.io", kubernetes},
      {"nbf", now_seconds},   {"sub", "system:serviceaccount:" + path.ns + ":" + path.name}};
  const nlohmann::ordered_json answer = {
      {"kind", "TokenRequest"},
      {"apiVersion", kApiVersion},
      {"metadata",
       {{"name", path.name},
        {"namespace", path.ns},
        {"creationTimestamp", rfc3339_utc(context.now)}}},
      {"spec",
       {{"audiences", audiences}, {"expirationSeconds", expiration}, {"boundObjectRef", bound}}},
      {"status",
       {{"token", context.signer->sign(claims)},
        {"expirationTimestamp", rfc3339_utc(context.now + std::chrono::seconds(expiration))}}}};
  return {201, answer.dump(), "application/json"};
}

}  // namespace irsa::testing
