#include "review_generator.hpp"

#include <array>
#include <cerrno>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

namespace irsa::bench {

namespace {

// ordered_json keeps keys in the order they were added, which is the order the API server writes
// them in; the default json would sort them and make every body look machine-made.
using Json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// Randomness

// SplitMix64. Unlike the <random> distributions, whose output differs between standard
// libraries, this gives the same numbers everywhere, which "same seed, same bytes" depends on.
class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream) : state_(mix(seed) ^ mix(stream + kGolden)) {}

  std::uint64_t next() {
    state_ += kGolden;
    return mix(state_);
  }
  // The modulo bias is below bound / 2^64: nothing a corpus can notice.
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }
  int between(int low, int high) {
    return low + static_cast<int>(below(static_cast<std::uint64_t>(high - low) + 1));
  }
  template <typename Items>
  const auto& pick(const Items& items) {
    return items[below(std::size(items))];
  }

 private:
  static constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
  }
  std::uint64_t state_;
};

// One stream per part of the corpus, so that leaving a part out (typical/ without --typical)
// does not shift the numbers, and so the bytes, of the others.
enum class Stream : std::uint64_t {
  review_accounts = 1,
  filler_accounts,
  tiny,
  typical,
  large,
  mixed_tiny,
  mixed_typical,
  mixed_large
};

Rng rng_for(std::uint64_t seed, Stream stream) {
  return Rng(seed, static_cast<std::uint64_t>(stream));
}

std::string random_hex(Rng& rng, int digits) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < digits; ++i) out.push_back(rng.pick(kHex));
  return out;
}

// A version 4 UUID, the form the API server gives every admission request.
std::string random_uuid(Rng& rng) {
  static constexpr std::string_view kVariantDigits = "89ab";
  std::string hex = random_hex(rng, 32);
  hex[12] = '4';
  hex[16] = rng.pick(kVariantDigits);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

// The alphabet Kubernetes uses for generated name suffixes and pod-template-hash labels (no
// vowels, so no words).
std::string random_name_suffix(Rng& rng, int length) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (int i = 0; i < length; ++i) out.push_back(rng.pick(kAlphabet));
  return out;
}

std::string two_digits(int number) {
  std::string text = std::to_string(number);
  if (text.size() < 2) text.insert(text.begin(), '0');
  return text;
}

// ---------------------------------------------------------------------------------------------
// ServiceAccounts

// The kinds of review; their order fixes which account slots each kind uses.
enum class Kind { tiny = 0, typical = 1, large = 2 };
constexpr int kKindCount = 3;

constexpr std::size_t kAccountsPerNamespace = 50;
constexpr std::string_view kAnnotationPrefix = "eks.amazonaws.com/";
constexpr std::string_view kRoleArnPrefix = "arn:aws:iam::111122223333:role/";

// What an account carries: nothing, or a role with more or fewer of the optional annotations.
enum class RoleStyle { none, role_only, regional_sts, every_annotation };

std::string account_name(std::size_t index) {
  return "bench-sa-" + std::to_string(index);
}

std::string account_namespace(std::size_t index) {
  return "bench-ns-" + std::to_string(index / kAccountsPerNamespace);
}

// Three variants in four name an account with a role; the fourth one without, which the webhook
// answers with "allowed" and no patch. Load runs then exercise both paths in a known ratio.
RoleStyle review_role_style(int variant) {
  switch (variant % 4) {
    case 0:
      return RoleStyle::role_only;
    case 1:
      return RoleStyle::regional_sts;
    case 2:
      return RoleStyle::every_annotation;
    default:
      return RoleStyle::none;
  }
}

int review_slot(Kind kind, int variant) {
  return static_cast<int>(kind) * kVariantsPerKind + variant;
}

struct ReviewAccount {
  std::string ns;
  std::string name;
};

// Which of the account_count accounts each review names, picked at random so the reviews' accounts
// are spread over the namespaces instead of sitting together at the start.
class AccountPlan {
 public:
  AccountPlan(std::size_t account_count, std::uint64_t seed) : account_count_(account_count) {
    Rng rng = rng_for(seed, Stream::review_accounts);
    const auto slots = static_cast<int>(accounts_needed_by_reviews());
    for (int slot = 0; slot < slots; ++slot) {
      std::size_t index = 0;
      do {
        index = rng.below(account_count);
      } while (slot_by_account_.contains(index));
      slot_by_account_.emplace(index, slot);
      account_by_slot_.push_back(index);
    }
  }

  [[nodiscard]] std::size_t account_count() const { return account_count_; }

  [[nodiscard]] ReviewAccount for_review(Kind kind, int variant) const {
    const std::size_t index =
        account_by_slot_.at(static_cast<std::size_t>(review_slot(kind, variant)));
    return {account_namespace(index), account_name(index)};
  }

