#include "support/fake_sts.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "support/base64url.hpp"
#include "support/fake_values.hpp"
#include "support/sts_xml.hpp"
#include "support/test_https_server.hpp"
#include "support/url_query.hpp"

namespace irsa::testing {

namespace {

constexpr const char* kAction = "AssumeRoleWithWebIdentity";
constexpr const char* kVersion = "2011-06-15";
constexpr long kDefaultDurationSeconds = 3600;
constexpr long kMaxSessionDurationSeconds = 3600;  // a role's default MaxSessionDuration
constexpr std::string_view kUpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

using Fields = std::vector<std::pair<std::string, std::string>>;

std::string field_of(const Fields& fields, const std::string& name) {
  for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return {};
}

bool has_field(const Fields& fields, const std::string& name) {
  return std::any_of(fields.begin(), fields.end(), [&](const auto& f) { return f.first == name; });
}

// "https://oidc.example/id/1/" and "oidc.example/id/1" name the same provider, as in IAM.
std::string provider_key(std::string url) {
  if (url.rfind("https://", 0) == 0) url.erase(0, 8);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// '*' any run, '?' one character: the trust policy's StringLike.
bool glob_match(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern.front() == '*') {
    for (std::size_t skip = 0; skip <= text.size(); ++skip) {
      if (glob_match(pattern.substr(1), text.substr(skip))) return true;
    }
    return false;
  }
  if (text.empty()) return false;
  if (pattern.front() != '?' && pattern.front() != text.front()) return false;
  return glob_match(pattern.substr(1), text.substr(1));
}

bool session_name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_+=,.@-").find(c) != std::string_view::npos;
}

struct Claims {
  std::string iss, sub;
  std::vector<std::string> aud;
  std::optional<std::int64_t> exp;
};

// The payload of a compact JWS, read without checking the signature.
std::optional<Claims> read_claims(const std::string& token) {
  const auto first = token.find('.');
  const auto second = first == std::string::npos ? first : token.find('.', first + 1);
  if (second == std::string::npos || token.find('.', second + 1) != std::string::npos) return {};
  const auto header = base64url_decode(std::string_view(token).substr(0, first));
  const auto payload =
      base64url_decode(std::string_view(token).substr(first + 1, second - first - 1));
  if (!header || !payload) return {};
  const auto header_json = nlohmann::json::parse(*header, nullptr, false);
  const auto json = nlohmann::json::parse(*payload, nullptr, false);
  if (!header_json.is_object() || !json.is_object()) return {};
  Claims claims;
  if (json.contains("iss") && json["iss"].is_string()) claims.iss = json["iss"];
  if (json.contains("sub") && json["sub"].is_string()) claims.sub = json["sub"];
  if (json.contains("aud")) {
    if (json["aud"].is_string()) claims.aud.push_back(json["aud"]);
    if (json["aud"].is_array()) {
      for (const auto& audience : json["aud"]) {
        if (audience.is_string()) claims.aud.push_back(audience);
      }
    }
  }
  if (json.contains("exp") && json["exp"].is_number()) claims.exp = json["exp"].get<std::int64_t>();
  return claims;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : ",") + part;
  return out;
}

struct Role {
  std::string partition, account, name;
  std::string role_id;  // AROA..., stable for the role
  std::vector<std::string> subjects;
  std::string trusted_provider;  // provider_key form; empty: any
};

struct ScriptedFailure {
  int status;
  const char* message;
};

const std::map<std::string, ScriptedFailure>& scripted_failures() {
  static const std::map<std::string, ScriptedFailure> failures = {
      {"IDPCommunicationError",
       {400,
        "Couldn't retrieve verification key from your identity provider, please reference "
        "AssumeRoleWithWebIdentity documentation for requirements"}},
      {"Throttling", {400, "Rate exceeded"}},
      {"IDPRejectedClaim", {403, "The identity provider rejected the claims of the token"}},
  };
  return failures;
}

}  // namespace

