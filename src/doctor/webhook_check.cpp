// Check 3: will the API server send this pod's CREATE to the webhook at all? A webhook that
// never sees the pod mutates nothing, and nothing in the pod says so.
#include <algorithm>
#include <string>
#include <vector>

#include "irsa/doctor/checks.hpp"
#include "irsa/doctor/json_fields.hpp"
#include "irsa/doctor/label_selector.hpp"
#include "irsa/doctor/text.hpp"

namespace irsa::doctor {

namespace {

using fields::field;
using fields::text;

bool lists(const nlohmann::json& values, std::string_view wanted) {
  if (!values.is_array()) return false;
  return std::ranges::any_of(values, [wanted](const nlohmann::json& value) {
    return value.is_string() &&
           (value.get<std::string>() == wanted || value.get<std::string>() == "*");
  });
}

// Whether one of the webhook's rules covers CREATE of core/v1 pods.
bool intercepts_pod_create(const nlohmann::json& webhook) {
  const auto& rules = field(webhook, "rules");
  if (!rules.is_array()) return false;
  return std::ranges::any_of(rules, [](const nlohmann::json& rule) {
    const std::string scope = text(rule, "scope");
    return lists(field(rule, "operations"), "CREATE") && lists(field(rule, "apiGroups"), "") &&
           lists(field(rule, "apiVersions"), "v1") && lists(field(rule, "resources"), "pods") &&
           (scope.empty() || scope == "*" || scope == "Namespaced");
  });
}

// The pod identity webhook among every webhook that mutates pods: by its name or its Service's,
// as upstream's manifests and this project's chart name them.
bool is_identity_webhook(const nlohmann::json& configuration, const nlohmann::json& webhook) {
  const auto& service = field(field(webhook, "clientConfig"), "service");
  for (const std::string& name :
       {text(webhook, "name"), text(field(configuration, "metadata"), "name"),
        text(service, "name")}) {
    const std::string folded = ascii_lower(name);
    if (folded.find("pod-identity") != std::string::npos ||
        folded.find("irsa") != std::string::npos) {
      return true;
    }
  }
  return false;
}

struct Candidate {
  const nlohmann::json* configuration;
  const nlohmann::json* webhook;
};

std::string describe(const Candidate& candidate) {
  return text(*candidate.webhook, "name") + " (MutatingWebhookConfiguration " +
         text(field(*candidate.configuration, "metadata"), "name") + ")";
}

// Ready endpoints of an EndpointSliceList or an Endpoints object.
std::size_t ready_endpoints(const nlohmann::json& found) {
  std::size_t ready = 0;
  for (const auto& item : fields::items_of(found)) {
    const auto& endpoints = field(item, "endpoints");
    if (endpoints.is_array()) {
      for (const auto& endpoint : endpoints) {
        const auto& is_ready = field(field(endpoint, "conditions"), "ready");
        if (!is_ready.is_boolean() || is_ready.get<bool>()) ++ready;
      }
    }
    const auto& subsets = field(item, "subsets");
    if (subsets.is_array()) {
      for (const auto& subset : subsets) {
        const auto& addresses = field(subset, "addresses");
        if (addresses.is_array()) ready += addresses.size();
      }
    }
  }
  return ready;
}

std::string settings_of(const nlohmann::json& webhook) {
  const std::string policy = text(webhook, "failurePolicy");
  const std::string reinvocation = text(webhook, "reinvocationPolicy");
  const auto& timeout = field(webhook, "timeoutSeconds");
  return "failurePolicy " + (policy.empty() ? std::string("Fail") : policy) +
         ", reinvocationPolicy " + (reinvocation.empty() ? std::string("Never") : reinvocation) +
         ", timeout " + (timeout.is_number_integer() ? std::to_string(timeout.get<int>()) : "10") +
         "s";
}

CheckResult webhook_skipped(std::string finding, std::string remedy = {}) {
  return CheckResult{std::string(kWebhookCheck), Status::skip, std::move(finding),
                     std::move(remedy),          {},           {}};
}

// The labels the webhook's selectors are held against.
struct PodFacts {
  Labels namespace_labels;
  bool namespace_known = false;  // the namespace's own labels were read
  Labels pod_labels;
  std::string pod_name;  // "" when there is no pod to look at
};

PodFacts pod_facts(const Evidence& evidence) {
  PodFacts facts;
  // The API server adds kubernetes.io/metadata.name to every namespace.
  facts.namespace_known = evidence.namespace_object.found();
  if (facts.namespace_known)
    facts.namespace_labels = fields::labels_of(evidence.namespace_object.object);
  facts.namespace_labels.emplace("kubernetes.io/metadata.name", evidence.subject.ns);
  if (evidence.pod.found()) {
    facts.pod_labels = fields::labels_of(evidence.pod.object);
    facts.pod_name = fields::name_of(evidence.pod.object);
  } else if (evidence.account_pods.found()) {
    const auto pods = fields::items_of(evidence.account_pods.object);
    if (!pods.empty()) {
      facts.pod_labels = fields::labels_of(pods.front());
      facts.pod_name = fields::name_of(pods.front());
    }
  }
  return facts;
}

// What the webhook check says of one identity webhook: does it receive this pod, and can it
// answer?
CheckResult judge(const CheckContext& context, const Candidate& chosen, const PodFacts& facts) {
  const Evidence& evidence = context.evidence;
  const Labels& namespace_labels = facts.namespace_labels;
  const bool namespace_known = facts.namespace_known;
  const Labels& pod_labels = facts.pod_labels;
  const std::string& pod_name = facts.pod_name;
  CheckResult result{std::string(kWebhookCheck), Status::pass, {}, {}, {}, {}};
  const nlohmann::json& webhook = *chosen.webhook;
  result.finding = describe(chosen) + " receives pod CREATE; " + settings_of(webhook);

  const auto& namespace_selector = field(webhook, "namespaceSelector");
  const SelectorMatch namespace_match = match_selector(namespace_selector, namespace_labels);
  if (!namespace_match.error.empty()) {
    result.status = Status::fail;
    result.finding =
        describe(chosen) + ": namespaceSelector is malformed: " + namespace_match.error;
    result.remedy = "correct the namespaceSelector of " + describe(chosen) +
                    " (kubectl edit mutatingwebhookconfiguration)";
    return result;
  }
  if (!namespace_match.matches) {
    result.status = Status::fail;
    result.finding = "the namespaceSelector of " + describe(chosen) + " leaves out namespace " +
                     evidence.subject.ns + ": it " + namespace_match.reason;
    if (!namespace_known) {
      result.details.push_back("the namespace's own labels could not be read (" +
                               evidence.namespace_object.message +
                               "); only its name label was used");
    }
    result.remedy = "change the namespace's labels (kubectl label namespace " +
                    evidence.subject.ns +
                    " KEY=VALUE) or the webhook's namespaceSelector so that they match";
    return result;
  }
  const SelectorMatch object_match = match_selector(field(webhook, "objectSelector"), pod_labels);
  if (!object_match.matches) {
    result.status = Status::fail;
    const std::string whose = pod_name.empty() ? "a pod without labels" : "pod " + pod_name;
    result.finding = "the objectSelector of " + describe(chosen) + " leaves out " + whose +
                     ": it " +
                     (object_match.error.empty() ? object_match.reason : object_match.error);
    result.remedy = pod_labels.contains("eks.amazonaws.com/skip-pod-identity-webhook")
                        ? "remove the label eks.amazonaws.com/skip-pod-identity-webhook from the "
                          "pod template"
                        : "change the pod template's labels so that the objectSelector matches";
    return result;
  }
  if (pod_name.empty())
    result.details.push_back("no pod of the account to test the objectSelector on");
  if (field(webhook, "matchConditions").is_array()) {
    result.details.push_back("matchConditions (CEL) are not evaluated by doctor");
  }

  const auto& client = field(webhook, "clientConfig");
  const auto& service = field(client, "service");
  if (!service.is_object()) {
    result.details.push_back("the webhook is called by URL " + text(client, "url") +
                             "; its endpoints are not checked");
    return result;
  }
  const std::string service_key = text(service, "namespace") + "/" + text(service, "name");
  const auto endpoints = evidence.service_endpoints.find(service_key);
  if (endpoints == evidence.service_endpoints.end() || !endpoints->second.found()) {
    const std::string why = endpoints == evidence.service_endpoints.end()
                                ? std::string("not read")
                                : endpoints->second.message;
    result.details.push_back("the endpoints of Service " + service_key +
                             " could not be read: " + why);
    return result;
  }
  const std::size_t ready = ready_endpoints(endpoints->second.object);
  if (ready == 0) {
    result.status = Status::fail;
    const std::string policy = text(webhook, "failurePolicy");
    result.finding =
        "Service " + service_key + " behind " + describe(chosen) + " has no ready endpoints: " +
        (policy == "Ignore" ? "pods are created without credentials" : "pod creation is refused");
    result.remedy = "kubectl -n " + text(service, "namespace") + " get pods,endpointslices " +
                    "-l app.kubernetes.io/name=" + text(service, "name") +
                    "   # then fix what keeps the webhook from being ready";
    return result;
  }
  result.finding += "; Service " + service_key + " has " + std::to_string(ready) +
                    " ready endpoint" + (ready == 1 ? "" : "s");
  return result;
}

}  // namespace

std::vector<std::string> identity_webhook_services(const nlohmann::json& configurations) {
  std::vector<std::string> services;
  const auto& items = field(configurations, "items");
  if (!items.is_array()) return services;
  for (const auto& configuration : items) {
    const auto& webhooks = field(configuration, "webhooks");
    if (!webhooks.is_array()) continue;
    for (const auto& webhook : webhooks) {
      if (!intercepts_pod_create(webhook) || !is_identity_webhook(configuration, webhook)) continue;
      const auto& service = field(field(webhook, "clientConfig"), "service");
      if (!service.is_object()) continue;
      const std::string key = text(service, "namespace") + "/" + text(service, "name");
      if (std::ranges::find(services, key) == services.end()) services.push_back(key);
    }
  }
  return services;
}

CheckResult check_webhook(const CheckContext& context) {
  const Evidence& evidence = context.evidence;
  const Read& configurations = evidence.webhook_configurations;
  if (configurations.state == ReadState::not_asked) {
    return webhook_skipped("offline: no cluster to read MutatingWebhookConfigurations from");
  }
  if (!configurations.found()) {
    return webhook_skipped("cannot list MutatingWebhookConfigurations: " + configurations.message,
                           configurations.state == ReadState::forbidden
                               ? "grant the caller: " + configurations.request +
                                     " (the chart's doctor ClusterRole has it)"
                               : std::string());
  }
  CheckResult result{std::string(kWebhookCheck), Status::pass, {}, {}, {}, {}};

  std::vector<Candidate> pod_webhooks;
  std::vector<Candidate> identity_webhooks;
  const auto& items = field(configurations.object, "items");
  if (items.is_array()) {
    for (const auto& configuration : items) {
      const auto& webhooks = field(configuration, "webhooks");
      if (!webhooks.is_array()) continue;
      for (const auto& webhook : webhooks) {
        if (!intercepts_pod_create(webhook)) continue;
        pod_webhooks.push_back({&configuration, &webhook});
        if (is_identity_webhook(configuration, webhook)) {
          identity_webhooks.push_back({&configuration, &webhook});
        }
      }
    }
  }
  if (identity_webhooks.empty()) {
    result.status = Status::fail;
    result.finding = "no MutatingWebhookConfiguration sends pod CREATE to a pod identity webhook";
    for (const auto& candidate : pod_webhooks) {
      result.details.push_back("mutates pods, not recognised as the identity webhook: " +
                               describe(candidate));
    }
    result.remedy =
        "install the webhook: helm install irsa-webhook charts/irsa-webhook -n irsa-webhook "
        "--create-namespace (or kubectl apply -k deploy/)";
    return result;
  }

  const PodFacts facts = pod_facts(evidence);
  // Several identity webhooks may be installed (the EKS one and this one, say): the pod is
  // served when one of them receives it.
  std::vector<CheckResult> verdicts;
  for (const auto& candidate : identity_webhooks) {
    verdicts.push_back(judge(context, candidate, facts));
    if (verdicts.back().status == Status::pass) {
      CheckResult passing = std::move(verdicts.back());
      for (std::size_t i = 0; i + 1 < verdicts.size(); ++i) {
        passing.details.push_back("also installed: " + verdicts[i].finding);
      }
      return passing;
    }
  }
  CheckResult failing = std::move(verdicts.front());
  for (std::size_t i = 1; i < verdicts.size(); ++i) {
    failing.details.push_back("and " + verdicts[i].finding);
  }
  return failing;
}

}  // namespace irsa::doctor