  // The role style a review's account must have; nothing for the filler accounts.
  [[nodiscard]] std::optional<RoleStyle> review_style(std::size_t index) const {
    const auto found = slot_by_account_.find(index);
    if (found == slot_by_account_.end()) return std::nullopt;
    return review_role_style(found->second % kVariantsPerKind);
  }

 private:
  std::size_t account_count_;
  std::vector<std::size_t> account_by_slot_;
  std::map<std::size_t, int> slot_by_account_;
};

// Filler accounts mirror a real cluster, where most ServiceAccounts have no role: about 1 in 20
// gets one, with one of the three annotation sets.
RoleStyle filler_role_style(Rng& rng) {
  static constexpr std::array kRoleStyles = {RoleStyle::role_only, RoleStyle::regional_sts,
                                             RoleStyle::every_annotation};
  if (rng.below(20) != 0) return RoleStyle::none;
  return rng.pick(kRoleStyles);
}

void append_annotation(std::string& yaml, std::string_view key, std::string_view value) {
  yaml.append("    ").append(kAnnotationPrefix).append(key).append(": ").append(value);
  yaml.push_back('\n');
}

void append_account(std::string& yaml, const std::string& ns, const std::string& name,
                    RoleStyle style) {
  yaml.append("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ")
      .append(name)
      .append("\n  namespace: ")
      .append(ns)
      .append("\n");
  if (style == RoleStyle::none) return;
  yaml.append("  annotations:\n");
  append_annotation(yaml, "role-arn", std::string(kRoleArnPrefix) + name);
  if (style == RoleStyle::every_annotation) {
    append_annotation(yaml, "audience", "sts.amazonaws.com");
    append_annotation(yaml, "token-expiration", "\"3600\"");
  }
  if (style != RoleStyle::role_only) append_annotation(yaml, "sts-regional-endpoints", "\"true\"");
}

// The account typical-exact/review.json names, with a role, so that the unchanged shared review
// is a full mutation too. It takes the place of the last filler account, keeping the total.
struct ExactAccount {
  std::string ns;
  std::string name;
};

std::optional<std::size_t> exact_account_slot(const AccountPlan& plan) {
  for (std::size_t index = plan.account_count(); index-- > 0;) {
    if (!plan.review_style(index)) return index;
  }
  return std::nullopt;
}

std::string service_accounts_yaml(const AccountPlan& plan, std::uint64_t seed,
                                  const std::optional<ExactAccount>& exact) {
  std::string yaml = "# " + std::to_string(plan.account_count()) +
                     " ServiceAccounts written by irsa-corpus (seed " + std::to_string(seed) +
                     "). The reviews name " + std::to_string(accounts_needed_by_reviews()) +
                     " of them;\n# about 1 in 20 of the others has an IAM role.\n";
  Rng rng = rng_for(seed, Stream::filler_accounts);
  const auto exact_slot = exact ? exact_account_slot(plan) : std::nullopt;
  for (std::size_t index = 0; index < plan.account_count(); ++index) {
    // Drawn for every account, so a filler account's role does not depend on where the review
    // accounts happen to sit.
    const RoleStyle filler_style = filler_role_style(rng);
    if (exact_slot == index) {
      append_account(yaml, exact->ns, exact->name, RoleStyle::role_only);
      continue;
    }
    append_account(yaml, account_namespace(index), account_name(index),
                   plan.review_style(index).value_or(filler_style));
  }
  // Every slot belongs to a review: the typical account comes on top.
  if (exact && !exact_slot) append_account(yaml, exact->ns, exact->name, RoleStyle::role_only);
  return yaml;
}

std::optional<ExactAccount> account_of(const Json& review) {
  const Json& request = review["request"];
  const Json& spec = request["object"]["spec"];
  const auto text = [](const Json& value, const char* fallback) {
    return value.is_string() ? value.get<std::string>() : std::string(fallback);
  };
  return ExactAccount{text(request.value("namespace", Json()), "default"),
                      text(spec.value("serviceAccountName", Json()), "default")};
}

// ---------------------------------------------------------------------------------------------
// The AdmissionReview envelope

Json pod_kind() {
  return {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}};
}

Json pod_resource() {
  return {{"group", ""}, {"version", "v1"}, {"resource", "pods"}};
}

// The controller that creates the pod is who the API server names as the requesting user.
Json controller_user(std::string_view controller, Rng& rng) {
  return {{"username", "system:serviceaccount:kube-system:" + std::string(controller)},
          {"uid", random_uuid(rng)},
          {"groups", Json::array({"system:serviceaccounts", "system:serviceaccounts:kube-system",
                                  "system:authenticated"})}};
}