std::string FakeSts::SeenRequest::field(const std::string& name) const {
  return field_of(fields, name);
}

struct FakeSts::Impl {
  TestHttpResponse answer(const TestHttpRequest& request);
  TestHttpResponse error(int status, const std::string& code, const std::string& message,
                         const std::string& request_id) const;
  std::optional<TestHttpResponse> check_form(const Fields& fields, const std::string& request_id);

  mutable std::mutex mutex;
  // Guarded by mutex.
  std::map<std::string, std::vector<std::string>> providers;  // provider_key -> client IDs
  std::map<std::string, Role> roles;                          // by ARN
  int failures_left = 0;
  std::string failure_code;
  std::vector<SeenRequest> seen;
  std::vector<std::string> secrets, access_key_ids;

  std::unique_ptr<TestHttpsServer> server;  // last: it stops before the state goes
};

TestHttpResponse FakeSts::Impl::error(int status, const std::string& code,
                                      const std::string& message,
                                      const std::string& request_id) const {
  return {status,
          "text/xml",
          sts_error_xml(code, message, request_id),
          {{"x-amzn-RequestId", request_id}}};
}

// The Query API's own checks, then the operation's input constraints (named in camelCase, as
// STS's validation messages name them).
std::optional<TestHttpResponse> FakeSts::Impl::check_form(const Fields& fields,
                                                          const std::string& request_id) {
  const std::string action = field_of(fields, "Action");
  if (action.empty()) {
    return error(400, "MissingAction", "The request is missing an action or a required parameter.",
                 request_id);
  }
  const std::string version =
      has_field(fields, "Version") ? field_of(fields, "Version") : "NO_VERSION_SPECIFIED";
  if (action != kAction || version != kVersion) {
    return error(400, "InvalidAction",
                 "Could not find operation " + action + " for version " + version, request_id);
  }
  std::vector<std::string> problems;
  const auto length_check = [&](const char* field, const char* member, std::size_t min,
                                std::size_t max) {
    if (!has_field(fields, field)) {
      problems.push_back(std::string("Value null at '") + member +
                         "' failed to satisfy constraint: Member must not be null");
      return;
    }
    const std::string value = field_of(fields, field);
    // The token's value is never echoed, not even in a complaint about it.
    const std::string shown = std::string(field) == "WebIdentityToken" ? "***" : value;
    if (value.size() < min) {
      problems.push_back("Value '" + shown + "' at '" + member +
                         "' failed to satisfy constraint: Member must have length greater than "
                         "or equal to " +
                         std::to_string(min));
    } else if (value.size() > max) {
      problems.push_back("Value '" + shown + "' at '" + member +
                         "' failed to satisfy constraint: Member must have length less than or "
                         "equal to " +
                         std::to_string(max));
    }
  };
  length_check("RoleArn", "roleArn", 20, 2048);
  length_check("RoleSessionName", "roleSessionName", 2, 64);
  if (const std::string name = field_of(fields, "RoleSessionName");
      !std::all_of(name.begin(), name.end(), session_name_character)) {
    problems.push_back("Value '" + name +
                       "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy "
                       "regular expression pattern: [\\w+=,.@-]*");
  }
  length_check("WebIdentityToken", "webIdentityToken", 4, 20000);
  if (has_field(fields, "DurationSeconds")) {
    const std::string text = field_of(fields, "DurationSeconds");
    long seconds = 0;
    try {
      seconds = std::stol(text);
    } catch (const std::exception&) {
      seconds = 0;
    }
    if (seconds < 900 || seconds > 43200) {
      problems.push_back(
          "Value '" + text +
          "' at 'durationSeconds' failed to satisfy constraint: Member must have "
          "value " +
          (seconds < 900 ? "greater than or equal to 900" : "less than or equal to 43200"));
    }
  }
  if (problems.empty()) return std::nullopt;
  std::string message = std::to_string(problems.size()) + " validation error" +
                        (problems.size() == 1 ? "" : "s") + " detected: ";
  for (std::size_t i = 0; i < problems.size(); ++i) {
    message += (i == 0 ? "" : "; ") + problems[i];
  }
  return error(400, "ValidationError", message, request_id);
}

