// Runs Mutator::review on the shared typical review a given number of times, for callgrind:
// scripts/core-instructions.sh runs it at two counts and divides the difference, which leaves
// the instructions of one steady-state review (warm-up and start-up cancel out). Instruction
// counts do not vary from run to run as times do, so they show what a change costs.
//
//   core_instructions CASE COUNT
//   CASE: plain     the typical review, no role policy (the drop-in default)
//         policy    the same with a three-rule role policy whose second rule admits the pod
//         audit     the same policy, but the pod's role breaks its rule (audit mode: warning)
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "irsa/core/admission.hpp"
#include "irsa/core/identity_sources.hpp"

#ifndef IRSA_TYPICAL_REVIEW_PATH
#define IRSA_TYPICAL_REVIEW_PATH "../shared/bench/typical-review.json"
#endif

namespace {

using namespace irsa::core;

// What core_bench's BM_TypicalReview uses: region and regional STS injected, the pod's account
// shop/checkout-api names a role.
Settings bench_settings() {
  Settings settings;
  settings.aws_default_region = "us-west-2";
  settings.sts_regional_endpoint = true;
  return settings;
}

// A policy as a platform team would write it: the platform's namespaces locked to platform
// roles, team namespaces to roles named after them (or the team's shared role), the rest open.
RolePolicy bench_policy() {
  PolicyRule platform;
  platform.name = "platform";
  platform.namespaces = {"kube-*", "platform-*"};
  platform.allowed_roles = {"arn:aws:iam::111122223333:role/platform-*"};
  platform.mode = PolicyMode::enforce;
  PolicyRule team;
  team.name = "team-roles";
  team.namespaces = {"shop", "shop-*"};
  team.allowed_roles = {"arn:aws:iam::111122223333:role/{namespace}-*",
                        "arn:aws:iam::111122223333:role/checkout"};
  team.allowed_accounts = {"111122223333"};
  team.max_service_accounts_per_role = 5;
  team.mode = PolicyMode::audit;
  PolicyRule rest;
  rest.name = "everyone-else";
  rest.allowed_roles = {"*"};
  RolePolicy policy;
  policy.rules = {platform, team, rest};
  return policy;
}

[[gnu::noinline]] std::size_t run_reviews(const Mutator& mutator, std::string_view body,
                                          const IdentitySource& identities,
                                          const RolePolicy* policy, long count) {
  Scratch scratch;
  // As the server holds a body: with room for the reader's padding, reviewed in place.
  std::string lent;
  lent.reserve(body.size() + Mutator::kBodyPadding);
  lent.assign(body);
  std::size_t bytes = 0;
  for (long i = 0; i < count; ++i) {
    bytes += mutator.review_in_place(lent, identities, {0x9e3779b97f4a7c15ULL}, scratch, policy)
                 .response.size();
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: core_instructions plain|policy|audit COUNT\n";
    return 2;
  }
  const std::string_view which = argv[1];
  const long count = std::strtol(argv[2], nullptr, 10);
  if ((which != "plain" && which != "policy" && which != "audit") || count <= 0) {
    std::cerr << "core_instructions: unknown case or count\n";
    return 2;
  }
  const char* path = std::getenv("IRSA_BENCH_TYPICAL_REVIEW");
  std::ifstream file(path != nullptr && *path != '\0' ? path : IRSA_TYPICAL_REVIEW_PATH,
                     std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  const std::string body = std::move(text).str();
  if (body.empty()) {
    std::cerr << "core_instructions: cannot read the typical review\n";
    return 1;
  }

  const Settings settings = bench_settings();
  const std::string role = which == "audit" ? "arn:aws:iam::111122223333:role/billing-admin"
                                            : "arn:aws:iam::111122223333:role/checkout";
  StaticIdentities identities;
  identities.add_service_account(
      "shop", "checkout-api",
      entry_from_service_account(Annotations{{"eks.amazonaws.com/role-arn", role}}, settings));
  const RolePolicy policy = bench_policy();
  const Mutator mutator(settings);

  // The case must take the path it names; a silent change of path would measure the wrong thing.
  Scratch check;
  const Admission admission =
      mutator.review(body, identities, {0}, check, which == "plain" ? nullptr : &policy);
  const bool warned = !admission.decision.policy_rule.empty();
  if (admission.decision.result != Result::mutated || warned != (which == "audit")) {
    std::cerr << "core_instructions: the review took another path ("
              << to_string(admission.decision.result) << ")\n";
    return 1;
  }
  const std::size_t bytes =
      run_reviews(mutator, body, identities, which == "plain" ? nullptr : &policy, count);
  std::cout << which << ": " << count << " reviews, " << bytes << " response bytes\n";
  return 0;
}