Json create_review(const std::string& uid, const std::string& ns, Json user, Json pod) {
  Json request = Json::object();
  request["uid"] = uid;
  request["kind"] = pod_kind();
  request["resource"] = pod_resource();
  request["requestKind"] = pod_kind();
  request["requestResource"] = pod_resource();
  request["namespace"] = ns;
  request["operation"] = "CREATE";
  request["userInfo"] = std::move(user);
  request["object"] = std::move(pod);
  request["oldObject"] = nullptr;
  request["dryRun"] = false;
  request["options"] = {{"kind", "CreateOptions"}, {"apiVersion", "meta.k8s.io/v1"}};
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request", std::move(request)}};
}

std::string random_version(Rng& rng) {
  return std::to_string(rng.between(1, 4)) + "." + std::to_string(rng.between(0, 30)) + "." +
         std::to_string(rng.between(0, 12));
}

// ---------------------------------------------------------------------------------------------
// Tiny: the smallest pod a Deployment would create.

Json tiny_pod(const ReviewAccount& account, int variant, Rng& rng) {
  static constexpr std::array<std::string_view, kVariantsPerKind> kApps = {
      "checkout", "inventory", "search", "billing", "notifier", "catalog", "ledger", "gateway"};
  const std::string app(kApps.at(static_cast<std::size_t>(variant)));
  const std::string hash = random_name_suffix(rng, 10);
  Json container = {{"name", app},
                    {"image", "registry.example.com/bench/" + app + ":" + random_version(rng)},
                    {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}}}}};
  Json metadata = {{"generateName", app + "-" + hash + "-"},
                   {"namespace", account.ns},
                   {"labels", {{"app.kubernetes.io/name", app}, {"pod-template-hash", hash}}}};
  Json spec = {{"serviceAccountName", account.name},
               {"containers", Json::array({std::move(container)})}};
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", std::move(metadata)},
          {"spec", std::move(spec)}};
}

Json tiny_review(const ReviewAccount& account, int variant, Rng& rng) {
  const std::string uid = random_uuid(rng);
  Json user = controller_user("replicaset-controller", rng);
  return create_review(uid, account.ns, std::move(user), tiny_pod(account, variant, rng));
}

// ---------------------------------------------------------------------------------------------
// Typical: the shared request with another uid and ServiceAccount.

struct TypicalSource {
  std::string bytes;  // the file as read, for typical-exact/
  Json review;
};

std::string read_file(const std::filesystem::path& path, std::string& bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return path.string() + " does not exist";
  }
  if (ec) return path.string() + ": " + ec.message();
  if (!std::filesystem::is_regular_file(status)) return path.string() + " is not a file";
  std::ifstream stream(path, std::ios::binary);
  bytes.assign(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  if (stream.bad() || !stream.is_open()) return path.string() + " cannot be read";
  return {};
}

// Only the fields a variant replaces need to be there; the rest is copied as it is.
bool has_review_shape(const Json& review) {
  if (!review.is_object() || !review.contains("request")) return false;
  const Json& request = review["request"];
  if (!request.is_object() || !request.contains("object")) return false;
  const Json& pod = request["object"];
  return pod.is_object() && pod.contains("spec") && pod["spec"].is_object() &&
         (!pod.contains("metadata") || pod["metadata"].is_object());
}

std::string load_typical(const std::filesystem::path& path, TypicalSource& source) {
  std::string error = read_file(path, source.bytes);
  if (!error.empty()) return "--typical: " + error;
  try {
    source.review = Json::parse(source.bytes);
  } catch (const Json::parse_error& e) {
    return "--typical: " + path.string() + " is not JSON: " + e.what();
  }
  if (!has_review_shape(source.review)) {
    return "--typical: " + path.string() + " is not an AdmissionReview with request.object.spec";
  }
  return {};
}

Json typical_review(const Json& original, const ReviewAccount& account, Rng& rng) {
  Json review = original;
  Json& request = review["request"];
  request["uid"] = random_uuid(rng);
  request["namespace"] = account.ns;
  Json& pod = request["object"];
  if (pod.contains("metadata") && pod["metadata"].contains("namespace")) {
    pod["metadata"]["namespace"] = account.ns;
  }
  Json& spec = pod["spec"];
  spec["serviceAccountName"] = account.name;
  // The deprecated twin the API server still fills in; left alone it would name another account.
  if (spec.contains("serviceAccount")) spec["serviceAccount"] = account.name;
  return review;
}

// ---------------------------------------------------------------------------------------------
// Large: a batch pipeline pod of 40 containers (stages and their sidecars), each fully specified.

constexpr int kLargeContainers = 40;

struct ContainerRole {
  std::string_view name;
  std::string_view image;
  std::string_view command;
  bool sidecar;
};

