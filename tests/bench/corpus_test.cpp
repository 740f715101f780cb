// irsa-corpus: the files it writes, read back as a load generator and the webhook would read
// them, and the program itself run as a user runs it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "irsa/core/settings.hpp"
#include "irsa/store/identity_files.hpp"
#include "review_generator.hpp"
#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::string_view kRoleArnPrefix = "arn:aws:iam::111122223333:role/";
constexpr std::size_t kSmallAccountCount = 500;  // enough accounts, fast to load

std::string shared_typical() {
  return std::string(IRSA_SHARED_DIR) + "/bench/typical-review.json";
}

std::string read_bytes(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

// Every file under dir: its path relative to dir, and its bytes.
std::map<std::string, std::string> read_tree(const fs::path& dir) {
  std::map<std::string, std::string> tree;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      tree[fs::relative(entry.path(), dir).generic_string()] = read_bytes(entry.path());
    }
  }
  return tree;
}

// The .json files directly in folder, by name.
std::vector<fs::path> json_files(const fs::path& folder) {
  std::vector<fs::path> files;
  if (!fs::is_directory(folder)) return files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// "review-06.json" -> 6.
int variant_of(const fs::path& file) {
  return std::stoi(file.stem().string().substr(std::string("review-").size()));
}

bool is_one_line(const std::string& text) {
  return !text.empty() && text.back() == '\n' && std::count(text.begin(), text.end(), '\n') == 1;
}

class Corpus : public ::testing::Test {
 protected:
  static bench::CorpusOptions options(std::size_t accounts = kSmallAccountCount,
                                      bool with_typical = true) {
    bench::CorpusOptions options;
    options.account_count = accounts;
    if (with_typical && fs::exists(shared_typical())) options.typical_review = shared_typical();
    return options;
  }

  // Builds and writes a corpus with the library; ADD_FAILURE on any error.
  static fs::path write(const bench::CorpusOptions& options, const fs::path& out) {
    const bench::CorpusBuild build = bench::build_corpus(options);
    if (!build.error.empty()) ADD_FAILURE() << "build_corpus: " << build.error;
    const std::string error = bench::write_corpus(build.files, out);
    if (!error.empty()) ADD_FAILURE() << "write_corpus: " << error;
    return out;
  }
  fs::path generate(const bench::CorpusOptions& options, const std::string& name = "corpus") {
    return write(options, dir_.path(name));
  }

  // The corpus of the default options, written once for the suite, for the tests that only read
  // it (each write takes about 0.4 s under AddressSanitizer).
  static void SetUpTestSuite() {
    suite_dir_ = std::make_unique<ScratchDir>("irsa-corpus-suite");
    default_corpus_ = write(options(), suite_dir_->path("corpus"));
  }
  static void TearDownTestSuite() { suite_dir_.reset(); }
  static const fs::path& default_corpus() { return default_corpus_; }

  ScratchDir dir_{"irsa-corpus"};
  static inline std::unique_ptr<ScratchDir> suite_dir_;
  static inline fs::path default_corpus_;
};

TEST_F(Corpus, WritesEightVariantsOfEachKind) {
  const fs::path& out = default_corpus();
  EXPECT_EQ(json_files(out / "tiny").size(), 8U);
  EXPECT_EQ(json_files(out / "large").size(), 8U);
  if (fs::exists(shared_typical())) {
    EXPECT_EQ(json_files(out / "typical").size(), 8U);
    EXPECT_TRUE(fs::is_regular_file(out / "typical-exact" / "review.json"));
  }
  for (const auto& variant : json_files(out / "tiny")) {
    EXPECT_TRUE(fs::exists(out / "large" / variant.filename())) << variant;
  }
  EXPECT_TRUE(fs::is_regular_file(out / "mixed" / "weights.txt"));
  EXPECT_TRUE(fs::is_regular_file(out / "service-accounts.yaml"));
  EXPECT_TRUE(fs::is_regular_file(out / "README.txt"));
}

TEST_F(Corpus, TinyReviewsAreAboutOneKilobyte) {
  const fs::path& out = default_corpus();
  for (const auto& file : json_files(out / "tiny")) {
    const auto size = fs::file_size(file);
    EXPECT_GE(size, 800U) << file;
    EXPECT_LE(size, 1300U) << file;
  }
}

TEST_F(Corpus, LargeReviewsAreAboutSixtyFourKilobytes) {
  const fs::path& out = default_corpus();
  for (const auto& file : json_files(out / "large")) {
    const auto size = fs::file_size(file);
    EXPECT_GE(size, 56U * 1024U) << file;
    EXPECT_LE(size, 72U * 1024U) << file;
  }
}

// The random parts (env counts, versions, names) must not push any seed out of range either.
TEST_F(Corpus, SizesStayInRangeForOtherSeeds) {
  for (std::uint64_t seed : {2ULL, 3ULL, 17ULL, 4242ULL, 18446744073709551615ULL}) {
    bench::CorpusOptions options = Corpus::options(bench::accounts_needed_by_reviews(), false);
    options.seed = seed;
    const bench::CorpusBuild build = bench::build_corpus(options);
    ASSERT_EQ(build.error, "");
    for (const auto& file : build.files) {
      if (file.path.starts_with("tiny/")) {
        EXPECT_GE(file.content.size(), 800U) << file.path << " seed " << seed;
        EXPECT_LE(file.content.size(), 1300U) << file.path << " seed " << seed;
      } else if (file.path.starts_with("large/")) {
        EXPECT_GE(file.content.size(), 56U * 1024U) << file.path << " seed " << seed;
        EXPECT_LE(file.content.size(), 72U * 1024U) << file.path << " seed " << seed;
      }
    }
  }
}

TEST_F(Corpus, EveryReviewIsAnAdmissionReviewV1WithItsOwnUid) {
  const fs::path& out = default_corpus();
  std::set<std::string> uids;
  std::size_t reviews = 0;
  for (const auto& folder : {"tiny", "typical", "typical-exact", "large", "mixed"}) {
    for (const auto& file : json_files(out / folder)) {
      SCOPED_TRACE(file.string());
      const json review = json::parse(read_bytes(file), nullptr, false);
      ASSERT_FALSE(review.is_discarded());
      EXPECT_EQ(review.value("apiVersion", ""), "admission.k8s.io/v1");
      EXPECT_EQ(review.value("kind", ""), "AdmissionReview");
      const json& request = review.at("request");
      EXPECT_EQ(request.at("operation"), "CREATE");
      EXPECT_EQ(request.at("kind"), json({{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}));
      EXPECT_EQ(request.at("object").at("kind"), "Pod");
      const std::string uid = request.at("uid").get<std::string>();
      EXPECT_TRUE(uids.insert(uid).second) << "uid used twice: " << uid;
      ++reviews;
    }
  }
  EXPECT_EQ(reviews, fs::exists(shared_typical()) ? 8U + 8U + 1U + 8U + 18U : 8U + 8U + 10U);
}

TEST_F(Corpus, TinyReviewIsAMinimalPodCreate) {
  const fs::path& out = default_corpus();
  for (const auto& file : json_files(out / "tiny")) {
    SCOPED_TRACE(file.string());
    const json request = json::parse(read_bytes(file)).at("request");
    const json pod_resource = {{"group", ""}, {"version", "v1"}, {"resource", "pods"}};
    EXPECT_EQ(request.at("resource"), pod_resource);
    EXPECT_EQ(request.at("requestResource"), pod_resource);
    EXPECT_EQ(request.at("requestKind"), request.at("kind"));
    EXPECT_TRUE(request.at("userInfo").at("username").is_string());
    EXPECT_EQ(request.at("dryRun"), false);
    EXPECT_EQ(request.at("options").at("kind"), "CreateOptions");
    // A v4 UUID: 8-4-4-4-12 lowercase hex.
    const std::string uid = request.at("uid").get<std::string>();
    ASSERT_EQ(uid.size(), 36U);
    EXPECT_EQ(uid[8], '-');
    EXPECT_EQ(uid[14], '4');
    EXPECT_EQ(uid.find_first_not_of("0123456789abcdef-"), std::string::npos);

    const json& pod = request.at("object");
    EXPECT_EQ(pod.at("metadata").at("namespace"), request.at("namespace"));
    EXPECT_TRUE(pod.at("metadata").at("generateName").is_string());
    EXPECT_FALSE(pod.at("metadata").at("labels").empty());
    EXPECT_TRUE(pod.at("spec").at("serviceAccountName").is_string());
    const json& containers = pod.at("spec").at("containers");
    ASSERT_EQ(containers.size(), 1U);
    EXPECT_TRUE(containers[0].at("image").is_string());
    EXPECT_TRUE(containers[0].at("resources").at("requests").contains("memory"));
  }
}

TEST_F(Corpus, LargeReviewsAreFortyFullySpecifiedContainers) {
  const fs::path& out = default_corpus();
  for (const auto& file : json_files(out / "large")) {
    SCOPED_TRACE(file.string());
    const json pod = json::parse(read_bytes(file)).at("request").at("object");
    const json& spec = pod.at("spec");
    ASSERT_EQ(spec.at("containers").size(), 40U);
    std::set<std::string> volumes;
    for (const json& volume : spec.at("volumes")) volumes.insert(volume.at("name"));
    EXPECT_GE(volumes.size(), 10U);
    std::size_t ready_checks = 0;
    std::set<std::string> container_names;
    for (const json& container : spec.at("containers")) {
      const std::string name = container.at("name");
      EXPECT_TRUE(container_names.insert(name).second) << "container twice: " << name;
      const json& env = container.at("env");
      EXPECT_GE(env.size(), 10U) << name;
      EXPECT_LE(env.size(), 20U) << name;
      std::set<std::string> env_names;
      for (const json& var : env) env_names.insert(var.at("name"));
      EXPECT_EQ(env_names.size(), env.size()) << name << " repeats an env name";
      EXPECT_FALSE(container.at("ports").empty()) << name;
      EXPECT_TRUE(container.at("resources").contains("requests")) << name;
      EXPECT_TRUE(container.contains("livenessProbe")) << name;
      ready_checks += container.contains("readinessProbe") ? 1 : 0;
      EXPECT_TRUE(container.contains("securityContext")) << name;
      // A mount of a volume the pod does not declare would be rejected by the API server.
      for (const json& mount : container.at("volumeMounts")) {
        EXPECT_TRUE(volumes.contains(mount.at("name"))) << name << " mounts " << mount;
      }
    }
    EXPECT_GE(ready_checks, 20U);
  }
}

// How many of a kind's reviews name an account with a role, and how many one without.
struct ReviewAccountCheck {
  std::size_t with_role = 0;
  std::size_t without_role = 0;
};

TEST_F(Corpus, ServiceAccountsLoadThroughTheStoreWithTheReviewsAccounts) {
  const fs::path& out = default_corpus();
  const store::AccountsLoad load =
      store::load_service_accounts_file((out / "service-accounts.yaml").string(), core::Settings{});
  ASSERT_EQ(load.error, "");
  EXPECT_EQ(load.problems, std::vector<std::string>{});
  EXPECT_EQ(load.accounts->service_account_count(), kSmallAccountCount);

  bool saw_audience = false, saw_regional = false, saw_expiration = false;
  for (const auto& folder : {"tiny", "typical", "large"}) {
    ReviewAccountCheck counts;
    for (const auto& file : json_files(out / folder)) {
      SCOPED_TRACE(file.string());
      const json request = json::parse(read_bytes(file)).at("request");
      const std::string ns = request.at("namespace");
      const std::string name = request.at("object").at("spec").at("serviceAccountName");
      const core::IdentityEntryPtr entry = load.accounts->find_service_account(ns, name);
      ASSERT_NE(entry, nullptr) << ns << "/" << name << " is not in service-accounts.yaml";
      EXPECT_TRUE(entry->problems.empty());
      const bool expect_role = variant_of(file) % 4 != 3;
      if (expect_role) {
        EXPECT_EQ(entry->role_arn, std::string(kRoleArnPrefix) + name);
        ++counts.with_role;
      } else {
        EXPECT_EQ(entry->role_arn, "");
        ++counts.without_role;
      }
      saw_audience |= entry->audience == "sts.amazonaws.com";
      saw_regional |= entry->use_regional_sts;
      saw_expiration |= entry->token_expiration == 3600;
    }
    if (json_files(out / folder).empty()) continue;  // typical without the shared file
    EXPECT_EQ(counts.with_role, 6U) << folder;
    EXPECT_EQ(counts.without_role, 2U) << folder;
  }
  EXPECT_TRUE(saw_audience);
  EXPECT_TRUE(saw_regional);
  EXPECT_TRUE(saw_expiration);

  // The unchanged shared review is mutated too: its own account has a role.
  if (!fs::exists(out / "typical-exact" / "review.json")) return;
  const json exact = json::parse(read_bytes(out / "typical-exact" / "review.json")).at("request");
  const std::string name = exact.at("object").at("spec").at("serviceAccountName");
  const auto entry =
      load.accounts->find_service_account(exact.at("namespace").get<std::string>(), name);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->role_arn, std::string(kRoleArnPrefix) + name);
}

TEST_F(Corpus, DefaultAccountFileHasTenThousandMostlyWithoutRoles) {
  const fs::path out = generate(options(bench::kDefaultAccountCount));
  const store::AccountsLoad load =
      store::load_service_accounts_file((out / "service-accounts.yaml").string(), core::Settings{});
  ASSERT_EQ(load.error, "");
  ASSERT_EQ(load.accounts->service_account_count(), 10000U);
  std::size_t with_role = 0;
  load.accounts->for_each_service_account([&](std::string_view key, const core::IdentityEntry& e) {
    if (e.role_arn.empty()) return;
    ++with_role;
    const std::string name(key.substr(key.find('/') + 1));
    EXPECT_EQ(e.role_arn, std::string(kRoleArnPrefix) + name);
  });
  // 18 review accounts with a role, and about 1 in 20 of the 9,976 others.
  EXPECT_GE(with_role, 18U + 350U);
  EXPECT_LE(with_role, 18U + 650U);
}

TEST_F(Corpus, TypicalVariantsChangeOnlyUidNamespaceAndAccount) {
  if (!fs::exists(shared_typical())) GTEST_SKIP() << shared_typical() << " is missing";
  const fs::path& out = default_corpus();
  const json original = json::parse(read_bytes(shared_typical()));
  const json& original_request = original.at("request");
  for (const auto& file : json_files(out / "typical")) {
    SCOPED_TRACE(file.string());
    json variant = json::parse(read_bytes(file));
    json& request = variant.at("request");
    EXPECT_NE(request.at("uid"), original_request.at("uid"));
    json& pod = request.at("object");
    json& spec = pod.at("spec");
    EXPECT_EQ(pod.at("metadata").at("namespace"), request.at("namespace"));
    EXPECT_NE(spec.at("serviceAccountName"),
              original_request["object"]["spec"]["serviceAccountName"]);
    EXPECT_EQ(spec.at("serviceAccount"), spec.at("serviceAccountName"));
    // Put the original values back: the rest must be the shared request exactly.
    request["uid"] = original_request.at("uid");
    request["namespace"] = original_request.at("namespace");
    pod["metadata"]["namespace"] = original_request["object"]["metadata"]["namespace"];
    spec["serviceAccountName"] = original_request["object"]["spec"]["serviceAccountName"];
    spec["serviceAccount"] = original_request["object"]["spec"]["serviceAccount"];
    EXPECT_EQ(variant, original);
  }
}

TEST_F(Corpus, TypicalExactIsTheSharedFileByteForByte) {
  if (!fs::exists(shared_typical())) GTEST_SKIP() << shared_typical() << " is missing";
  const fs::path& out = default_corpus();
  EXPECT_EQ(read_bytes(out / "typical-exact" / "review.json"), read_bytes(shared_typical()));
}

TEST_F(Corpus, WithoutTypicalNeitherTypicalFolderIsWritten) {
  const fs::path out = generate(options(kSmallAccountCount, false));
  EXPECT_FALSE(fs::exists(out / "typical"));
  EXPECT_FALSE(fs::exists(out / "typical-exact"));
  EXPECT_EQ(read_bytes(out / "mixed" / "weights.txt").find("typical"), std::string::npos);
  EXPECT_EQ(json_files(out / "mixed").size(), 10U);
}

// Load runs with and without --typical stay comparable request for request.
TEST_F(Corpus, LeavingOutTypicalChangesNothingElse) {
  if (!fs::exists(shared_typical())) GTEST_SKIP() << shared_typical() << " is missing";
  const auto with = read_tree(generate(options(), "with"));
  const auto without = read_tree(generate(options(kSmallAccountCount, false), "without"));
  for (const auto& [path, bytes] : without) {
    // The typical review's own account takes the last filler slot of the account file.
    if (path == "mixed/weights.txt" || path == "README.txt" || path == "service-accounts.yaml") {
      continue;
    }
    ASSERT_TRUE(with.contains(path)) << path;
    EXPECT_EQ(with.at(path), bytes) << path;
  }
}

TEST_F(Corpus, MixedWeightsListEveryMixedFileAndFavourSmallReviews) {
  const fs::path& out = default_corpus();
  std::istringstream lines(read_bytes(out / "mixed" / "weights.txt"));
  std::map<std::string, long> weights;
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string file, rest;
    long weight = 0;
    ASSERT_TRUE(fields >> file >> weight) << "line: " << line;
    EXPECT_FALSE(fields >> rest) << "extra text on line: " << line;
    EXPECT_GT(weight, 0) << line;
    EXPECT_TRUE(weights.emplace(file, weight).second) << file << " listed twice";
  }
  std::set<std::string> listed, present;
  for (const auto& [file, weight] : weights) listed.insert(file);
  for (const auto& file : json_files(out / "mixed")) present.insert(file.filename().string());
  EXPECT_EQ(listed, present);

  long small = 0, large = 0, large_files = 0;
  for (const auto& [file, weight] : weights) {
    if (file.starts_with("large-")) {
      large += weight;
      ++large_files;
    } else {
      small += weight;
    }
  }
  EXPECT_GE(large_files, 1);
  EXPECT_LT(large * 10, small) << "large reviews should be rare";
}

