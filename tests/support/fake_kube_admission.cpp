// Creating a Pod (POST /api/v1/namespaces/NS/pods) the way kube-apiserver does, in its order:
// the request is read and the Pod defaulted as the ServiceAccount admission plugin does (an empty
// spec.serviceAccountName becomes "default"); the mutating webhook, if one is set, is sent an
// AdmissionReview of it (by the session, without the lock: fake_kube_webhook_call.cpp) and its
// answer applied (kube_admission.hpp); then the name is generated from generateName (as the
// storage layer does, after admission: so the webhook sees no name), the Pod validated and stored
// in the object store, where GET and LIST find it.
//
// Left out: the other admission plugins (NamespaceLifecycle, which refuses a namespace that does
// not exist, and the ServiceAccount plugin's check that the account exists and its token
// volume), validation beyond the name, and a Pod's QoS class.
#include <stdexcept>

#include "support/fake_kube_server.hpp"
#include "support/kube_admission.hpp"

namespace irsa::testing::fake_kube {

namespace {

constexpr const char* kDefaultAccount = "default";

Reply kube_reply(const KubeReply& answer) {
  Reply reply;
  reply.status = static_cast<http::status>(answer.status);
  reply.body = answer.body;
  reply.content_type = answer.content_type;
  return reply;
}

Reply internal_error(std::string_view error) {
  Reply reply;
  reply.status = http::status::internal_server_error;
  reply.body = internal_error_status(error);
  return reply;
}

// 422 Invalid for a Pod without a name (apierrors.NewInvalid).
Reply name_required() {
  const std::string detail = "Required value: name or generateName is required";
  const nlohmann::ordered_json details = {
      {"name", ""},
      {"kind", "Pod"},
      {"causes",
       {{{"reason", "FieldValueRequired"}, {"message", detail}, {"field", "metadata.name"}}}}};
  return kube_reply(
      status_failure(422, "Invalid", "Pod \"\" is invalid: metadata.name: " + detail, details));
}

std::string string_at(const nlohmann::json& object, const char* field) {
  return object.is_object() && object.contains(field) && object[field].is_string()
             ? object[field].get<std::string>()
             : std::string();
}

}  // namespace

Reply Server::begin_pod_create(const std::string& ns, const Query& query, const std::string& body) {
  auto pod = nlohmann::json::parse(body, nullptr, false);
  if (pod.is_discarded() || !pod.is_object()) {
    return kube_reply(bad_request("the body of the request is not a JSON object"));
  }
  const std::string kind = string_at(pod, "kind");
  const std::string api_version = string_at(pod, "apiVersion");
  if ((!kind.empty() && kind != "Pod") || (!api_version.empty() && api_version != "v1")) {
    return kube_reply(bad_request("the API version in the data (" + api_version + ") and kind (" +
                                  kind + ") do not match the request's (v1, Pod)"));
  }
  const auto dry_run_value = query_value(query, "dryRun");
  if (!dry_run_value.empty() && dry_run_value != "All") {
    return kube_reply(bad_request("Invalid dryRun value: dryRun: Unsupported value: \"" +
                                  dry_run_value + "\": supported values: \"All\""));
  }
  pod["kind"] = "Pod";
  pod["apiVersion"] = "v1";
  if (!pod.contains("metadata") || !pod["metadata"].is_object()) {
    pod["metadata"] = nlohmann::json::object();
  }
  auto& metadata = pod["metadata"];
  if (const auto given = string_at(metadata, "namespace"); !given.empty() && given != ns) {
    return kube_reply(bad_request(
        "the namespace of the provided object does not match the namespace sent on the request"));
  }
  metadata["namespace"] = ns;
  if (!pod.contains("spec") || !pod["spec"].is_object()) pod["spec"] = nlohmann::json::object();
  auto& spec = pod["spec"];
  // The ServiceAccount admission plugin runs before the webhooks; v1 shows the account under
  // its deprecated name too.
  if (string_at(spec, "serviceAccountName").empty()) spec["serviceAccountName"] = kDefaultAccount;
  spec["serviceAccount"] = spec["serviceAccountName"];

  const bool dry_run = dry_run_value == "All";
  if (!webhook) return store_pod(std::move(pod), dry_run);

  auto create = std::make_shared<PodCreate>();
  create->webhook = *webhook;
  create->uid = random_uuid(random);
  create->dry_run = dry_run;
  AdmissionRequestInfo info;
  info.uid = create->uid;
  info.ns = ns;
  info.name = string_at(metadata, "name");
  info.username = cluster.rbac.user();
  info.object = pod;
  info.dry_run = dry_run;
  info.field_manager = query_value(query, "fieldManager");
  create->review = admission_review(info);
  create->pod = std::move(pod);
  Reply reply;
  reply.create = std::move(create);
  return reply;
}

Reply Server::finish_pod_create(const PodCreate& create, const WebhookCall& call) {
  const std::string failing = "failed calling webhook \"" + create.webhook.name + "\": ";
  AdmissionAnswer answer;
  if (!call.error.empty()) {
    answer.problem = "failed to call webhook: " + call.error;
  } else if (call.status != 200) {
    answer.problem = "failed to call webhook: the server responded with the status code " +
                     std::to_string(call.status) + " but did not return more information";
  } else {
    answer = read_admission_answer(call.body, create.uid, create.webhook.name);
  }

  if (answer.outcome == AdmissionAnswer::Outcome::failed) {
    // failurePolicy: Ignore goes on as if there were no webhook, Fail refuses.
    if (create.webhook.fail_open) return store_pod(create.pod, create.dry_run);
    return internal_error(failing + answer.problem);
  }
  Reply reply;
  if (answer.outcome == AdmissionAnswer::Outcome::denied) {
    reply.status = static_cast<http::status>(answer.code);
    reply.body = answer.status.dump();
  } else {
    reply = apply_patch_and_store(create, answer.patch);
  }
  // The API server records the warnings before it looks at the verdict or the patch: they come
  // with whatever the answer is.
  WarningRecorder warnings;
  for (const auto& warning : answer.warnings) warnings.add(warning);
  for (const auto& value : warnings.values()) reply.headers.emplace_back("Warning", value);
  return reply;
}

Reply Server::apply_patch_and_store(const PodCreate& create, const std::string& patch_text) {
  nlohmann::json pod = create.pod;
  if (!patch_text.empty()) {
    // A patch that does not parse or apply is the API server's internal error, whatever the
    // failure policy.
    const auto patch = nlohmann::json::parse(patch_text, nullptr, false);
    if (patch.is_discarded() || !patch.is_array()) {
      return internal_error("the webhook's patch is not a JSON Patch (an array)");
    }
    try {
      pod = pod.patch(patch);
    } catch (const std::exception& error) {
      return internal_error(error.what());
    }
  }
  return store_pod(std::move(pod), create.dry_run);
}

Reply Server::store_pod(nlohmann::json pod, bool dry_run) {
  auto& metadata = pod["metadata"];
  if (!metadata.is_object()) return internal_error("the webhook's patch removed the metadata");
  // The storage layer names the Pod after admission (BeforeCreate).
  if (string_at(metadata, "name").empty()) {
    const std::string base = string_at(metadata, "generateName");
    if (base.empty()) return name_required();
    metadata["name"] = generate_name(base, random);
  }
  // What the Pod strategy's PrepareForCreate resets.
  pod["status"] = {{"phase", "Pending"}};
  const std::string ns = string_at(metadata, "namespace");
  const std::string name = metadata["name"].get<std::string>();
  Reply reply;
  if (cluster.objects.find("Pod", ns, name) != nullptr) {
    nlohmann::ordered_json details = {{"name", name}, {"kind", "pods"}};
    const auto conflict =
        status_failure(409, "AlreadyExists", "pods \"" + name + "\" already exists", details);
    reply.status = http::status::conflict;
    reply.body = conflict.body;
    return reply;
  }
  reply.status = http::status::created;
  if (dry_run) {
    reply.body = pod.dump();
    return reply;
  }
  try {
    reply.body = cluster.objects.put(std::move(pod), resource_version + 1).dump();
  } catch (const std::invalid_argument& error) {
    return internal_error(error.what());
  }
  ++resource_version;
  return reply;
}

}  // namespace irsa::testing::fake_kube