TestHttpResponse FakeSts::Impl::answer(const TestHttpRequest& request) {
  const std::string request_id = random_uuid();
  if (request.method != "GET" && request.method != "POST") {
    return error(405, "InvalidAction", "Only GET and POST are supported", request_id);
  }
  // Fields come from the query and, for a form body, from the body, as on the real endpoint.
  Fields fields;
  if (const auto question = request.target.find('?'); question != std::string::npos) {
    fields = parse_query_pairs(std::string_view(request.target).substr(question + 1));
  }
  const std::string content_type = request.header("content-type");
  std::string media_type = content_type.substr(0, content_type.find(';'));
  for (auto& c : media_type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (request.method == "POST" && media_type == "application/x-www-form-urlencoded") {
    for (auto& pair : parse_query_pairs(request.body)) fields.push_back(std::move(pair));
  }
  const std::string token = field_of(fields, "WebIdentityToken");
  const auto claims = read_claims(token);

  const std::scoped_lock lock(mutex);
  SeenRequest seen_request{request.method, content_type, fields, {}, {}};
  for (auto& [name, value] : seen_request.fields) {
    if (name == "WebIdentityToken") value = kRedactedToken;
  }
  if (claims) {
    seen_request.token_subject = claims->sub;
    seen_request.token_audience = join(claims->aud);
  }
  seen.push_back(std::move(seen_request));

  if (auto refused = check_form(fields, request_id)) return *refused;
  if (failures_left > 0) {
    --failures_left;
    const auto& failure = scripted_failures().at(failure_code);
    return error(failure.status, failure_code, failure.message, request_id);
  }
  if (!claims) {
    return error(400, "InvalidIdentityToken",
                 "The ID Token provided is not a valid JWT. (You may see this error if you sent "
                 "an Access Token)",
                 request_id);
  }
  const auto provider = providers.find(provider_key(claims->iss));
  if (provider == providers.end()) {
    return error(400, "InvalidIdentityToken",
                 "No OpenIDConnect provider found in your account for " + claims->iss, request_id);
  }
  const auto& client_ids = provider->second;
  const auto audience = std::find_first_of(claims->aud.begin(), claims->aud.end(),
                                           client_ids.begin(), client_ids.end());
  if (audience == claims->aud.end()) {
    return error(400, "InvalidIdentityToken", "Incorrect token audience", request_id);
  }
  const auto now = std::chrono::system_clock::now();
  const auto now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (!claims->exp || *claims->exp <= now_seconds) {
    return error(400, "ExpiredTokenException",
                 "Token expired: current date/time " + std::to_string(now_seconds) +
                     " must be before the expiration date/time " +
                     std::to_string(claims->exp.value_or(0)),
                 request_id);
  }
  const auto role = roles.find(field_of(fields, "RoleArn"));
  const bool trusted =
      role != roles.end() &&
      (role->second.trusted_provider.empty() || role->second.trusted_provider == provider->first) &&
      std::any_of(role->second.subjects.begin(), role->second.subjects.end(),
                  [&](const std::string& pattern) { return glob_match(pattern, claims->sub); });
  if (!trusted) {
    return error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity",
                 request_id);
  }
  long duration = kDefaultDurationSeconds;
  if (has_field(fields, "DurationSeconds"))
    duration = std::stol(field_of(fields, "DurationSeconds"));
  if (duration > kMaxSessionDurationSeconds) {
    return error(400, "ValidationError",
                 "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                 request_id);
  }

  const std::string session = field_of(fields, "RoleSessionName");
  const Role& assumed = role->second;
  StsSuccess success;
  success.access_key_id = "ASIA" + random_chars(16, kUpperAlnum);
  success.secret_access_key = random_chars(40, kSecretAlphabet);
  success.session_token = "IQoJb3JpZ2luX2VjE" + random_chars(340, kSecretAlphabet);
  success.expiration = rfc3339_utc(now + std::chrono::seconds(duration));
  success.subject = claims->sub;
  success.audience = *audience;
  success.provider =
      "arn:" + assumed.partition + ":iam::" + assumed.account + ":oidc-provider/" + provider->first;
  success.assumed_role_id = assumed.role_id + ":" + session;
  success.assumed_role_arn = "arn:" + assumed.partition + ":sts::" + assumed.account +
                             ":assumed-role/" + assumed.name + "/" + session;
  success.request_id = request_id;
  secrets.push_back(success.secret_access_key);
  secrets.push_back(success.session_token);
  access_key_ids.push_back(success.access_key_id);
  return {200, "text/xml", sts_success_xml(success), {{"x-amzn-RequestId", request_id}}};
}

FakeSts::FakeSts(FakeStsOptions options) : impl_(std::make_unique<Impl>()) {
  TestHttpsServerOptions server_options;
  server_options.cert_file = std::move(options.cert_file);
  server_options.key_file = std::move(options.key_file);
  server_options.port = options.port;
  server_options.name = "fake STS";
  impl_->server = std::make_unique<TestHttpsServer>(
      std::move(server_options),
      [impl = impl_.get()](const TestHttpRequest& request) { return impl->answer(request); });
}

FakeSts::~FakeSts() {
  impl_->server.reset();
}

std::string FakeSts::url() const {
  return impl_->server->url();
}

unsigned short FakeSts::port() const {
  return impl_->server->port();
}

void FakeSts::add_provider(const std::string& issuer_url,
                           const std::vector<std::string>& client_ids) {
  const std::scoped_lock lock(impl_->mutex);
  impl_->providers[provider_key(issuer_url)] = client_ids;
}

void FakeSts::add_role(const std::string& role_arn,
                       const std::vector<std::string>& allowed_subjects,
                       const std::string& trusted_issuer) {
  // arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const auto colon = role_arn.find(':', start);
    if (colon == std::string::npos) break;
    parts.push_back(role_arn.substr(start, colon - start));
    start = colon + 1;
  }
  const std::string resource = start < role_arn.size() ? role_arn.substr(start) : "";
  if (parts.size() != 5 || parts[0] != "arn" || parts[2] != "iam" || parts[4].size() != 12 ||
      resource.rfind("role/", 0) != 0 || resource.back() == '/') {
    throw std::invalid_argument("fake STS: not a role ARN: " + role_arn);
  }
  Role role;
  role.partition = parts[1];
  role.account = parts[4];
  role.name = resource.substr(resource.rfind('/') + 1);
  role.role_id = "AROA" + random_chars(17, kUpperAlnum);
  role.subjects = allowed_subjects;
  role.trusted_provider = trusted_issuer.empty() ? "" : provider_key(trusted_issuer);
  const std::scoped_lock lock(impl_->mutex);
  impl_->roles[role_arn] = std::move(role);
}

void FakeSts::fail_next(int count, const std::string& code) {
  if (!scripted_failures().contains(code)) {
    throw std::invalid_argument("fake STS: cannot script failure " + code +
                                " (IDPCommunicationError, Throttling, IDPRejectedClaim)");
  }
  const std::scoped_lock lock(impl_->mutex);
  impl_->failures_left = count;
  impl_->failure_code = code;
}

std::vector<FakeSts::SeenRequest> FakeSts::requests() const {
  const std::scoped_lock lock(impl_->mutex);
  return impl_->seen;
}

std::vector<std::string> FakeSts::issued_secrets() const {
  const std::scoped_lock lock(impl_->mutex);
  return impl_->secrets;
}

std::vector<std::string> FakeSts::issued_access_key_ids() const {
  const std::scoped_lock lock(impl_->mutex);
  return impl_->access_key_ids;
}

}  // namespace irsa::testing