TEST_F(Corpus, MixedFilesAreTheVariantsWithNewUids) {
  const fs::path& out = default_corpus();
  for (const auto& file : json_files(out / "mixed")) {
    SCOPED_TRACE(file.string());
    const std::string name = file.filename().string();  // e.g. tiny-03.json
    const std::string kind = name.substr(0, name.rfind('-'));
    json mixed = json::parse(read_bytes(file));
    const json variant =
        json::parse(read_bytes(out / kind / ("review-" + name.substr(name.rfind('-') + 1))));
    EXPECT_NE(mixed["request"]["uid"], variant["request"]["uid"]);
    mixed["request"]["uid"] = variant["request"]["uid"];
    EXPECT_EQ(mixed, variant);
  }
}

TEST_F(Corpus, SameSeedWritesTheSameBytes) {
  const auto first = read_tree(generate(options(), "first"));
  const auto second = read_tree(generate(options(), "second"));
  EXPECT_GE(first.size(), 29U);  // even without typical: 26 reviews, weights, accounts, README
  EXPECT_EQ(first, second);
}

TEST_F(Corpus, AnotherSeedWritesOtherReviews) {
  bench::CorpusOptions other = options();
  other.seed = 2;
  const auto first = read_tree(generate(options(), "first"));
  const auto second = read_tree(generate(other, "second"));
  for (const auto& path :
       {"tiny/review-00.json", "large/review-00.json", "service-accounts.yaml"}) {
    EXPECT_NE(first.at(path), second.at(path)) << path;
  }
}

