// Micro-benchmarks of irsa::core::Mutator::review: request bytes in, response bytes out, on one
// thread with a reused Scratch, which is how every server worker calls it. Nothing here touches
// the network or the stores, so the numbers are the core's own cost per admission.
//
// Cases:
//   BM_TypicalReview      the shared 5.7 KB review of a Deployment pod whose ServiceAccount has a
//                         role: parse, plan, patch JSON, base64, response JSON.
//   BM_GeneratedPod/N     pods with N realistic containers (~1.6 KB each), to show that the cost
//                         grows linearly with the body and not with anything worse.
//   BM_NotMutated         the same review when the ServiceAccount has no role, which is what
//                         most pods in a cluster look like.
//   BM_Denied             a truncated body, the error path (exceptions inside the reader).
//
// Every case first runs the review once and checks the result, so a change in Settings or in
// the input that silently moves the benchmark onto another path is reported, not timed.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "irsa/core/admission.hpp"
#include "irsa/core/identity_sources.hpp"
#include "irsa/core/settings.hpp"

#ifndef IRSA_TYPICAL_REVIEW_PATH
#define IRSA_TYPICAL_REVIEW_PATH "../shared/bench/typical-review.json"
#endif

// ---------------------------------------------------------------------------------------------
// Allocation counting. Scratch exists so that steady state allocates little; counting every
// global operator new on this thread lets each case report allocations per review next to its
// time, so a change that adds per-request heap traffic shows up even when the timer is noisy.
// A thread_local increment costs about a nanosecond per allocation, well below the noise.
namespace {
thread_local std::uint64_t t_allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  ++t_allocations;
  if (void* pointer = std::malloc(size == 0 ? 1 : size)) return pointer;
  throw std::bad_alloc();
}
// GCC inlines the replaced operator new into callers, sees malloc paired with the free below
// and reports a new/free mismatch; for a replacement pair that is exactly what is intended.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* pointer) noexcept {
  std::free(pointer);
}
void operator delete(void* pointer, std::size_t) noexcept {
  std::free(pointer);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace {

using irsa::core::Admission;
using irsa::core::Annotations;
using irsa::core::RequestEntropy;
using irsa::core::Result;
using irsa::core::Scratch;
using irsa::core::Settings;
using irsa::core::StaticIdentities;
// ordered_json keeps keys in insertion order, so generated reviews list fields the way the API
// server (Go struct order) does instead of alphabetically.
using Json = nlohmann::ordered_json;

constexpr const char* kNamespace = "shop";
constexpr const char* kServiceAccount = "checkout-api";
constexpr const char* kRoleArn = "arn:aws:iam::111122223333:role/checkout";

// The jitter only matters for EKS Pod Identity tokens; a fixed value keeps runs comparable.
constexpr RequestEntropy kEntropy{0x9e3779b97f4a7c15ULL};

// ---------------------------------------------------------------------------------------------
// Inputs shared by all cases, built once.

// A realistic cluster configuration: a default region is injected and STS is regional.
struct World {
  Settings settings;
  StaticIdentities with_role;     // shop/checkout-api carries eks.amazonaws.com/role-arn
  StaticIdentities without_role;  // shop/checkout-api exists but names no role

  World() {
    settings.aws_default_region = "us-west-2";
    settings.sts_regional_endpoint = true;
    with_role.add_service_account(
        kNamespace, kServiceAccount,
        entry_from_service_account(Annotations{{"eks.amazonaws.com/role-arn", kRoleArn}},
                                   settings));
    // A known account without the annotation: the store has it, so this is the plain "no role"
    // path, not the "ServiceAccount missing" one that a server would retry after a grace period.
    without_role.add_service_account(
        kNamespace, kServiceAccount,
        entry_from_service_account(Annotations{{"app.kubernetes.io/name", "checkout-api"}},
                                   settings));
  }
};

const World& world() {
  static const World instance;
  return instance;
}

std::string typical_review_path() {
  if (const char* override_path = std::getenv("IRSA_BENCH_TYPICAL_REVIEW")) {
    if (*override_path != '\0') return override_path;
  }
  return IRSA_TYPICAL_REVIEW_PATH;
}

// The shared typical review, read once. error is set (and text empty) when it cannot be read.
struct TypicalReview {
  std::string text;
  std::string error;
};

const TypicalReview& typical_review() {
  static const TypicalReview loaded = [] {
    TypicalReview result;
    const std::string path = typical_review_path();
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      result.error = "benchmark input not found: " + path +
                     " (set IRSA_BENCH_TYPICAL_REVIEW or provide ../shared/bench)";
      return result;
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    result.text = std::move(contents).str();
    if (result.text.empty()) result.error = "benchmark input is empty: " + path;
    return result;
  }();
  return loaded;
}

// Runs the review once outside the timed loop and checks that it takes the intended path.
// Returns false (after marking the benchmark skipped) when it does not.
bool check_result(benchmark::State& state, std::string_view body,
                  const StaticIdentities& identities, Result expected) {
  Scratch scratch;
  const Admission admission =
      review_admission(body, world().settings, identities, kEntropy, scratch);
  if (admission.decision.result == expected) return true;
  const std::string message = "expected " + std::string(to_string(expected)) + ", got " +
                              std::string(to_string(admission.decision.result)) +
                              (admission.decision.error.empty() ? "" : ": ") +
                              admission.decision.error;
  state.SkipWithError(message.c_str());
  return false;
}

// The timed loop shared by all cases. The Admission is built and destroyed inside the loop on
// purpose: a server does the same per request, and its strings are part of the cost.
void run_reviews(benchmark::State& state, std::string_view body,
                 const StaticIdentities& identities) {
  // One Mutator for the whole run, as the server builds one at start-up.
  const irsa::core::Mutator mutator(world().settings);
  Scratch scratch;  // reused across iterations, as each server worker thread reuses its own
  // The body as the server holds it: read with room for the reader's padding after it, and
  // reviewed in place.
  std::string lent;
  lent.reserve(body.size() + irsa::core::Mutator::kBodyPadding);
  lent.assign(body);
  std::size_t response_bytes = 0;
  const std::uint64_t allocations_before = t_allocations;
  for (auto _ : state) {
    Admission admission = mutator.review_in_place(lent, identities, kEntropy, scratch);
    response_bytes = admission.response.size();
    benchmark::DoNotOptimize(admission);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(body.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["body_bytes"] = static_cast<double>(body.size());
  state.counters["response_bytes"] = static_cast<double>(response_bytes);
  state.counters["allocs"] = static_cast<double>(t_allocations - allocations_before) /
                             static_cast<double>(state.iterations());
}

// ---------------------------------------------------------------------------------------------
// Generated pods.

// One container as a Deployment would render it: image, args, ports, six env vars (three of
// them valueFrom), resources, both probes, mounts and a restricted security context. About
// 1.6 KB of JSON each, so 40 of them make a review of roughly 64 KB.
Json make_container(int index) {
  const std::string name = "worker-" + std::to_string(index);
  const std::string image = "registry.example.com/shop/" + name + ":2.14." + std::to_string(index);
  const Json http_probe = {{"path", "/healthz"}, {"port", "http"}, {"scheme", "HTTP"}};
  return {
      {"name", name},
      {"image", image},
      {"args", Json::array({"--listen=:8080", "--metrics=:9090"})},
      {"ports", Json::array({
                    {{"name", "http"}, {"containerPort", 8080}, {"protocol", "TCP"}},
                    {{"name", "metrics"}, {"containerPort", 9090}, {"protocol", "TCP"}},
                })},
      {"env",
       Json::array({
           {{"name", "LOG_LEVEL"}, {"value", "info"}},
           {{"name", "DB_HOST"}, {"value", "postgres.shop.svc"}},
           {{"name", "DB_PASSWORD"},
            {"valueFrom", {{"secretKeyRef", {{"name", name + "-db"}, {"key", "password"}}}}}},
           {{"name", "POD_NAME"},
            {"valueFrom", {{"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", "metadata.name"}}}}}},
           {{"name", "FEATURE_FLAGS"},
            {"valueFrom", {{"configMapKeyRef", {{"name", "shop-features"}, {"key", "flags"}}}}}},
           {{"name", "OTEL_EXPORTER_OTLP_ENDPOINT"},
            {"value", "http://otel-collector.observability:4317"}},
       })},
      {"resources",
       {{"limits", {{"cpu", "1"}, {"memory", "512Mi"}}},
        {"requests", {{"cpu", "250m"}, {"memory", "256Mi"}}}}},
      {"volumeMounts", Json::array({
                           {{"name", "config"}, {"mountPath", "/etc/" + name}},
                           {{"name", "tmp"}, {"mountPath", "/tmp"}},
                           {{"name", "kube-api-access-x7k2p"},
                            {"readOnly", true},
                            {"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"}},
                       })},
      {"livenessProbe",
       {{"httpGet", http_probe},
        {"initialDelaySeconds", 10},
        {"timeoutSeconds", 1},
        {"periodSeconds", 10},
        {"successThreshold", 1},
        {"failureThreshold", 3}}},
      {"readinessProbe",
       {{"httpGet", {{"path", "/ready"}, {"port", "http"}, {"scheme", "HTTP"}}},
        {"timeoutSeconds", 1},
        {"periodSeconds", 5},
        {"successThreshold", 1},
        {"failureThreshold", 3}}},
      {"terminationMessagePath", "/dev/termination-log"},
      {"terminationMessagePolicy", "File"},
      {"imagePullPolicy", "IfNotPresent"},
      {"securityContext",
       {{"capabilities", {{"drop", Json::array({"ALL"})}}},
        {"runAsNonRoot", true},
        {"readOnlyRootFilesystem", true},
        {"allowPrivilegeEscalation", false}}},
  };
}

// A complete AdmissionReview (compact, as the API server sends it) for a CREATE of a pod with
// the given number of containers in shop/checkout-api.
std::string generated_review(int containers) {
  Json list = Json::array();
  for (int i = 0; i < containers; ++i) list.push_back(make_container(i));
  const Json pod = {
      {"kind", "Pod"},
      {"apiVersion", "v1"},
      {"metadata",
       {{"generateName", "checkout-batch-5c8d7f9b4-"},
        {"namespace", kNamespace},
        {"labels", {{"app.kubernetes.io/name", "checkout-batch"}, {"team", "payments"}}},
        {"annotations", {{"prometheus.io/scrape", "true"}, {"prometheus.io/port", "9090"}}},
        {"ownerReferences", Json::array({{{"apiVersion", "apps/v1"},
                                          {"kind", "ReplicaSet"},
                                          {"name", "checkout-batch-5c8d7f9b4"},
                                          {"uid", "0f4e2a51-8c3b-4d7e-9f10-2a3b4c5d6e7f"},
                                          {"controller", true},
                                          {"blockOwnerDeletion", true}}})}}},
      {"spec",
       {{"volumes",
         Json::array({
             {{"name", "config"}, {"configMap", {{"name", "checkout-config"}}}},
             {{"name", "tmp"}, {"emptyDir", Json::object()}},
             {{"name", "kube-api-access-x7k2p"},
              {"projected",
               {{"sources", Json::array({{{"serviceAccountToken",
                                           {{"expirationSeconds", 3607}, {"path", "token"}}}}})},
                {"defaultMode", 420}}}},
         })},
        {"containers", list},
        {"restartPolicy", "Always"},
        {"dnsPolicy", "ClusterFirst"},
        {"serviceAccountName", kServiceAccount},
        {"serviceAccount", kServiceAccount},
        {"securityContext", {{"fsGroup", 65534}}},
        {"schedulerName", "default-scheduler"}}},
  };
  const Json review = {
      {"kind", "AdmissionReview"},
      {"apiVersion", "admission.k8s.io/v1"},
      {"request",
       {{"uid", "2b7c4f1e-9d3a-4c8b-a6e5-1f0d9c8b7a6e"},
        {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
        {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
        {"namespace", kNamespace},
        {"operation", "CREATE"},
        {"userInfo",
         {{"username", "system:serviceaccount:kube-system:replicaset-controller"},
          {"groups", Json::array({"system:serviceaccounts", "system:authenticated"})}}},
        {"object", pod},
        {"oldObject", nullptr},
        {"dryRun", false},
        {"options", {{"kind", "CreateOptions"}, {"apiVersion", "meta.k8s.io/v1"}}}}},
  };
  return review.dump();
}

// ---------------------------------------------------------------------------------------------
// The cases.

void BM_TypicalReview(benchmark::State& state) {
  const TypicalReview& input = typical_review();
  if (!input.error.empty()) {
    state.SkipWithError(input.error.c_str());
    return;
  }
  if (!check_result(state, input.text, world().with_role, Result::mutated)) return;
  run_reviews(state, input.text, world().with_role);
}
BENCHMARK(BM_TypicalReview);

void BM_GeneratedPod(benchmark::State& state) {
  const auto containers = static_cast<int>(state.range(0));
  const std::string body = generated_review(containers);  // setup, not timed
  if (!check_result(state, body, world().with_role, Result::mutated)) return;
  run_reviews(state, body, world().with_role);
  // Fit against the body size rather than the container count: linear in bytes is the claim.
  state.SetComplexityN(static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_GeneratedPod)
    ->ArgName("containers")
    ->Arg(1)
    ->Arg(5)
    ->Arg(10)
    ->Arg(20)
    ->Arg(40)
    ->Complexity(benchmark::oN);

void BM_NotMutated(benchmark::State& state) {
  const TypicalReview& input = typical_review();
  if (!input.error.empty()) {
    state.SkipWithError(input.error.c_str());
    return;
  }
  if (!check_result(state, input.text, world().without_role, Result::not_mutated)) return;
  run_reviews(state, input.text, world().without_role);
}
BENCHMARK(BM_NotMutated);

void BM_Denied(benchmark::State& state) {
  const TypicalReview& input = typical_review();
  if (!input.error.empty()) {
    state.SkipWithError(input.error.c_str());
    return;
  }
  // Cut mid-document (inside the pod spec): the reader has done real work before it fails,
  // as with a body cut short by a broken proxy.
  const std::string truncated = input.text.substr(0, input.text.size() / 2);
  if (!check_result(state, truncated, world().with_role, Result::denied)) return;
  run_reviews(state, truncated, world().with_role);
}
BENCHMARK(BM_Denied);

}  // namespace

// Our own main so the report's context names the input file actually used.
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("typical_review", typical_review_path());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