constexpr std::array<ContainerRole, 8> kContainerRoles = {{
    {"extract", "registry.example.com/batch/extractor", "/app/extract", false},
    {"transform", "registry.example.com/batch/transformer", "/app/transform", false},
    {"enrich", "registry.example.com/batch/enricher", "/app/enrich", false},
    {"score", "registry.example.com/batch/scorer", "/app/score", false},
    {"load", "registry.example.com/batch/loader", "/app/load", false},
    {"envoy", "docker.io/envoyproxy/envoy", "/usr/local/bin/envoy", true},
    {"fluent-bit", "cr.fluentbit.io/fluent/fluent-bit", "/fluent-bit/bin/fluent-bit", true},
    {"otel-agent", "docker.io/otel/opentelemetry-collector-contrib", "/otelcol-contrib", true},
}};

enum class EnvSource { literal, field, secret, resource, config_map };

struct EnvTemplate {
  std::string_view name;
  EnvSource source;
  std::string_view value;  // the value, field path, resource, or secret/ConfigMap name
  std::string_view key;    // the key inside the secret or ConfigMap
};

// Mostly plain values with a few references, the mix real manifests have. No AWS_* names: the
// variables the webhook adds are left to it, so every large review takes the ordinary path.
constexpr std::array<EnvTemplate, 24> kEnvPool = {{
    {"LOG_LEVEL", EnvSource::literal, "info", ""},
    {"LOG_FORMAT", EnvSource::literal, "json", ""},
    {"OTEL_EXPORTER_OTLP_ENDPOINT", EnvSource::literal, "http://localhost:4317", ""},
    {"OTEL_SERVICE_NAME", EnvSource::literal, "pipeline", ""},
    {"POD_NAME", EnvSource::field, "metadata.name", ""},
    {"DB_HOST", EnvSource::literal, "postgres.data", ""},
    {"DB_PORT", EnvSource::literal, "5432", ""},
    {"DB_PASSWORD", EnvSource::secret, "batch-db", "password"},
    {"REDIS_URL", EnvSource::literal, "redis://redis.cache:6379", ""},
    {"KAFKA_BROKERS", EnvSource::literal, "kafka.kafka:9092", ""},
    {"KAFKA_TOPIC", EnvSource::literal, "batch.events", ""},
    {"BATCH_SIZE", EnvSource::literal, "500", ""},
    {"WORKER_THREADS", EnvSource::literal, "8", ""},
    {"QUEUE_DEPTH", EnvSource::literal, "64", ""},
    {"RETRY_LIMIT", EnvSource::literal, "5", ""},
    {"CACHE_TTL", EnvSource::literal, "300s", ""},
    {"HTTP_TIMEOUT", EnvSource::literal, "30s", ""},
    {"GOMAXPROCS", EnvSource::resource, "limits.cpu", ""},
    {"TRACE_SAMPLE_RATE", EnvSource::literal, "0.05", ""},
    {"CHECKPOINT_DIR", EnvSource::literal, "/shared/ckpt", ""},
    {"ARTIFACT_BUCKET", EnvSource::literal, "s3://bench-batch", ""},
    {"TZ", EnvSource::literal, "UTC", ""},
    {"LANG", EnvSource::literal, "C.UTF-8", ""},
    {"ENVIRONMENT", EnvSource::literal, "bench", ""},
}};

Json env_var(const EnvTemplate& entry, std::string_view container) {
  Json var = {{"name", entry.name}};
  switch (entry.source) {
    case EnvSource::literal:
      var["value"] = entry.value;
      break;
    case EnvSource::field:
      var["valueFrom"] = {{"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", entry.value}}}};
      break;
    case EnvSource::secret:
      var["valueFrom"] = {{"secretKeyRef", {{"name", entry.value}, {"key", entry.key}}}};
      break;
    case EnvSource::resource:
      var["valueFrom"] = {
          {"resourceFieldRef", {{"containerName", container}, {"resource", entry.value}}}};
      break;
    case EnvSource::config_map:
      var["valueFrom"] = {{"configMapKeyRef", {{"name", entry.value}, {"key", entry.key}}}};
      break;
  }
  return var;
}

// 10 to 13 variables (the stage's name, then the rest drawn from the pool without repeats):
// realistic, and what keeps 40 containers near 64 KB.
Json container_env(const std::string& container, Rng& rng) {
  Json env = Json::array({{{"name", "STAGE"}, {"value", container}}});
  std::array<std::size_t, kEnvPool.size()> order{};
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const int wanted = rng.between(10, 13) - static_cast<int>(env.size());
  for (int i = 0; i < wanted; ++i) {
    const auto from = static_cast<std::size_t>(i);
    std::swap(order[from], order[from + rng.below(order.size() - from)]);
    env.push_back(env_var(kEnvPool[order[from]], container));
  }
  return env;
}