// The program, as a load-test script runs it.
class CorpusProgram : public Corpus {
 protected:
  static ProcessResult corpus(const std::vector<std::string>& args) {
    return run_process(IRSA_CORPUS_BINARY, args);
  }
};

TEST_F(CorpusProgram, DefaultsMatchTheLibraryDefaults) {
  std::vector<std::string> args = {"--out", dir_.path("cli")};
  bench::CorpusOptions defaults;
  if (fs::exists(shared_typical())) {
    args.insert(args.end(), {"--typical", shared_typical()});
    defaults.typical_review = shared_typical();
  }
  const ProcessResult result = corpus(args);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_TRUE(is_one_line(result.out)) << result.out;
  EXPECT_EQ(read_tree(dir_.path("cli")), read_tree(generate(defaults, "library")));
}

TEST_F(CorpusProgram, OutInsideAFileFailsWithOneLine) {
  const std::string file = dir_.write("plain", "not a folder");
  for (const std::string& out : {file, file + "/corpus"}) {
    const ProcessResult result = corpus({"--out", out});
    EXPECT_EQ(result.exit_code, 1) << out;
    EXPECT_TRUE(is_one_line(result.err)) << result.err;
    EXPECT_NE(result.err.find(file), std::string::npos) << result.err;
  }
}

