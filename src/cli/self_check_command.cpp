#include "irsa/cli/self_check_command.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string_view>
#include <vector>

#include "irsa/core/jwt_claims.hpp"
#include "irsa/store/manifests.hpp"

namespace irsa::cli {

namespace {

constexpr const char* kRoleVariable = "AWS_ROLE_ARN";
constexpr const char* kTokenFileVariable = "AWS_WEB_IDENTITY_TOKEN_FILE";
// Informational: shown when set, never required (they depend on flags and annotations).
constexpr const char* kOptionalVariables[] = {"AWS_REGION", "AWS_DEFAULT_REGION",
                                              "AWS_STS_REGIONAL_ENDPOINTS"};

// Collects the verdicts; the exit code follows from whether any check failed.
class Report {
 public:
  Report(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}
  void pass(const std::string& line) { out_ << "ok: " << line << '\n'; }
  void fail(const std::string& line) {
    err_ << "self-check failed: " << line << '\n';
    failed_ = true;
  }
  void note(const std::string& line) { out_ << "    " << line << '\n'; }
  [[nodiscard]] int exit_code() const { return failed_ ? 1 : 0; }

 private:
  std::ostream& out_;
  std::ostream& err_;
  bool failed_ = false;
};

bool audience_contains(const nlohmann::json& aud, const std::string& audience) {
  if (aud.is_string()) return aud.get<std::string>() == audience;
  if (!aud.is_array()) return false;
  for (const auto& entry : aud) {
    if (entry.is_string() && entry.get<std::string>() == audience) return true;
  }
  return false;
}

void check_role(const SelfCheckOptions& options, const SelfCheckInputs& inputs, Report& report) {
  const auto role = inputs.environment(kRoleVariable);
  if (!role || role->empty()) {
    report.fail(std::string(kRoleVariable) +
                " is not set: the webhook did not mutate this pod. Check that its ServiceAccount "
                "has the role-arn annotation, that the pod has no skip label, and that the "
                "webhook's namespaceSelector and objectSelector include it");
    return;
  }
  if (!options.role_arn.empty() && *role != options.role_arn) {
    report.fail(std::string(kRoleVariable) + " is " + *role + ", expected " + options.role_arn);
    return;
  }
  report.pass(std::string(kRoleVariable) + "=" + *role);
}

// The token's claims, or nothing after a failure has been reported.
std::optional<nlohmann::json> read_claims(const std::string& path, Report& report) {
  const auto read = store::read_text(path);
  if (!read.error.empty()) {
    report.fail("cannot read the token file: " + read.error);
    return std::nullopt;
  }
  std::string_view token = read.text;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
    token.remove_suffix(1);
  }
  if (token.empty()) {
    report.fail(path + " is empty: the kubelet has not written the projected token");
    return std::nullopt;
  }
  auto decoded = core::decode_jwt_claims(token);
  if (!decoded.error.empty()) {
    report.fail(path + (decoded.error.starts_with("not a JWT")
                            ? " does not hold a JWT (three base64url segments)"
                            : ": " + decoded.error));
    return std::nullopt;
  }
  return std::move(decoded.claims);
}

void check_token(const SelfCheckOptions& options, const SelfCheckInputs& inputs, Report& report) {
  const auto path = inputs.environment(kTokenFileVariable);
  if (!path || path->empty()) {
    report.fail(std::string(kTokenFileVariable) +
                " is not set: the webhook did not mutate this pod");
    return;
  }
  const auto claims = read_claims(*path, report);
  if (!claims) return;
  report.pass(std::string(kTokenFileVariable) + "=" + *path + " holds a JWT");
  const auto aud = claims->find("aud");
  if (aud == claims->end() || !audience_contains(*aud, options.token_audience)) {
    report.fail("the token's audience " + (aud == claims->end() ? "(none)" : aud->dump()) +
                " does not include " + options.token_audience);
  } else {
    report.pass("the token's audience includes " + options.token_audience);
  }
  const auto exp = claims->find("exp");
  if (exp != claims->end() && exp->is_number()) {
    const auto left = exp->get<std::int64_t>() - inputs.now_unix_seconds;
    if (left <= 0) {
      report.fail("the token expired " + std::to_string(-left) + " s ago");
    } else {
      report.pass("the token is valid for another " + std::to_string(left) + " s");
    }
  }
  const auto sub = claims->find("sub");
  if (sub != claims->end() && sub->is_string()) report.note("subject " + sub->get<std::string>());
}

}  // namespace

CLI::App& add_self_check_command(CLI::App& app, SelfCheckOptions& options) {
  CLI::App* command = app.add_subcommand(
      "self-check",
      "Run inside a pod: check that the webhook gave it AWS_ROLE_ARN and a web identity token "
      "(the chart's helm test); calls no API");
  command->add_option("--role-arn", options.role_arn,
                      "The role ARN the pod must have; empty accepts any");
  command
      ->add_option("--token-audience", options.token_audience, "An audience the token must carry")
      ->capture_default_str();
  return *command;
}

int run_self_check(const SelfCheckOptions& options, const SelfCheckInputs& inputs,
                   std::ostream& out, std::ostream& err) {
  Report report(out, err);
  check_role(options, inputs, report);
  check_token(options, inputs, report);
  for (const char* name : kOptionalVariables) {
    if (const auto value = inputs.environment(name)) report.note(std::string(name) + "=" + *value);
  }
  return report.exit_code();
}

}  // namespace irsa::cli
