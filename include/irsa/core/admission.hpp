// The heart of the webhook: an AdmissionReview (bytes) in, a decision and the AdmissionReview
// response (bytes) out. No I/O, clocks or randomness of its own: entropy for token jitter is
// handed in, identities come through IdentitySource.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "irsa/core/decision.hpp"
#include "irsa/core/identity.hpp"
#include "irsa/core/role_policy.hpp"
#include "irsa/core/settings.hpp"

namespace irsa::core {

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
  // With a policy, the pod's role is checked against it: a violated rule in enforce mode yields
  // Result::forbidden, in audit mode a warning and the verdict in the decision.
  [[nodiscard]] Admission review(std::string_view body, const IdentitySource& identities,
                                 RequestEntropy entropy, Scratch& scratch,
                                 const RolePolicy* policy = nullptr) const;

  // The bytes review_in_place appends to a body for the time of the review.
  static constexpr std::size_t kBodyPadding = 64;

  // As review(), for a body the caller can lend: the JSON reader needs readable bytes after the
  // text, and review() copies the body into a buffer of its own to have them. Here they are
  // appended to `body` itself (kBodyPadding NULs, without reallocating when its capacity allows
  // for them) and taken off again before the call returns, so `body` is as it was.
  [[nodiscard]] Admission review_in_place(std::string& body, const IdentitySource& identities,
                                          RequestEntropy entropy, Scratch& scratch,
                                          const RolePolicy* policy = nullptr) const;

  struct Derived;

 private:
  // `body` is followed by kBodyPadding readable bytes, the first of them NUL.
  [[nodiscard]] Admission review_padded(std::string_view body, const IdentitySource& identities,
                                        RequestEntropy entropy, Scratch& scratch,
                                        const RolePolicy* policy) const;

  Settings settings_;
  std::unique_ptr<const Derived> derived_;
};

// One-shot form of Mutator::review, for callers that review a single body.
[[nodiscard]] Admission review_admission(std::string_view body, const Settings& settings,
                                         const IdentitySource& identities, RequestEntropy entropy,
                                         Scratch& scratch, const RolePolicy* policy = nullptr);

}  // namespace irsa::core