Json port(std::string_view name, int number) {
  return {{"name", name}, {"containerPort", number}, {"protocol", "TCP"}};
}

Json mount(std::string_view volume, std::string_view path, bool read_only) {
  Json entry = {{"name", volume}, {"mountPath", path}};
  if (read_only) entry["readOnly"] = true;
  return entry;
}

Json http_probe(std::string_view path, int period) {
  return {{"httpGet", {{"path", path}, {"port", "http"}, {"scheme", "HTTP"}}},
          {"timeoutSeconds", 2},
          {"periodSeconds", period},
          {"successThreshold", 1},
          {"failureThreshold", 3}};
}

Json tcp_probe(int port_number, int period) {
  return {{"tcpSocket", {{"port", port_number}}},
          {"timeoutSeconds", 1},
          {"periodSeconds", period},
          {"successThreshold", 1},
          {"failureThreshold", 3}};
}

Json restricted_security_context() {
  return {{"capabilities", {{"drop", Json::array({"ALL"})}}},
          {"readOnlyRootFilesystem", true},
          {"allowPrivilegeEscalation", false}};
}

Json container_resources(bool sidecar, Rng& rng) {
  static constexpr std::array<std::string_view, 4> kWorkerCpu = {"250m", "500m", "1", "2"};
  static constexpr std::array<std::string_view, 4> kWorkerMemory = {"512Mi", "1Gi", "2Gi", "4Gi"};
  static constexpr std::array<std::string_view, 3> kSidecarCpu = {"50m", "100m", "200m"};
  static constexpr std::array<std::string_view, 3> kSidecarMemory = {"64Mi", "128Mi", "256Mi"};
  const std::string cpu(sidecar ? rng.pick(kSidecarCpu) : rng.pick(kWorkerCpu));
  const std::string memory(sidecar ? rng.pick(kSidecarMemory) : rng.pick(kWorkerMemory));
  return {{"limits", {{"cpu", cpu}, {"memory", memory}}},
          {"requests", {{"cpu", cpu}, {"memory", memory}}}};
}

struct LargePodNames {
  std::string token_volume;  // kube-api-access-xxxxx, as the ServiceAccount admission adds it
  std::string run_id;
};

Json large_container(int index, const LargePodNames& names, Rng& rng) {
  const ContainerRole& role =
      kContainerRoles.at(static_cast<std::size_t>(index) % kContainerRoles.size());
  const std::string name = std::string(role.name) + "-" +
                           std::to_string(static_cast<std::size_t>(index) / kContainerRoles.size());
  // Containers share the pod's network, so every port number is distinct.
  const int port_number = 8000 + index;

  Json container = {{"name", name}, {"image", std::string(role.image) + ":" + random_version(rng)}};
  Json mounts = Json::array(
      {mount("config-" + std::string(role.name), "/etc/stage", true),
       mount(names.token_volume, "/var/run/secrets/kubernetes.io/serviceaccount", true)});
  if (role.sidecar) {
    // Sidecars keep their image's entrypoint and serve only an admin port.
    container["args"] = Json::array({"--config=/etc/stage/config.yaml"});
    container["ports"] = Json::array({port("admin", port_number)});
    mounts.push_back(mount("tls", "/etc/tls", true));
  } else {
    container["command"] = Json::array({role.command});
    container["args"] = Json::array({"--shard=" + std::to_string(index)});
    container["ports"] = Json::array({port("http", port_number)});
    mounts.push_back(mount("shared-data", "/shared", false));
  }
  container["env"] = container_env(name, rng);
  container["resources"] = container_resources(role.sidecar, rng);
  container["volumeMounts"] = std::move(mounts);
  container["livenessProbe"] = tcp_probe(port_number, role.sidecar ? 20 : 10);
  // Sidecars count as ready once they run; the stages report it themselves.
  if (!role.sidecar) container["readinessProbe"] = http_probe("/ready", 5);
  container["terminationMessagePath"] = "/dev/termination-log";
  container["terminationMessagePolicy"] = "File";
  container["imagePullPolicy"] = "IfNotPresent";
  container["securityContext"] = restricted_security_context();
  return container;
}

