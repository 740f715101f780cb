// The webhook's own decision, replayed: Pod Identity association first, then the account's
// role-arn annotation, then the ConfigMap ("ns/name", then "*/name"). The core does the parsing
// so that doctor and the webhook cannot disagree on a value.
#include <string>

#include "irsa/core/identity_sources.hpp"
#include "irsa/doctor/checks.hpp"
#include "irsa/doctor/json_fields.hpp"
#include "irsa/doctor/text.hpp"

namespace irsa::doctor {

namespace {

void from_config_map(const Evidence& evidence, const DoctorSettings& settings,
                     ResolvedIdentity& identity) {
  if (!settings.watch_config_map || !evidence.config_map.found()) return;
  const std::string config =
      fields::text(fields::field(evidence.config_map.object, "data"), "config");
  if (config.empty()) return;
  const auto parsed = core::parse_config_map_config(config, settings.mutation);
  if (!parsed.error.empty()) {
    identity.config_map_problem = "the pod-identity-webhook ConfigMap's config cannot be read (" +
                                  parsed.error + "); the webhook keeps its previous mappings";
    return;
  }
  const auto& subject = evidence.subject;
  for (const std::string& ns : {subject.ns, std::string("*")}) {
    for (const auto& [key, entry] : parsed.value.entries) {
      if (key.ns != ns || key.name != subject.service_account || entry.role_arn.empty()) continue;
      identity.source = IdentitySource::config_map;
      identity.role_arn = entry.role_arn;
      identity.audience = entry.audience;
      identity.config_map_key = core::account_key(key.ns, key.name);
      return;
    }
  }
}

}  // namespace

ResolvedIdentity resolve_identity(const Evidence& evidence, const DoctorSettings& settings) {
  ResolvedIdentity identity;
  identity.audience = settings.mutation.web_identity.audience;
  if (evidence.container_credentials_listed) {
    identity.source = IdentitySource::pod_identity;
    identity.audience = settings.mutation.container_credentials.audience;
    return identity;
  }
  if (evidence.service_account.found()) {
    const auto annotations = fields::annotations_of(evidence.service_account.object);
    const core::Annotations given(annotations.begin(), annotations.end());
    const core::IdentityEntry entry = core::entry_from_service_account(given, settings.mutation);
    identity.audience = entry.audience;
    identity.problems = entry.problems;
    if (!entry.role_arn.empty()) {
      identity.source = IdentitySource::annotation;
      identity.role_arn = entry.role_arn;
      return identity;
    }
  }
  from_config_map(evidence, settings, identity);
  return identity;
}

CheckContext make_context(const Evidence& evidence, const DoctorSettings& settings) {
  CheckContext context{evidence, settings, resolve_identity(evidence, settings), {}};
  if (evidence.discovery.found()) {
    context.issuer = fields::text(evidence.discovery.object, "issuer");
  }
  if (context.issuer.empty()) {
    // The IAM console shows provider URLs without their scheme; users paste them as they see them.
    context.issuer = with_https(evidence.issuer_flag);
  }
  return context;
}

}  // namespace irsa::doctor
