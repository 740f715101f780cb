// The heart of the webhook: an AdmissionReview (bytes) in, a decision and the AdmissionReview
// response (bytes) out. No I/O, clocks or randomness of its own: entropy for token jitter is
// handed in, identities come through IdentitySource.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "irsa/core/identity.hpp"
#include "irsa/core/settings.hpp"

namespace irsa::core {

enum class Mode {
  none,
  web_identity,           // IRSA: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE
  container_credentials,  // EKS Pod Identity: AWS_CONTAINER_CREDENTIALS_FULL_URI + token file
};

enum class Result {
  mutated,      // the pod needed changes; the response carries a patch
  unchanged,    // the pod has an identity but already carries everything
  not_mutated,  // the pod has no identity (no role, or the ServiceAccount is unknown)
  denied,       // the request could not be understood; allowed:false with code 400
};

[[nodiscard]] std::string_view to_string(Mode mode) noexcept;
[[nodiscard]] std::string_view to_string(Result result) noexcept;

// Everything a log line, a metric or a retry decision needs to know about one admission.
struct Decision {
  Result result = Result::denied;
  Mode mode = Mode::none;
  std::string uid;
  std::string ns;
  std::string pod_name;  // metadata.name, or metadata.generateName when the name is empty
  std::string service_account;
  std::string role_arn;
  std::string user;
  std::string operation;
  bool dry_run = false;
  // The ServiceAccount was known neither to the store nor to the ConfigMap. A server with a
  // lookup grace period waits and asks again when this is set.
  bool service_account_missing = false;
  std::int64_t token_expiration = 0;  // of the volume added, 0 when none was added
  std::vector<std::string> mutated_containers;
  std::vector<std::string> skipped_containers;
  std::vector<std::string> warnings;
  std::string error;  // why the request was denied
};

struct Admission {
  Decision decision;
  std::string response;  // the AdmissionReview JSON to send back with HTTP 200
  std::string patch;     // the JSON Patch (also base64-encoded inside response); empty if none
};

// Per-request input that is not in the review: where the randomness for token jitter comes
// from. Any 64-bit value; the caller draws it (the core never reads a clock or an RNG).
struct RequestEntropy {
  std::uint64_t jitter = 0;
};

// Reusable per-thread scratch (parser state, buffers). Not thread-safe: give every worker
// thread its own, and reuse it across requests so that steady state allocates little.
class Scratch {
 public:
  Scratch();
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  Scratch(Scratch&&) noexcept;
  Scratch& operator=(Scratch&&) noexcept;

  struct State;
  [[nodiscard]] State& state() noexcept { return *state_; }

 private:
  std::unique_ptr<State> state_;
};

// Reviews AdmissionReview bodies under one Settings. Values that depend only on the settings
// (annotation keys, token file paths) are worked out once here instead of on every request.
// Immutable after construction: one Mutator serves every thread.
class Mutator {
 public:
  explicit Mutator(Settings settings);
  ~Mutator();
  Mutator(const Mutator&) = delete;
  Mutator& operator=(const Mutator&) = delete;
  Mutator(Mutator&&) noexcept;
  Mutator& operator=(Mutator&&) noexcept;

  [[nodiscard]] const Settings& settings() const noexcept { return settings_; }

  // Never throws on bad input: malformed JSON, a review without a request, or an object that
  // is not a Pod yield Result::denied with a message.
  [[nodiscard]] Admission review(std::string_view body, const IdentitySource& identities,
                                 RequestEntropy entropy, Scratch& scratch) const;

  struct Derived;

 private:
  Settings settings_;
  std::unique_ptr<const Derived> derived_;
};

// One-shot form of Mutator::review, for callers that review a single body.
[[nodiscard]] Admission review_admission(std::string_view body, const Settings& settings,
                                         const IdentitySource& identities, RequestEntropy entropy,
                                         Scratch& scratch);

}  // namespace irsa::core