Json large_init_containers(const LargePodNames& names, Rng& rng) {
  const Json token_mount =
      mount(names.token_volume, "/var/run/secrets/kubernetes.io/serviceaccount", true);
  Json fetch = {
      {"name", "fetch-config"},
      {"image", "registry.example.com/batch/config-fetcher:" + random_version(rng)},
      {"args", Json::array({"--source=s3://bench-batch-config/nightly", "--dest=/shared"})},
      {"env", Json::array({{{"name", "RUN_ID"}, {"value", names.run_id}}})},
      {"resources", container_resources(true, rng)},
      {"volumeMounts", Json::array({mount("shared-data", "/shared", false), token_mount})},
      {"terminationMessagePath", "/dev/termination-log"},
      {"terminationMessagePolicy", "File"},
      {"imagePullPolicy", "IfNotPresent"},
      {"securityContext", restricted_security_context()}};
  Json wait = {
      {"name", "wait-for-db"},
      {"image", "registry.example.com/tools/wait-for:" + random_version(rng)},
      {"args", Json::array({"postgres-primary.data.svc.cluster.local:5432", "--timeout=300"})},
      {"resources", container_resources(true, rng)},
      {"volumeMounts", Json::array({token_mount})},
      {"terminationMessagePath", "/dev/termination-log"},
      {"terminationMessagePolicy", "File"},
      {"imagePullPolicy", "IfNotPresent"},
      {"securityContext", restricted_security_context()}};
  return Json::array({std::move(fetch), std::move(wait)});
}

// The projected token volume the ServiceAccount admission plugin adds before webhooks run.
Json token_volume(const std::string& name) {
  Json sources = Json::array(
      {{{"serviceAccountToken", {{"expirationSeconds", 3607}, {"path", "token"}}}},
       {{"configMap",
         {{"name", "kube-root-ca.crt"},
          {"items", Json::array({{{"key", "ca.crt"}, {"path", "ca.crt"}}})}}}},
       {{"downwardAPI",
         {{"items",
           Json::array(
               {{{"path", "namespace"},
                 {"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", "metadata.namespace"}}}}})}}}}});
  return {{"name", name}, {"projected", {{"sources", sources}, {"defaultMode", 420}}}};
}

Json config_map_volume(const std::string& volume, const std::string& config_map) {
  return {{"name", volume}, {"configMap", {{"name", config_map}, {"defaultMode", 420}}}};
}

Json large_volumes(const LargePodNames& names) {
  Json volumes = Json::array(
      {config_map_volume("pipeline-config", "nightly-pipeline"),
       {{"name", "shared-data"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "2Gi"}}}},
       {{"name", "tls"}, {"secret", {{"secretName", "batch-mesh-tls"}, {"defaultMode", 256}}}}});
  for (const ContainerRole& role : kContainerRoles) {
    const std::string name(role.name);
    volumes.push_back(config_map_volume("config-" + name, "nightly-" + name));
  }
  volumes.push_back(token_volume(names.token_volume));
  return volumes;
}

Json large_metadata(const ReviewAccount& account, const std::string& job,
                    const std::string& job_uid, Rng& rng) {
  Json labels = {{"app.kubernetes.io/name", "nightly-pipeline"},
                 {"app.kubernetes.io/component", "batch"},
                 {"app.kubernetes.io/part-of", "data-platform"},
                 {"app.kubernetes.io/managed-by", "pipeline-operator"},
                 {"batch.kubernetes.io/controller-uid", job_uid},
                 {"batch.kubernetes.io/job-name", job},
                 {"controller-uid", job_uid},
                 {"job-name", job},
                 {"team", "data-engineering"},
                 {"cost-center", "cc-" + std::to_string(rng.between(1000, 9999))}};
  Json annotations = {{"batch.kubernetes.io/job-tracking", ""},
                      {"cluster-autoscaler.kubernetes.io/safe-to-evict", "false"},
                      {"kubectl.kubernetes.io/default-container", "extract-0"},
                      {"prometheus.io/scrape", "true"},
                      {"prometheus.io/port", "8000"},
                      {"prometheus.io/path", "/metrics"},
                      {"fluentbit.io/parser", "json"},
                      {"sidecar.istio.io/inject", "false"},
                      {"checksum/config", random_hex(rng, 64)}};
  Json owner = {{"apiVersion", "batch/v1"}, {"kind", "Job"},      {"name", job},
                {"uid", job_uid},           {"controller", true}, {"blockOwnerDeletion", true}};
  return {{"generateName", job + "-"},
          {"namespace", account.ns},
          {"labels", std::move(labels)},
          {"annotations", std::move(annotations)},
          {"ownerReferences", Json::array({std::move(owner)})}};
}

Json toleration(std::string_view key, std::string_view effect) {
  return {{"key", key}, {"operator", "Exists"}, {"effect", effect}, {"tolerationSeconds", 300}};
}

