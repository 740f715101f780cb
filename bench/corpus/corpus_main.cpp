// irsa-corpus: writes the AdmissionReview corpus that load tests send to the webhook, and the
// ServiceAccounts the webhook needs to answer them (see DIR/README.txt after a run).
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

#include "review_generator.hpp"

namespace {

constexpr int kExitFailure = 1;
// Bad or missing flags, as irsa-webhook itself answers them.
constexpr int kExitUsage = 2;

struct CommandLine {
  std::string out_dir;
  // A string rather than a path: CLI11 would read a path through operator>>, which unquotes.
  std::string typical_review;
  irsa::bench::CorpusOptions corpus;
};

// CLI11 reads "-5" into an unsigned as a huge number and saturates values past 2^64 - 1 without
// a word; both are usage errors here.
CLI::Validator whole_number() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [stop, error] = std::from_chars(text.data(), end, value);
        if (text.empty() || error != std::errc() || stop != end) {
          return "must be a whole number from 0 to 18446744073709551615, not \"" + text + "\"";
        }
        return {};
      },
      "NUMBER");
}

void add_flags(CLI::App& app, CommandLine& line) {
  app.add_option("--out", line.out_dir, "Folder to write the corpus into (created if missing)")
      ->required()
      ->type_name("DIR");
  app.add_option("--typical", line.typical_review,
                 "AdmissionReview to derive typical/ from, copied unchanged to typical-exact/; "
                 "without it those two folders are not written")
      ->type_name("FILE");
  app.add_option("--accounts", line.corpus.account_count,
                 "ServiceAccounts in service-accounts.yaml (at least " +
                     std::to_string(irsa::bench::accounts_needed_by_reviews()) + ")")
      ->capture_default_str()
      ->check(whole_number());
  app.add_option("--seed", line.corpus.seed, "Seed of every random choice; same seed, same bytes")
      ->capture_default_str()
      ->check(whole_number());
}

int generate(CommandLine& line) {
  line.corpus.typical_review = line.typical_review;
  const irsa::bench::CorpusBuild build = irsa::bench::build_corpus(line.corpus);
  std::string error = build.error;
  if (error.empty()) error = irsa::bench::write_corpus(build.files, line.out_dir);
  if (!error.empty()) {
    std::cerr << "irsa-corpus: " << error << "\n";
    return kExitFailure;
  }
  std::cout << "irsa-corpus: wrote " << build.files.size() << " files to " << line.out_dir << " ("
            << line.corpus.account_count << " ServiceAccounts, seed " << line.corpus.seed << ")\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "irsa-corpus: writes AdmissionReview request bodies (tiny, typical, large and a weighted "
      "mix) and the ServiceAccounts they name, for load tests of irsa-webhook. Existing files "
      "of the same names are replaced; nothing else in the folder is removed."};
  CommandLine line;
  add_flags(app, line);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "irsa-corpus: " << e.what() << " (see irsa-corpus --help)\n";
    return kExitUsage;
  }
  try {
    return generate(line);
  } catch (const std::exception& e) {
    // Printing to a closed stdout and the like: still one line and a failure, never an abort.
    std::cerr << "irsa-corpus: " << e.what() << "\n";
    return kExitFailure;
  }
}