TEST_F(CorpusProgram, MissingTypicalFailsBeforeWritingAnything) {
  const std::string missing = dir_.path("no-such-review.json");
  const ProcessResult result = corpus({"--out", dir_.path("out"), "--typical", missing});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(is_one_line(result.err)) << result.err;
  EXPECT_NE(result.err.find(missing), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(dir_.path("out")));
}

TEST_F(CorpusProgram, TypicalThatIsNotAReviewFails) {
  for (const char* text : {"{not json", "[1, 2, 3]", R"({"request": {"object": {}}})"}) {
    const std::string typical = dir_.write("typical.json", text);
    const ProcessResult result = corpus({"--out", dir_.path("out"), "--typical", typical});
    EXPECT_EQ(result.exit_code, 1) << text;
    EXPECT_TRUE(is_one_line(result.err)) << result.err;
  }
  const ProcessResult folder = corpus({"--out", dir_.path("out"), "--typical", dir_.path("")});
  EXPECT_EQ(folder.exit_code, 1) << folder.err;
}

TEST_F(CorpusProgram, TooFewAccountsFailsAndTheMinimumWorks) {
  const std::string minimum = std::to_string(bench::accounts_needed_by_reviews());
  const std::string one_less = std::to_string(bench::accounts_needed_by_reviews() - 1);
  const ProcessResult too_few = corpus({"--out", dir_.path("few"), "--accounts", one_less});
  EXPECT_EQ(too_few.exit_code, 1);
  EXPECT_TRUE(is_one_line(too_few.err)) << too_few.err;
  EXPECT_NE(too_few.err.find(minimum), std::string::npos) << too_few.err;

  const ProcessResult enough = corpus({"--out", dir_.path("enough"), "--accounts", minimum});
  ASSERT_EQ(enough.exit_code, 0) << enough.err;
  const store::AccountsLoad load = store::load_service_accounts_file(
      dir_.path("enough/service-accounts.yaml"), core::Settings{});
  ASSERT_EQ(load.error, "");
  EXPECT_EQ(load.accounts->service_account_count(), bench::accounts_needed_by_reviews());
}

TEST_F(CorpusProgram, BadFlagsExitWithTwo) {
  const std::string out = dir_.path("out");
  const std::vector<std::vector<std::string>> bad = {
      {},                                                // --out is required
      {"--out", out, "--accounts", "ten"},               // not a number
      {"--out", out, "--accounts", "-5"},                // negative
      {"--out", out, "--seed", "18446744073709551616"},  // past 2^64 - 1
      {"--out", out, "--seed", "x"},
      {"--out", out, "--bogus"},
  };
  for (const auto& args : bad) {
    const ProcessResult result = corpus(args);
    std::string joined;
    for (const auto& arg : args) joined += arg + " ";
    EXPECT_EQ(result.exit_code, 2) << joined << "\n" << result.err;
    EXPECT_TRUE(is_one_line(result.err)) << result.err;
  }
}

}  // namespace
}  // namespace irsa::testing
