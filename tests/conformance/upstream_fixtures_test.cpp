// The 24 upstream pod fixtures, run through the core and through `irsa-webhook mutate`: the
// pod our patch produces must equal the pod upstream's patch produces (README of the corpus).
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "conformance/fixture_world.hpp"
#include "irsa/core/admission.hpp"
#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::testing {
namespace {

class UpstreamFixture : public ::testing::TestWithParam<std::filesystem::path> {};

core::StaticIdentities identities_for(const FixtureWorld& world) {
  core::StaticIdentities identities;
  identities.add_service_account(
      "default", "default",
      core::entry_from_service_account(world.service_account_annotations, world.settings));
  if (world.container_credentials) identities.add_container_credentials("default", "default");
  return identities;
}

// Runs the core on pod in the fixture's world (ServiceAccount default/default).
core::Admission run_core(const FixtureWorld& world, const core::StaticIdentities& identities,
                         const nlohmann::json& pod, core::Scratch& scratch) {
  return core::review_admission(review_for_pod(pod, "default"), world.settings, identities, {},
                                scratch);
}

TEST(UpstreamCorpus, HasAllTwentyFourFixtures) {
  auto files = upstream_fixture_files();
  if (files.empty()) GTEST_SKIP() << "no corpus at " << upstream_fixture_dir();
  EXPECT_EQ(files.size(), 24u);
}

TEST_P(UpstreamFixture, CoreGivesTheSamePodAsUpstream) {
  FixtureWorld world = load_fixture(GetParam());
  if (world.skip) GTEST_SKIP() << world.name << " is marked skip";
  auto identities = identities_for(world);
  core::Scratch scratch;
  auto admission = run_core(world, identities, world.pod, scratch);
  ASSERT_NE(admission.decision.result, core::Result::denied) << admission.decision.error;

  nlohmann::json upstream_pod = world.pod.patch(world.expected_patch);
  nlohmann::json our_pod = apply_patch(world.pod, admission.patch);
  EXPECT_EQ(compare_pods(upstream_pod, our_pod, world.pod), "")
      << world.name << "\nours: " << admission.patch;
}

// The binary the command-line cases run: the build's own, or IRSA_WEBHOOK_UNDER_TEST (a program
// that runs another build of it, such as the arm64 binary under qemu: scripts/check-arm64.sh).
std::string webhook_under_test() {
  const char* other = std::getenv("IRSA_WEBHOOK_UNDER_TEST");
  return other != nullptr && *other != '\0' ? other : IRSA_WEBHOOK_BINARY;
}

TEST_P(UpstreamFixture, CommandLineGivesTheSamePodAsUpstream) {
  FixtureWorld world = load_fixture(GetParam());
  if (world.skip) GTEST_SKIP() << world.name << " is marked skip";
  const ScratchDir dir("irsa-conformance");
  const std::string pod_file = dir.write("pod.json", world.pod.dump());
  nlohmann::json sa = {{"apiVersion", "v1"},
                       {"kind", "ServiceAccount"},
                       {"metadata",
                        {{"name", "default"},
                         {"namespace", "default"},
                         {"annotations", world.service_account_annotations}}}};
  const std::string sa_file = dir.write("sa.json", sa.dump());

  std::vector<std::string> args = {"mutate", "--pod=" + pod_file, "--service-account=" + sa_file,
                                   "--output=patch"};
  args.insert(args.end(), world.cli_flags.begin(), world.cli_flags.end());
  if (world.container_credentials) {
    const std::string cc_file =
        dir.write("pod-identity.json",
                  R"({"identities":[{"namespace":"default","serviceAccount":"default"}]})");
    args.push_back("--watch-container-credentials-config=" + cc_file);
  }
  auto result = run_process(webhook_under_test(), args);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json patch = nlohmann::json::parse(result.out);
  ASSERT_TRUE(patch.is_array());
  nlohmann::json upstream_pod = world.pod.patch(world.expected_patch);
  nlohmann::json our_pod = world.pod.patch(patch);
  EXPECT_EQ(compare_pods(upstream_pod, our_pod, world.pod), "") << world.name;
}

TEST_P(UpstreamFixture, MutatingTheResultChangesNothing) {
  FixtureWorld world = load_fixture(GetParam());
  if (world.skip) GTEST_SKIP() << world.name << " is marked skip";
  auto identities = identities_for(world);
  core::Scratch scratch;
  auto first = run_core(world, identities, world.pod, scratch);
  ASSERT_NE(first.decision.result, core::Result::denied) << first.decision.error;
  auto second = run_core(world, identities, apply_patch(world.pod, first.patch), scratch);
  EXPECT_EQ(second.patch, "") << world.name;
  EXPECT_NE(second.decision.result, core::Result::mutated);
}

// The SHA-256 of each fixture's response, recorded with the core before the features beyond
// upstream came (a digest, so that no text of the fixtures is copied into this tree). Without
// their flags and annotations those features must change no byte of any answer.
std::map<std::string, std::string> recorded_digests() {
  std::map<std::string, std::string> digests;
  std::ifstream file(std::filesystem::path(IRSA_SOURCE_DIR) / "tests" / "conformance" /
                     "response-digests.txt");
  std::string name;
  std::string digest;
  while (file >> name) {
    if (name.starts_with('#')) {
      std::getline(file, digest);
      continue;
    }
    file >> digest;
    digests[name] = digest;
  }
  return digests;
}

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    constexpr std::string_view kHex = "0123456789abcdef";
    hex.push_back(kHex[digest[i] >> 4U]);
    hex.push_back(kHex[digest[i] & 0xFU]);
  }
  return hex;
}

// A fixture's path as a test name: its path under the corpus, every other character an '_'.
std::string fixture_name(const std::filesystem::path& file) {
  std::string name = std::filesystem::relative(file, upstream_fixture_dir()).string();
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

TEST_P(UpstreamFixture, ResponseIsByteForByteTheRecordedOne) {
  FixtureWorld world = load_fixture(GetParam());
  if (world.skip) GTEST_SKIP() << world.name << " is marked skip";
  auto identities = identities_for(world);
  core::Scratch scratch;
  const auto admission = run_core(world, identities, world.pod, scratch);
  const std::string name = fixture_name(GetParam());
  if (std::getenv("IRSA_PRINT_RESPONSE_DIGESTS") != nullptr) {
    std::cout << name << ' ' << sha256_hex(admission.response) << '\n';
    GTEST_SKIP() << "printed";
  }
  const auto digests = recorded_digests();
  const auto recorded = digests.find(name);
  ASSERT_NE(recorded, digests.end()) << "no recorded digest for " << name;
  EXPECT_EQ(sha256_hex(admission.response), recorded->second) << world.name;
}

std::string fixture_test_name(const ::testing::TestParamInfo<std::filesystem::path>& info) {
  return fixture_name(info.param);
}

INSTANTIATE_TEST_SUITE_P(Upstream, UpstreamFixture, ::testing::ValuesIn(upstream_fixture_files()),
                         fixture_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(UpstreamFixture);

}  // namespace
}  // namespace irsa::testing