Json large_pod(const ReviewAccount& account, int variant, Rng& rng) {
  const std::string job = "nightly-pipeline-" + two_digits(variant) + "-" +
                          std::to_string(rng.between(29000000, 29999999));
  const LargePodNames names{"kube-api-access-" + random_name_suffix(rng, 5), random_hex(rng, 16)};
  Json metadata = large_metadata(account, job, random_uuid(rng), rng);
  Json init_containers = large_init_containers(names, rng);
  Json containers = Json::array();
  for (int i = 0; i < kLargeContainers; ++i) containers.push_back(large_container(i, names, rng));

  Json spec = Json::object();
  spec["volumes"] = large_volumes(names);
  spec["initContainers"] = std::move(init_containers);
  spec["containers"] = std::move(containers);
  spec["restartPolicy"] = "Never";
  spec["terminationGracePeriodSeconds"] = 60;
  spec["activeDeadlineSeconds"] = 14400;
  spec["dnsPolicy"] = "ClusterFirst";
  spec["nodeSelector"] = {{"workload", "batch"}, {"kubernetes.io/arch", "amd64"}};
  spec["serviceAccountName"] = account.name;
  spec["serviceAccount"] = account.name;
  spec["securityContext"] = {
      {"fsGroup", 10001}, {"runAsNonRoot", true}, {"seccompProfile", {{"type", "RuntimeDefault"}}}};
  spec["schedulerName"] = "default-scheduler";
  spec["tolerations"] = Json::array({toleration("node.kubernetes.io/not-ready", "NoExecute"),
                                     toleration("node.kubernetes.io/unreachable", "NoExecute"),
                                     {{"key", "dedicated"},
                                      {"operator", "Equal"},
                                      {"value", "batch"},
                                      {"effect", "NoSchedule"}}});
  spec["priorityClassName"] = "batch-high";
  spec["priority"] = 100000;
  spec["enableServiceLinks"] = false;
  spec["preemptionPolicy"] = "PreemptLowerPriority";
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", std::move(metadata)},
          {"spec", std::move(spec)}};
}

Json large_review(const ReviewAccount& account, int variant, Rng& rng) {
  const std::string uid = random_uuid(rng);
  Json user = controller_user("job-controller", rng);
  return create_review(uid, account.ns, std::move(user), large_pod(account, variant, rng));
}

// ---------------------------------------------------------------------------------------------
// Putting the corpus together

// How a kind of review is made and how much of a mixed run it is. Each tiny or typical file
// weighs 4 and each large one 1, and only 2 large files join the mix, so large requests are about
// 3% of a mixed run (6% without typical): present, but rare, as in a real cluster.
struct KindSpec {
  std::string_view folder;
  Kind kind;
  Stream stream;
  Stream mixed_stream;
  int mixed_count;   // how many of the variants go into mixed/
  int mixed_weight;  // the weight of each of them in mixed/weights.txt
};

constexpr KindSpec kTinySpec{"tiny", Kind::tiny, Stream::tiny, Stream::mixed_tiny, 8, 4};
constexpr KindSpec kTypicalSpec{"typical", Kind::typical, Stream::typical, Stream::mixed_typical, 8,
                                4};
constexpr KindSpec kLargeSpec{"large", Kind::large, Stream::large, Stream::mixed_large, 2, 1};

struct KindReviews {
  const KindSpec& spec;
  std::vector<Json> reviews;
};

template <typename MakeReview>
KindReviews make_kind(const KindSpec& spec, const AccountPlan& plan, std::uint64_t seed,
                      MakeReview make_review) {
  KindReviews out{spec, {}};
  Rng rng = rng_for(seed, spec.stream);
  for (int variant = 0; variant < kVariantsPerKind; ++variant) {
    out.reviews.push_back(make_review(plan.for_review(spec.kind, variant), variant, rng));
  }
  return out;
}

std::string review_file_name(int variant) {
  return "review-" + two_digits(variant) + ".json";
}

void add_kind_files(const KindReviews& kind, std::vector<CorpusFile>& files) {
  for (std::size_t variant = 0; variant < kind.reviews.size(); ++variant) {
    files.push_back(
        {std::string(kind.spec.folder) + "/" + review_file_name(static_cast<int>(variant)),
         kind.reviews[variant].dump()});
  }
}

// mixed/ holds copies with uids of their own: every request in the corpus stays distinct, as
// every request the API server sends is.
void add_mixed_files(const std::vector<KindReviews>& kinds, std::uint64_t seed,
                     std::vector<CorpusFile>& files) {
  std::string weights;
  for (const KindReviews& kind : kinds) {
    Rng rng = rng_for(seed, kind.spec.mixed_stream);
    for (int variant = 0; variant < kind.spec.mixed_count; ++variant) {
      Json review = kind.reviews.at(static_cast<std::size_t>(variant));
      review["request"]["uid"] = random_uuid(rng);
      const std::string name = std::string(kind.spec.folder) + "-" + two_digits(variant) + ".json";
      files.push_back({"mixed/" + name, review.dump()});
      weights += name + " " + std::to_string(kind.spec.mixed_weight) + "\n";
    }
  }
  files.push_back({"mixed/weights.txt", std::move(weights)});
}

