// Turns one of upstream's pod fixtures into the world it describes: settings (flags), a
// ServiceAccount default/default with synthesised annotations, the Pod Identity association,
// and the expected patch. Follows ../shared/conformance/README.md.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "irsa/core/identity_sources.hpp"
#include "irsa/core/settings.hpp"
#include "support/reviews.hpp"

namespace irsa::testing {

struct FixtureWorld {
  std::string name;
  bool skip = false;
  nlohmann::json pod;             // namespace and serviceAccountName forced to default
  nlohmann::json expected_patch;  // upstream's JSON Patch
  core::Settings settings;
  core::Annotations service_account_annotations;
  bool container_credentials = false;
  std::vector<std::string> cli_flags;  // the same settings as irsa-webhook mutate flags
};

[[nodiscard]] std::filesystem::path upstream_fixture_dir();
[[nodiscard]] std::vector<std::filesystem::path> upstream_fixture_files();
[[nodiscard]] FixtureWorld load_fixture(const std::filesystem::path& file);

// Drops what Go's typed round trip adds or removes without meaning: keys whose value is null,
// and "resources": {}.
[[nodiscard]] nlohmann::json without_round_trip_artifacts(nlohmann::json value);

// Compares the pod from applying upstream's patch with ours. Ours may keep a field upstream
// dropped only when that field was in the input pod at the same place. Returns "" when they
// match, otherwise where they first differ.
[[nodiscard]] std::string compare_pods(const nlohmann::json& upstream, const nlohmann::json& ours,
                                       const nlohmann::json& input);

}  // namespace irsa::testing
