// The corpus irsa-corpus writes for load tests: AdmissionReview request bodies of three sizes
// (tiny, typical, large), a weighted mix of them, and the ServiceAccounts they name. Everything
// is derived from one seed, so a given seed always yields the same bytes and two load runs can be
// compared request for request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace irsa::bench {

// Variants per review kind: review-00.json .. review-07.json.
inline constexpr int kVariantsPerKind = 8;
inline constexpr std::size_t kDefaultAccountCount = 10000;
// A bound that keeps service-accounts.yaml (about 150 bytes an account) well inside memory.
inline constexpr std::size_t kMaxAccountCount = 1000000;
inline constexpr std::uint64_t kDefaultSeed = 1;

struct CorpusOptions {
  std::filesystem::path typical_review;  // empty: no typical/ and no typical-exact/
  std::size_t account_count = kDefaultAccountCount;
  std::uint64_t seed = kDefaultSeed;
};

// How many ServiceAccounts the reviews name: one per variant of each kind. Slots for the typical
// variants are kept even without --typical, so that the tiny and large reviews and the account
// file do not change with it.
[[nodiscard]] std::size_t accounts_needed_by_reviews();

struct CorpusFile {
  std::string path;  // relative to the output folder, '/'-separated
  std::string content;
};

struct CorpusBuild {
  std::vector<CorpusFile> files;
  std::string error;  // non-empty: one line saying what is wrong; `files` is empty
};

// Builds every file in memory (reading options.typical_review when set). Never throws.
[[nodiscard]] CorpusBuild build_corpus(const CorpusOptions& options);

// Writes files under out_dir, creating the folders and replacing files of the same name; nothing
// else in out_dir is touched. Returns an empty string, or one line naming what could not be
// written. Never throws.
[[nodiscard]] std::string write_corpus(const std::vector<CorpusFile>& files,
                                       const std::filesystem::path& out_dir);

}  // namespace irsa::bench