std::string readme(const CorpusOptions& options, bool with_typical) {
  std::string text = "Load-test corpus written by irsa-corpus (seed " +
                     std::to_string(options.seed) + ", " + std::to_string(options.account_count) +
                     " ServiceAccounts). Every .json file is the body of one admission.k8s.io/v1 "
                     "AdmissionReview for a pod CREATE, ready to POST to /mutate. "
                     "tiny/ holds 8 minimal pods of about 1 KB; ";
  text += with_typical
              ? "typical/ holds 8 variants of " + options.typical_review.string() +
                    " that differ only in uid, namespace and ServiceAccount, and typical-exact/ "
                    "an unchanged copy of that file, for comparison with a stored response; "
              : "typical/ and typical-exact/ were not written (no --typical file was given); ";
  text +=
      "large/ holds 8 pods of about 64 KB with 40 containers each. In each folder three of "
      "every four reviews name a ServiceAccount with an IAM role (the webhook patches the pod) "
      "and the fourth one without (allowed, no patch). mixed/ holds copies of those reviews with "
      "new uids, and weights.txt gives each file's relative weight (\"<file> <weight>\"), so that "
      "tiny and typical requests dominate and large ones are rare. service-accounts.yaml holds "
      "every ServiceAccount, for irsa-webhook --service-accounts (or kubectl apply, once the "
      "bench-ns-* namespaces exist).\n";
  return text;
}

std::string check_account_count(std::size_t count) {
  if (count < accounts_needed_by_reviews()) {
    return "--accounts " + std::to_string(count) + " is too few: the reviews name " +
           std::to_string(accounts_needed_by_reviews()) + " ServiceAccounts";
  }
  if (count > kMaxAccountCount) {
    return "--accounts " + std::to_string(count) + " is too many: at most " +
           std::to_string(kMaxAccountCount);
  }
  return {};
}

std::vector<CorpusFile> assemble(const CorpusOptions& options, const TypicalSource* typical) {
  const AccountPlan plan(options.account_count, options.seed);
  std::vector<KindReviews> kinds;
  kinds.push_back(make_kind(kTinySpec, plan, options.seed, tiny_review));
  if (typical != nullptr) {
    const auto make_typical = [typical](const ReviewAccount& account, int, Rng& rng) {
      return typical_review(typical->review, account, rng);
    };
    kinds.push_back(make_kind(kTypicalSpec, plan, options.seed, make_typical));
  }
  kinds.push_back(make_kind(kLargeSpec, plan, options.seed, large_review));

  std::vector<CorpusFile> files;
  for (const KindReviews& kind : kinds) add_kind_files(kind, files);
  if (typical != nullptr) files.push_back({"typical-exact/review.json", typical->bytes});
  add_mixed_files(kinds, options.seed, files);
  const auto exact = typical != nullptr ? account_of(typical->review) : std::nullopt;
  files.push_back({"service-accounts.yaml", service_accounts_yaml(plan, options.seed, exact)});
  files.push_back({"README.txt", readme(options, typical != nullptr)});
  return files;
}

std::string write_file(const std::filesystem::path& path, const std::string& content) {
  errno = 0;
  std::ofstream stream(path, std::ios::binary | std::ios::trunc);
  if (stream) stream.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (stream) stream.close();
  if (stream) return {};
  const int error = errno;
  std::string message = "cannot write " + path.string();
  if (error != 0) message += ": " + std::generic_category().message(error);
  return message;
}

}  // namespace

std::size_t accounts_needed_by_reviews() {
  return static_cast<std::size_t>(kKindCount * kVariantsPerKind);
}

CorpusBuild build_corpus(const CorpusOptions& options) {
  CorpusBuild build;
  build.error = check_account_count(options.account_count);
  if (!build.error.empty()) return build;
  try {
    TypicalSource typical;
    const bool with_typical = !options.typical_review.empty();
    if (with_typical) build.error = load_typical(options.typical_review, typical);
    if (!build.error.empty()) return build;
    build.files = assemble(options, with_typical ? &typical : nullptr);
  } catch (const std::exception& e) {
    build.files.clear();
    build.error = std::string("cannot build the corpus: ") + e.what();
  }
  return build;
}

std::string write_corpus(const std::vector<CorpusFile>& files,
                         const std::filesystem::path& out_dir) {
  try {
    for (const CorpusFile& file : files) {
      const std::filesystem::path path = out_dir / file.path;
      std::error_code ec;
      std::filesystem::create_directories(path.parent_path(), ec);
      if (ec) return "cannot create " + path.parent_path().string() + ": " + ec.message();
      std::string error = write_file(path, file.content);
      if (!error.empty()) return error;
    }
  } catch (const std::exception& e) {
    return std::string("cannot write the corpus: ") + e.what();
  }
  return {};
}

}  // namespace irsa::bench
